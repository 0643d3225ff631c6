/* modules/console/console_page.c: the console pages' shared parts (console_page.h): the
 * chrome and headers of every page, the signed-in account of a page, error pages, and the
 * form mode of the API's answers. */
#include "console_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care.h"
#include "console_api.h"
#include "console_next.h"
#include "form.h"
#include "log.h"
#include "theme.h"

void console_page_begin(console_page_t *p, const char *title, const console_session_t *s,
                        const account_t *a)
{
    p->d = tpl_data_new();
    p->root = tpl_data_root(p->d);
    p->a = a;
    p->s = s;
    p->care = -1;
    tpl_set_str(p->d, p->root, "title", title);
    if (a && s) {
        tpl_set_str(p->d, p->root, "user", a->name);
        tpl_set_str(p->d, p->root, "csrf", s->csrf);
    }
}

void console_page_send(request_t *r, int status, const char *html, size_t len,
                       const char *set_cookie, int64_t retry_after)
{
    r->not_public = true; /* Cache-Control: private, no-store; Vary: Cookie */
    response_begin(r, status);
    response_header(r, "Content-Type", "text/html; charset=utf-8", 24);
    response_header(r, "Content-Security-Policy", CONSOLE_PAGE_CSP, sizeof CONSOLE_PAGE_CSP - 1);
    response_header(r, "X-Frame-Options", "DENY", 4);
    response_header(r, "X-Content-Type-Options", "nosniff", 7);
    response_header(r, "Referrer-Policy", "same-origin", 11);
    if (set_cookie)
        response_header(r, "Set-Cookie", set_cookie, strlen(set_cookie));
    if (retry_after > 0)
        response_header_fmt(r, "Retry-After", "%lld", (long long)retry_after);
    response_end_headers(r, len);
    response_body(r, html, len, true);
}

/* The console's templates are the default theme's (its look), whatever a site uses. */
static const tpl_t *template_of(const request_t *r, const char *name)
{
    const conf_t *c = r->snap ? r->snap->conf : NULL;
    return c && c->themes ? tpl_set_get(theme_for_site(c->themes, NULL), name) : NULL;
}

/* The 适老化 mode of the page (care.on, from the same cookie as the public site's) and
 * the header's switch (care.url): back to this page when it is a GET of a page, to the
 * console's home from a form's answer. The body depends on the cookie: every page is
 * `Vary: Cookie` already (request_t.not_public). */
static void page_care(request_t *r, console_page_t *p)
{
    bool page = (r->method == HTTP_M_GET || r->method == HTTP_M_HEAD) &&
                !(r->path_len >= 5 && memcmp(r->path, "/api/", 5) == 0);
    util_buf_t to = {0};
    if (page) {
        util_buf_append(&to, r->path, r->path_len);
        if (r->query && r->query_len) {
            util_buf_append(&to, "?", 1);
            util_buf_append(&to, r->query, r->query_len);
        }
    }
    care_tpl(p->d, p->root, p->care >= 0 ? p->care > 0 : care_mode(r), "/", to.data, to.len);
    util_buf_free(&to);
}

void console_page_finish(request_t *r, console_page_t *p, int status, const char *name)
{
    page_care(r, p);
    const tpl_t *t = template_of(r, name);
    util_buf_t out = {0};
    if (t)
        tpl_render(t, p->root, &out);
    tpl_data_free(p->d);
    p->d = NULL;
    if (!t) {
        /* conf_check makes sure the built-in theme has every console template: this is a
         * theme folder's fault, and says so. */
        log_error("console: the theme has no %s", name);
        response_error(r, 500, "the console's templates are missing");
        return;
    }
    console_page_send(r, status, out.data ? out.data : "", out.len, NULL, 0);
    util_buf_free(&out);
}

bool console_page_query(const request_t *r, const char *name, char *out, size_t cap)
{
    if (!r->query)
        return false;
    const char *p = r->query, *end = r->query + r->query_len, *k, *v;
    size_t kl, vl, nl = strlen(name);
    while (form_next_field(&p, end, &k, &kl, &v, &vl)) {
        if (kl != nl || memcmp(k, name, nl) != 0 || !v)
            continue;
        size_t n = 0;
        char *d = form_decode(v, vl, &n);
        bool ok = d && n < cap;
        for (size_t i = 0; ok && i < n; i++)
            ok = (unsigned char)d[i] > 0x20 && d[i] != 0x7f;
        if (ok)
            memcpy(out, d, n + 1);
        free(d);
        return ok;
    }
    return false;
}

