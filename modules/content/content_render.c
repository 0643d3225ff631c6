/* modules/content/content_render.c: the data each page type is rendered over, read from the
 * configuration (sites, columns, registration identifiers) and the store (articles,
 * indexes), and the choice of template. Runs only when a page is not cached.
 *
 * Links are paths on the host the request came in on ("/edu/news/x.html" on the portal's
 * host, "/news/x.html" on edu's own), so a rendering is cached per mount prefix; links to
 * a site that is not below this host, feeds and sitemaps use the canonical URL. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "article_link.h"
#include "care.h"
#include "content_columns.h"
#include "content_render.h"
#include "lifecycle.h"
#include "render_common.h"
#include "store_keys.h"
#include "util.h"

typedef struct ctx {
    content_req_t *q;
    tpl_data_t *d;
    tpl_val_t *root;
    const conf_t *conf;
    const router_t *router;
    char *hostroot; /* the portal-host path of the site at "/" of this host; NULL: none */
    int64_t newest; /* Last-Modified: the newest time shown */
} ctx_t;

static const char *type_label(content_column_type_t t)
{
    const char *s = content_column_type_name_zh(t);
    return strcmp(s, "?") ? s : "";
}

/* The site's home as a link from this request: a path on this host when the site lives
 * below it, else its canonical URL. Heap string. */
static char *site_link(ctx_t *x, const conf_site_t *s)
{
    if (s == x->q->site)
        return util_strdup(x->q->prefix);
    char *tree = article_site_path(s);
    if (tree && x->hostroot) {
        size_t n = strlen(x->hostroot);
        if (strncmp(tree, x->hostroot, n) == 0) {
            char *link = util_asprintf("%s%s", "/", tree + n);
            free(tree);
            return link;
        }
    }
    free(tree);
    const router_site_t *rs = router_site(x->router, s->id);
    return util_asprintf("%s://%s%s", x->q->scheme, rs ? rs->canon_host : "localhost",
                         rs ? rs->canon_prefix : "/");
}

static char *site_abs(ctx_t *x, const conf_site_t *s)
{
    const router_site_t *rs = router_site(x->router, s->id);
    return util_asprintf("%s://%s%s", x->q->scheme, rs ? rs->canon_host : "localhost",
                         rs ? rs->canon_prefix : "/");
}

static void set_owned(ctx_t *x, tpl_val_t *m, const char *k, char *v)
{
    tpl_set_str(x->d, m, k, v);
    free(v);
}

static void add_column(ctx_t *x, tpl_val_t *m, const char *home, const conf_column_t *c)
{
    tpl_set_str(x->d, m, "id", c->id);
    tpl_set_str(x->d, m, "name", c->name);
    tpl_set_str(x->d, m, "description", c->description ? c->description : c->name);
    tpl_set_str(x->d, m, "keywords", c->keywords ? c->keywords : c->name);
    tpl_set_str(x->d, m, "type", content_column_type_name(c->type));
    tpl_set_str(x->d, m, "type_label", type_label(c->type));
    set_owned(x, m, "url", util_asprintf("%s%s/", home, c->id));
    if (c->type != COLUMN_STATIC && c->type != COLUMN_INTERACTION) /* only those have one */
        set_owned(x, m, "feed", util_asprintf("%s%s/feed.xml", home, c->id));
    tpl_set_bool(x->d, m, "current", c == x->q->col);
}

