/* modules/search/search.c: the search module's table and its handler, the JSON answer
 * of `<mount>search` (search.h). The index and the queries are in search_index.c and
 * search_query.c; this file reads parameters and writes the answer. */
#include "search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "module.h"
#include "render_common.h"
#include "search_conf.h"
#include "search_hot.h"
#include "search_limit.h"
#include "search_related.h"
#include "search_render.h"
#include "search_text.h"
#include "store_keys.h"

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes s[0..n) ('+' is a space) into out; false for a bad escape or a NUL. */
static bool decode(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
                return false;
            c = (char)(h << 4 | l);
            i += 2;
        }
        if (c == '\0' || o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    *len = o;
    return true;
}

/* Valid UTF-8 with no control character; its length in characters into *chars. */
static bool text_ok(const char *s, size_t n, size_t *chars)
{
    *chars = 0;
    for (size_t i = 0; i < n;) {
        size_t l;
        int32_t cp = search_text_utf8((const unsigned char *)s + i, n - i, &l);
        if (cp < 0 || cp < 0x20 || cp == 0x7F)
            return false;
        i += l;
        (*chars)++;
    }
    return true;
}

static bool number(const char *s, unsigned min, unsigned max, unsigned *out)
{
    unsigned v = 0;
    if (!*s || strlen(s) > 3)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    *out = v;
    return v >= min && v <= max;
}

static bool day(const char *s, int64_t *t)
{
    /* YYYY-MM-DD only */
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    return article_parse_time(s, t) == 0;
}

const char *search_params_parse(const char *query, size_t len, search_query_t *q,
                                bool *format_json, char *buf, size_t cap)
{
    *q = (search_query_t){.sort = SEARCH_SORT_RELEVANCE, .page = 1};
    *format_json = false;
    enum { P_Q, P_PAGE, P_SORT, P_TYPE, P_COLUMN, P_SITE, P_FROM, P_TO, P_FORMAT, P_N };
    static const char *const names[P_N] = {"q", "page", "sort", "type", "column", "site",
                                           "from", "to", "format"};
    bool seen[P_N] = {false};
    size_t used = 0;
    for (size_t i = 0; query && i < len;) {
        const char *amp = memchr(query + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - query) : len;
        const char *eq = memchr(query + i, '=', end - i);
        size_t kn = (eq ? (size_t)(eq - query) : end) - i;
        int which = -1;
        for (int k = 0; k < P_N; k++)
            if (strlen(names[k]) == kn && memcmp(query + i, names[k], kn) == 0)
                which = k;
        if (which >= 0) {
            if (seen[which])
                return "a parameter is given twice";
            seen[which] = true;
            const char *v = eq ? eq + 1 : query + end;
            size_t vn = (size_t)(query + end - v), dl;
            char *out = buf + used;
            if (!decode(v, vn, out, cap - used, &dl))
                return "a parameter is not well encoded";
            used += dl + 1;
            size_t chars;
            unsigned n;
            int64_t t;
            switch (which) {
            case P_Q:
                if (!text_ok(out, dl, &chars))
                    return "q is not text";
                if (chars == 0)
                    return "q is missing";
                if (chars > SEARCH_Q_MAX)
                    return "q is longer than 100 characters";
                q->q = out;
                break;
            case P_PAGE:
                if (!number(out, 1, SEARCH_PAGE_MAX, &n))
                    return "page must be a number from 1 to 50";
                q->page = n;
                break;
            case P_SORT:
                if (strcmp(out, "date") == 0)
                    q->sort = SEARCH_SORT_DATE;
                else if (strcmp(out, "relevance") != 0)
                    return "sort must be relevance or date";
                break;
            case P_TYPE:
                q->type = strcmp(out, "article") == 0   ? SEARCH_TYPE_ARTICLE
                          : strcmp(out, "page") == 0    ? SEARCH_TYPE_PAGE
                          : strcmp(out, "message") == 0 ? SEARCH_TYPE_MESSAGE : -1;
                if (q->type < 0)
                    return "type must be article, page or message";
                break;
            case P_COLUMN:
            case P_SITE:
                if (!conf_is_slug(out))
                    return which == P_SITE ? "site is not a site id" : "column is not a column id";
                if (which == P_SITE)
                    q->site = out;
                else
                    q->column = out;
                break;
            case P_FROM:
            case P_TO:
                if (!day(out, &t))
                    return "from and to are dates: YYYY-MM-DD";
                if (which == P_FROM)
                    q->has_from = true, q->from = t;
                else
                    q->has_to = true, q->to = t + 86399;
                break;
            case P_FORMAT:
                if (strcmp(out, "json") != 0)
                    return "format must be json";
                *format_json = true;
                break;
            }
        }
        i = end + 1;
    }
    if (!q->q)
        return "q is missing";
    return NULL;
}

/* --- the answer --- */

/* JSON strings safe inside HTML too: '<', '>' and '&' escaped. */
static void json_strz(util_buf_t *b, const char *s)
{
    util_buf_json_str(b, s, strlen(s), true);
}

