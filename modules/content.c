/* modules/content.c: the pages of the content module: a site's home, its columns (栏目)
 * with their pages and Atom feeds, its articles with their attachments, and a sitemap per
 * host, all rendered in the site's theme. URL layout below a site's mount:
 *   /                       site home (the portal's home for the portal)
 *   /<column>/              column page 1 (also /<column>/index.html)
 *   /<column>/index_N.html  column page N
 *   /<column>/feed.xml      Atom feed
 *   /<column>/<id>.html     article
 *   /<column>/<id>/<file>   attachment
 *   /sitemap.xml            every page of the sites served under this host
 * Only configured columns of the types that list articles are looked at; any other path, and a page of ours with nothing
 * to show where an imported page exists, is declined to the next module (static), so
 * imported pages keep working beside articles.
 *
 * Nothing is parsed or compressed per request: a rendering is cached per worker under
 * (site, mount prefix, path, scheme) together with the configuration generation and the
 * content version it came from (content_cache.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "content.h"
#include "module.h"
#include "render_common.h"
#include "store_keys.h"
#include "theme.h"
#include "worker.h"

static const conf_column_t *find_column(const conf_site_t *s, const char *p, size_t n)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strlen(s->columns[i].id) == n && memcmp(s->columns[i].id, p, n) == 0)
            return &s->columns[i];
    return NULL;
}

typedef enum { P_NONE, P_PAGE, P_ATTACHMENT } parsed_t;

/* Classifies the path below the mount; cheap, no store access. */
static parsed_t parse(content_req_t *q, const char *rel, size_t len)
{
    if ((len == 1) || (len == 11 && memcmp(rel, "/index.html", 11) == 0)) {
        q->kind = CP_HOME;
        return P_PAGE;
    }
    if (len == 12 && memcmp(rel, "/sitemap.xml", 12) == 0) {
        q->kind = CP_SITEMAP;
        return P_PAGE;
    }
    const char *seg = rel + 1, *end = rel + len;
    const char *slash = memchr(seg, '/', (size_t)(end - seg));
    if (!slash)
        return P_NONE;
    q->col = find_column(q->site, seg, (size_t)(slash - seg));
    /* Static columns are imported pages; interaction columns belong to their own module. */
    if (!q->col || q->col->type == COLUMN_STATIC || q->col->type == COLUMN_INTERACTION)
        return P_NONE;
    const char *rest = slash + 1;
    size_t rn = (size_t)(end - rest);
    const char *sub = memchr(rest, '/', rn);
    if (sub) {
        /* /<column>/<id>/<file>: one level of files below an article */
        if (sub == rest || memchr(sub + 1, '/', (size_t)(end - sub - 1)) || sub + 1 == end ||
            (size_t)(sub - rest) >= sizeof q->id)
            return P_NONE;
        memcpy(q->id, rest, (size_t)(sub - rest));
        q->id[sub - rest] = '\0';
        return article_id_ok(q->id) ? P_ATTACHMENT : P_NONE;
    }
    if (rn == 0 || (rn == 10 && memcmp(rest, "index.html", 10) == 0)) {
        q->kind = CP_COLUMN;
        q->page = 1;
        return P_PAGE;
    }
    if (rn == 8 && memcmp(rest, "feed.xml", 8) == 0) {
        q->kind = CP_FEED;
        return P_PAGE;
    }
    if (rn < 6 || memcmp(end - 5, ".html", 5) != 0)
        return P_NONE;
    if (render_index_page(rest, rn, &q->page)) {
        if (q->page < 2)
            return P_NONE;
        q->kind = CP_COLUMN;
        return P_PAGE;
    }
    if (rn - 5 >= sizeof q->id)
        return P_NONE;
    memcpy(q->id, rest, rn - 5);
    q->id[rn - 5] = '\0';
    if (!article_id_ok(q->id))
        return P_NONE;
    q->kind = CP_ARTICLE;
    return P_PAGE;
}

static module_result_t serve_attachment(request_t *r, content_req_t *q)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return MODULE_DECLINED;
    char ns[64];
    snprintf(ns, sizeof ns, "%s" STORE_ATT_NS_SUFFIX, r->site->id);
    /* The path below the mount is exactly the attachment's key: /<column>/<id>/<file>. */
    store_page_t page;
    if (store_page_get(t, ns, r->rel, r->rel_len, &page) != 0)
        return MODULE_DECLINED;
    response_page(r, 200, &page);
    return MODULE_DONE;
}

static module_result_t content_handle(request_t *r)
{
    if (!r->site || r->rel_len == 0 || r->rel[0] != '/')
        return MODULE_DECLINED;
    content_req_t q;
    q.r = r;
    q.site = r->site;
    q.col = NULL;
    parsed_t p = parse(&q, r->rel, r->rel_len);
    if (p == P_NONE)
        return MODULE_DECLINED;
    if (p == P_ATTACHMENT)
        return serve_attachment(r, &q);
    const conf_t *conf = r->snap->conf;
    if (!conf->themes)
        return MODULE_DECLINED;
    q.t = request_store(r);
    if (!q.t)
        return MODULE_DECLINED;
    q.theme = theme_for_site(conf->themes, r->site);
    q.loaded = conf->themes->loaded;
    q.scheme = r->tls ? "https" : "http";
    if (!render_mount_prefix(r, q.prefix, sizeof q.prefix))
        return MODULE_DECLINED;

    /* What the page depends on: the portal's home and a sitemap show several sites. */
    bool cluster = q.kind == CP_SITEMAP || (q.kind == CP_HOME && r->site->kind == SITE_PORTAL);
    uint64_t version;
    int64_t vtime;
    article_version(q.t, cluster ? NULL : r->site->id, &version, &vtime);

    /* Keyed by the generation served ("edu@v2" after a promote or in a preview) rather
     * than the site: whether a page of ours gives way to an imported one depends on it. */
    char ns[STORE_KEY_MAX + 1];
    if (request_pages_ns(r, ns, sizeof ns) != 0)
        return MODULE_DECLINED;
    char key[1024];
    int kl = snprintf(key, sizeof key, "%s\n%s\n%.*s\n%c", ns, q.prefix,
                      (int)r->rel_len, r->rel, r->tls ? 's' : 'p');
    if (kl <= 0 || (size_t)kl >= sizeof key)
        return MODULE_DECLINED;
    bool declined = false;
    const store_page_t *page = content_cache_get(key, (size_t)kl, r->snap->generation, version,
                                                 &declined);
    if (!page) {
        util_buf_t out = {0};
        const char *ctype = NULL;
        int64_t mtime = vtime;
        int rc = content_render(&q, &out, &ctype, &mtime);
        if (rc < 0) {
            util_buf_free(&out);
            response_error(r, 500, "the content store could not be read");
            return MODULE_DONE;
        }
        if (mtime < q.loaded)
            mtime = q.loaded;
        page = content_cache_put(key, (size_t)kl, r->snap->generation, version,
                                 rc == 0 ? ctype : NULL, rc == 0 ? (out.data ? out.data : "") : NULL,
                                 out.len, mtime);
        declined = rc == 1;
        util_buf_free(&out);
    }
    if (declined)
        return MODULE_DECLINED;
    response_page(r, 200, page);
    return MODULE_DONE;
}

static void content_worker_init(struct worker *w)
{
    content_cache_init(&w->loop);
}

static void content_worker_exit(struct worker *w)
{
    content_cache_exit();
}

const module_t module_content = {
    .name = "content",
    .handle = content_handle,
    .worker_init = content_worker_init,
    .worker_exit = content_worker_exit,
};
