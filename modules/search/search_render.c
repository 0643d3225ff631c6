/* modules/search/search_render.c: the data the search page (search.html) is rendered over
 * (see search_render.h). Everything a citizen sent reaches the template as data it
 * escapes; the snippets are the one piece of HTML made here (search_text_highlight:
 * escaped text and <mark>), and stored text that is not valid UTF-8 is cleaned first. */
#include "search_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "care.h"
#include "lifecycle.h"
#include "render_common.h"
#include "search.h"
#include "search_pages.h"
#include "search_text.h"
#include "snapshot.h"
#include "theme.h"

typedef struct ctx {
    const search_page_t *p;
    tpl_data_t *d;
    tpl_val_t *root;
    const conf_t *conf;
} ctx_t;

static void set_owned(ctx_t *x, tpl_val_t *m, const char *k, char *v)
{
    tpl_set_str(x->d, m, k, v);
    free(v);
}

/* Text from the store, as the page may show it. */
static void set_clean(ctx_t *x, tpl_val_t *m, const char *k, const char *s)
{
    util_buf_t b = {0};
    search_text_clean(s, strlen(s), &b);
    tpl_set_strn(x->d, m, k, b.data ? b.data : "", b.len);
    util_buf_free(&b);
}

char *search_result_url(const conf_t *c, const search_docrec_t *d, bool cluster,
                        const char *prefix)
{
    if (d->type == SEARCH_TYPE_PAGE) {
        const conf_site_t *s = cluster ? conf_site_find(c, d->site) : NULL;
        if (cluster && !s)
            return NULL;
        char *base = !cluster ? util_strdup(prefix) : article_site_path(s);
        if (!base) /* only on its own host */
            base = util_asprintf("http://%s/", s->nhosts ? s->hosts[0] : d->site);
        char *url = search_pages_url(base, d->id);
        free(base);
        return url;
    }
    /* an answered message's public page (modules/interaction/message_search.h) */
    char *leaf = d->type == SEARCH_TYPE_MESSAGE ? util_asprintf("m/%s", d->id)
                                                : util_strdup(d->id);
    char *url = cluster ? article_url_path(c, d->site, d->column, leaf)
                        : util_asprintf("%s%s/%s.html", prefix, d->column, leaf);
    free(leaf);
    return url;
}

/* ---- query strings: the search's own links ---- */

static void qs_add(util_buf_t *b, const char *name, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!v || !*v)
        return;
    util_buf_appends(b, b->len ? "&" : "?");
    util_buf_appends(b, name);
    util_buf_append(b, "=", 1);
    for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_' || *s == '.' || *s == '~') {
            util_buf_append(b, s, 1);
        } else {
            char e[3] = {'%', hex[*s >> 4], hex[*s & 15]};
            util_buf_append(b, e, 3);
        }
    }
}

typedef struct filters {
    const char *site, *column, *type, *from, *to, *sort;
} filters_t;

static const char *type_name(int t)
{
    return t == SEARCH_TYPE_ARTICLE ? "article" : t == SEARCH_TYPE_PAGE ? "page"
           : t == SEARCH_TYPE_MESSAGE ? "message" : NULL;
}

/* The page's URL for query q with the filters f (NULL: none) at page n. Heap string. */
static char *link(ctx_t *x, const char *q, const filters_t *f, unsigned n)
{
    util_buf_t b = {0};
    qs_add(&b, "q", q);
    if (f) {
        qs_add(&b, "site", f->site);
        qs_add(&b, "column", f->column);
        qs_add(&b, "type", f->type);
        qs_add(&b, "from", f->from);
        qs_add(&b, "to", f->to);
        qs_add(&b, "sort", f->sort);
    }
    if (n > 1) {
        char num[16];
        snprintf(num, sizeof num, "%u", n);
        qs_add(&b, "page", num);
    }
    char *url = util_asprintf("%ssearch%s", x->p->prefix, b.data ? b.data : "");
    util_buf_free(&b);
    return url;
}

/* ---- the site, as every page of the theme shows it ---- */

static bool listed(const conf_site_t *s)
{
    lifecycle_state_t st = lifecycle_conf(s)->state;
    return st == LIFECYCLE_ACTIVE || st == LIFECYCLE_REDESIGN;
}

