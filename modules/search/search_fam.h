/* modules/search/search_fam.h: the index's two families of derived keys (search_keys.h:
 * "xp/ xf/ xd/ xa/ xn" and "yp/ yf/ yd/ ya/ yn"), which one readers use ("xl"), and what a
 * rebuild in progress ("xb") asks of every change to the index (search_fam.c).
 *
 * A reader resolves the live family once per read transaction (search_fam_live) and reads
 * only its keys, so it never sees half an index: `jiyuectl reindex` fills the other family
 * in bounded transactions and switches "xl" in one small one (search_reindex.h).
 *
 * While a rebuild runs, a change of the index (search_index.h's put, del and clear) learns
 * from search_fam_targets which families it writes:
 *   DROP  the other family is being deleted: the live one only;
 *   WALK  the rebuild is filling the other family from the content: the live one, and the
 *         source (site, type, ref) is queued in "xq/" for the rebuild to index again from
 *         the content before it switches (a clear of a site reaches both families);
 *   SYNC  the other family is complete: both, the same change.
 * The rebuild's own transactions pin their thread's changes to the family they fill
 * (search_fam_pin). */
#ifndef JIYUE_SEARCH_FAM_H
#define JIYUE_SEARCH_FAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct search_fam {
    char id; /* 'x' or 'y' */
    char postings[4], df[4], doc[4], ref[4], counters[3];
} search_fam_t;

/* The two families, 'x' first (the one every store had before rebuilds switched). */
extern const search_fam_t search_fams[2];

const search_fam_t *search_fam_other(const search_fam_t *f);
/* The family readers use in t ("xl"; 'x' when absent): one lookup. */
const search_fam_t *search_fam_live(store_txn_t *t);
/* Makes f the live family in w. */
int search_fam_switch(store_txn_t *w, const search_fam_t *f);

typedef enum {
    SEARCH_BUILD_NONE = 0,
    SEARCH_BUILD_DROP = 1,
    SEARCH_BUILD_WALK = 2,
    SEARCH_BUILD_SYNC = 3
} search_build_phase_t;

/* The rebuild's record "xb": its phase and the number of the `jiyuectl reindex` that runs
 * it (a second one takes over by writing its own; the first stops at its next step). */
typedef struct search_build {
    search_build_phase_t phase;
    uint64_t run;
} search_build_t;
/* NONE (run 0) when no rebuild is recorded. 0 or a STORE_E* code. */
int search_build_get(store_txn_t *t, search_build_t *b);
/* Writes b; NONE deletes the record. */
int search_build_put(store_txn_t *w, const search_build_t *b);

/* The families a change in w writes, and whether its source is to be queued (WALK). */
typedef struct search_targets {
    const search_fam_t *f[2];
    size_t n;
    bool queue;
    /* what a clear of a site reaches: f, and the family being filled during WALK */
    const search_fam_t *clear[2];
    size_t nclear;
} search_targets_t;
int search_fam_targets(store_txn_t *w, search_targets_t *out);

/* Queues a source changed during WALK: "xq/<site>/<type letter>/<ref>". */
int search_fam_queue(store_txn_t *w, const char *site, char type, const char *ref);

/* Until search_fam_pin(w, NULL): this thread's changes in w go to family f only, and are
 * not queued (the rebuild's own steps). */
void search_fam_pin(store_txn_t *w, const search_fam_t *f);

#endif