static void add_site(ctx_t *x, tpl_val_t *root, const conf_site_t *s)
{
    tpl_val_t *m = tpl_set_map(x->d, root, "site");
    const router_site_t *rs = router_site(x->router, s->id);
    tpl_set_str(x->d, m, "id", s->id);
    tpl_set_str(x->d, m, "name", s->name);
    tpl_set_str(x->d, m, "kind", conf_kind_name(s->kind));
    tpl_set_str(x->d, m, "home", x->q->prefix);
    set_owned(x, m, "url", site_abs(x, s));
    render_site_reg(x->d, m, s, rs);
    tpl_val_t *cols = tpl_set_list(x->d, m, "columns");
    for (size_t i = 0; i < s->ncolumns; i++)
        add_column(x, tpl_list_add_map(x->d, cols), x->q->prefix, &s->columns[i]);
    if (s->parent) {
        tpl_val_t *p = tpl_set_map(x->d, m, "parent");
        tpl_set_str(x->d, p, "name", s->parent->name);
        set_owned(x, p, "home", site_link(x, s->parent));
    }
    const conf_site_t *portal = x->conf->portal;
    if (portal && portal != s) {
        tpl_val_t *p = tpl_set_map(x->d, root, "portal");
        tpl_set_str(x->d, p, "name", portal->name);
        set_owned(x, p, "home", site_link(x, portal));
    }
}

/* One article in a list. */
static tpl_val_t *add_item(ctx_t *x, tpl_val_t *list, const article_t *a, bool with_site)
{
    tpl_val_t *m = tpl_list_add_map(x->d, list);
    const conf_site_t *s = conf_site_find(x->conf, a->site);
    if (!s)
        return m;
    const conf_column_t *c = conf_column_find(s, a->column);
    char *home = site_link(x, s);
    tpl_set_str(x->d, m, "title", a->title);
    /* a listing (报送) links to its original, where the one copy of the content is */
    char ls[64], lc[64], li[72];
    const conf_site_t *os = article_link_target(a, ls, lc, li, sizeof ls) ?
                            conf_site_find(x->conf, ls) : NULL;
    if (os) {
        char *ohome = site_link(x, os);
        set_owned(x, m, "url", util_asprintf("%s%s/%s.html", ohome, lc, li));
        free(ohome);
    } else {
        set_owned(x, m, "url", util_asprintf("%s%s/%s.html", home, a->column, a->id));
    }
    char day[11], minute[17], iso[26];
    article_format_day(a->pubtime, day);
    article_format_minute(a->pubtime, minute);
    article_format_rfc3339(a->updated > a->pubtime ? a->updated : a->pubtime, iso);
    tpl_set_str(x->d, m, "date", day);
    tpl_set_str(x->d, m, "pubdate", minute);
    tpl_set_str(x->d, m, "updated", iso);
    article_format_rfc3339(a->pubtime, iso);
    tpl_set_str(x->d, m, "published", iso);
    if (with_site) {
        tpl_set_str(x->d, m, "site_name", s->name);
        set_owned(x, m, "site_home", util_strdup(home));
    }
    if (c)
        tpl_set_str(x->d, m, "column_name", c->name);
    if (a->updated > x->newest)
        x->newest = a->updated;
    free(home);
    return m;
}

typedef struct lister {
    ctx_t *x;
    tpl_val_t *list;
    bool with_site;
    const char *abs_home; /* feeds: absolute URLs and the body */
} lister_t;

static int list_cb(void *ud, const article_t *a)
{
    lister_t *l = ud;
    char ls[64], lc[64], li[72];
    if (article_is_link(a) && (!article_link_target(a, ls, lc, li, sizeof ls) ||
                               !conf_site_find(l->x->conf, ls)))
        return 0; /* a listing whose original's site is gone links nowhere: left out */
    tpl_val_t *m = add_item(l->x, l->list, a, l->with_site);
    const conf_site_t *os = l->abs_home && article_link_target(a, ls, lc, li, sizeof ls)
                                ? conf_site_find(l->x->conf, ls) : NULL;
    if (os) {
        /* a listing in a feed: the original's URL, no body (it is not copied) */
        char *oabs = site_abs(l->x, os);
        set_owned(l->x, m, "abs_url", util_asprintf("%s%s/%s.html", oabs, lc, li));
        free(oabs);
        tpl_set_str(l->x->d, m, "source", a->source);
        tpl_set_str(l->x->d, m, "author", a->author);
    } else if (l->abs_home) {
        set_owned(l->x, m, "abs_url", util_asprintf("%s%s/%s.html", l->abs_home, a->column, a->id));
        tpl_set_strn(l->x->d, m, "body", a->body, a->body_len);
        tpl_set_str(l->x->d, m, "source", a->source);
        tpl_set_str(l->x->d, m, "author", a->author);
    }
    return 0;
}

