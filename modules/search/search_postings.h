/* modules/search/search_postings.h: a term's postings in blocks (layout in search_keys.h;
 * the codec in search_block.h): adding or removing one document's entry in a write
 * transaction, touching one block (two when it splits), or in bulk (search_bulk.h). */
#ifndef JIYUE_SEARCH_POSTINGS_H
#define JIYUE_SEARCH_POSTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#include "search_block.h"
#include "search_fam.h"

/* "xp/<term>/" (f's postings prefix) into k (STORE_KEY_MAX + 1 bytes); its length, 0 when
 * the term is too long. */
size_t search_postings_prefix(char *k, const search_fam_t *f, const char *term, size_t tlen);

/* Adds (or replaces) p in the term's postings of family f. Returns 0 or a STORE_E* code. */
int search_postings_add(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                        const search_posting_t *p);
/* Removes document `doc` from the term's postings: 0, STORE_NOTFOUND when it is not there,
 * or a STORE_E* code. */
int search_postings_del(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                        uint64_t doc);

/* For search_bulk.c: the smallest document number a block key's last 16 hex digits
 * name (0, or -1 for a malformed key), and a block written under "xp/<term>/" (k holds the
 * plen-byte prefix; n >= 1 entries, newest first). */
int search_postings_key_min(const char *s, size_t n, uint64_t *min);
int search_postings_put_block(store_txn_t *w, char *k, size_t plen, const search_posting_t *e,
                              size_t n);

#endif
