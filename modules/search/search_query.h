/* modules/search/search_query.h: answering a query from the search index (search_keys.h).
 *
 * A query is all of its terms (search_text.h: bigrams, words, a lone character as a
 * prefix); a part in double quotes ("..." or “...”) is a phrase: its terms must stand at
 * consecutive positions in the title, the source, the text or a policy document's header,
 * in order; a query that reads as a 文号 (search_text_is_doc_no) is one phrase, and the
 * documents whose 文号 or 索引号 it is whole come first (search_text_exact_term). Filters: site,
 * column, type, from/to (publication time, inclusive). Sorts: relevance (BM25 with the
 * title's occurrences weighted SEARCH_TITLE_WEIGHT times, times a recency boost that halves
 * the extra weight of a document every SEARCH_RECENCY_DAYS of age) or date (newest first).
 *
 * Bounded work: the rarest term's postings are read whole (each entry decoded counts), the
 * other terms only for its candidates: their blocks are found by key (or walked in order,
 * where nearly every block holds a candidate: SEARCH_WALK_GAP), a block whose range holds
 * no candidate is skipped unread, and each candidate looked up counts once. At most
 * SEARCH_MAX_POSTINGS is counted in all (the rarest term gets its share, a 1/n-th for n
 * terms, so a query whose rarest term has fewer postings than that is evaluated whole),
 * and phrases are checked in at most
 * SEARCH_MAX_VERIFY documents and SEARCH_MAX_VERIFY_BYTES of their text (newest first);
 * when a cap is reached, `capped` is set,
 * the total counts what was found within it, and what was not reached is left out.
 *
 * Date order stops early: the rarest term's postings are read newest first, a run of blocks
 * at a time (SEARCH_DATE_RUN entries kept by the filters at first, doubling up to
 * SEARCH_DATE_RUN_MAX), each run intersected and verified, until the page's last hit is
 * found. When older postings remain, `total` is an estimate (the matches found plus the
 * remaining postings of the rarest term, counted from block headers, at the rate the read
 * ones matched) and `capped` is set. A query with a one-character term is evaluated whole. */
#ifndef JIYUE_SEARCH_QUERY_H
#define JIYUE_SEARCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search_index.h"
#include "store.h"

#define SEARCH_PAGE_SIZE 10
#define SEARCH_MAX_TERMS 32
#define SEARCH_MAX_POSTINGS 200000
#define SEARCH_MAX_VERIFY 2000
#define SEARCH_SEEK_AFTER 4 /* blocks without a candidate walked before seeking by key */
/* A term joined for the rarer terms' candidates is walked block by block (never sought)
 * when it has at most this many blocks per candidate (df / SEARCH_BLOCK_MAX / candidates):
 * nearly every block then holds a candidate. More, and each candidate's block is sought. */
#define SEARCH_WALK_GAP 8
#define SEARCH_MAX_VERIFY_BYTES (8 * 1024 * 1024) /* of text tokenized for phrases */
#define SEARCH_TITLE_WEIGHT 5
#define SEARCH_RECENCY_DAYS 90
#define SEARCH_DATE_RUN 128
#define SEARCH_DATE_RUN_MAX 16384
#define SEARCH_DATE_COUNT_BLOCKS 65536 /* block headers counted for an estimate */

typedef enum { SEARCH_SORT_RELEVANCE, SEARCH_SORT_DATE } search_sort_t;

typedef struct search_query {
    const char *q;
    const char *site, *column; /* NULL: any */
    int type;                  /* 0: any, else a search_type_t */
    bool has_from, has_to;
    int64_t from, to;          /* seconds since the epoch, inclusive */
    search_sort_t sort;
    unsigned page;             /* from 1 */
    int64_t now;               /* for the recency boost */
    /* the bounds (0: SEARCH_MAX_POSTINGS, SEARCH_MAX_VERIFY): smaller ones for tests */
    size_t max_postings, max_verify;
    bool full; /* sort=date evaluated whole, as relevance is (tests compare the two) */
    /* tests: SEARCH_JOIN_WALK or _SEEK imposes that reading on every joined term (the
     * results are the same); 0 lets SEARCH_WALK_GAP choose */
    int join;
} search_query_t;

enum { SEARCH_JOIN_CHOOSE, SEARCH_JOIN_WALK, SEARCH_JOIN_SEEK };

typedef struct search_hit {
    uint64_t doc;
    double score;
    search_docrec_t rec; /* points into the store: valid while the read transaction is */
} search_hit_t;

typedef struct search_result {
    uint64_t total;
    bool capped;
    /* terms joined for the candidates of rarer ones by walking their blocks, and by
     * seeking each candidate's block (SEARCH_WALK_GAP): the choice, for tests */
    uint32_t walked, sought;
    size_t n;
    search_hit_t hits[SEARCH_PAGE_SIZE];
} search_result_t;

/* Runs q in t. A query without a term (only punctuation) finds nothing. Returns 0 or a
 * STORE_E* code. */
int search_run(store_txn_t *t, const search_query_t *q, search_result_t *out);

#endif
