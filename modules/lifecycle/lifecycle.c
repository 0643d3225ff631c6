/* modules/lifecycle/lifecycle.c: the first module in the chain: what a suspended, closed or
 * redesigning site answers (see lifecycle.h for the behaviour), and the module's table.
 * Active sites cost one comparison and are declined.
 *
 * Everything a request needs (the notices, the migration targets resolved to URLs, the
 * preview hosts) is derived once per configuration by lifecycle_conf.c into the module's
 * slots, which the workers only read: nothing is rendered or looked up per request. */
#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care.h"
#include "httpdate.h"
#include "module.h"
#include "registration.h"
#include "render_common.h"
#include "store_keys.h"
#include "template.h"
#include "url.h"

/* ---- pure parts ---- */

time_t lifecycle_until_time(const char *until)
{
    int64_t days;
    if (!until || util_parse_date(until, &days) != 0)
        return (time_t)-1;
    return (time_t)(days * 86400 - 8 * 3600);
}

/* "2026-11-01" -> "2026年11月1日" (dates were validated by the config loader). */
static void cn_date(util_buf_t *b, const char *d)
{
    int y, m, day;
    if (d && sscanf(d, "%d-%d-%d", &y, &m, &day) == 3)
        util_buf_printf(b, "%d年%d月%d日", y, m, day);
    else
        tpl_escape_str(b, d);
}

/* The target's home as an absolute URL for the notice (scheme-relative for a site, so it
 * follows whatever scheme the visitor used). */
static void target_home(util_buf_t *b, const lifecycle_conf_t *st, const router_site_t *target)
{
    if (target) {
        util_buf_appends(b, "//");
        util_buf_appends(b, target->canon_host ? target->canon_host : "");
        url_append_path(b, target->canon_prefix, target->canon_prefix_len);
    } else {
        util_buf_appends(b, st->migrate_to);
    }
}