static void add_site(ctx_t *x)
{
    const search_page_t *p = x->p;
    const conf_site_t *s = p->r->site;
    tpl_val_t *m = tpl_set_map(x->d, x->root, "site");
    tpl_set_str(x->d, m, "id", s->id);
    tpl_set_str(x->d, m, "name", s->name);
    tpl_set_str(x->d, m, "home", p->prefix);
    render_site_reg(x->d, m, s, router_site(p->r->snap->router, s->id));
    tpl_val_t *cols = tpl_set_list(x->d, m, "columns");
    for (size_t i = 0; i < s->ncolumns; i++) {
        tpl_val_t *c = tpl_list_add_map(x->d, cols);
        tpl_set_str(x->d, c, "id", s->columns[i].id);
        tpl_set_str(x->d, c, "name", s->columns[i].name);
        set_owned(x, c, "url", util_asprintf("%s%s/", p->prefix, s->columns[i].id));
    }
    if (x->conf->portal && x->conf->portal != s) {
        tpl_val_t *pm = tpl_set_map(x->d, x->root, "portal");
        tpl_set_str(x->d, pm, "name", x->conf->portal->name);
        set_owned(x, pm, "home", render_portal_link(p->r, s, p->prefix, x->conf->portal));
    }
    tpl_set_bool(x->d, x->root, "mourning", x->conf->mourning || s->mourning);
    /* the mode switch comes back to this search: path and query */
    util_buf_t back = {0};
    util_buf_append(&back, p->r->path, p->r->path_len);
    if (p->r->query_len) {
        util_buf_append(&back, "?", 1);
        util_buf_append(&back, p->r->query, p->r->query_len);
    }
    care_tpl(x->d, x->root, care_mode(p->r), p->prefix, back.data, back.len);
    util_buf_free(&back);
    time_t now = time(NULL) + ARTICLE_TZ_OFFSET;
    struct tm tm;
    gmtime_r(&now, &tm);
    tpl_set_int(x->d, x->root, "year", tm.tm_year + 1900);
}

/* ---- the box and its filters ---- */

