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
 * The query itself (compared folded, as search_hot_term folds) is never one of them. */
#ifndef JIYUE_SEARCH_RELATED_H
#define JIYUE_SEARCH_RELATED_H

#include <stddef.h>

#include "search_hot.h"

#define SEARCH_RELATED_SHOW 8

/* Up to SEARCH_RELATED_SHOW terms of terms[0..n) related to the query q (as typed): the
 * most shared index terms first (distinct terms of the query a stored term has), then the
 * most searched, then in byte order. out[] points at the entries' terms. Pure: the work is
 * one fold and one walk of q, and one walk of each stored term (at most
 * SEARCH_HOT_TERM_CHARS characters each). Returns how many. */
size_t search_related_pick(const search_hot_entry_t *terms, size_t n, const char *q,
                           const char *out[SEARCH_RELATED_SHOW]);

#endif
