/* modules/search/search_bulk.h: bulk mode for one write transaction on this thread (a
 * reindex, `jiyuectl publish --batch`, an import's pages; search_bulk.c): between begin and
 * end, search_postings_add, search_postings_del and the index's document counts
 * (search_bulk_df) collect in memory, and a flush merges each term's collected removals and
 * entries into its stored blocks (only the blocks their numbers fall among, plus a partial
 * neighbour), written full. The index is the same as without bulk mode
 * (search_index_digest); only the blocks fall differently. Adding documents oldest first
 * touches one block per term and flush. A term is kept per family (search_fam.h): a change
 * written to both families collects twice. All return 0 or a STORE_E* code. */
#ifndef JIYUE_SEARCH_BULK_H
#define JIYUE_SEARCH_BULK_H

#include <stdbool.h>
#include <stddef.h>

#include "search_postings.h"
#include "store.h"

/* the longest term (search_text.h's SEARCH_TERM_MAX) */
#define SEARCH_TERM_BYTES 32

int search_bulk_begin(store_txn_t *w);
int search_bulk_flush(store_txn_t *w);
/* Ends bulk mode, after a flush when flush is true (false: the transaction is aborted). */
int search_bulk_end(store_txn_t *w, bool flush);
/* Whether w is in bulk mode (a caller that may run inside a reindex joins it). */
bool search_bulk_active(const store_txn_t *w);
/* Entries collected since the last flush (0 outside bulk mode). */
size_t search_bulk_pending(void);
/* Distinct terms touched since the last flush (0 outside bulk mode): about the leaf pages
 * the transaction will have dirtied (a rebuild's step bound, search_reindex.c). */
size_t search_bulk_terms(void);
/* In bulk mode for w: records a change of the term's document count (in family f) and
 * returns true. */
bool search_bulk_df(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                    int delta);

/* In bulk mode for w: keeps the removal of document doc from the term's postings for the
 * next flush (or drops an entry of it added since the last flush) and returns true
 * (search_postings_del: a removal in bulk mode does not learn whether the entry was
 * there). */
bool search_bulk_del(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                     uint64_t doc);
/* In bulk mode for w: keeps p for the next flush and returns true (search_postings_add). */
bool search_bulk_take(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                      const search_posting_t *p);

/* Across transactions (a rebuild's walk, which adds documents oldest first): a flush that
 * writes, for family f's terms, only full blocks' worth of entries; each term's newest
 * (count mod SEARCH_BLOCK_MAX) stay pending. Then the bulk state is taken off the thread
 * (suspend) and put back on the next transaction (resume), and search_bulk_end in the last
 * one writes the rest. So a term's newest partial block is not rewritten by every
 * transaction. discard: frees a suspended state (a failure). */
typedef struct bulk search_bulk_t;
int search_bulk_flush_carry(store_txn_t *w, const search_fam_t *f);
search_bulk_t *search_bulk_suspend(void);
int search_bulk_resume(store_txn_t *w, search_bulk_t *b);
void search_bulk_discard(search_bulk_t *b);

/* Until search_bulk_kept_free, on this thread: a flush adds the changes of family f's
 * document counts ("xf/") to a table kept across transactions instead of writing them (a
 * rebuild's walk: each of its transactions would otherwise dirty a leaf page per term for
 * its count, beside the one for its postings). */
void search_bulk_keep_df(const search_fam_t *f);
/* Writes up to max of the kept counts, in key order, in w; *done when all are written.
 * 0 or a STORE_E* code. */
int search_bulk_kept_write(store_txn_t *w, size_t max, bool *done);
void search_bulk_kept_free(void);

#endif
