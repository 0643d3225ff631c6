/* modules/content/content.h: what the parts of the content module share (content.c:
 * requests and the URL layout; content_render.c: the data a page is rendered over;
 * content_cache.c: the per-worker cache of rendered pages). Not an interface for other
 * modules. */
#ifndef JIYUE_CONTENT_H
#define JIYUE_CONTENT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "conf.h"
#include "request.h"
#include "template.h"

#define CONTENT_PER_PAGE 20   /* column pages */
#define CONTENT_HOME_ITEMS 6  /* per column on a site home */
#define CONTENT_PORTAL_LATEST 10
#define CONTENT_FEED_ITEMS 20
#define CONTENT_SITEMAP_MAX 50000 /* the sitemaps.org limit per file */

typedef enum { CP_HOME, CP_COLUMN, CP_FEED, CP_ARTICLE, CP_SITEMAP, CP_ERROR } content_kind_t;

typedef struct content_req {
    request_t *r;
    store_txn_t *t;
    const conf_site_t *site;
    const conf_column_t *col; /* CP_COLUMN, CP_FEED, CP_ARTICLE */
    content_kind_t kind;
    unsigned page;            /* CP_COLUMN: 1-based */
    char id[72];              /* CP_ARTICLE */
    const tpl_set_t *theme;
    char prefix[512];         /* the site's mount in this request's path, with a final '/' */
    const char *scheme;       /* "http" or "https" */
    int64_t loaded;           /* when the themes were compiled */
    int status;               /* CP_ERROR: the HTTP status */
    const char *detail;       /* CP_ERROR: what went wrong, or NULL */
} content_req_t;

/* Whether a site's articles may appear on other sites' pages (the portal's latest, a
 * parent's directory and sitemap): active sites and sites being redesigned (their live
 * generation), not suspended or closed ones. */
bool content_site_listed(const conf_site_t *s);

/* Renders the page. Returns 0 with the body appended to out, its type and modification
 * time; 1 when the module should decline (nothing of ours there: an article that does not
 * exist, a page number past the last); -1 on a store error. CP_ERROR reads nothing from
 * the store. */
int content_render(content_req_t *q, util_buf_t *out, const char **ctype, int64_t *mtime);

/* ---- content_cache.c: rendered pages in the per-worker cache (core/wcache.h) ---- */
/* The page cached under key for this configuration generation and content version.
 * NULL: not cached (or stale). Only renderings are cached, never a "not ours": those are
 * cheap to decide again, and caching them let junk URLs fill (and flush) the cache. */
const store_page_t *content_cache_get(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version);
/* Stores a rendering (compressing it once, here) and returns the page to serve. The
 * result stays valid until the current callback returns. */
const store_page_t *content_cache_put(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version, const char *ctype, const void *body,
                                      size_t len, int64_t mtime);

#endif