void lifecycle_render_notice(const conf_site_t *s, const lifecycle_conf_t *st,
                             const router_site_t *target, bool overdue, util_buf_t *out)
{
    bool closed = st->state == LIFECYCLE_CLOSED;
    const char *title = closed ? "网站已关停" : "网站暂时关停";
    /* Landmarks, a skip link and one h1 like every themed page; the 适老化 rules apply
     * under html.care (20px text, 1.8 line height, black on white, large targets). */
    util_buf_appends(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"\x01><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<meta name=\"robots\" content=\"noindex\"><title>");
    tpl_escape_str(out, s->name);
    util_buf_printf(out, " - %s</title>\n<style>body{font-family:sans-serif;margin:0;"
                         "background:#f4f4f4;color:#222;line-height:1.7}"
                         "header,main,footer{max-width:40em;margin:0 auto;padding:1em 2em}"
                         "header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5em;"
                         "align-items:center}.site{font-weight:bold;margin:0}"
                         "main{background:#fff;border-top:6px solid #b00;margin-top:1em;padding:2em}"
                         "h1{color:#b00}.target{font-size:1.4em;font-weight:bold;overflow-wrap:anywhere}"
                         "a{color:#0b4a8f}:focus-visible{outline:3px solid #f0b400;outline-offset:2px}"
                         ".skip{position:absolute;left:-9999px;top:0;background:#fff;padding:8px}"
                         ".skip:focus{left:8px}"
                         "footer{color:#555;font-size:.9em}"
                         "html.care body{font-size:20px;line-height:1.8;background:#fff;color:#000}"
                         "html.care main{border-top-color:#000}html.care h1{color:#000}"
                         "html.care a{color:#00306e}html.care footer{color:#000}"
                         "html.care a,html.care .care-switch{display:inline-block;min-height:48px;"
                         "padding:10px 0}html.care :focus-visible{outline:4px solid #000}"
                         "@media print{.care-switch,.skip{display:none!important}}"
                         "</style></head>\n"
                         "<body><a class=\"skip\" href=\"#main\">跳到主要内容</a>\n"
                         "<header><p class=\"site\">",
                    title);
    tpl_escape_str(out, s->name);
    util_buf_printf(out, "</p>\x02</header>\n<main id=\"main\" class=\"lifecycle-notice %s\">\n"
                         "<h1>%s</h1>\n", closed ? "closed" : "suspended", title);
    if (closed) {
        util_buf_appends(out, "<p>本网站已于 ");
        cn_date(out, st->date);
        util_buf_appends(out, " 永久关停");
        if (st->reason) {
            util_buf_appends(out, "（");
            tpl_escape_str(out, st->reason);
            util_buf_appends(out, "）");
        }
        util_buf_appends(out, "。</p>\n<p class=\"target\">本网站内容已迁移至：<a href=\"");
        util_buf_t href = {0};
        target_home(&href, st, target);
        util_buf_append(&href, "", 1);
        tpl_escape_str(out, href.data);
        util_buf_appends(out, "\">");
        tpl_escape_str(out, target ? target->site->name : st->migrate_to);
        util_buf_appends(out, "</a></p>\n<p>请访问新网址，并更新您的收藏夹。原网址的页面将自动转到新的位置。</p>\n");
        util_buf_free(&href);
    } else {
        util_buf_appends(out, "<p>因 ");
        tpl_escape_str(out, st->reason);
        util_buf_appends(out, "，本网站自 ");
        cn_date(out, st->from);
        if (overdue) {
            /* The announced date has passed: promise no date, least of all a past one. */
            util_buf_appends(out, " 起暂时关停，目前<strong class=\"restoring\">正在恢复</strong>，"
                                  "请稍后访问。</p>\n");
        } else {
            util_buf_appends(out, " 起暂时关停，预计于 <strong class=\"until\">");
            cn_date(out, st->until);
            util_buf_appends(out, "</strong> 恢复访问。</p>\n");
        }
        util_buf_appends(out, "<p>关停期间给您带来不便，敬请谅解。</p>\n");
    }
    util_buf_appends(out, "</main>\n<footer>");
    const registration_t *reg = registration_of(s);
    if (reg->organizer) {
        util_buf_appends(out, "主办单位：");
        tpl_escape_str(out, reg->organizer);
        util_buf_appends(out, "<br>");
    }
    if (reg->contact) {
        util_buf_appends(out, "联系方式：");
        tpl_escape_str(out, reg->contact);
        util_buf_appends(out, "<br>");
    }
    if (reg->site_code) {
        util_buf_appends(out, "网站标识码：");
        tpl_escape_str(out, reg->site_code);
    }
    util_buf_appends(out, "</footer>\n</body></html>\n");
}

static bool ends_slash(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '/';
}

void lifecycle_closed_path(const lifecycle_conf_t *st, const char *rel, size_t rel_len,
                           util_buf_t *out, bool *absolute)
{
    const lifecycle_path_map_t *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < st->npaths; i++) {
        const lifecycle_path_map_t *m = &st->paths[i];
        size_t n = strlen(m->from);
        if (n == rel_len && memcmp(m->from, rel, n) == 0) {
            best = m;
            best_len = n;
            break;
        }
        if (ends_slash(m->from) && n < rel_len && n > best_len && memcmp(m->from, rel, n) == 0) {
            best = m;
            best_len = n;
        }
    }
    out->len = 0;
    *absolute = false;
    if (!best) {
        util_buf_append(out, "/", 1);
        return;
    }
    *absolute = best->to[0] != '/';
    util_buf_appends(out, best->to);
    /* A folder moved to a folder keeps the rest of the path; "/" alone means the home.
     * An absolute URL is finished here, so its rest is percent-encoded now (a site path
     * is encoded whole by the caller). */
    if (best_len < rel_len && ends_slash(best->to) && strcmp(best->to, "/") != 0) {
        if (*absolute)
            url_append_path(out, rel + best_len, rel_len - best_len);
        else
            util_buf_append(out, rel + best_len, rel_len - best_len);
    }
}

/* ---- answering ---- */

