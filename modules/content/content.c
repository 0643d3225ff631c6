/* modules/content/content.c: the pages of the content module: a site's home, its columns
 * (栏目) with their pages and Atom feeds, its articles with their attachments, and a sitemap
 * per host, all rendered in the site's theme. URL layout below a site's mount:
 *   /                       site home (the portal's home for the portal)
 *   /<column>/              column page 1 (also /<column>/index.html)
 *   /<column>/index_N.html  column page N
 *   /<column>/feed.xml      Atom feed
 *   /<column>/<id>.html     article
 *   /<column>/<id>/<file>   attachment
 *   /sitemap.xml            every page of the sites served under this host
 * Only configured columns are looked at (of a static column only its own page); any other
 * path, an article or page number that does not exist, and a home or column page with
 * nothing published where an imported page exists, is declined to the next module
 * (static), so imported pages keep working beside articles. A home or column with nothing
 * published or imported is rendered empty: every link the theme makes answers 200.
 * Core's error pages of a site (404 without an imported 404.html, 503...) are rendered
 * here too, in the theme's error.html (content_error_page).
 *
 * Nothing is parsed or compressed per request: a rendering is cached per worker under
 * (site, mount prefix, path, scheme) together with the configuration generation and the
 * content version it came from (content_cache.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "article_link.h"
#include "care.h"
#include "content.h"
#include "content_columns.h"
#include "content_cache.h"
#include "content_keys.h"
#include "content_render.h"
#include "content_route.h"
#include "conf_node.h"
#include "module.h"
#include "render_common.h"
#include "store_keys.h"
#include "theme.h"

static module_result_t serve_attachment(request_t *r)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return MODULE_DECLINED;
    char ns[64];
    snprintf(ns, sizeof ns, "%s" CONTENT_ATT_NS_SUFFIX, r->site->id);
    /* The path below the mount is exactly the attachment's key: /<column>/<id>/<file>. */
    store_page_t page;
    if (store_page_get(t, ns, r->rel, r->rel_len, &page) != 0)
        return MODULE_DECLINED;
    response_page(r, 200, &page);
    return MODULE_DONE;
}

/* Is there an imported page at path in the generation ns (the one served)? */
static bool imported(store_txn_t *t, const char *ns, const char *path)
{
    store_page_t sp;
    return store_page_get(t, ns, path, strlen(path), &sp) == 0;
}

/* The fields every rendering needs. False: the request cannot be rendered here. */
static bool req_init(content_req_t *q, request_t *r)
{
    const conf_t *conf = r->snap->conf;
    if (!conf->themes)
        return false;
    q->r = r;
    q->site = r->site;
    q->theme = theme_for_site(conf->themes, r->site);
    q->loaded = conf->themes->loaded;
    q->scheme = r->tls ? "https" : "http";
    return render_mount_prefix(r, q->prefix, sizeof q->prefix);
}

/* The cached rendering under key, else a fresh one (cached when rendered). NULL with *rc
 * set: 1 nothing of ours, -1 a store error. */
static const store_page_t *render_cached(content_req_t *q, const char *key, size_t kl,
                                         uint64_t version, int64_t vtime, bool cache, int *rc)
{
    const snapshot_t *snap = q->r->snap;
    const store_page_t *page = cache ? content_cache_get(key, kl, snap->generation, version) : NULL;
    if (page)
        return page;
    util_buf_t out = {0};
    const char *ctype = NULL;
    int64_t mtime = vtime;
    *rc = content_render(q, &out, &ctype, &mtime);
    if (*rc == 0) {
        if (mtime < q->loaded)
            mtime = q->loaded;
        page = content_cache_put(key, kl, snap->generation, version, ctype,
                                 out.data ? out.data : "", out.len, mtime);
    }
    util_buf_free(&out);
    return page;
}

/* Article paths without an article, remembered per worker thread for the store snapshot
 * (and configuration) they were seen in: imported pages at article-like paths are common
 * (an old site's /news/a0001.html under a column named news) and a decline then costs one
 * hash probe. A direct-mapped table of its own, apart from wcache's rendered pages on
 * purpose: a flood of distinct junk URLs overwrites only other declines, never a rendered
 * page (it once did, through a shared cache). */
