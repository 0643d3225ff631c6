/* modules/content/content_route.c: the content module's URL layout (which paths below a
 * site are its pages) and the rule deciding whether it renders such a page or leaves the
 * path to the imported pages (static.c), as one function of the store: `jiyuectl audit` and
 * the census ask content_route_answers() whether a link target is answered and whether an
 * imported page is hidden behind a rendering. The URL layout (content_path_parse) is the
 * server's own: content.c calls it. The render-or-decline rule is applied by the server in
 * content_handle() and content_render.c while it renders; the rule here is the one where
 * every home and column page answers (empty ones rendered with 本栏目暂无信息) and an imported
 * home or column page keeps its place until something is published there. A change to the
 * server's rule is a change here. */
#include <stdio.h>
#include <string.h>

#include "article.h"
#include "content_columns.h"
#include "content_keys.h"
#include "content_route.h"
#include "render_common.h"
#include "store_keys.h"

static const conf_column_t *find_column(const conf_site_t *s, const char *p, size_t n)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strlen(s->columns[i].id) == n && memcmp(s->columns[i].id, p, n) == 0)
            return &s->columns[i];
    return NULL;
}

void content_path_parse(const conf_site_t *s, const char *rel, size_t len, content_path_t *q)
{
    q->what = CONTENT_PATH_NONE;
    q->kind = CP_HOME;
    q->col = NULL;
    q->page = 0;
    q->id[0] = '\0';
    if (len == 0 || rel[0] != '/')
        return;
    if ((len == 1) || (len == 11 && memcmp(rel, "/index.html", 11) == 0)) {
        q->kind = CP_HOME;
        q->what = CONTENT_PATH_PAGE;
        return;
    }
    if (len == 12 && memcmp(rel, "/sitemap.xml", 12) == 0) {
        q->kind = CP_SITEMAP;
        q->what = CONTENT_PATH_PAGE;
        return;
    }
    const char *seg = rel + 1, *end = rel + len;
    const char *slash = memchr(seg, '/', (size_t)(end - seg));
    if (!slash)
        return;
    q->col = find_column(s, seg, (size_t)(slash - seg));
    /* Interaction columns belong to their own module. */
    if (!q->col || q->col->type == COLUMN_INTERACTION)
        return;
    const char *rest = slash + 1;
    size_t rn = (size_t)(end - rest);
    if (q->col->type == COLUMN_STATIC) {
        /* imported pages; only the column's own page is ours, while nothing is imported
         * there */
        if (rn == 0 || (rn == 10 && memcmp(rest, "index.html", 10) == 0)) {
            q->kind = CP_COLUMN;
            q->page = 1;
            q->what = CONTENT_PATH_PAGE;
        }
        return;
    }
    const char *sub = memchr(rest, '/', rn);
    if (sub) {
        /* /<column>/<id>/<file>: one level of files below an article */
        if (sub == rest || memchr(sub + 1, '/', (size_t)(end - sub - 1)) || sub + 1 == end ||
            (size_t)(sub - rest) >= sizeof q->id)
            return;
        memcpy(q->id, rest, (size_t)(sub - rest));
        q->id[sub - rest] = '\0';
        if (article_id_ok(q->id))
            q->what = CONTENT_PATH_ATTACHMENT;
        return;
    }
    if (rn == 0 || (rn == 10 && memcmp(rest, "index.html", 10) == 0)) {
        q->kind = CP_COLUMN;
        q->page = 1;
        q->what = CONTENT_PATH_PAGE;
        return;
    }
    if (rn == 8 && memcmp(rest, "feed.xml", 8) == 0) {
        q->kind = CP_FEED;
        q->what = CONTENT_PATH_PAGE;
        return;
    }
    if (rn < 6 || memcmp(end - 5, ".html", 5) != 0)
        return;
    if (render_index_page(rest, rn, &q->page)) {
        if (q->page >= 2) {
            q->kind = CP_COLUMN;
            q->what = CONTENT_PATH_PAGE;
        }
        return;
    }
    if (rn - 5 >= sizeof q->id)
        return;
    memcpy(q->id, rest, rn - 5);
    q->id[rn - 5] = '\0';
    if (!article_id_ok(q->id))
        return;
    q->kind = CP_ARTICLE;
    q->what = CONTENT_PATH_PAGE;
}

int content_route_answers(store_txn_t *t, bool themed, const conf_site_t *s, const char *rel,
                          size_t len)
{
    content_path_t q;
    content_path_parse(s, rel, len, &q);
    if (q.what == CONTENT_PATH_NONE)
        return 0;
    store_page_t sp;
    if (q.what == CONTENT_PATH_ATTACHMENT) {
        char ns[64];
        snprintf(ns, sizeof ns, "%s" CONTENT_ATT_NS_SUFFIX, s->id);
        int rc = store_page_get(t, ns, rel, len, &sp);
        return rc == 0 ? 1 : rc == STORE_NOTFOUND || rc == STORE_EKEY ? 0 : rc;
    }
    if (!themed)
        return 0;
    uint64_t ver;
    int64_t when;
    char ns[STORE_KEY_MAX + 1], path[256];
    int rc;
    switch (q.kind) {
    case CP_HOME:
        /* rendered once something is published, or while nothing is imported */
        article_version(t, s->kind == SITE_PORTAL ? NULL : s->id, &ver, &when);
        if (ver > 0)
            return 1;
        rc = store_site_live(t, s->id, ns, sizeof ns);
        if (rc == 0)
            rc = store_page_get(t, ns, "/index.html", 11, &sp);
        return rc == 0 ? 0 : rc == STORE_NOTFOUND ? 1 : rc;
    case CP_SITEMAP:
    case CP_FEED:
        return 1;
    case CP_ARTICLE: {
        article_t art;
        rc = article_get(t, s->id, q.col->id, q.id, &art);
        return rc == 0 ? 1 : rc == STORE_NOTFOUND ? 0 : rc;
    }
    case CP_COLUMN:
    default: {
        uint64_t count = q.col->type == COLUMN_STATIC ? 0 : article_column_count(t, s->id, q.col->id);
        if (q.page >= 2)
            return (uint64_t)(q.page - 1) * CONTENT_PER_PAGE < count;
        if (count > 0)
            return 1;
        /* nothing published here: an imported column page keeps its place; without one,
         * the empty column is rendered */
        snprintf(path, sizeof path, "/%s/index.html", q.col->id);
        rc = store_site_live(t, s->id, ns, sizeof ns);
        if (rc == 0)
            rc = store_page_get(t, ns, path, strlen(path), &sp);
        return rc == 0 ? 0 : rc == STORE_NOTFOUND ? 1 : rc;
    }
    }
}