static bool get_or_head(const request_t *r)
{
    return r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;
}

static bool is_home(const request_t *r)
{
    return (r->rel_len == 1 && r->rel[0] == '/') ||
           (r->rel_len == 11 && memcmp(r->rel, "/index.html", 11) == 0);
}

static void notice(request_t *r, const lifecycle_conf_t *ls, int status)
{
    bool overdue = ls->overdue.len && (ls->until_time == (time_t)-1 || ls->until_time <= time(NULL));
    const util_buf_t *text = overdue ? &ls->overdue : &ls->notice;
    /* The marks: the mode's class and its switch (care.h), back to this site's home as
     * the request spelled it; the rest of the page is the configuration's, sent in place
     * (the configuration outlives this callback: the request holds its snapshot). */
    const char *a = text->data, *end = text->data + text->len;
    const char *m1 = a ? memchr(a, LIFECYCLE_MARK_MODE, text->len) : NULL;
    const char *m2 = m1 ? memchr(m1, LIFECYCLE_MARK_LINK, (size_t)(end - m1)) : NULL;
    if (!m2) {
        response_error(r, 500, "the notice page is missing");
        return;
    }
    bool care = care_mode(r);
    util_buf_t link = {0};
    char home[512];
    if (render_mount_prefix(r, home, sizeof home))
        care_link_html(&link, care, home, NULL, 0);
    static const char care_class[] = " class=\"care\"";
    size_t mode_len = care ? sizeof care_class - 1 : 0;
    response_begin(r, status);
    response_header(r, "Content-Type", "text/html; charset=utf-8", 24);
    response_header(r, "Cache-Control", "no-cache", 8);
    response_header(r, "Vary", "Cookie", 6);
    if (status == 503) {
        /* An overdue suspension has no return date to promise: ask again tomorrow. */
        if (!overdue)
            response_header(r, "Retry-After", ls->retry_date, HTTPDATE_LEN);
        else
            response_header(r, "Retry-After", "86400", 5);
    }
    response_end_headers(r, text->len - 2 + mode_len + link.len);
    response_body(r, a, (size_t)(m1 - a), false);
    response_body(r, care_class, mode_len, false);
    response_body(r, m1 + 1, (size_t)(m2 - m1 - 1), false);
    response_body(r, link.data, link.len, true);
    response_body(r, m2 + 1, (size_t)(end - m2 - 1), false);
    util_buf_free(&link);
}

static void closed_redirect(request_t *r, const lifecycle_conf_t *ls)
{
    util_buf_t path = {0}, loc = {0};
    bool absolute;
    lifecycle_closed_path(ls, r->rel, r->rel_len, &path, &absolute);
    if (absolute) {
        util_buf_append(&loc, path.data, path.len);
    } else {
        if (!ls->target_is_url)
            util_buf_appends(&loc, r->tls ? "https://" : "http://");
        util_buf_append(&loc, ls->target.data, ls->target.len);
        url_append_path(&loc, path.data, path.len);
    }
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&path);
    util_buf_free(&loc);
}

/* The next value of `name` in a "k=v&k=v" query or a "k=v; k=v" cookie header at or after
 * *pos (which moves past it); NULL when there is no more. */
static const char *param_next(const char *s, size_t len, size_t *pos, const char *name, char sep,
                              size_t *vlen)
{
    size_t n = strlen(name);
    size_t i = *pos;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == sep))
            i++;
        size_t start = i;
        while (i < len && s[i] != sep)
            i++;
        if (i - start > n && memcmp(s + start, name, n) == 0 && s[start + n] == '=') {
            *vlen = i - start - n - 1;
            *pos = i;
            return s + start + n + 1;
        }
    }
    *pos = len;
    return NULL;
}