#define DECLINE_SLOTS 2048 /* power of two; 32 KiB per thread */
typedef struct decline {
    uint64_t hash, stamp;
} decline_t;
static _Thread_local decline_t decline_table[DECLINE_SLOTS];

/* The slot of this request's path in the decline table, and the stamp it must carry. */
static decline_t *decline_slot(const request_t *r, store_txn_t *t, uint64_t *h, uint64_t *stamp)
{
    *stamp = store_txn_stamp(t) ^ (r->snap->generation << 44);
    *h = util_hash_bytes((uint64_t)(uintptr_t)r->site, r->rel, r->rel_len) | 1; /* 0: empty */
    return &decline_table[*h & (DECLINE_SLOTS - 1)];
}

/* A listing (报送, article_link.h) has no page of its own: its URL answers 301 with the
 * original's canonical URL (the one copy of the content). True when answered. */
static bool redirect_listing(request_t *r, store_txn_t *t, const char *column, const char *id)
{
    article_t a;
    char ls[64], lc[64], li[72];
    if (article_get(t, r->site->id, column, id, &a) != STORE_OK ||
        !article_link_target(&a, ls, lc, li, sizeof ls))
        return false;
    const router_site_t *rs = router_site(r->snap->router, ls);
    const conf_site_t *os = conf_site_find(r->snap->conf, ls);
    char prefix[256];
    if (!rs || !rs->canon_host || !os || !render_mount_prefix(r, prefix, sizeof prefix))
        return false; /* the original's site is gone from the configuration: 404 below */
    /* a path on this host when the original lives below it (as the column page links
     * it), else its canonical URL */
    char *here = article_site_path(r->site), *there = article_site_path(os);
    size_t hl = here ? strlen(here) : 0, pl = strlen(prefix);
    util_buf_t loc = {0};
    if (here && there && hl >= pl && strcmp(here + hl - pl, prefix) == 0 &&
        strncmp(there, here, hl - pl + 1) == 0)
        util_buf_printf(&loc, "/%s%s/%s.html", there + (hl - pl + 1), lc, li);
    else
        util_buf_printf(&loc, "%s://%s%s%s/%s.html", r->tls ? "https" : "http", rs->canon_host,
                        rs->canon_prefix, lc, li);
    free(here);
    free(there);
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&loc);
    return true;
}