static void bad_request(request_t *r, const char *why)
{
    util_buf_t b = {0};
    util_buf_appends(&b, "{\"error\":");
    json_strz(&b, why);
    util_buf_appends(&b, "}\n");
    response_simple(r, 400, "application/json; charset=utf-8", b.data, b.len);
    util_buf_free(&b);
}

/* Whether another module serves <mount>search: a column of that name (the content or the
 * interaction module), or a page imported there. */
static bool taken(request_t *r, store_txn_t *t)
{
    if (conf_column_find(r->site, "search"))
        return true;
    char ns[STORE_KEY_MAX + 1];
    store_page_t page;
    return request_pages_ns(r, ns, sizeof ns) == 0 &&
           store_page_get(t, ns, "/search", strlen("/search"), &page) == 0;
}

static bool has_param(const char *q, size_t n, const char *name)
{
    size_t l = strlen(name);
    for (size_t i = 0; q && i < n;) {
        const char *amp = memchr(q + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - q) : n;
        if (end - i >= l && memcmp(q + i, name, l) == 0 && (end - i == l || q[i + l] == '='))
            return true;
        i = end + 1;
    }
    return false;
}

/* JSON text from the store: valid UTF-8 (search_text_clean), escaped. */
static void json_clean(util_buf_t *b, const char *s, size_t n)
{
    util_buf_t c = {0};
    search_text_clean(s, n, &c);
    util_buf_json_str(b, c.data ? c.data : "", c.len, true);
    util_buf_free(&c);
}

/* The related searches as `,"related":[...]` (an array, empty when none). */
static void json_related(util_buf_t *b, const char *const *related, size_t n)
{
    util_buf_appends(b, ",\"related\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            util_buf_append(b, ",", 1);
        json_clean(b, related[i], strlen(related[i])); /* read from the store */
    }
    util_buf_append(b, "]", 1);
}

/* Written straight into one buffer rather than built with jansson as the console's JSON
 * is: tried (objects, json_dumps, then the same HTML-safe escapes), the bytes were the
 * same but a 10-result answer took 30-50 us more (p50 ~105 -> ~145 us a query on a loopback
 * keep-alive connection), a third of the whole request. */
static void answer_json(request_t *r, const search_query_t *q, const search_result_t *res,
                        bool cluster, const char *prefix, const char *const *related,
                        size_t nrelated)
{
    const conf_t *c = r->snap->conf;
    util_buf_t b = {0};
    util_buf_appends(&b, "{\"q\":");
    json_strz(&b, q->q);
    /* capped: `total` is an estimate (date order stopped early) or a lower bound (a bound
     * on the work was reached): search_query.h */
    util_buf_printf(&b, ",\"total\":%llu,\"capped\":%s,\"page\":%u,\"results\":[",
                    (unsigned long long)res->total, res->capped ? "true" : "false", q->page);
    for (size_t i = 0; i < res->n; i++) {
        const search_docrec_t *d = &res->hits[i].rec;
        const conf_site_t *s = conf_site_find(c, d->site);
        util_buf_appends(&b, i ? ",{\"title\":" : "{\"title\":");
        json_clean(&b, d->title, strlen(d->title));
        util_buf_appends(&b, ",\"url\":");
        char *url = search_result_url(c, d, cluster, prefix);
        json_strz(&b, url ? url : "");
        free(url);
        util_buf_appends(&b, ",\"site\":");
        json_strz(&b, d->site);
        util_buf_appends(&b, ",\"site_name\":");
        json_strz(&b, s ? s->name : d->site);
        util_buf_appends(&b, ",\"column\":");
        json_strz(&b, d->column);
        char date[17];
        article_format_minute(d->pubtime, date);
        util_buf_appends(&b, ",\"date\":");
        json_strz(&b, date);
        util_buf_t snip = {0};
        search_text_snippet(d->text, d->text_len, q->q, &snip);
        util_buf_appends(&b, ",\"snippet\":");
        json_clean(&b, snip.data ? snip.data : "", snip.len);
        util_buf_free(&snip);
        util_buf_appends(&b, "}");
    }
    util_buf_append(&b, "]", 1);
    json_related(&b, related, nrelated);
    util_buf_appends(&b, "}\n");
    response_simple(r, 200, "application/json; charset=utf-8", b.data, b.len);
    util_buf_free(&b);
}

/* The HTML page: dynamic (results move with every publish), so it is revalidated on each
 * use as the message board's public pages are (no-cache), and never indexed by crawlers. */
static void answer_html(request_t *r, int status, const search_page_t *p, int64_t retry_after)
{
    util_buf_t b = {0};
    if (!search_render_page(p, &b)) {
        util_buf_free(&b);
        response_error(r, status == 200 ? 503 : status, "the search page is not installed");
        return;
    }
    response_begin(r, status);
    static const char ct[] = "text/html; charset=utf-8";
    response_header(r, "Content-Type", ct, sizeof ct - 1);
    response_header(r, "Cache-Control", "no-cache", 8);
    response_header(r, "Vary", "Cookie", 6); /* two renderings: care.h */
    response_header(r, "X-Robots-Tag", "noindex", 7);
    if (retry_after > 0)
        response_header_fmt(r, "Retry-After", "%lld", (long long)retry_after);
    response_end_headers(r, b.len);
    response_body(r, b.data ? b.data : "", b.len, true);
    util_buf_free(&b);
}