static char *page_url(const char *col_url, unsigned n)
{
    return n == 1 ? util_strdup(col_url) : util_asprintf("%sindex_%u.html", col_url, n);
}

/* ------------------------------------------------------------------ page types */

static int render_article(ctx_t *x)
{
    content_req_t *q = x->q;
    article_t a;
    int rc = q->preview ? 0 : article_get(q->t, q->site->id, q->col->id, q->id, &a);
    if (rc == STORE_NOTFOUND)
        return 1;
    if (rc != 0)
        return -1;
    if (q->preview)
        a = *q->preview;
    else if (article_is_link(&a))
        return 1; /* a listing has no page (content.c redirects to its original) */
    tpl_val_t *m = tpl_set_map(x->d, x->root, "article");
    tpl_set_str(x->d, m, "id", a.id);
    tpl_set_str(x->d, m, "title", a.title);
    tpl_set_strn(x->d, m, "body", a.body, a.body_len);
    tpl_set_str(x->d, m, "source", *a.source ? a.source : q->site->name);
    tpl_set_str(x->d, m, "author", *a.author ? a.author : NULL);
    tpl_set_str(x->d, m, "publisher", a.publisher);
    tpl_set_str(x->d, m, "reviewer", a.reviewer);
    tpl_set_str(x->d, m, "disclosure", a.disclosure);
    tpl_set_str(x->d, m, "secrecy_by", a.secrecy_by);
    tpl_set_str(x->d, m, "secrecy_date", a.secrecy_date);
    tpl_set_int(x->d, m, "revision", a.revision);
    char minute[17], iso[26];
    article_format_minute(a.pubtime, minute);
    tpl_set_str(x->d, m, "pubdate", minute);
    article_format_rfc3339(a.pubtime, iso);
    tpl_set_str(x->d, m, "published", iso);
    if (a.revision > 1) {
        article_format_minute(a.updated, minute);
        tpl_set_str(x->d, m, "updated", minute);
    }
    set_owned(x, m, "url", util_asprintf("%s%s/%s.html", q->prefix, q->col->id, a.id));
    if (q->col->type == COLUMN_POLICY) {
        /* the 政府信息公开 header of a policy document (article.html's table) */
        tpl_val_t *p = tpl_set_map(x->d, m, "policy");
        const char *hdr[][2] = {{"doc_no", a.doc_no}, {"issuer", a.issuer},
                                {"written", a.written}, {"topic", a.topic},
                                {"index_no", a.index_no}};
        for (size_t i = 0; i < UTIL_ARRAY_LEN(hdr); i++)
            tpl_set_str(x->d, p, hdr[i][0], hdr[i][1] ? hdr[i][1] : "");
        char day[11];
        article_format_day(a.pubtime, day);
        tpl_set_str(x->d, p, "published", day);
    }
    tpl_val_t *atts = tpl_set_list(x->d, m, "attachments");
    for (const char *p = a.attachments; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        tpl_val_t *f = tpl_list_add_map(x->d, atts);
        tpl_set_strn(x->d, f, "name", p, n);
        set_owned(x, f, "url", util_asprintf("%s%s/%s/%.*s", q->prefix, q->col->id, a.id, (int)n, p));
        p = nl ? nl + 1 : NULL;
    }
    tpl_set_str(x->d, x->root, "title", a.title);
    x->newest = a.updated;
    return 0;
}

