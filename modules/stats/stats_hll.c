/* modules/stats/stats_hll.c: the HyperLogLog sketch and the keyed hash (stats_hll.h). */
#include "stats_hll.h"

#include <math.h>
#include <string.h>

/* Adds hash to the exact set; false when the set is full (or was). */
static void exact_add(stats_hll_t *h, uint64_t hash)
{
    if (h->nexact == STATS_HLL_OVER)
        return;
    for (uint16_t i = 0; i < h->nexact; i++)
        if (h->exact[i] == hash)
            return;
    if (h->nexact == STATS_HLL_EXACT) {
        h->nexact = STATS_HLL_OVER;
        return;
    }
    h->exact[h->nexact++] = hash;
}

void stats_hll_add(stats_hll_t *h, uint64_t hash)
{
    exact_add(h, hash);
    uint32_t idx = (uint32_t)(hash >> (64 - STATS_HLL_BITS));
    uint64_t rest = hash << STATS_HLL_BITS;
    /* The rank: leading zeros of what is left, plus one (64 - BITS + 1 when all zero). */
    uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - STATS_HLL_BITS + 1);
    if (rank > h->reg[idx])
        h->reg[idx] = rank;
}

void stats_hll_merge(stats_hll_t *dst, const stats_hll_t *src)
{
    for (uint32_t i = 0; i < STATS_HLL_REGS; i++)
        if (src->reg[i] > dst->reg[i])
            dst->reg[i] = src->reg[i];
    if (src->nexact == STATS_HLL_OVER)
        dst->nexact = STATS_HLL_OVER;
    for (uint16_t i = 0; i < src->nexact && dst->nexact != STATS_HLL_OVER; i++)
        exact_add(dst, src->exact[i]);
}

uint64_t stats_hll_estimate(const stats_hll_t *h)
{
    if (h->nexact != STATS_HLL_OVER)
        return h->nexact;
    const double m = STATS_HLL_REGS;
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double sum = 0;
    uint32_t zeros = 0;
    for (uint32_t i = 0; i < STATS_HLL_REGS; i++) {
        sum += ldexp(1.0, -h->reg[i]);
        zeros += h->reg[i] == 0;
    }
    double e = alpha * m * m / sum;
    /* Few visitors: linear counting over the empty registers is the better estimate. */
    if (e <= 2.5 * m && zeros)
        e = m * log(m / zeros);
    return (uint64_t)(e + 0.5);
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

uint64_t stats_hash(const uint8_t key[16], const void *data, size_t len, uint64_t seed)
{
    uint64_t k0, k1;
    memcpy(&k0, key, 8);
    memcpy(&k1, key + 8, 8);
    uint64_t h = fmix64(k0 ^ seed) ^ k1;
    const uint8_t *p = data;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = fmix64(h ^ v) + k0;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, len);
    return fmix64(h ^ tail ^ ((uint64_t)len << 56) ^ k1);
}
