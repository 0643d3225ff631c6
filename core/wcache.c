/* core/wcache.c: the per-worker cache described in wcache.h: a chained hash table for
 * lookups, a doubly linked list from most to least recently used for eviction, and a list
 * of parked entries whose values are freed after the loop turn. All of it is the thread's
 * own (_Thread_local), so nothing here locks. */
#include "wcache.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "util.h"

#define BUCKETS 8192 /* power of two, as many as entries under the default bound */

typedef struct entry {
    struct entry *chain;         /* the bucket's next, or the parked list's next */
    struct entry *newer, *older; /* the recency list */
    const wcache_owner_t *owner;
    uint64_t hash;
    wcache_stamp_t stamp;
    void *value;
    size_t bytes; /* charged against the bound: the value's, the entry's and the key's */
    size_t klen;
    unsigned char key[];
} entry_t;

typedef struct wcache {
    entry_t *buckets[BUCKETS];
    entry_t *newest, *oldest;
    entry_t *parked;
    size_t entries, bytes, nparked;
    size_t max_entries, max_bytes;
    uint64_t hits, misses, evictions;
    uv_check_t check;
    bool check_on;
} wcache_t;

static _Thread_local wcache_t *tl;

static wcache_t *table(void)
{
    if (!tl) {
        tl = util_calloc(1, sizeof *tl);
        tl->max_entries = WCACHE_MAX_ENTRIES;
        tl->max_bytes = WCACHE_MAX_BYTES;
    }
    return tl;
}

/* The owner's address is mixed in so that owners using the same key bytes land apart. */
static uint64_t hash_key(const wcache_owner_t *owner, const unsigned char *p, size_t n)
{
    return util_hash_bytes((uint64_t)(uintptr_t)owner, p, n);
}

static bool same_stamp(const wcache_stamp_t *a, const wcache_stamp_t *b)
{
    return a->generation == b->generation && a->version == b->version && a->txn == b->txn;
}

static void lru_unlink(wcache_t *c, entry_t *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
}

static void lru_push(wcache_t *c, entry_t *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
}

static void park(wcache_t *c, entry_t *e)
{
    e->chain = c->parked;
    c->parked = e;
    c->nparked++;
}

/* Takes e out of its bucket (pp points at the link to it) and the recency list. */
static void drop(wcache_t *c, entry_t **pp, entry_t *e)
{
    *pp = e->chain;
    lru_unlink(c, e);
    c->entries--;
    c->bytes -= e->bytes;
    park(c, e);
}

static entry_t **link_of(wcache_t *c, const entry_t *e)
{
    entry_t **pp = &c->buckets[e->hash & (BUCKETS - 1)];
    while (*pp != e)
        pp = &(*pp)->chain;
    return pp;
}

void *wcache_get(const wcache_owner_t *owner, const void *key, size_t klen,
                 const wcache_stamp_t *stamp)
{
    wcache_t *c = tl;
    if (!c)
        return NULL;
    uint64_t h = hash_key(owner, key, klen);
    entry_t **pp = &c->buckets[h & (BUCKETS - 1)];
    for (entry_t *e = *pp; e; pp = &e->chain, e = e->chain) {
        if (e->hash != h || e->owner != owner || e->klen != klen ||
            memcmp(e->key, key, klen) != 0)
            continue;
        if (!same_stamp(&e->stamp, stamp)) {
            drop(c, pp, e);
            break;
        }
        if (c->newest != e) {
            lru_unlink(c, e);
            lru_push(c, e);
        }
        c->hits++;
        return e->value;
    }
    c->misses++;
    return NULL;
}

void *wcache_put(const wcache_owner_t *owner, const void *key, size_t klen,
                 const wcache_stamp_t *stamp, void *value, size_t bytes)
{
    wcache_t *c = table();
    uint64_t h = hash_key(owner, key, klen);
    entry_t **pp = &c->buckets[h & (BUCKETS - 1)];
    for (entry_t *e = *pp; e; pp = &e->chain, e = e->chain) {
        if (e->hash == h && e->owner == owner && e->klen == klen &&
            memcmp(e->key, key, klen) == 0) {
            drop(c, pp, e);
            break;
        }
    }
    entry_t *e = util_malloc(sizeof *e + klen);
    e->owner = owner;
    e->hash = h;
    e->stamp = *stamp;
    e->value = value;
    e->bytes = bytes + sizeof *e + klen;
    e->klen = klen;
    memcpy(e->key, key, klen);
    if (e->bytes > c->max_bytes || c->max_entries == 0) {
        park(c, e); /* never kept, but valid like any other value until the collect */
        return value;
    }
    while (c->oldest && (c->entries + 1 > c->max_entries || c->bytes + e->bytes > c->max_bytes)) {
        entry_t *old = c->oldest;
        drop(c, link_of(c, old), old);
        c->evictions++;
    }
    e->chain = c->buckets[h & (BUCKETS - 1)];
    c->buckets[h & (BUCKETS - 1)] = e;
    lru_push(c, e);
    c->entries++;
    c->bytes += e->bytes;
    return value;
}

void wcache_collect(void)
{
    wcache_t *c = tl;
    if (!c)
        return;
    entry_t *e = c->parked;
    c->parked = NULL;
    c->nparked = 0;
    while (e) {
        entry_t *n = e->chain;
        if (e->owner->free_value)
            e->owner->free_value(e->value);
        free(e);
        e = n;
    }
}

static void on_check(uv_check_t *h)
{
    (void)h;
    if (tl->parked)
        wcache_collect();
}

void wcache_init(struct uv_loop_s *loop)
{
    wcache_t *c = table();
    if (loop && !c->check_on && uv_check_init(loop, &c->check) == 0) {
        uv_check_start(&c->check, on_check);
        uv_unref((uv_handle_t *)&c->check); /* never what keeps the loop alive */
        c->check_on = true;
    }
}

void wcache_exit(void)
{
    wcache_t *c = tl;
    if (!c)
        return;
    while (c->oldest)
        drop(c, link_of(c, c->oldest), c->oldest);
    wcache_collect();
    if (c->check_on) {
        uv_loop_t *loop = c->check.loop;
        uv_close((uv_handle_t *)&c->check, NULL);
        uv_run(loop, UV_RUN_NOWAIT); /* let the close complete before the loop is closed */
    }
    tl = NULL;
    free(c);
}

void wcache_set_bound(size_t max_entries, size_t max_bytes)
{
    wcache_t *c = table();
    c->max_entries = max_entries ? max_entries : WCACHE_MAX_ENTRIES;
    c->max_bytes = max_bytes ? max_bytes : WCACHE_MAX_BYTES;
}

void wcache_stats(wcache_stats_t *out)
{
    const wcache_t *c = tl;
    *out = (wcache_stats_t){0};
    if (!c)
        return;
    out->entries = c->entries;
    out->bytes = c->bytes;
    out->parked = c->nparked;
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
}
