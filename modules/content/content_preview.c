/* modules/content/content_preview.c: an unstored article's page (content_preview.h). */
#include "content_preview.h"

#include <stdio.h>
#include <string.h>

#include "content.h"
#include "content_render.h"
#include "theme.h"

int content_preview(request_t *r, const article_t *a, util_buf_t *out)
{
    const conf_t *conf = r->snap->conf;
    const conf_site_t *site = conf_site_find(conf, a->site);
    const conf_column_t *col = site ? conf_column_find(site, a->column) : NULL;
    const router_site_t *rs = site ? router_site(r->snap->router, site->id) : NULL;
    if (!col || !rs || !conf->themes)
        return 1;
    content_req_t q = {.r = r, .t = request_store(r), .site = site, .col = col,
                       .kind = CP_ARTICLE, .preview = a};
    if (!q.t)
        return -1;
    snprintf(q.id, sizeof q.id, "%s", a->id);
    q.theme = theme_for_site(conf->themes, site);
    q.loaded = conf->themes->loaded;
    /* As a reader will see it: on the site's canonical host, below its canonical mount. */
    q.scheme = "http";
    if (snprintf(q.prefix, sizeof q.prefix, "%s", rs->canon_prefix) >= (int)sizeof q.prefix)
        return 1;
    const char *ctype = NULL;
    int64_t mtime = 0;
    return content_render(&q, out, &ctype, &mtime);
}