const char *console_page_field_label(const char *field)
{
    static const char *const labels[][2] = {
        {"user", "用户名"},       {"password", "密码"},     {"site", "站点"},
        {"column", "栏目"},       {"title", "标题"},        {"body", "正文"},
        {"source", "来源"},       {"author", "作者"},       {"disclosure", "公开属性"},
        {"date", "发布时间"},     {"scheduled", "定时发布"}, {"reason", "退回理由"},
        {"secrecy_review", "保密审查"}, {"attachments", "附件"}, {"text", "回复内容"},
        {"doc_no", "发文字号"},   {"issuer", "发文机关"},   {"written", "成文日期"},
        {"topic", "主题分类"},    {"index_no", "索引号"},   {"personal_data", "个人信息核查"},
    };
    for (size_t i = 0; field && i < UTIL_ARRAY_LEN(labels); i++)
        if (strcmp(labels[i][0], field) == 0)
            return labels[i][1];
    return field;
}

/* What a status means to the person at the form, in Chinese (the API's own message, in
 * English, follows it). */
static const char *status_summary(int status)
{
    static const struct {
        int status;
        const char *text;
    } texts[] = {
        {400, "提交的内容有误，请修改后重新提交。"}, {401, "未能登录，或登录已过期：请重新登录。"},
        {403, "您没有权限进行此操作。"},             {404, "没有找到要操作的内容。"},
        {405, "不支持此操作。"},                     {409, "当前状态下不能进行此操作。"},
        {413, "提交的内容或文件太大。"},             {415, "提交的格式不对。"},
        {429, "尝试过于频繁，请稍后再试。"},         {503, "服务暂时不可用，请稍后再试。"},
    };
    for (size_t i = 0; i < UTIL_ARRAY_LEN(texts); i++)
        if (texts[i].status == status)
            return texts[i].text;
    return "操作未能完成。";
}

void console_page_error(request_t *r, int status, const char *msg, const char *field,
                        const char *back, int64_t retry_after)
{
    console_page_t p;
    console_page_begin(&p, "操作未完成", NULL, NULL);
    tpl_val_t *e = tpl_set_map(p.d, p.root, "error");
    tpl_set_int(p.d, e, "status", status);
    tpl_set_str(p.d, e, "summary", status_summary(status));
    tpl_set_str(p.d, e, "message", msg);
    if (field) {
        tpl_set_str(p.d, e, "field", field);
        tpl_set_str(p.d, e, "label", console_page_field_label(field));
    }
    /* Signed out (or never signed in): the way on is the sign-in page. */
    tpl_set_str(p.d, e, "back", status == 401 ? "/login" : back ? back : "/");
    tpl_set_bool(p.d, e, "signin", status == 401);
    page_care(r, &p);
    const tpl_t *t = template_of(r, "console_error.html");
    util_buf_t out = {0};
    if (t)
        tpl_render(t, p.root, &out);
    tpl_data_free(p.d);
    if (!t) {
        response_error(r, status, msg);
        return;
    }
    console_page_send(r, status, out.data ? out.data : "", out.len, NULL, retry_after);
    util_buf_free(&out);
}

int console_page_session(request_t *r, console_session_t *s, account_t *a)
{
    char key[CONSOLE_SESSION_KEY_MAX];
    int status;
    const char *why;
    int rc = console_session_find(r, s, a, key, &status, &why);
    if (rc == STORE_OK)
        return rc;
    if (status == 401)
        response_redirect(r, 303, "/login", 6);
    else
        console_page_error(r, status, why, NULL, "/", 0);
    return rc;
}

void console_page_form_reply(request_t *r, int status, const json_t *obj, const char *next,
                             const char *set_cookie, int64_t retry_after)
{
    if (status >= 200 && status < 300) {
        char id[72] = "", where[CONSOLE_NEXT_MAX + 1];
        const json_t *v = json_object_get(obj, "id");
        if (json_is_string(v))
            snprintf(id, sizeof id, "%s", json_string_value(v));
        else if (json_is_integer(v))
            snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
        if (!console_next_expand(next, *id ? id : NULL, where))
            snprintf(where, sizeof where, "/");
        r->not_public = true;
        response_begin(r, 303);
        response_header(r, "Location", where, strlen(where));
        if (set_cookie)
            response_header(r, "Set-Cookie", set_cookie, strlen(set_cookie));
        response_end_headers(r, 0);
        return;
    }
    const char *msg = json_string_value(json_object_get(obj, "error"));
    const char *field = json_string_value(json_object_get(obj, "field"));
    /* A `next` waiting for an id that was never made ("new draft" refused) leads home. */
    char back[CONSOLE_NEXT_MAX + 1];
    if (!console_next_expand(next, NULL, back))
        snprintf(back, sizeof back, "/");
    console_page_error(r, status, msg ? msg : "the request was refused", field, back,
                       retry_after);
}
