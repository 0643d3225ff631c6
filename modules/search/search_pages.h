/* modules/search/search_pages.h: imported HTML pages in the search index
 * (search_pages.c). The index holds the pages of the generation a site serves (its live
 * one, "live/<site>" in core/store_keys.h), never a preview's: `jiyuectl import` into the
 * live generation, `promote` and `rollback` call search_pages_sync in their own write
 * transaction, so what is searchable switches in the same commit as what is served; `rm`
 * of a live page calls search_pages_forget. A page's document: its <title> (the path when
 * it has none) and its visible text (search_text_from_html: no markup, no scripts or
 * styles; the <head> left out), the page's mtime as its date, type `page`, and as column
 * the first folder of its path when that is a column-like id. The site's 404.html and
 * anything that is not text/html are not indexed. */
#ifndef JIYUE_SEARCH_PAGES_H
#define JIYUE_SEARCH_PAGES_H

#include <stdbool.h>

#include "store.h"

/* Makes the index hold exactly the HTML pages site serves now: the page documents it held
 * go, those of the live namespace are indexed. *indexed (may be NULL): how many. Returns
 * 0 or a STORE_E* code. */
int search_pages_sync(store_txn_t *w, const char *site, long *indexed);

/* Indexes the page at path of the namespace site serves, or takes it out of the index when
 * that has no such page or it is not one to index (a rebuild's, search_reindex.c). */
int search_pages_index(store_txn_t *w, const char *site, const char *path);
/* Whether the page at path is one to index: HTML, and not the site's /404.html. */
bool search_pages_wanted(const char *path, size_t path_len, const store_page_t *page);

/* When namespace ns is the one site serves: search_pages_sync; else nothing (an import
 * into a preview generation). */
int search_pages_sync_if_live(store_txn_t *w, const char *site, const char *ns);

/* Removes the page at path (it begins with '/') of site from the index when ns is the
 * namespace site serves. Returns 0 or a STORE_E* code. */
int search_pages_forget(store_txn_t *w, const char *site, const char *ns, const char *path);

/* The URL path of a page document's id ("news/a.html"; "news/index.html" is "news/")
 * below base (a site's mount with its final '/'). Heap string. */
char *search_pages_url(const char *base, const char *id);

#endif
