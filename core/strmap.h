/* core/strmap.h: a small open-addressing hash map from byte strings to pointers, built
 * once (at config load) and then only read, so lookups from many threads need no lock.
 * Keys are copied into the map. Used for host names and mount prefixes. */
#ifndef JIYUE_STRMAP_H
#define JIYUE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap_slot {
    char *key; /* NULL: empty */
    size_t len;
    uint64_t hash;
    void *value;
} strmap_slot_t;

typedef struct strmap {
    strmap_slot_t *slots;
    size_t cap; /* power of two */
    size_t count;
} strmap_t;

void strmap_init(strmap_t *m);
void strmap_free(strmap_t *m);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(strmap_t *m, const char *key, size_t len, void *value);
void *strmap_get(const strmap_t *m, const char *key, size_t len);
uint64_t strmap_hash(const char *key, size_t len);

#endif
