/* core/strmap.c: open addressing with linear probing, kept at most half full. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t strmap_hash(const char *key, size_t len)
{
    /* FNV-1a: keys are short host names and paths, where it is fast and spreads well. */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void strmap_init(strmap_t *m)
{
    m->slots = NULL;
    m->cap = m->count = 0;
}

void strmap_free(strmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    strmap_init(m);
}

static strmap_slot_t *find(const strmap_t *m, const char *key, size_t len, uint64_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        strmap_slot_t *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

static void grow(strmap_t *m)
{
    strmap_t old = *m;
    m->cap = old.cap ? old.cap * 2 : 16;
    m->slots = util_calloc(m->cap, sizeof *m->slots);
    m->count = 0;
    for (size_t i = 0; i < old.cap; i++) {
        strmap_slot_t *o = &old.slots[i];
        if (!o->key)
            continue;
        *find(m, o->key, o->len, o->hash) = *o;
        m->count++;
    }
    free(old.slots);
}

void *strmap_put(strmap_t *m, const char *key, size_t len, void *value)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    uint64_t h = strmap_hash(key, len);
    strmap_slot_t *s = find(m, key, len, h);
    if (s->key) {
        void *prev = s->value;
        s->value = value;
        return prev;
    }
    s->key = util_strndup(key, len);
    s->len = len;
    s->hash = h;
    s->value = value;
    m->count++;
    return NULL;
}

void *strmap_get(const strmap_t *m, const char *key, size_t len)
{
    if (!m->cap)
        return NULL;
    strmap_slot_t *s = find(m, key, len, strmap_hash(key, len));
    return s->key ? s->value : NULL;
}
