/* core/response.c: responses into the worker's output batch: the head recorded as a
 * status plus fields (core/resphead.h) and serialized for the request's protocol, bodies
 * by reference or copy, error pages and redirects. */
#include "response.h"

#include "request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "store_keys.h"
#include "template.h"
#include "url.h"
#include "worker.h"

/* Writes the decimal digits of v at p; returns the end. */
static char *put_uint(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}


/* An HTTP/2 stream's head is recorded as a status plus fields (core/resphead.h) for
 * core/http2.c; an HTTP/1.1 head is written as bytes into the batch as it is described, so
 * HTTP/1.1 pays nothing for the second protocol (the per-field record and a serializer
 * loop cost it about 500 instructions a request, a tenth of a stored page's). */
static void h2_begin(request_t *r, int status)
{
    resphead_t *h = &r->worker->head;
    resphead_begin(h, status);
    h->site = r->site;
    h->hsts = r->tls && r->site && r->site->hsts_header;
    h->not_public = r->not_public;
}

void response_begin(request_t *r, int status)
{
    r->status = status;
    if (r->h2) {
        h2_begin(r, status);
        return;
    }
    worker_t *w = r->worker;
    const char *text = http1_status_text(status);
    size_t tlen = strlen(text);
    /* The site's HSTS value was formatted once per configuration load (core/conf_site.c);
     * it goes into the same reservation as the status line. */
    const char *hsts = r->tls && r->site ? r->site->hsts_header : NULL;
    size_t hsts_len = hsts ? r->site->hsts_header_len : 0;
    /* The modules' lines for this site (module_t.site_headers), joined once per
     * configuration: one copy. */
    const char *site_hdr = r->site ? r->site->module_headers : NULL;
    size_t site_hdr_len = site_hdr ? r->site->module_headers_len : 0;
    /* A response that is not public (request_t.not_public) may be kept by no shared cache,
     * must be told apart by the cookie that unlocked it, and is not for search engines
     * (the same three fields as core/http2.c's). */
    static const char not_public_hdrs[] = "X-Robots-Tag: noindex\r\nCache-Control: private, no-store"
                                          "\r\nVary: Cookie\r\n";
    size_t not_public_len = r->not_public ? sizeof not_public_hdrs - 1 : 0;
    char *start = worker_out_reserve(w, 128 + tlen + w->date_hdr_len + hsts_len + site_hdr_len +
                                            not_public_len);
    char *p = start;
    p = WORKER_PUT_LIT(p, "HTTP/1.1 ");
    p = put_uint(p, (uint64_t)status);
    *p++ = ' ';
    p = worker_put(p, text, tlen);
    p = WORKER_PUT_LIT(p, "\r\nServer: jiyue\r\n");
    p = worker_put(p, w->date_hdr, w->date_hdr_len);
    if (hsts) {
        p = WORKER_PUT_LIT(p, "Strict-Transport-Security: ");
        p = worker_put(p, hsts, hsts_len);
        p = WORKER_PUT_LIT(p, "\r\n");
    }
    if (site_hdr)
        p = worker_put(p, site_hdr, site_hdr_len);
    p = worker_put(p, not_public_hdrs, not_public_len);
    worker_out_commit(w, (size_t)(p - start));
}

static void h1_header(request_t *r, const char *name, size_t nlen, const char *value,
                      size_t value_len)
{
    char *start = worker_out_reserve(r->worker, nlen + value_len + 4), *p = start;
    p = worker_put(p, name, nlen);
    p = WORKER_PUT_LIT(p, ": ");
    p = worker_put(p, value, value_len);
    p = WORKER_PUT_LIT(p, "\r\n");
    worker_out_commit(r->worker, (size_t)(p - start));
}

void response_header(request_t *r, const char *name, const char *value, size_t value_len)
{
    if (r->h2)
        resphead_add(&r->worker->head, name, strlen(name), value, value_len, true);
    else
        h1_header(r, name, strlen(name), value, value_len);
}

void response_header_ref(request_t *r, const char *name, size_t name_len, const char *value,
                         size_t value_len)
{
    if (r->h2)
        resphead_add(&r->worker->head, name, name_len, value, value_len, false);
    else
        h1_header(r, name, name_len, value, value_len);
}

void response_header_fmt(request_t *r, const char *name, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof value)
        n = sizeof value - 1;
    response_header(r, name, value, (size_t)n);
}

void response_end_headers(request_t *r, uint64_t content_length)
{
    if (r->h2) {
        r->worker->head.has_length = true;
        r->worker->head.content_length = content_length;
        r->worker->head.ready = true; /* core/http2.c submits it */
        r->headers_done = true;
        return;
    }
    char *start = worker_out_reserve(r->worker, 80), *p = start;
    p = WORKER_PUT_LIT(p, "Content-Length: ");
    p = put_uint(p, content_length);
    p = WORKER_PUT_LIT(p, "\r\n");
    if (!r->keep_alive)
        p = WORKER_PUT_LIT(p, "Connection: close\r\n");
    else if (r->h && r->h->version_minor == 0)
        p = WORKER_PUT_LIT(p, "Connection: keep-alive\r\n");
    p = WORKER_PUT_LIT(p, "\r\n");
    worker_out_commit(r->worker, (size_t)(p - start));
    r->headers_done = true;
}

