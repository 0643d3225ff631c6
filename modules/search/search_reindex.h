/* modules/search/search_reindex.h: rebuilding the search index from the content (after an
 * upgrade, or to verify it): what `jiyuectl reindex [SITE]` runs.
 *
 * The whole index (search_rebuild) is rebuilt beside the live one, in the other family of
 * keys (search_fam.h), in bounded write transactions, while the server searches and
 * everything else publishes:
 *   1. the other family (leftovers of an interrupted rebuild, or the index replaced last
 *      time) is deleted, SEARCH_REBUILD_DROP_KEYS keys a transaction;
 *   2. phase WALK: every source (published article, answered message, page of a live
 *      generation) known at that point is indexed into it from the content, oldest
 *      document first (so each transaction appends to each term's newest block), at most
 *      SEARCH_REBUILD_STEP_DOCS documents, SEARCH_REBUILD_STEP_TERMS terms and
 *      SEARCH_REBUILD_STEP_BYTES of records a transaction (the terms' document counts kept in memory, written last in key
 *      order); meanwhile every change to the index queues its source ("xq/");
 *   3. the queue is worked off, each source indexed again from the content as it is now,
 *      SEARCH_REBUILD_CATCHUP a transaction; the one that empties it sets phase SYNC, from
 *      which every change writes both families;
 *   4. the two are compared (search_index_digest) in a read transaction;
 *   5. one small transaction makes the new family live ("xl") and the phase DROP;
 *   6. the old family is deleted as in 1, and the record "xb" with the last of it.
 * A kill leaves the live index whole and serving; the next rebuild starts over at 1. A full
 * map ends the rebuild with STORE_EMAPFULL after it deleted what it had built. */
#ifndef JIYUE_SEARCH_REINDEX_H
#define JIYUE_SEARCH_REINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

/* Documents one rebuild transaction indexes at most, distinct terms, and bytes of
 * document records. LMDB keeps a write transaction's dirty pages in a list of at most
 * 131,071 (MDB_IDL_UM_MAX, 512 MiB of 4 KiB pages) and spills pages beyond it to the file,
 * writing and re-reading them: that is what made the one-transaction rebuild of 1,000,000
 * articles write ~60 GB for a 2.2 GB index. A step dirties the pages of its records (at
 * most 64 MiB: 16,384 pages), about a leaf page per full postings block it writes (the
 * newest partial block of each term is carried to the next step in memory, the terms'
 * document counts are written at the end of the walk) and a leaf per reference: for 2,048
 * documents a few thousand pages, and at most a leaf per term it touches, 32,768: well
 * under the list's size. Each step also rewrites the branch pages above what it touched,
 * so fewer, larger steps write less in all (measured at 20,000 articles: 1,024 a step
 * wrote 500 MB, 4,096 186 MB); a step of 2,048 typical documents takes about a second,
 * which is how long a publish waits for it at most. */
#define SEARCH_REBUILD_STEP_DOCS 2048
#define SEARCH_REBUILD_STEP_TERMS 32768
#define SEARCH_REBUILD_STEP_BYTES (64u << 20)
/* Postings carried in memory from one walk transaction to the next (each term's newest
 * partial block's worth, search_bulk_flush_carry: about 40 bytes each): past it, a
 * transaction writes them all. */
#define SEARCH_REBUILD_CARRY (4u << 20)
/* Pause after each transaction, so a waiting writer takes the lock between two steps. */
#define SEARCH_REBUILD_PAUSE_MS 2
/* Queued sources indexed again a transaction: one at a time, as a publish does (each
 * touches a block per term), so far fewer than a walk step's. */
#define SEARCH_REBUILD_CATCHUP 128
/* Keys deleted a transaction when a family is dropped: a deletion dirties the leaf it is
 * in, and consecutive keys share leaves (32,768 keys: a few thousand pages). */
#define SEARCH_REBUILD_DROP_KEYS 32768

typedef struct search_reindex_report {
    long removed;  /* documents the index held before */
    long indexed;  /* documents indexed from the content */
    bool equal;    /* the rebuilt index equals the one maintained (search_index_digest) */
    /* search_rebuild: write transactions, and the longest one in milliseconds (what a
     * publish waited for at most) */
    long steps;
    double longest_ms;
    /* search_rebuild: the most the process's heap held at the end of a step (malloc's
     * in-use bytes: the source list, carried blocks, kept counts), apart from the store's
     * pages, which the kernel maps and counts in RSS */
    size_t peak_heap;
} search_reindex_report_t;

/* In w: clears what the index holds of `site`, indexes every published article of it
 * again and, with c, the pages its live generation serves (search_pages.h), and compares.
 * One transaction, as big as the site. Returns 0 or a STORE_E* code. */
int search_reindex(store_txn_t *w, const char *site, const conf_t *c,
                   search_reindex_report_t *rep);

typedef struct search_rebuild_opt {
    bool check;        /* compare, then delete the rebuilt family: the live one stays */
    size_t step_docs;  /* documents a transaction (0: SEARCH_REBUILD_STEP_DOCS) */
    size_t drop_keys;  /* keys a transaction when dropping (0: SEARCH_REBUILD_DROP_KEYS) */
    /* tests: called after each committed transaction (no transaction open); stop_after:
     * return SEARCH_REBUILD_STOPPED after that many, as a kill would leave it (0: never) */
    void (*between)(void *ud, long step);
    void *ud;
    long stop_after;
} search_rebuild_opt_t;

/* search_rebuild's results besides 0 and the STORE_E* codes */
#define SEARCH_REBUILD_TAKEN 1   /* another rebuild took over (its run is in "xb") */
#define SEARCH_REBUILD_STOPPED 2 /* opt->stop_after */

/* The whole index rebuilt as above, the pages of c's sites with it (c may be NULL: none). */
int search_rebuild(store_t *s, const conf_t *c, const search_rebuild_opt_t *opt,
                   search_reindex_report_t *rep);

/* What the whole index takes in the store, by key family: entries and the bytes of their
 * keys and values (a precise sum; LMDB adds its node headers and page slack on top). */
typedef struct search_size_family {
    char prefix[8];
    uint64_t entries, key_bytes, value_bytes;
} search_size_family_t;
#define SEARCH_SIZE_FAMILIES 6
typedef struct search_size {
    search_size_family_t f[SEARCH_SIZE_FAMILIES]; /* xp/ xf/ xd/ xa/ xs/+xc/ xn (live family) */
} search_size_t;
int search_index_size(store_txn_t *t, search_size_t *out);

#endif