static module_result_t content_handle(request_t *r)
{
    if (!r->site || r->rel_len == 0 || r->rel[0] != '/')
        return MODULE_DECLINED;
    /* Declined before in this snapshot (checked before the path is even parsed)? */
    store_txn_t *t = request_store(r);
    if (!t)
        return MODULE_DECLINED;
    uint64_t dh, dstamp;
    decline_t *slot = decline_slot(r, t, &dh, &dstamp);
    if (slot->hash == dh && slot->stamp == dstamp)
        return MODULE_DECLINED;
    /* the URL layout is content_route.c's, shared with the audit */
    content_path_t where;
    content_path_parse(r->site, r->rel, r->rel_len, &where);
    if (where.what == CONTENT_PATH_NONE)
        return MODULE_DECLINED;
    if (where.what == CONTENT_PATH_ATTACHMENT)
        return serve_attachment(r);
    content_req_t q = {.r = r, .site = r->site, .col = where.col, .kind = where.kind,
                       .page = where.page};
    _Static_assert(sizeof q.id == sizeof where.id, "article ids: one size");
    memcpy(q.id, where.id, sizeof q.id);
    q.t = t;
    /* An article path with no article (an imported page of an old site's /news/, a junk
     * URL) is declined before any key is formatted, and remembered. */
    if (q.kind == CP_ARTICLE && !article_exists(t, r->site->id, q.col->id, q.id)) {
        slot->hash = dh;
        slot->stamp = dstamp;
        return MODULE_DECLINED;
    }
    if (q.kind == CP_ARTICLE && redirect_listing(r, t, q.col->id, q.id))
        return MODULE_DONE;
    if (!req_init(&q, r))
        return MODULE_DECLINED;

    /* What the page depends on: the portal's home and a sitemap show several sites. */
    bool cluster = q.kind == CP_SITEMAP || (q.kind == CP_HOME && r->site->kind == SITE_PORTAL);
    uint64_t version;
    int64_t vtime;
    article_version(q.t, cluster ? NULL : r->site->id, &version, &vtime);

    /* The generation served ("edu@v2" after a promote or in a preview): whether a page of
     * ours gives way to an imported one depends on it, so it keys the cache too. */
    char ns[STORE_KEY_MAX + 1];
    if (request_pages_ns(r, ns, sizeof ns) != 0)
        return MODULE_DECLINED;

    /* An imported home or column page keeps its place until something is published there
     * (looked up before the cache: an import changes no content version). With nothing
     * imported either, the page is rendered, empty, so a link to it never dies. */
    if (q.kind == CP_HOME && version == 0 && imported(q.t, ns, "/index.html"))
        return MODULE_DECLINED;
    if (q.kind == CP_COLUMN && q.page == 1 &&
        article_column_count(q.t, r->site->id, q.col->id) == 0) {
        char path[64];
        snprintf(path, sizeof path, "/%s/index.html", q.col->id);
        if (imported(q.t, ns, path))
            return MODULE_DECLINED;
    }

    /* the cache key: namespace, mount prefix, path, scheme, mode (joined by hand: per
     * request); feeds and sitemaps have one rendering */
    q.care = q.kind != CP_FEED && q.kind != CP_SITEMAP && care_mode(r);
    char key[1024];
    size_t nl = strlen(ns), pl = strlen(q.prefix), kl = nl + pl + r->rel_len + 5;
    if (kl > sizeof key)
        return MODULE_DECLINED;
    char *k = key;
    memcpy(k, ns, nl), k += nl, *k++ = '\n';
    memcpy(k, q.prefix, pl), k += pl, *k++ = '\n';
    memcpy(k, r->rel, r->rel_len), k += r->rel_len, *k++ = '\n';
    *k++ = r->tls ? 's' : 'p';
    *k = q.care ? 'c' : 'n';
    int rc = 0;
    const store_page_t *page = render_cached(&q, key, kl, version, vtime, true, &rc);
    if (!page && rc < 0) {
        response_error(r, 500, "the content store could not be read");
        return MODULE_DONE;
    }
    if (!page)
        return MODULE_DECLINED;
    response_page(r, 200, page);
    return MODULE_DONE;
}

/* An error page in the site's theme, with its header, footer and a way home. A 404 (the
 * detail is always "not found") is cached per site, mount and scheme; pages of other
 * statuses show their detail and are rendered each time (rare). Reads no store. */
static bool content_error_page(request_t *r, int status, const char *detail,
                               const store_page_t **out)
{
    if (!r->site || !r->snap || !r->path)
        return false;
    content_req_t q = {0};
    q.kind = CP_ERROR;
    q.status = status;
    q.detail = status == 404 ? NULL : detail;
    if (!req_init(&q, r))
        return false;
    char key[640];
    q.care = care_mode(r);
    int kl = snprintf(key, sizeof key, "%s\n%s\n!%d\n%c%c", r->site->id, q.prefix, status,
                      r->tls ? 's' : 'p', q.care ? 'c' : 'n');
    if (kl <= 0 || (size_t)kl >= sizeof key)
        return false;
    int rc = 0;
    *out = render_cached(&q, key, (size_t)kl, 0, 0, status == 404, &rc);
    return *out != NULL;
}

/* The theme every site's falls back to, file by file, is the built-in default one (a
 * themes folder replaces its files, never removes one): it must have every template the
 * pages are rendered in, or a page type would have nothing to render with. */
static void content_conf_check(conf_ctx_t *x)
{
    static const char *const need[] = CONTENT_TEMPLATES;
    theme_require_builtin(x->diag, need, UTIL_ARRAY_LEN(need));
}

module_t module_content = {
    .name = "content",
    .conf_check = content_conf_check,
    .handle = content_handle,
    .error_page = content_error_page,
    .column_types = content_column_types,
};