static int render_column(ctx_t *x)
{
    content_req_t *q = x->q;
    /* An empty column (an imported page at its place was looked for in content.c) is
     * rendered with an empty list: the theme says 本栏目暂无信息. */
    uint64_t count = q->col->type == COLUMN_STATIC ? 0
                                                   : article_column_count(q->t, q->site->id, q->col->id);
    unsigned pages = (unsigned)((count + CONTENT_PER_PAGE - 1) / CONTENT_PER_PAGE);
    if (pages == 0)
        pages = 1;
    if (q->page > pages)
        return 1;
    tpl_val_t *col = tpl_set_map(x->d, x->root, "column");
    add_column(x, col, q->prefix, q->col);
    tpl_set_int(x->d, col, "count", (long long)count);
    tpl_val_t *items = tpl_set_list(x->d, x->root, "items");
    lister_t l = {x, items, false, NULL};
    int rc = count == 0 ? 0
                        : article_column_each(q->t, q->site->id, q->col->id,
                                              (size_t)(q->page - 1) * CONTENT_PER_PAGE,
                                              CONTENT_PER_PAGE, list_cb, &l);
    if (rc < 0)
        return -1;
    char *col_url = util_asprintf("%s%s/", q->prefix, q->col->id);
    tpl_val_t *pg = tpl_set_map(x->d, x->root, "pagination");
    tpl_set_int(x->d, pg, "page", q->page);
    tpl_set_int(x->d, pg, "pages", pages);
    tpl_set_bool(x->d, pg, "many", pages > 1);
    if (q->page > 1)
        set_owned(x, pg, "prev", page_url(col_url, q->page - 1));
    if (q->page < pages)
        set_owned(x, pg, "next", page_url(col_url, q->page + 1));
    set_owned(x, pg, "first", page_url(col_url, 1));
    set_owned(x, pg, "last", page_url(col_url, pages));
    /* At most 9 numbered links around the current page. */
    unsigned from, to;
    render_page_window(q->page, pages, &from, &to);
    tpl_val_t *nums = tpl_set_list(x->d, pg, "list");
    for (unsigned n = from; n <= to; n++) {
        tpl_val_t *e = tpl_list_add_map(x->d, nums);
        tpl_set_int(x->d, e, "num", n);
        set_owned(x, e, "url", page_url(col_url, n));
        tpl_set_bool(x->d, e, "current", n == q->page);
    }
    free(col_url);
    char *title = q->page > 1 ? util_asprintf("%s（第%u页）", q->col->name, q->page)
                              : util_strdup(q->col->name);
    set_owned(x, x->root, "title", title);
    return 0;
}

/* The latest items of each column that lists articles. */
static int add_blocks(ctx_t *x, const conf_site_t *s)
{
    tpl_val_t *blocks = tpl_set_list(x->d, x->root, "blocks");
    for (size_t i = 0; i < s->ncolumns; i++) {
        const conf_column_t *c = &s->columns[i];
        if (c->type == COLUMN_STATIC || c->type == COLUMN_INTERACTION)
            continue;
        tpl_val_t *b = tpl_list_add_map(x->d, blocks);
        add_column(x, b, x->q->prefix, c);
        tpl_val_t *items = tpl_set_list(x->d, b, "items");
        lister_t l = {x, items, false, NULL};
        if (article_column_each(x->q->t, s->id, c->id, 0, CONTENT_HOME_ITEMS, list_cb, &l) < 0)
            return -1;
    }
    return 0;
}

/* The portal's "latest from the subsites": the cluster's newest, without its own. */
typedef struct latest {
    lister_t l;
    size_t left;
    const char *skip_site;
} latest_t;

static int latest_cb(void *ud, const article_t *a)
{
    latest_t *l = ud;
    if (strcmp(a->site, l->skip_site) == 0 || article_is_link(a))
        return 0; /* a listing's original is in the cluster's latest itself */
    const conf_site_t *s = conf_site_find(l->l.x->conf, a->site);
    if (!s || !content_site_listed(s))
        return 0; /* a suspended or closed site's articles leave the portal */
    list_cb(&l->l, a);
    return --l->left == 0;
}