void response_end_headers_no_length(request_t *r)
{
    r->headers_done = true;
    if (r->h2)
        r->worker->head.ready = true;
    else
        worker_out_copy(r->worker, r->keep_alive ? "\r\n" : "Connection: close\r\n\r\n",
                        r->keep_alive ? 2 : 21);
}

void response_body(request_t *r, const void *p, size_t len, bool copy)
{
    if (r->head_only || len == 0)
        return;
    if (copy)
        worker_out_copy(r->worker, p, len);
    else
        worker_out_ref(r->worker, p, len);
    r->body_bytes += len;
}

void response_simple(request_t *r, int status, const char *content_type, const void *body,
                     size_t len)
{
    response_begin(r, status);
    if (content_type)
        response_header(r, "Content-Type", content_type, strlen(content_type));
    response_end_headers(r, len);
    response_body(r, body, len, true);
}

void response_error(request_t *r, int status, const char *detail)
{
    /* Errors that leave the framing in doubt close the connection. */
    if (status == 400 || status == 408 || status == 413 || status == 414 || status == 431 ||
        status == 501 || status == 505 || status >= 500)
        r->keep_alive = false;
    if (status == 404 && r->site) {
        store_txn_t *t = request_store(r);
        store_page_t page;
        char ns[STORE_KEY_MAX + 1]; /* the served generation's own 404 page */
        if (t && request_pages_ns(r, ns, sizeof ns) == 0 &&
            store_page_get(t, ns, "/404.html", 9, &page) == 0) {
            response_page(r, 404, &page);
            return;
        }
    }
    /* A site's error page in its theme (the content module renders it). */
    const store_page_t *themed = NULL;
    if (r->site && (status == 403 || status == 404 || status == 410 || status == 429 ||
                    status == 500 || status == 503))
        for (module_t *const *m = modules_list; *m && !themed; m++)
            if ((*m)->error_page && !(*m)->error_page(r, status, detail, &themed))
                themed = NULL;
    if (themed) {
        response_begin(r, status);
        response_header(r, "Content-Type", themed->content_type, themed->content_type_len);
        if (status == 503)
            response_header(r, "Retry-After", "60", 2);
        if (themed->vary_cookie)
            response_header(r, "Vary", "Cookie", 6);
        response_end_headers(r, themed->body_len);
        response_body(r, themed->body, themed->body_len, false);
        return;
    }
    util_buf_t b = {0};
    const char *text = http1_status_text(status);
    util_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                        "<title>%d %s</title></head>\n<body><h1>%d %s</h1>\n", status, text,
                    status, text);
    if (detail) {
        util_buf_appends(&b, "<p>");
        tpl_escape_str(&b, detail);
        util_buf_appends(&b, "</p>\n");
    }
    util_buf_appends(&b, "</body></html>\n");
    response_begin(r, status);
    static const char ct[] = "text/html; charset=utf-8";
    response_header(r, "Content-Type", ct, sizeof ct - 1);
    if (status == 405)
        response_header(r, "Allow", "GET, HEAD", 9);
    if (status == 503)
        response_header(r, "Retry-After", "60", 2);
    response_end_headers(r, b.len);
    response_body(r, b.data, b.len, true);
    util_buf_free(&b);
}

void response_redirect_keep_query(request_t *r, int status, util_buf_t *loc)
{
    if (r->query) {
        util_buf_append(loc, "?", 1);
        util_buf_append(loc, r->query, r->query_len);
    }
    response_redirect(r, status, loc->data, loc->len);
    util_buf_free(loc);
}

void response_redirect_to_folder(request_t *r)
{
    util_buf_t loc = {0};
    url_append_path(&loc, r->path, r->path_len);
    util_buf_append(&loc, "/", 1);
    response_redirect_keep_query(r, 301, &loc);
}

void response_redirect(request_t *r, int status, const char *location, size_t location_len)
{
    util_buf_t b = {0};
    util_buf_appends(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Moved</title>"
                         "</head><body><p>Moved to <a href=\"");
    /* The location was percent-encoded by url_append_path; escape it for HTML anyway. */
    char *loc = util_strndup(location, location_len);
    tpl_escape_str(&b, loc);
    util_buf_appends(&b, "\">");
    tpl_escape_str(&b, loc);
    util_buf_appends(&b, "</a></p></body></html>\n");
    free(loc);
    response_begin(r, status);
    response_header(r, "Location", location, location_len);
    static const char ct[] = "text/html; charset=utf-8";
    response_header(r, "Content-Type", ct, sizeof ct - 1);
    response_end_headers(r, b.len);
    response_body(r, b.data, b.len, true);
    util_buf_free(&b);
}
