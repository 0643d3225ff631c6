/* modules/search/search.h: the search module: `<mount>search?q=...&format=json` on every
 * site (the portal's searches the whole cluster, with `site` as a filter; any other site's
 * searches that site), answered from the index (search_query.h) as
 *   {"q","total","capped","page","results":[{"title","url","site","site_name","column","date",
 *    "snippet"}],"related":["term",...]}
 * `url` is the path on the host that was searched, `date` "YYYY-MM-DD HH:mm" (UTC+8),
 * `snippet` plain text, `related` the related searches (search_related.h), [] when none. Parameters: q (1..SEARCH_Q_MAX characters), page (1..SEARCH_PAGE_MAX),
 * sort (relevance|date), type (article|page|message), column, site, from, to (YYYY-MM-DD);
 * a malformed, repeated or out-of-range one is a 400. Without format=json the answer is
 * the HTML page (search_render.h), with the hot searches (search_hot.h) under the box and
 * the related searches after the results.
 * Every request counts against limits.search_per_minute (search_limit.h): 429 beyond. The
 * path is not taken where the content module serves it (a column named `search`) or
 * where a page was imported at it. */
#ifndef JIYUE_SEARCH_H
#define JIYUE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search_query.h"

#define SEARCH_Q_MAX 100
#define SEARCH_PAGE_MAX 50

/* Reads a query string into q (strings point into buf, which holds the decoded values).
 * Returns NULL, or the 400's reason. format_json: format=json was given. */
const char *search_params_parse(const char *query, size_t len, search_query_t *q,
                                bool *format_json, char *buf, size_t cap);

#endif