static module_result_t search_handle(request_t *r)
{
    static const char path[] = "/search";
    if (r->rel_len != sizeof path - 1 || memcmp(r->rel, path, sizeof path - 1) != 0)
        return MODULE_DECLINED;
    store_txn_t *t = request_store(r);
    if (!t) {
        response_error(r, 503, "the content store is not available");
        return MODULE_DONE;
    }
    if (taken(r, t))
        return MODULE_DECLINED;
    char prefix[512];
    if (!render_mount_prefix(r, prefix, sizeof prefix))
        return MODULE_DECLINED;
    search_query_t q;
    bool json;
    /* decoded values are no longer than the query string */
    char *buf = util_malloc(r->query_len + 16);
    const char *why = search_params_parse(r->query, r->query_len, &q, &json, buf,
                                          r->query_len + 16);
    bool formatted = json || has_param(r->query, r->query_len, "format");
    const conf_t *c = r->snap->conf;
    bool cluster = r->site == c->portal;
    if (!why && !cluster && q.site && strcmp(q.site, r->site->id) != 0)
        why = "site: this site's search covers this site only (the portal's covers all)";
    int64_t now = (int64_t)time(NULL); /* the wall clock: days, and the recency boost */
    const char *hot[SEARCH_HOT_SHOW];
    search_page_t page = {.r = r, .prefix = prefix, .cluster = cluster, .q = &q, .hot = hot};
    if (!formatted)
        page.nhot = search_hot_top(t, r->site->id, now, hot);
    int64_t retry_after = 0;
    if (!search_limit_take(r->peer, &c->limits, search_server_conf(c)->per_minute, now,
                           &retry_after)) {
        if (formatted) {
            util_buf_t b = {0};
            util_buf_appends(&b, "{\"error\":");
            json_strz(&b, "too many searches from this address: limits.search_per_minute");
            util_buf_appends(&b, "}\n");
            response_begin(r, 429);
            response_header(r, "Content-Type", "application/json; charset=utf-8", 31);
            response_header_fmt(r, "Retry-After", "%lld", (long long)retry_after);
            response_end_headers(r, b.len);
            response_body(r, b.data, b.len, true);
            util_buf_free(&b);
        } else {
            page.error = "您的搜索过于频繁，请稍后再试。";
            answer_html(r, 429, &page, retry_after);
        }
        free(buf);
        return MODULE_DONE;
    }
    if (why && !formatted && !r->query_len) {
        /* the bare page: the box, nothing asked yet */
        answer_html(r, 200, &page, 0);
        free(buf);
        return MODULE_DONE;
    }
    if (why) {
        if (formatted) {
            bad_request(r, why);
        } else {
            page.error = strcmp(why, "q is missing") == 0 ? "请输入要搜索的内容。"
                         : strstr(why, "100 characters") ? "搜索内容不能超过100个字。"
                         : strstr(why, "page must") ? "页码应在1到50之间。"
                         : strstr(why, "dates") ? "日期格式应为“年-月-日”，如 2026-03-01。"
                                                : "搜索条件有误，请检查后重试。";
            answer_html(r, 400, &page, 0);
        }
        free(buf);
        return MODULE_DONE;
    }
    if (!cluster)
        q.site = r->site->id;
    q.now = now;
    search_result_t res;
    if (search_run(t, &q, &res) != 0) {
        free(buf);
        response_error(r, 500, "the search index could not be read");
        return MODULE_DONE;
    }
    /* Only a query that found something counts, once (its first page): searching junk
     * plants nothing in the hot searches. */
    if (res.total > 0 && q.page == 1)
        search_hot_count(r->site->id, q.q, now);
    /* On every page of an answered query, found or not (then most of all); a refused one
     * (400, 429) returned above without them. The work is bounded: search_related.h. */
    const char *related[SEARCH_RELATED_SHOW];
    page.related = related;
    page.nrelated = search_related_find(t, r->site->id, now, q.q, related);
    if (json) {
        answer_json(r, &q, &res, cluster, prefix, related, page.nrelated);
    } else {
        if (!cluster)
            q.site = NULL; /* the page's own site: no filter to show */
        page.res = &res;
        answer_html(r, 200, &page, 0);
    }
    free(buf);
    return MODULE_DONE;
}

static void worker_init(struct worker *w)
{
    search_hot_worker_init(w);
}

static void worker_exit(struct worker *w)
{
    search_hot_worker_exit(w);
}

static void worker_tick(struct worker *w)
{
    search_hot_worker_tick(w);
}

module_t module_search = {
    .name = "search",
    .handle = search_handle,
    .server_keys = search_server_keys,
    .nserver_keys = SEARCH_NSERVER_KEYS,
    .limit_keys = search_limit_keys,
    .nlimit_keys = SEARCH_NLIMIT_KEYS,
    .server_conf_size = sizeof(search_server_conf_t),
    .server_conf_init = search_server_conf_init,
    .worker_init = worker_init,
    .worker_exit = worker_exit,
    .worker_tick = worker_tick,
};
