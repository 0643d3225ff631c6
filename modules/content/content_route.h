/* modules/content/content_route.h: which paths below a site the content module answers
 * itself (content_route.c), for `jiyuectl audit` and the census, which must judge what
 * citizens get: a link to a rendered page exists, and an imported page that a rendering
 * replaces is seen by nobody. */
#ifndef JIYUE_CONTENT_ROUTE_H
#define JIYUE_CONTENT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "content.h"
#include "store.h"

typedef enum {
    CONTENT_PATH_NONE,      /* not the content module's: declined to the next module */
    CONTENT_PATH_PAGE,      /* a page of the URL layout: home, column, feed, article, sitemap */
    CONTENT_PATH_ATTACHMENT /* /<column>/<id>/<file> */
} content_path_what_t;

typedef struct content_path {
    content_path_what_t what;
    content_kind_t kind;      /* CONTENT_PATH_PAGE */
    const conf_column_t *col; /* columns, feeds, articles, attachments */
    unsigned page;            /* CP_COLUMN: 1-based */
    char id[72];              /* CP_ARTICLE, attachments */
} content_path_t;

/* Classifies rel (the path below site s's mount, starting with '/') by the content
 * module's URL layout; cheap, no store access. */
void content_path_parse(const conf_site_t *s, const char *rel, size_t len, content_path_t *out);

/* Does the content module answer rel of site s itself (a rendering, an attachment), so
 * that an imported page at the same path is never served? 1 yes, 0 no (declined to the
 * static module), or a negative STORE_E* code. `themed` is whether themes are loaded
 * (without them nothing is rendered). The rules of content.c and content_render.c:
 *   home           something published (on the portal: anywhere in the cluster), or no
 *                  imported /index.html;
 *   column page 1  items published, or no imported /<column>/index.html (a static
 *                  column too);
 *   column page N  more than (N-1) pages of items;
 *   article        published; feed, sitemap: always; attachment: stored. */
int content_route_answers(store_txn_t *t, bool themed, const conf_site_t *s, const char *rel,
                          size_t len);

#endif
