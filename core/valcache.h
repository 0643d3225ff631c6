/* core/valcache.h: a thread's memory of recent store lookups (pages, meta, content), so a
 * value asked for again in the same snapshot costs a hash probe instead of an LMDB B-tree
 * search (about 1,100 instructions of the 5,000 a page request takes).
 *
 * Why it is safe: an entry is valid only for the snapshot it was made in, named by the
 * store's serial (unique per store_open in this process) and the read transaction's id.
 * LMDB changes no page a snapshot can see while that snapshot is the newest, and any
 * commit makes a new id; so while the id is the same, the value is at the same address
 * with the same bytes. store.c uses it for read transactions only.
 *
 * Each thread that looks pages up gets its own table (no locks), allocated on first use
 * and freed when the thread ends.
 *
 * Not in wcache.h's per-worker cache on purpose: it is probed for every store lookup of a
 * request (pages, meta, content) on the hot path tuned with callgrind, owns no values (they
 * are pointers into LMDB's map) so it needs no eviction order or free function, and a
 * direct-mapped slot overwritten in place costs no allocation on a miss either; an LRU
 * list, entry allocation and deferred frees would add instructions to every request. */
#ifndef JIYUE_VALCACHE_H
#define JIYUE_VALCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VALCACHE_SLOTS 32768 /* power of two; with 10,000 pages in use about 84% are found */
#define VALCACHE_KEY_MAX 64  /* longer keys are simply not remembered */

typedef struct valcache_ref {
    uint64_t store_serial, txnid;
    uint32_t db; /* which database of the store: the same key may be in several */
    const void *key;
    size_t klen;
    uint64_t hash;
} valcache_ref_t;

/* Fills ref->hash; call once, then get and maybe put with the same ref. */
void valcache_hash(valcache_ref_t *ref);
/* True when the lookup is remembered; then data and size are the value (data NULL: the
 * key was not found). */
bool valcache_get(const valcache_ref_t *ref, const void **data, size_t *size);
void valcache_put(const valcache_ref_t *ref, const void *data, size_t size);
/* Counters of this thread's table (tests). */
void valcache_counts(uint64_t *hits, uint64_t *misses);

#endif
