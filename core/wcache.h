/* core/wcache.h: the one per-worker cache of rendered and derived values (rendered pages,
 * a board's public lists...), used by every
 * module that keeps something between requests.
 *
 * An entry is a value under (owner, key bytes) together with the stamp it was made for:
 * the configuration generation, a content version and a store transaction, whichever the
 * value depends on (0 for the others). A lookup with a different stamp is a miss, so a
 * publish or a reload makes entries stale without anyone reaching into the cache.
 *
 * Each thread has its own table (no lock on the request path), with one bound on entries
 * and bytes shared by all owners; a put beyond it evicts the least recently used entries.
 * Lookups are O(1) by hash and allocate nothing. A value that is replaced, evicted or
 * found stale is not freed at once: a response may reference it until the current
 * callback returns (and one callback may answer several pipelined requests), so it is
 * parked and freed after the I/O callbacks of the loop turn (a libuv check handle set up
 * by wcache_init), by wcache_collect, or at wcache_exit.
 *
 * Not on it: valcache.c (pointers into LMDB's map, no owned values, probed several times
 * per request: see its header) and sendcache.c (file descriptors and files on disk, see
 * its header). */
#ifndef JIYUE_WCACHE_H
#define JIYUE_WCACHE_H

#include <stddef.h>
#include <stdint.h>

struct uv_loop_s; /* uv_loop_t, without pulling <uv.h> (and the socket API) into modules */

#define WCACHE_MAX_ENTRIES 8192
#define WCACHE_MAX_BYTES ((size_t)64 << 20)

/* What invalidates a value: an entry is found only with the same three numbers. */
typedef struct wcache_stamp {
    uint64_t generation; /* the configuration snapshot's generation */
    uint64_t version;    /* a site's (or the cluster's) content version */
    uint64_t txn;        /* a store read transaction's id */
} wcache_stamp_t;

/* One per module that caches (a static const): entries of different owners never match,
 * and the owner frees its values. */
typedef struct wcache_owner {
    const char *name;
    void (*free_value)(void *value);
} wcache_owner_t;

/* Per worker thread: the table and the check handle on the worker's loop that frees parked
 * values. Without it (tests, tools) the table is made on first use and parked values wait
 * for wcache_collect or wcache_exit. */
void wcache_init(struct uv_loop_s *loop);
/* Frees every value and the table; the loop must still be open. */
void wcache_exit(void);

/* The value under (owner, key) made for this stamp, or NULL. A stale entry is dropped. */
void *wcache_get(const wcache_owner_t *owner, const void *key, size_t klen,
                 const wcache_stamp_t *stamp);
/* Keeps value (owned from now on; `bytes` is what it costs against the bound) under
 * (owner, key) for stamp, replacing any entry there, and returns it. The value stays valid
 * at least until the current callback returns, even when it is larger than the whole
 * bound (then it is parked at once, not kept). */
void *wcache_put(const wcache_owner_t *owner, const void *key, size_t klen,
                 const wcache_stamp_t *stamp, void *value, size_t bytes);
/* Frees the parked values now (the check handle calls it after each loop turn). */
void wcache_collect(void);

/* Tests: this thread's bound (0: the defaults above) and counters. */
void wcache_set_bound(size_t max_entries, size_t max_bytes);
typedef struct wcache_stats {
    size_t entries, bytes, parked;
    uint64_t hits, misses, evictions;
} wcache_stats_t;
void wcache_stats(wcache_stats_t *out);

#endif
