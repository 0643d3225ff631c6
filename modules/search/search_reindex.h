/* modules/search/search_reindex.h: rebuilding the search index from the content (after an
 * upgrade, or to verify it): what `jiyuectl reindex [SITE]` runs. */
#ifndef JIYUE_SEARCH_REINDEX_H
#define JIYUE_SEARCH_REINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

typedef struct search_reindex_report {
    long removed;  /* documents the index held before */
    long indexed;  /* documents indexed from the content */
    bool equal;    /* the rebuilt index equals the one maintained (search_index_digest) */
} search_reindex_report_t;

/* In w: clears what the index holds of `site` (NULL: all of it), indexes every published
 * article of it again and, with c, the pages its live generation serves (of every site
 * of c for NULL; search_pages.h), and compares. Returns 0 or a STORE_E* code. */
int search_reindex(store_txn_t *w, const char *site, const conf_t *c,
                   search_reindex_report_t *rep);

/* What the whole index takes in the store, by key family: entries and the bytes of their
 * keys and values (a precise sum; LMDB adds its node headers and page slack on top). */
typedef struct search_size_family {
    const char *prefix;
    uint64_t entries, key_bytes, value_bytes;
} search_size_family_t;
#define SEARCH_SIZE_FAMILIES 6
typedef struct search_size {
    search_size_family_t f[SEARCH_SIZE_FAMILIES]; /* xp/ xf/ xd/ xa/ xs/+xc/ xn */
} search_size_t;
int search_index_size(store_txn_t *t, search_size_t *out);

#endif