static int render_home(ctx_t *x)
{
    content_req_t *q = x->q;
    uint64_t ver;
    int64_t vt;
    /* Nothing published (and nothing imported: content.c looked) still renders the home
     * from the theme, its column blocks empty. */
    article_version(q->t, q->site->kind == SITE_PORTAL ? NULL : q->site->id, &ver, &vt);
    if (add_blocks(x, q->site) != 0)
        return -1;
    tpl_set_bool(x->d, x->root, "is_home", true);
    /* Subsites below this one (the directory), grouped by kind. */
    static const struct {
        conf_site_kind_t kind;
        const char *label;
    } groups[] = {
        {SITE_DEPARTMENT, "部门网站"},
        {SITE_COUNTY, "区县网站"},
        {SITE_TOWNSHIP, "乡镇（街道）网站"},
        {SITE_VILLAGE, "村（社区）网站"},
    };
    tpl_val_t *dir = tpl_set_list(x->d, x->root, "directory");
    for (size_t g = 0; g < UTIL_ARRAY_LEN(groups); g++) {
        tpl_val_t *grp = NULL, *list = NULL;
        for (size_t i = 0; i < x->conf->nsites; i++) {
            const conf_site_t *s = &x->conf->sites[i];
            if (s->kind != groups[g].kind || s == q->site || !content_site_listed(s))
                continue; /* a closed site lives on as redirects, a suspended one as its notice */
            /* The portal lists every subsite; another site lists those below it. */
            bool below = q->site->kind == SITE_PORTAL;
            for (const conf_site_t *p = s->parent; p && !below; p = p->parent)
                below = p == q->site;
            if (!below)
                continue;
            if (!grp) {
                grp = tpl_list_add_map(x->d, dir);
                tpl_set_str(x->d, grp, "label", groups[g].label);
                list = tpl_set_list(x->d, grp, "sites");
            }
            tpl_val_t *e = tpl_list_add_map(x->d, list);
            tpl_set_str(x->d, e, "name", s->name);
            set_owned(x, e, "url", site_link(x, s));
        }
    }
    if (q->site->kind == SITE_PORTAL) {
        /* The cluster's latest, from the subsites. */
        tpl_val_t *latest = tpl_set_list(x->d, x->root, "latest");
        latest_t l = {{x, latest, true, NULL}, CONTENT_PORTAL_LATEST, q->site->id};
        if (article_latest_each(q->t, 0, SIZE_MAX, latest_cb, &l) < 0)
            return -1;
    }
    if (vt > x->newest)
        x->newest = vt;
    return 0;
}

static int render_feed(ctx_t *x)
{
    content_req_t *q = x->q;
    tpl_val_t *col = tpl_set_map(x->d, x->root, "column");
    add_column(x, col, q->prefix, q->col);
    char *abs = site_abs(x, q->site);
    set_owned(x, col, "abs_url", util_asprintf("%s%s/", abs, q->col->id));
    set_owned(x, col, "abs_feed", util_asprintf("%s%s/feed.xml", abs, q->col->id));
    tpl_val_t *items = tpl_set_list(x->d, x->root, "items");
    lister_t l = {x, items, false, abs};
    int rc = article_column_each(q->t, q->site->id, q->col->id, 0, CONTENT_FEED_ITEMS, list_cb, &l);
    free(abs);
    if (rc < 0)
        return -1;
    char iso[26];
    article_format_rfc3339(x->newest ? x->newest : q->loaded, iso);
    tpl_set_str(x->d, x->root, "updated", iso);
    return 0;
}

typedef struct smap {
    ctx_t *x;
    tpl_val_t *urls;
    const char *abs;
    size_t n;
} smap_t;

static void smap_add(smap_t *m, char *loc, int64_t t)
{
    if (m->n >= CONTENT_SITEMAP_MAX) {
        free(loc);
        return;
    }
    tpl_val_t *u = tpl_list_add_map(m->x->d, m->urls);
    set_owned(m->x, u, "loc", loc);
    if (t > 0) {
        char day[11];
        article_format_day(t, day);
        tpl_set_str(m->x->d, u, "lastmod", day);
    }
    m->n++;
}

