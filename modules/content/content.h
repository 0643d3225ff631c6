/* modules/content/content.h: what the parts of the content module share: the page kinds,
 * the request being rendered (content_req_t) and the page sizes. content.c answers the
 * requests; content_render.h (the data a page is rendered over), content_cache.h (the
 * per-worker cache of rendered pages) and content_route.h (the URL layout) declare the
 * other parts. Not an interface for other modules. */
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

/* The templates the module renders its pages in: the built-in default theme must have each
 * (checked when a configuration is loaded, content_conf_check in content.c). */
#define CONTENT_TEMPLATES                                                                   \
    {"article.html", "column.html", "home.html", "portal.html", "feed.xml", "sitemap.xml", \
     "error.html"}

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
    bool care;                /* the 适老化 rendering (care.h): part of the cache key */
    const struct article *preview; /* CP_ARTICLE: render this, not the stored one
                                    * (content_preview.h) */
} content_req_t;

#endif
