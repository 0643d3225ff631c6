/* core/serve.c: serving a stored page: validators and 304, byte ranges, and choosing the
 * stored gzip variant by Accept-Encoding. The variant was made at import time, so nothing
 * is compressed here. */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpdate.h"
#include "request.h"
#include "worker.h"

/* The gzip variant is a different representation, so it gets its own strong ETag:
 * "<hash>" for identity, "<hash>-gz" for gzip. */
static size_t etag_for(const store_page_t *p, bool gz, char *out)
{
    size_t n = strlen(p->etag);
    memcpy(out, p->etag, n);
    if (gz && n >= 2) {
        memcpy(out + n - 1, "-gz\"", 4);
        n += 3;
    }
    out[n] = '\0';
    return n;
}

static bool is_tchar_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Weak comparison (RFC 9110 section 8.8.3.2) of each entity-tag in an If-None-Match list
 * against both representations' tags. */
static bool etag_list_matches(const char *v, size_t len, const store_page_t *p)
{
    char id[32], gz[32];
    size_t idn = etag_for(p, false, id), gzn = etag_for(p, true, gz);
    size_t i = 0;
    while (i < len) {
        while (i < len && (is_tchar_space(v[i]) || v[i] == ','))
            i++;
        if (i < len && v[i] == '*')
            return true;
        if (i + 2 <= len && v[i] == 'W' && v[i + 1] == '/')
            i += 2;
        size_t start = i;
        if (i < len && v[i] == '"') {
            i++;
            while (i < len && v[i] != '"')
                i++;
            if (i < len)
                i++;
        } else {
            while (i < len && v[i] != ',')
                i++;
        }
        size_t n = i - start;
        if ((n == idn && memcmp(v + start, id, n) == 0) ||
            (n == gzn && memcmp(v + start, gz, n) == 0))
            return true;
    }
    return false;
}

static bool not_modified(request_t *r, const store_page_t *p)
{
    const http1_header_t *inm = request_header(r, "If-None-Match");
    if (inm)
        return etag_list_matches(inm->value.p, inm->value.len, p);
    const http1_header_t *ims = request_header(r, "If-Modified-Since");
    time_t since;
    if (ims && httpdate_parse(ims->value.p, ims->value.len, &since) == 0)
        return p->mtime <= since;
    return false;
}

/* q-value of a coding in Accept-Encoding: -1 when not listed. Parameters other than q are
 * ignored; a malformed q counts as 0. */
