/* modules/stats/stats_hll.h: a HyperLogLog sketch (stats_hll.c): how many distinct
 * visitors a site had in a day, estimated from 1,024 one-byte registers (standard error
 * about 3%), without keeping who they were. Two sketches of the same day merge by taking
 * each register's maximum, so workers count apart and the store adds them up.
 *
 * Small counts are exact: up to STATS_HLL_EXACT distinct hashes are also kept as they are
 * (salted daily, so they name nobody), and while they fit, the count is theirs; a
 * township's 30 visitors a day are then 30, not 29 because two shared a register. */
#ifndef JIYUE_STATS_HLL_H
#define JIYUE_STATS_HLL_H

#include <stddef.h>
#include <stdint.h>

#define STATS_HLL_BITS 10
#define STATS_HLL_REGS (1u << STATS_HLL_BITS)
#define STATS_HLL_EXACT 64
#define STATS_HLL_OVER 0xFFFF /* nexact when more than STATS_HLL_EXACT were seen */

typedef struct stats_hll {
    uint8_t reg[STATS_HLL_REGS];
    uint16_t nexact;                 /* distinct hashes in exact[], or STATS_HLL_OVER */
    uint64_t exact[STATS_HLL_EXACT];
} stats_hll_t;

/* Counts a visitor by a 64-bit hash of who it is (uniformly spread). */
void stats_hll_add(stats_hll_t *h, uint64_t hash);
/* dst = the union of dst and src. */
void stats_hll_merge(stats_hll_t *dst, const stats_hll_t *src);
/* The number of distinct hashes added: exact while at most STATS_HLL_EXACT, else the
 * estimate (with the small-range correction). */
uint64_t stats_hll_estimate(const stats_hll_t *h);
/* A keyed 64-bit hash of bytes (not cryptographic: the key is a secret daily salt, so the
 * registers say nothing about an address without it, and the salt is never shown). */
uint64_t stats_hash(const uint8_t key[16], const void *data, size_t len, uint64_t seed);

#endif