static int smap_cb(void *ud, const article_t *a)
{
    smap_t *m = ud;
    if (article_is_link(a))
        return 0; /* its URL only redirects to the original */
    smap_add(m, util_asprintf("%s%s/%s.html", m->abs, a->column, a->id),
             a->updated > a->pubtime ? a->updated : a->pubtime);
    if (a->updated > m->x->newest)
        m->x->newest = a->updated;
    return m->n >= CONTENT_SITEMAP_MAX;
}

static int render_sitemap(ctx_t *x)
{
    content_req_t *q = x->q;
    const router_site_t *here = router_site(x->router, q->site->id);
    smap_t m = {x, tpl_set_list(x->d, x->root, "urls"), NULL, 0};
    for (size_t i = 0; i < x->conf->nsites && here; i++) {
        const conf_site_t *s = &x->conf->sites[i];
        const router_site_t *rs = router_site(x->router, s->id);
        /* A sitemap lists URLs of its own host only (sitemaps.org): the sites whose
         * canonical home is on the same host as this one, below it. */
        if (!rs || strcmp(rs->canon_host, here->canon_host) != 0 ||
            strncmp(rs->canon_prefix, here->canon_prefix, here->canon_prefix_len) != 0)
            continue;
        if (s != q->site && !content_site_listed(s))
            continue; /* suspended or closed below this site: none of its URLs answer 200 */
        char *abs = site_abs(x, s);
        m.abs = abs;
        uint64_t ver;
        int64_t vt;
        article_version(q->t, s->id, &ver, &vt);
        smap_add(&m, util_strdup(abs), vt);
        for (size_t c = 0; c < s->ncolumns; c++) {
            const conf_column_t *col = &s->columns[c];
            if (col->type == COLUMN_STATIC || col->type == COLUMN_INTERACTION ||
                article_column_count(q->t, s->id, col->id) == 0)
                continue;
            smap_add(&m, util_asprintf("%s%s/", abs, col->id), 0);
            if (article_column_each(q->t, s->id, col->id, 0, CONTENT_SITEMAP_MAX, smap_cb, &m) < 0) {
                free(abs);
                return -1;
            }
        }
        free(abs);
    }
    return 0;
}

static int render_error(ctx_t *x)
{
    content_req_t *q = x->q;
    static const struct {
        int status;
        const char *title, *message;
    } texts[] = {
        {403, "禁止访问", "您没有访问该页面的权限。"},
        {404, "页面不存在", "您访问的页面不存在或已被删除，请检查网址是否正确。"},
        {410, "页面已删除", "您访问的页面已被删除。"},
        {429, "访问过于频繁", "您的请求过于频繁，请稍后再试。"},
        {500, "服务器内部错误", "服务器暂时无法处理您的请求，请稍后再试。"},
        {503, "服务暂时不可用", "服务暂时不可用，请稍后再试。"},
    };
    const char *title = "出错了", *message = "服务器无法处理您的请求。";
    for (size_t i = 0; i < UTIL_ARRAY_LEN(texts); i++)
        if (texts[i].status == q->status) {
            title = texts[i].title;
            message = texts[i].message;
        }
    tpl_val_t *m = tpl_set_map(x->d, x->root, "error");
    tpl_set_int(x->d, m, "status", q->status);
    tpl_set_str(x->d, m, "title", title);
    tpl_set_str(x->d, m, "message", message);
    tpl_set_str(x->d, m, "detail", q->detail);
    tpl_set_str(x->d, x->root, "title", title);
    return 0;
}

/* "Nothing of ours here", decided before anything is built: an article id that does not
 * exist, a page past the last. Junk URLs cost one lookup and are never cached. */
