/* modules/static/redirect.h: migration redirects, the old URLs of a site brought in with
 * `jiyuectl import --mirror` (or --map) and where each now lives. They belong to the SITE,
 * not to one generation of its pages: stored in "meta" as "redir/<site><path>[?<query>]"
 * (store_keys.h), so `promote` and `rollback` keep every old URL answering.
 *
 * Stores written before redirects were site-wide hold the redirects of a mirror imported
 * into a generation as "redir/<site>@<gen>...": those are still read (after the site's
 * own) while that generation is served, live or in a preview, and listed by
 * `jiyuectl redirects`; importing the mirror again makes them site-wide. */
#ifndef JIYUE_MODULE_REDIRECT_H
#define JIYUE_MODULE_REDIRECT_H

#include <stddef.h>

#include "store.h"

/* The target stored for the old URL `path` (+ "?query" when query is not NULL) of the site
 * whose pages namespace `ns` holds ("edu" or "edu@v2"): a site-relative path or an
 * absolute URL, in *to (valid for the transaction). Returns 0, STORE_NOTFOUND (also for
 * an empty value or a key that cannot exist) or another STORE_E* code. */
int redirect_lookup(store_txn_t *t, const char *ns, const char *path, size_t path_len,
                    const char *query, size_t query_len, const void **to, size_t *to_len);

/* Calls fn for every stored redirect of `site`: its own in key order (gen NULL), then
 * those of the older per-generation layout (gen "v2"...). old is "/path[?query]". Stops
 * when fn returns non-zero and returns that value; else 0 or a STORE_E* code. */
typedef int (*redirect_fn)(void *ud, const char *gen, size_t gen_len, const char *old,
                           size_t old_len, const char *to, size_t to_len);
int redirect_each(store_txn_t *t, const char *site, redirect_fn fn, void *ud);

#endif
