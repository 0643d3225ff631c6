/* modules/search/search_postings.h: a term's postings in blocks (layout in search_keys.h):
 * the entry codec the queries share, and adding or removing one document's entry in a
 * write transaction, touching one block (two when it splits). */
#ifndef JIYUE_SEARCH_POSTINGS_H
#define JIYUE_SEARCH_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

typedef struct search_posting {
    uint64_t doc;
    uint32_t site, column;
    uint8_t type;
    uint32_t tf_title, tf_body, length;
} search_posting_t;

/* Decodes a block into out[0..cap): the entry count, or -1 for a malformed block. */
int search_block_decode(const void *v, size_t len, search_posting_t *out, size_t cap);
void search_block_encode(const search_posting_t *p, size_t n, util_buf_t *out);
/* "xp/<term>/" into k (STORE_KEY_MAX + 1 bytes); its length, 0 when the term is too long. */
size_t search_postings_prefix(char *k, const char *term, size_t tlen);

/* Adds (or replaces) p in the term's postings. Returns 0 or a STORE_E* code. */
int search_postings_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p);
/* Removes document `doc` from the term's postings: 0, STORE_NOTFOUND when it is not there,
 * or a STORE_E* code. */
int search_postings_del(store_txn_t *w, const char *term, size_t tlen, uint64_t doc);

#endif