static void option(ctx_t *x, tpl_val_t *list, const char *id, const char *name, bool sel)
{
    tpl_val_t *o = tpl_list_add_map(x->d, list);
    tpl_set_str(x->d, o, "id", id);
    tpl_set_str(x->d, o, "name", name);
    tpl_set_bool(x->d, o, "selected", sel);
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The columns to choose from: this site's, or on the portal those of the site chosen (all
 * sites' when none is), one entry per column id. */
static void add_columns(ctx_t *x, tpl_val_t *box, const search_query_t *q)
{
    tpl_val_t *list = tpl_set_list(x->d, box, "columns");
    const char *seen[256];
    size_t nseen = 0;
    for (size_t i = 0; i < x->conf->nsites; i++) {
        const conf_site_t *s = &x->conf->sites[i];
        if (x->p->cluster ? (q->site ? strcmp(q->site, s->id) != 0 : !listed(s))
                          : s != x->p->r->site)
            continue;
        for (size_t k = 0; k < s->ncolumns; k++) {
            const conf_column_t *c = &s->columns[k];
            bool dup = false;
            for (size_t j = 0; j < nseen && !dup; j++)
                dup = strcmp(seen[j], c->id) == 0;
            if (dup || nseen == UTIL_ARRAY_LEN(seen))
                continue;
            seen[nseen++] = c->id;
            option(x, list, c->id, c->name, same(q->column, c->id));
        }
    }
}

static void add_box(ctx_t *x, tpl_val_t *box, const search_query_t *q, const filters_t *f)
{
    set_owned(x, box, "action", util_asprintf("%ssearch", x->p->prefix));
    tpl_set_int(x->d, box, "q_max", SEARCH_Q_MAX);
    if (q->q)
        set_clean(x, box, "q", q->q);
    tpl_set_bool(x->d, box, "cluster", x->p->cluster);
    if (x->p->cluster) {
        tpl_val_t *sites = tpl_set_list(x->d, box, "sites");
        for (size_t i = 0; i < x->conf->nsites; i++) {
            const conf_site_t *s = &x->conf->sites[i];
            if (listed(s))
                option(x, sites, s->id, s->name, same(q->site, s->id));
        }
    }
    add_columns(x, box, q);
    tpl_val_t *types = tpl_set_list(x->d, box, "types");
    option(x, types, "", "全部类型", q->type == 0);
    option(x, types, "article", "文章", q->type == SEARCH_TYPE_ARTICLE);
    option(x, types, "page", "网页", q->type == SEARCH_TYPE_PAGE);
    option(x, types, "message", "留言", q->type == SEARCH_TYPE_MESSAGE);
    tpl_val_t *sorts = tpl_set_list(x->d, box, "sorts");
    option(x, sorts, "relevance", "按相关度", q->sort == SEARCH_SORT_RELEVANCE);
    option(x, sorts, "date", "按时间", q->sort == SEARCH_SORT_DATE);
    tpl_set_str(x->d, box, "from", f->from);
    tpl_set_str(x->d, box, "to", f->to);
}

/* ---- results and pages ---- */

static void add_results(ctx_t *x, tpl_val_t *box, const search_query_t *q,
                        const search_result_t *res, const filters_t *f)
{
    tpl_set_bool(x->d, box, "ran", true);
    tpl_set_int(x->d, box, "total", (long long)res->total);
    tpl_set_bool(x->d, box, "capped", res->capped); /* the total is an estimate: "约 N 条" */
    tpl_val_t *list = tpl_set_list(x->d, x->root, "results");
    for (size_t i = 0; i < res->n; i++) {
        const search_docrec_t *d = &res->hits[i].rec;
        const conf_site_t *s = conf_site_find(x->conf, d->site);
        tpl_val_t *m = tpl_list_add_map(x->d, list);
        set_clean(x, m, "title", d->title);
        set_owned(x, m, "url", search_result_url(x->conf, d, x->p->cluster, x->p->prefix));
        tpl_set_str(x->d, m, "site_name", s ? s->name : d->site);
        char date[17], iso[26];
        article_format_minute(d->pubtime, date);
        article_format_rfc3339(d->pubtime, iso);
        tpl_set_str(x->d, m, "date", date);
        tpl_set_str(x->d, m, "iso", iso);
        util_buf_t snip = {0}, html = {0};
        search_text_snippet(d->text, d->text_len, q->q, &snip);
        search_text_highlight(snip.data ? snip.data : "", snip.len, q->q, &html);
        tpl_set_strn(x->d, m, "snippet", html.data ? html.data : "", html.len);
        util_buf_free(&snip);
        util_buf_free(&html);
    }
    uint64_t pages64 = (res->total + SEARCH_PAGE_SIZE - 1) / SEARCH_PAGE_SIZE;
    unsigned pages = pages64 > SEARCH_PAGE_MAX ? SEARCH_PAGE_MAX : (unsigned)pages64;
    if (pages < q->page)
        pages = q->page;
    tpl_val_t *pg = tpl_set_map(x->d, x->root, "pagination");
    tpl_set_int(x->d, pg, "page", q->page);
    tpl_set_int(x->d, pg, "pages", pages);
    tpl_set_bool(x->d, pg, "many", pages > 1);
    if (q->page > 1)
        set_owned(x, pg, "prev", link(x, q->q, f, q->page - 1));
    if (q->page < pages)
        set_owned(x, pg, "next", link(x, q->q, f, q->page + 1));
    /* at most 9 numbered links around the current page */
    unsigned from, to;
    render_page_window(q->page, pages, &from, &to);
    tpl_val_t *nums = tpl_set_list(x->d, pg, "list");
    for (unsigned n = from; n <= to; n++) {
        tpl_val_t *e = tpl_list_add_map(x->d, nums);
        tpl_set_int(x->d, e, "num", n);
        set_owned(x, e, "url", link(x, q->q, f, n));
        tpl_set_bool(x->d, e, "current", n == q->page);
    }
    bool filtered = f->site || f->column || f->type || f->from || f->to;
    if (res->total == 0 && filtered)
        set_owned(x, box, "unfiltered", link(x, q->q, NULL, 1));
}

/* ---- hot and related searches ---- */

/* Terms read from the store as the list `key` of {term, url}: each shown as text only
 * (cleaned, and escaped by the template) and linking to its own search, unfiltered. */
static void add_term_links(ctx_t *x, const char *key, const char *const *terms, size_t n)
{
    tpl_val_t *list = tpl_set_list(x->d, x->root, key);
    for (size_t i = 0; i < n; i++) {
        tpl_val_t *m = tpl_list_add_map(x->d, list);
        set_clean(x, m, "term", terms[i]);
        set_owned(x, m, "url", link(x, terms[i], NULL, 1));
    }
}

bool search_render_page(const search_page_t *p, util_buf_t *out)
{
    const conf_t *conf = p->r->snap->conf;
    const tpl_t *t = conf->themes ? tpl_set_get(theme_for_site(conf->themes, p->r->site),
                                                "search.html")
                                  : NULL;
    if (!t)
        return false;
    ctx_t x = {.p = p, .conf = conf};
    x.d = tpl_data_new();
    x.root = tpl_data_root(x.d);
    add_site(&x);
    const search_query_t *q = p->q;
    char from[11] = "", to[11] = "";
    if (q->has_from)
        article_format_day(q->from, from);
    if (q->has_to)
        article_format_day(q->to, to);
    filters_t f = {
        .site = p->cluster ? q->site : NULL,
        .column = q->column,
        .type = type_name(q->type),
        .from = from[0] ? from : NULL,
        .to = to[0] ? to : NULL,
        .sort = q->sort == SEARCH_SORT_DATE ? "date" : NULL,
    };
    tpl_val_t *box = tpl_set_map(x.d, x.root, "search");
    add_box(&x, box, q, &f);
    if (p->error)
        tpl_set_str(x.d, box, "error", p->error);
    if (p->res && q->q)
        add_results(&x, box, q, p->res, &f);
    add_term_links(&x, "hot", p->hot, p->nhot);
    add_term_links(&x, "related", p->related, p->nrelated);
    if (q->q) {
        util_buf_t title = {0};
        search_text_clean(q->q, strlen(q->q), &title);
        set_owned(&x, x.root, "title", util_asprintf("搜索：%s", title.data ? title.data : ""));
        util_buf_free(&title);
    } else {
        tpl_set_str(x.d, x.root, "title", "搜索");
    }
    tpl_render(t, x.root, out);
    tpl_data_free(x.d);
    return true;
}