static double coding_q(const char *v, size_t len, const char *coding)
{
    size_t clen = strlen(coding);
    size_t i = 0;
    while (i < len) {
        while (i < len && (is_tchar_space(v[i]) || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && v[i] != ',' && v[i] != ';' && !is_tchar_space(v[i]))
            i++;
        bool match = i - start == clen && strncasecmp(v + start, coding, clen) == 0;
        double q = 1.0;
        while (i < len && v[i] != ',') {
            if (v[i] == ';') {
                i++;
                while (i < len && is_tchar_space(v[i]))
                    i++;
                if (i + 1 < len && (v[i] == 'q' || v[i] == 'Q') && v[i + 1] == '=') {
                    char num[8] = {0};
                    size_t k = 0;
                    i += 2;
                    while (i < len && k < sizeof num - 1 && (v[i] == '.' || (v[i] >= '0' && v[i] <= '9')))
                        num[k++] = v[i++];
                    q = k ? strtod(num, NULL) : 0;
                    continue;
                }
            }
            i++;
        }
        if (match)
            return q;
    }
    return -1;
}

static bool wants_gzip(request_t *r)
{
    const http1_header_t *ae = request_header(r, "Accept-Encoding");
    if (!ae)
        return false;
    double q = coding_q(ae->value.p, ae->value.len, "gzip");
    if (q < 0)
        q = coding_q(ae->value.p, ae->value.len, "*");
    return q > 0;
}

typedef enum { RANGE_NONE, RANGE_OK, RANGE_UNSATISFIABLE } range_result_t;

/* One "bytes=first-last" range, "bytes=first-" or "bytes=-suffix". Anything we do not
 * handle (several ranges, other units, bad syntax) is ignored: a 200 with the whole body
 * is always a correct answer to a Range request. */
static range_result_t parse_range(const char *v, size_t len, uint64_t size, uint64_t *from,
                                  uint64_t *to)
{
    if (len < 7 || strncasecmp(v, "bytes=", 6) != 0 || memchr(v, ',', len))
        return RANGE_NONE;
    v += 6;
    len -= 6;
    char buf[48];
    if (len >= sizeof buf)
        return RANGE_NONE;
    memcpy(buf, v, len);
    buf[len] = '\0';
    char *dash = strchr(buf, '-');
    if (!dash)
        return RANGE_NONE;
    *dash = '\0';
    const char *a = buf, *b = dash + 1;
    for (const char *s = a; *s; s++)
        if (*s < '0' || *s > '9')
            return RANGE_NONE;
    for (const char *s = b; *s; s++)
        if (*s < '0' || *s > '9')
            return RANGE_NONE;
    if (!*a && !*b)
        return RANGE_NONE;
    if (!*a) { /* suffix */
        uint64_t n = strtoull(b, NULL, 10);
        if (n == 0 || size == 0)
            return RANGE_UNSATISFIABLE;
        *from = n >= size ? 0 : size - n;
        *to = size - 1;
        return RANGE_OK;
    }
    uint64_t first = strtoull(a, NULL, 10);
    uint64_t last = *b ? strtoull(b, NULL, 10) : UINT64_MAX;
    if (*b && last < first)
        return RANGE_NONE;
    if (first >= size)
        return RANGE_UNSATISFIABLE;
    *from = first;
    *to = last >= size ? size - 1 : last;
    return RANGE_OK;
}

/* If-Range: the range applies only when the validator still matches (strong ETag or an
 * exact Last-Modified date). */
static bool if_range_allows(request_t *r, const store_page_t *p)
{
    const http1_header_t *ir = request_header(r, "If-Range");
    if (!ir)
        return true;
    if (ir->value.len > 0 && ir->value.p[0] == '"') {
        size_t n = strlen(p->etag);
        return ir->value.len == n && memcmp(ir->value.p, p->etag, n) == 0;
    }
    time_t t;
    return httpdate_parse(ir->value.p, ir->value.len, &t) == 0 && t == p->mtime;
}

/* n bytes of the identity or gzip body from offset `from`. A large body sent over plain
 * HTTP goes out with sendfile from the worker's read-only copy once it has one
 * (core/sendcache.h); TLS must encrypt every byte, so it gains nothing there. */
static void page_body(request_t *r, const store_page_t *p, bool gz, size_t from, size_t n)
{
    if (r->head_only || n == 0)
        return;
    const uint8_t *base = gz ? p->gzip : p->body;
    size_t total = gz ? p->gzip_len : p->body_len;
    int fd = -1;
    if (!r->tls && n >= SENDCACHE_MIN_BYTES) {
        char tag[32];
        size_t tag_len = etag_for(p, gz, tag);
        fd = sendcache_fd(r->worker->sendcache, base, total, tag, tag_len);
        metrics_add(fd >= 0 ? &r->worker->metrics.sendcache_hits
                            : &r->worker->metrics.sendcache_misses, 1);
    }
    worker_out_file(r->worker, base + from, n, fd, from);
    r->body_bytes += n;
}

/* The headers every stored page has, formatted in one go (this runs for nearly every
 * request, so it is one reservation in the batch rather than one per header). */
static bool type_is(const store_page_t *p, const char *t, size_t n)
{
    return p->content_type_len >= n && memcmp(p->content_type, t, n) == 0 &&
           (p->content_type_len == n || p->content_type[n] == ';');
}

/* Documents other than HTML that a browser runs script in (SVG, XHTML, XML with XHTML
 * inside): imported or attached, they are sandboxed, so that a file on a path-mounted
 * site cannot act as the portal whose origin it shares. HTML pages cannot be (they would
 * lose their forms and scripts): README, security. */
static bool active_document(const store_page_t *p)
{
    if (p->content_type_len < 8)
        return false;
    return type_is(p, "image/svg+xml", 13) || type_is(p, "application/xhtml+xml", 21) ||
           type_is(p, "application/xml", 15) || type_is(p, "text/xml", 8);
}

/* The same fields for an HTTP/2 stream, recorded in the head (core/resphead.h); the
 * HTTP/1.1 formatting below must list the same ones (test_http2.py compares the two). */
static void common_fields_h2(request_t *r, const store_page_t *p, bool gz)
{
    char tag[32];
    size_t n = etag_for(p, gz, tag);
    resphead_t *h = &r->worker->head;
    resphead_add(h, "Content-Type", 12, p->content_type, p->content_type_len, false);
    resphead_add(h, "Last-Modified", 13, worker_http_date(r->worker, p->mtime), HTTPDATE_LEN,
                 true);
    resphead_add(h, "ETag", 4, tag, n, true);
    if (p->gzip)
        p->vary_cookie ? resphead_add(h, "Vary", 4, "Accept-Encoding, Cookie", 23, false)
                       : resphead_add(h, "Vary", 4, "Accept-Encoding", 15, false);
    else if (p->vary_cookie)
        resphead_add(h, "Vary", 4, "Cookie", 6, false);
    resphead_add(h, "X-Content-Type-Options", 22, "nosniff", 7, false);
    if (active_document(p))
        resphead_add(h, "Content-Security-Policy", 23, "sandbox", 7, false);
}

static void common_headers(request_t *r, const store_page_t *p, bool gz)
{
    if (r->h2) {
        common_fields_h2(r, p, gz);
        return;
    }
    char tag[32];
    size_t n = etag_for(p, gz, tag);
    worker_t *w = r->worker;
    char *start = worker_out_reserve(w, 200 + p->content_type_len + n), *q = start;
    q = WORKER_PUT_LIT(q, "Content-Type: ");
    q = worker_put(q, p->content_type, p->content_type_len);
    q = WORKER_PUT_LIT(q, "\r\nLast-Modified: ");
    q = worker_put(q, worker_http_date(w, p->mtime), HTTPDATE_LEN);
    q = WORKER_PUT_LIT(q, "\r\nETag: ");
    q = worker_put(q, tag, n);
    if (p->gzip)
        q = p->vary_cookie ? WORKER_PUT_LIT(q, "\r\nVary: Accept-Encoding, Cookie")
                           : WORKER_PUT_LIT(q, "\r\nVary: Accept-Encoding");
    else if (p->vary_cookie)
        q = WORKER_PUT_LIT(q, "\r\nVary: Cookie");
    q = WORKER_PUT_LIT(q, "\r\nX-Content-Type-Options: nosniff\r\n");
    if (active_document(p))
        q = WORKER_PUT_LIT(q, "Content-Security-Policy: sandbox\r\n");
    worker_out_commit(w, (size_t)(q - start));
}

void response_page(request_t *r, int status, const store_page_t *p)
{
    bool gz = p->gzip && wants_gzip(r);
    if (status != 200) {
        response_begin(r, status);
        common_headers(r, p, gz);
        if (gz)
            response_header_ref(r, "Content-Encoding", 16, "gzip", 4);
        response_end_headers(r, gz ? p->gzip_len : p->body_len);
        page_body(r, p, gz, 0, gz ? p->gzip_len : p->body_len);
        return;
    }
    if (not_modified(r, p)) {
        response_begin(r, 304);
        char tag[32];
        size_t n = etag_for(p, gz, tag);
        response_header(r, "ETag", tag, n);
        response_header(r, "Last-Modified", worker_http_date(r->worker, p->mtime), HTTPDATE_LEN);
        if (p->gzip && p->vary_cookie)
            response_header(r, "Vary", "Accept-Encoding, Cookie", 23);
        else if (p->gzip || p->vary_cookie)
            response_header(r, "Vary", p->gzip ? "Accept-Encoding" : "Cookie", p->gzip ? 15 : 6);
        /* A 304 has no body and no Content-Length describing one. */
        response_end_headers_no_length(r);
        return;
    }
    const http1_header_t *range = r->method == HTTP_M_GET ? request_header(r, "Range") : NULL;
    if (range && if_range_allows(r, p)) {
        uint64_t from = 0, to = 0;
        range_result_t rr = parse_range(range->value.p, range->value.len, p->body_len, &from, &to);
        if (rr == RANGE_UNSATISFIABLE) {
            response_begin(r, 416);
            response_header_fmt(r, "Content-Range", "bytes */%zu", p->body_len);
            response_header(r, "Content-Type", "text/plain; charset=utf-8", 25);
            response_end_headers(r, 0);
            return;
        }
        if (rr == RANGE_OK) {
            /* Ranges are served from the identity body. */
            response_begin(r, 206);
            common_headers(r, p, false);
            response_header(r, "Accept-Ranges", "bytes", 5);
            response_header_fmt(r, "Content-Range", "bytes %llu-%llu/%zu",
                                (unsigned long long)from, (unsigned long long)to, p->body_len);
            response_end_headers(r, to - from + 1);
            page_body(r, p, false, (size_t)from, (size_t)(to - from + 1));
            return;
        }
    }
    response_begin(r, 200);
    common_headers(r, p, gz);
    response_header_ref(r, "Accept-Ranges", 13, "bytes", 5);
    if (gz)
        response_header_ref(r, "Content-Encoding", 16, "gzip", 4);
    response_end_headers(r, gz ? p->gzip_len : p->body_len);
    page_body(r, p, gz, 0, gz ? p->gzip_len : p->body_len);
}
