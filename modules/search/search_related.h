/* modules/search/search_related.h: related searches (相关搜索), search_related.c. Picked
 * from the terms people searched on the same site in the last SEARCH_HOT_DAYS days (the
 * hot searches' store, search_hot_week): nothing is stored for them, and what a citizen
 * types is only compared, never kept.
 *
 * "Related" is the index's own notion of a match, kept simple: a stored term is related to
 * the query when the two share at least one index term (search_text.h, query mode): a
 * Chinese bigram (社保卡办理 and 社保 share 社保; 医保 and 社保 share none), an ASCII word
 * or number whole (ic card and ic reader share ic), or, for a one-character query term, a
 * term starting with that character (as the search itself reads it: 社 relates to 社保卡).
 * The query itself (compared folded, as search_hot_term folds) is never one of them.
 * Ranked by the number of distinct query terms shared, then the count of the last
 * SEARCH_HOT_DAYS days, then byte order.
 *
 * Bounded work: the stored terms (at most SEARCH_HOT_DAYS * SEARCH_HOT_DAY_TERMS, each at
 * most SEARCH_HOT_TERM_BYTES) are read and split into their index terms once per store
 * change and worker (search_related_prepare, cached); a search then only looks each stored
 * term's index terms up among the query's. */
#ifndef JIYUE_SEARCH_RELATED_H
#define JIYUE_SEARCH_RELATED_H

#include <stddef.h>
#include <stdint.h>

#include "search_hot.h"
#include "store.h"

#define SEARCH_RELATED_SHOW 8

/* Stored terms as the index reads them, ready to be compared with queries. */
typedef struct search_related_set search_related_set_t;

/* The set of terms[0..n) (copied: it does not point into terms). Free with
 * search_related_set_free. */
search_related_set_t *search_related_prepare(const search_hot_entry_t *terms, size_t n);
void search_related_set_free(search_related_set_t *s);

/* Up to SEARCH_RELATED_SHOW terms of s related to the query q (as typed), best first (the
 * ranking above). out[] points into s. Pure. Returns how many. */
size_t search_related_pick(const search_related_set_t *s, const char *q,
                           const char *out[SEARCH_RELATED_SHOW]);

/* The related searches of q on site (its last SEARCH_HOT_DAYS days at now): the site's set
 * kept per worker until the store changes, as the hot searches are. out[] valid until the
 * current callback returns. Returns how many. */
size_t search_related_find(store_txn_t *t, const char *site, int64_t now, const char *q,
                           const char *out[SEARCH_RELATED_SHOW]);

#endif
