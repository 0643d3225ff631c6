/* modules/search/search_postings.h: a term's postings in blocks (layout in search_keys.h):
 * the entry codec the queries share, and adding or removing one document's entry in a
 * write transaction, touching one block (two when it splits). */
#ifndef JIYUE_SEARCH_POSTINGS_H
#define JIYUE_SEARCH_POSTINGS_H

#include <stdbool.h>
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

/* Block header bits (search_keys.h): v2 alone, the entries as varints; v2 and v3, as bit
 * columns; neither, v1 (read, never written). The low bits are the entry count. */
#define SEARCH_BLOCK_V2 0x8000u
#define SEARCH_BLOCK_V3 0x4000u
#define SEARCH_BLOCK_COUNT 0x3FFFu

/* Decodes a block into out[0..cap): the entry count, or -1 for a malformed block. */
int search_block_decode(const void *v, size_t len, search_posting_t *out, size_t cap);
/* Encodes n entries (newest first, strictly; type 1..3) in the v2 or the v3 form, whichever
 * is shorter; the length is kept
 * as search_length_code, so it decodes as search_length_decode of that. */
void search_block_encode(const search_posting_t *p, size_t n, util_buf_t *out);
uint8_t search_length_code(uint32_t len);
uint32_t search_length_decode(uint8_t code);
/* "xp/<term>/" into k (STORE_KEY_MAX + 1 bytes); its length, 0 when the term is too long. */
size_t search_postings_prefix(char *k, const char *term, size_t tlen);

/* Adds (or replaces) p in the term's postings. Returns 0 or a STORE_E* code. */
int search_postings_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p);
/* Removes document `doc` from the term's postings: 0, STORE_NOTFOUND when it is not there,
 * or a STORE_E* code. */
int search_postings_del(store_txn_t *w, const char *term, size_t tlen, uint64_t doc);

/* Bulk mode for one write transaction on this thread (a reindex, `jiyuectl publish
 * --batch`): between begin and end, search_postings_add and the index's document counts
 * (search_bulk_df) collect in memory, and a flush merges each term's collected entries into
 * its stored blocks (only the blocks their numbers fall among, plus a partial neighbour),
 * written full. A removal flushes first. The index is the same as without bulk mode
 * (search_index_digest); only the blocks fall differently. Adding documents oldest first
 * touches one block per term and flush. All return 0 or a STORE_E* code. */
#define SEARCH_TERM_BYTES 32
int search_bulk_begin(store_txn_t *w);
int search_bulk_flush(store_txn_t *w);
/* Ends bulk mode, after a flush when flush is true (false: the transaction is aborted). */
int search_bulk_end(store_txn_t *w, bool flush);
/* Entries collected since the last flush (0 outside bulk mode). */
size_t search_bulk_pending(void);
/* In bulk mode for w: records a change of the term's document count and returns true. */
bool search_bulk_df(store_txn_t *w, const char *term, size_t tlen, int delta);

#endif