static bool token_ok(request_t *r, const conf_site_t *s, const char *tok, size_t len,
                     int64_t *expires)
{
    if (len > LIFECYCLE_TOKEN_MAX)
        return false;
    store_txn_t *t = request_store(r);
    char key[STORE_KEY_MAX + 1];
    const void *secret;
    size_t slen;
    if (!t || !store_key_meta_site(key, LIFECYCLE_META_PREVIEW_SECRET, s->id) ||
        store_meta_get(t, key, &secret, &slen) != 0 || slen < 16)
        return false;
    return lifecycle_preview_token_ok(secret, slen, s->id, lifecycle_conf(s)->generation, tok, len,
                                      (int64_t)time(NULL), expires);
}

/* A valid ?preview=TOKEN becomes a cookie scoped to the site's mount (the whole preview
 * host there), living as long as the token, and the browser is sent back to the same URL
 * without it, so every link of the previewed pages works and the token leaves the
 * address bar. */
static void preview_cookie(request_t *r, const char *tok, size_t tok_len, int64_t expires)
{
    util_buf_t loc = {0}, cookie = {0};
    url_append_path(&loc, r->path, r->path_len);
    /* The rest of the query stays. */
    char sep = '?';
    for (size_t i = 0; i < r->query_len;) {
        const char *amp = memchr(r->query + i, '&', r->query_len - i);
        size_t end = amp ? (size_t)(amp - r->query) : r->query_len;
        size_t n = end - i;
        static const char ours_eq[] = LIFECYCLE_PREVIEW_PARAM "=";
        bool ours = n >= sizeof ours_eq - 1 && memcmp(r->query + i, ours_eq, sizeof ours_eq - 1) == 0;
        if (n > 0 && !ours) {
            util_buf_append(&loc, &sep, 1);
            util_buf_append(&loc, r->query + i, n);
            sep = '&';
        }
        i = end + 1;
    }
    size_t base = r->path_len - r->rel_len + 1;
    long long age = (long long)(expires - (int64_t)time(NULL));
    util_buf_printf(&cookie, LIFECYCLE_PREVIEW_COOKIE "=%.*s; Path=", (int)tok_len, tok);
    url_append_path(&cookie, r->path, base);
    util_buf_printf(&cookie, "; Max-Age=%lld; HttpOnly; SameSite=Lax", age > 0 ? age : 0);
    if (r->tls)
        util_buf_appends(&cookie, "; Secure");
    r->not_public = true; /* no-store, noindex, Vary: Cookie (core/response.c) */
    response_begin(r, 302);
    response_header(r, "Location", loc.data, loc.len);
    response_header(r, "Set-Cookie", cookie.data, cookie.len);
    response_end_headers(r, 0);
    util_buf_free(&loc);
    util_buf_free(&cookie);
}

typedef enum {
    PV_NONE, /* no valid token: the live pages (or, on the preview host, a 403) */
    PV_SHOW, /* a valid cookie: r now reads the previewed generation */
    PV_DONE  /* answered: the 302 that turns ?preview=TOKEN into the cookie */
} preview_t;

/* Whether r carries a valid token of site s's preview, in its query or in a cookie (the
 * browser may hold several: one for the preview host, one for the site's own URLs). */
static preview_t preview_check(request_t *r, const conf_site_t *s, const char *ns)
{
    size_t len, pos = 0;
    int64_t expires;
    const char *tok;
    if (r->query && (tok = param_next(r->query, r->query_len, &pos, LIFECYCLE_PREVIEW_PARAM, '&',
                                      &len)) &&
        token_ok(r, s, tok, len, &expires)) {
        preview_cookie(r, tok, len, expires);
        return PV_DONE;
    }
    const http1_header_t *ck = request_header(r, "Cookie");
    pos = 0;
    for (int tries = 0; ck && tries < 4; tries++) {
        tok = param_next(ck->value.p, ck->value.len, &pos, LIFECYCLE_PREVIEW_COOKIE, ';', &len);
        if (!tok)
            break;
        if (token_ok(r, s, tok, len, NULL)) {
            r->pages_ns = ns;
            r->not_public = true;
            return PV_SHOW;
        }
    }
    return PV_NONE;
}

