/* modules/content/article_link.h: listings (报送): an article of a subsite offered to a
 * column of a site above it and accepted there is listed in that column as a *link*: an
 * article record in the parent's column (a/<to_site>/<to_column>/<id>) of format
 * ARTICLE_FORMAT_LINK whose body is the original's reference "<site>/<column>/<id>" and
 * nothing else: one copy of the content. The parent's column pages, home blocks and feeds
 * show its title and date linking to the original; its own URL answers 301 to the
 * original; it is in no search index, no sitemap and not in the portal's cluster-wide
 * "latest" (the original is). A reverse entry
 *   l/<site>/<column>/<id>/<to_site>/<to_column>   value: the listing's id
 * (content_keys.h) finds an original's listings: unpublishing the original takes every
 * listing of it down in the same transaction (article_unpublish_txn calls
 * article_link_unlist_txn), and unpublishing a listing drops its entry. */
#ifndef JIYUE_ARTICLE_LINK_H
#define JIYUE_ARTICLE_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "article.h"

#define ARTICLE_FORMAT_LINK "link"
/* "<site>/<column>/<id>": ids are at most 64 bytes, site and column ids are slugs. */
#define ARTICLE_LINK_REF_MAX 256

/* Whether a stored article is a listing of another's. */
bool article_is_link(const article_t *a);
/* A listing's original, split into site, column and id (each of cap bytes); false when the
 * body is not a reference. */
bool article_link_target(const article_t *a, char *site, char *column, char *id, size_t cap);

/* Whether the original site/column/id is listed in to_site/to_column now (a live listing
 * that still points at it; a stale entry counts as none). */
bool article_link_listed(store_txn_t *t, const char *site, const char *column, const char *id,
                         const char *to_site, const char *to_column);

/* Publishes listing m (site, column, id: where it is listed; title, publisher, reviewer and
 * the rest as article_publish_txn wants them) of the original site/column/id, which must
 * be published and not itself a listing, and writes its reverse entry. Returns 0 or -1
 * with the reason in err (the caller aborts its transaction then). */
int article_link_publish_txn(store_txn_t *w, const article_meta_t *m, const char *site,
                             const char *column, const char *id, int64_t now,
                             article_result_t *res, char *err, size_t cap);

/* Takes down every listing of the original site/column/id (each through
 * article_unpublish_txn: a trail record "unpublish" naming `by`), for the original's own
 * unpublication. Returns 0 or -1 with the reason in err. */
int article_link_unlist_txn(store_txn_t *w, const char *site, const char *column,
                            const char *id, const char *by, int64_t now, char *err, size_t cap);

/* For `jiyuectl purge SITE`: takes down every listing of SITE's articles on the sites
 * above it (as article_link_unlist_txn, `by` naming who purged) and drops SITE's reverse
 * entries; adds the listings taken down to *count. Returns 0 or -1 with the reason. */
int article_link_purge_site_txn(store_txn_t *w, const char *site, const char *by, int64_t now,
                                long *count, char *err, size_t cap);

/* Drops the reverse entry of listing `a` (at a->site/a->column) being unpublished.
 * Returns 0 or a STORE_E* code. */
int article_link_forget_txn(store_txn_t *w, const article_t *a);

#endif
