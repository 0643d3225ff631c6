/* core/valcache.c: the per-thread lookup memory described in valcache.h: a direct-mapped
 * table (a new entry simply replaces whatever shared its slot) in memory owned by the
 * thread through a pthread key, whose destructor frees it when the thread exits. */
#include "valcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct slot {
    uint64_t store_serial, txnid; /* 0: empty */
    uint64_t hash;
    uint32_t db;
    const void *data;
    size_t size;
    uint16_t klen;
    char key[VALCACHE_KEY_MAX];
} slot_t;

typedef struct table {
    slot_t slots[VALCACHE_SLOTS];
    uint64_t hits, misses;
} table_t;

static pthread_key_t table_key;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static _Thread_local table_t *tl_table;

static void table_free(void *p)
{
    free(p);
}

static void make_key(void)
{
    pthread_key_create(&table_key, table_free);
}

static table_t *table(void)
{
    if (!tl_table) {
        pthread_once(&table_once, make_key);
        tl_table = util_calloc(1, sizeof *tl_table);
        pthread_setspecific(table_key, tl_table);
    }
    return tl_table;
}

/* Keys are short ("s012/news/a0003.html"), hashed per request. */
void valcache_hash(valcache_ref_t *ref)
{
    ref->hash = util_hash_bytes(ref->db, ref->key, ref->klen);
}

static slot_t *slot_of(table_t *t, const valcache_ref_t *ref)
{
    return &t->slots[ref->hash & (VALCACHE_SLOTS - 1)];
}

bool valcache_get(const valcache_ref_t *ref, const void **data, size_t *size)
{
    if (ref->klen > VALCACHE_KEY_MAX)
        return false;
    table_t *t = table();
    const slot_t *s = slot_of(t, ref);
    if (s->txnid != ref->txnid || s->store_serial != ref->store_serial || s->hash != ref->hash ||
        s->db != ref->db || s->klen != ref->klen || memcmp(s->key, ref->key, ref->klen) != 0) {
        t->misses++;
        return false;
    }
    t->hits++;
    *data = s->data;
    *size = s->size;
    return true;
}

void valcache_put(const valcache_ref_t *ref, const void *data, size_t size)
{
    if (ref->klen > VALCACHE_KEY_MAX || ref->store_serial == 0)
        return;
    slot_t *s = slot_of(table(), ref);
    s->store_serial = ref->store_serial;
    s->txnid = ref->txnid;
    s->hash = ref->hash;
    s->db = ref->db;
    s->data = data;
    s->size = size;
    s->klen = (uint16_t)ref->klen;
    memcpy(s->key, ref->key, ref->klen);
}

void valcache_counts(uint64_t *hits, uint64_t *misses)
{
    table_t *t = table();
    *hits = t->hits;
    *misses = t->misses;
}