static const char preview_denied[] =
    "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
    "<meta name=\"robots\" content=\"noindex\"><title>改版预览</title></head>\n"
    "<body><h1>改版预览需要预览令牌</h1>\n<p>这是网站改版的预览地址，只对持有预览链接的人员开放。"
    "请向网站管理员索取预览链接（jiyuectl preview），或链接已过期、已被撤销。</p></body></html>\n";

/* A request on a redesign's preview host: the whole host is that site, showing the
 * generation under preview to a holder of its token, and nothing to anyone else.
 * Returns true when it was such a request; *res says whether it is answered or goes on
 * down the module chain (r re-routed to the site, r->pages_ns set). */
static bool preview_host(request_t *r, const lifecycle_global_t *g, module_result_t *res)
{
    size_t n = r->host_len;
    const char *colon = memchr(r->host, ':', n);
    if (colon && r->host[0] != '[')
        n = (size_t)(colon - r->host);
    for (size_t i = 0; i < g->npreviews; i++) {
        const lifecycle_preview_t *p = &g->previews[i];
        if (!util_streq_nocase(r->host, n, p->host, p->len))
            continue;
        r->rsite = &r->snap->router->sites[p->site];
        r->site = r->rsite->site;
        r->route.rsite = r->rsite;
        r->route.prefix_len = 0;
        r->rel = r->route.rel = r->path;
        r->rel_len = r->route.rel_len = r->path_len;
        r->not_public = true; /* even a refusal is not for caches or search engines */
        *res = MODULE_DONE;
        if (!get_or_head(r)) {
            response_error(r, 405, "the preview is read-only");
            return true;
        }
        switch (preview_check(r, r->site, lifecycle_conf(r->site)->preview_ns)) {
        case PV_DONE:
            break;
        case PV_SHOW:
            *res = MODULE_DECLINED;
            break;
        case PV_NONE:
            response_simple(r, 403, "text/html; charset=utf-8", preview_denied,
                            sizeof preview_denied - 1);
            break;
        }
        return true;
    }
    return false;
}

static module_result_t lifecycle_handle(request_t *r)
{
    const lifecycle_global_t *g = lifecycle_global(r->snap->conf);
    module_result_t res;
    if (g->npreviews && r->host && preview_host(r, g, &res))
        return res;
    const lifecycle_conf_t *ls = lifecycle_conf(r->site);
    switch (ls->state) {
    case LIFECYCLE_ACTIVE:
        return MODULE_DECLINED;
    case LIFECYCLE_SUSPENDED:
        notice(r, ls, is_home(r) && get_or_head(r) ? 200 : 503);
        return MODULE_DONE;
    case LIFECYCLE_CLOSED:
        if (is_home(r) && get_or_head(r))
            notice(r, ls, 200);
        else
            closed_redirect(r, ls);
        return MODULE_DONE;
    case LIFECYCLE_REDESIGN:
        /* With a token, the rest of the chain answers from the previewed generation,
         * exactly as it will once that generation is promoted. */
        if (ls->preview_ns && get_or_head(r) && preview_check(r, r->site, ls->preview_ns) == PV_DONE)
            return MODULE_DONE;
        return MODULE_DECLINED;
    }
    return MODULE_DECLINED;
}

/* The token of a preview link: the access log writes preview=- (core/request.c). */
static const char *const lifecycle_secret_params[] = {"preview", NULL};

module_t module_lifecycle = {
    .name = "lifecycle",
    .site_keys = lifecycle_site_keys,
    .nsite_keys = LIFECYCLE_NSITE_KEYS,
    .site_conf_size = sizeof(lifecycle_conf_t),
    .site_conf_free = lifecycle_site_conf_free,
    .server_conf_size = sizeof(lifecycle_global_t),
    .server_conf_free = lifecycle_server_conf_free,
    .site_check = lifecycle_site_check,
    .conf_check = lifecycle_conf_check,
    .conf_ready = lifecycle_conf_ready,
    .handle = lifecycle_handle,
    .accepts_any_method = 1,
    .secret_params = lifecycle_secret_params,
};