static int declines(content_req_t *q)
{
    if (q->kind == CP_ARTICLE) {
        article_t a;
        int rc = article_get(q->t, q->site->id, q->col->id, q->id, &a);
        return rc == STORE_NOTFOUND ? 1 : rc != 0 ? -1 : 0;
    }
    if (q->kind == CP_COLUMN && q->page > 1) {
        uint64_t count = q->col->type == COLUMN_STATIC
                             ? 0 : article_column_count(q->t, q->site->id, q->col->id);
        return (uint64_t)(q->page - 1) * CONTENT_PER_PAGE >= count;
    }
    return 0;
}

bool content_site_listed(const conf_site_t *s)
{
    lifecycle_state_t st = lifecycle_conf(s)->state;
    return st == LIFECYCLE_ACTIVE || st == LIFECYCLE_REDESIGN;
}

/* ------------------------------------------------------------------ entry */

int content_render(content_req_t *q, util_buf_t *out, const char **ctype, int64_t *mtime)
{
    int rc = q->kind == CP_ERROR || q->preview ? 0 : declines(q);
    if (rc != 0)
        return rc;
    ctx_t x = {.q = q, .conf = q->r->snap->conf, .router = q->r->snap->router};
    x.d = tpl_data_new();
    x.root = tpl_data_root(x.d);
    /* The portal-host path of whatever site sits at "/" of this host. */
    char *tree = article_site_path(q->site);
    size_t pl = strlen(q->prefix);
    if (tree) {
        size_t tl = strlen(tree);
        if (tl >= pl && strcmp(tree + tl - pl, q->prefix) == 0)
            x.hostroot = util_strndup(tree, tl - pl + 1);
        free(tree);
    }
    add_site(&x, x.root, q->site);
    tpl_set_bool(x.d, x.root, "mourning", x.conf->mourning || q->site->mourning);
    /* the mode switch comes back to this page (an error page, cached per site: home); an
     * article's path is built, so that the console's preview is the page to be published */
    char *back = q->kind == CP_ARTICLE && q->col
                     ? util_asprintf("%s%s/%s.html", q->prefix, q->col->id, q->id)
                 : q->kind != CP_ERROR ? util_strndup(q->r->path, q->r->path_len)
                                       : NULL;
    care_tpl(x.d, x.root, q->care, q->prefix, back, back ? strlen(back) : 0);
    free(back);
    if (q->col) {
        tpl_val_t *c = tpl_set_map(x.d, x.root, "current_column");
        add_column(&x, c, q->prefix, q->col);
    }
    time_t now = time(NULL) + ARTICLE_TZ_OFFSET;
    struct tm tm;
    gmtime_r(&now, &tm);
    tpl_set_int(x.d, x.root, "year", tm.tm_year + 1900);

    const char *name;
    switch (q->kind) {
    case CP_ERROR:
        rc = render_error(&x);
        name = "error.html";
        *ctype = "text/html; charset=utf-8";
        break;
    case CP_ARTICLE:
        rc = render_article(&x);
        name = "article.html";
        *ctype = "text/html; charset=utf-8";
        break;
    case CP_COLUMN:
        rc = render_column(&x);
        name = "column.html";
        *ctype = "text/html; charset=utf-8";
        break;
    case CP_HOME:
        rc = render_home(&x);
        name = q->site->kind == SITE_PORTAL ? "portal.html" : "home.html";
        *ctype = "text/html; charset=utf-8";
        break;
    case CP_FEED:
        rc = render_feed(&x);
        name = "feed.xml";
        *ctype = "application/atom+xml; charset=utf-8";
        break;
    case CP_SITEMAP:
    default:
        rc = render_sitemap(&x);
        name = "sitemap.xml";
        *ctype = "application/xml; charset=utf-8";
        break;
    }
    const tpl_t *t = rc == 0 ? tpl_set_get(q->theme, name) : NULL;
    if (rc == 0 && !t)
        rc = 1;
    if (rc == 0)
        tpl_render(t, x.root, out);
    if (x.newest > *mtime)
        *mtime = x.newest;
    free(x.hostroot);
    tpl_data_free(x.d);
    return rc;
}
