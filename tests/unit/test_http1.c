/* tests/unit/test_http1.c: the HTTP/1.1 head parser and chunked decoder, rule by rule,
 * including each request-smuggling vector RFC 9112 warns about. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"

static const http1_limits_t lim = {.max_request_line = 8192, .max_header_bytes = 16384,
                                   .max_headers = 100};
static http1_request_t req; /* large: keep it off the stack */
static int status;
static const char *reason;

static int parse_n(const char *s, size_t n, const http1_limits_t *l)
{
    status = 0;
    reason = NULL;
    return http1_parse_request(s, n, l, &req, &status, &reason);
}

static int parse(const char *s)
{
    return parse_n(s, strlen(s), &lim);
}

static void expect_status(const char *s, int want)
{
    int r = parse(s);
    if (r != HTTP1_ERROR || status != want)
        fail_msg("expected %d for \"%s\", got r=%d status=%d", want, s, r, status);
    assert_non_null(reason);
}

static void expect_done(const char *s)
{
    int r = parse(s);
    if (r != HTTP1_DONE)
        fail_msg("expected DONE for \"%s\", got r=%d status=%d (%s)", s, r, status,
                 reason ? reason : "");
    assert_int_equal(req.head_len, strlen(s));
}

static bool str_is(http1_str_t s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* ---- basic parsing ---- */

static void test_simple_get(void **state)
{
    (void)state;
    const char *s = "GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.gov.cn\r\n"
                    "User-Agent: curl/8\r\nAccept: */*\r\n\r\n";
    expect_done(s);
    assert_int_equal(req.method, HTTP_M_GET);
    assert_true(str_is(req.method_str, "GET"));
    assert_true(str_is(req.target, "/index.html?q=1"));
    assert_int_equal(req.version_minor, 1);
    assert_int_equal(req.nheaders, 3);
    assert_true(str_is(req.headers[1].name, "User-Agent"));
    assert_true(str_is(req.headers[1].value, "curl/8"));
    assert_true(str_is(req.host, "www.example.gov.cn"));
    assert_true(req.keep_alive);
    assert_false(req.has_content_length);
    assert_false(req.chunked);
    assert_false(req.expect_continue);
}

/* Lookups of absent headers are cut short by the name-length filter; it must never hide
 * a present one, whatever the case or length (lengths 64 apart share a bit). */
static void test_find_header_length_filter(void **state)
{
    (void)state;
    char name70[71], name6[7] = "x-abcd";
    memset(name70, 'n', 70);
    name70[70] = '\0';
    char s[400];
    snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: a\r\nRANGE: bytes=0-1\r\n%s: long\r\n%s: six\r\n\r\n",
             name70, name6);
    expect_done(s);
    assert_non_null(http1_find_header(&req, "range"));
    assert_true(str_is(http1_find_header(&req, "Range")->value, "bytes=0-1"));
    assert_true(str_is(http1_find_header(&req, name70)->value, "long"));
    assert_true(str_is(http1_find_header(&req, "X-ABCD")->value, "six"));
    assert_null(http1_find_header(&req, "If-None-Match"));
    assert_null(http1_find_header(&req, "x-abce")); /* same length, other name */
    char name6_64[71]; /* 70 = 6 + 64: shares x-abcd's bit, and is absent */
    memset(name6_64, 'z', 70);
    name6_64[70] = '\0';
    assert_null(http1_find_header(&req, name6_64));
    expect_done("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_null(http1_find_header(&req, "Range")); /* nothing left over from before */
}

static void test_value_trimmed_and_find_header(void **state)
{
    (void)state;
    expect_done("GET / HTTP/1.1\r\nHost:   a.example  \t\r\nX-Empty:\r\nX-Tab: a\tb \r\n\r\n");
    assert_true(str_is(req.host, "a.example"));
    const http1_header_t *h = http1_find_header(&req, "x-empty");
    assert_non_null(h);
    assert_int_equal(h->value.len, 0);
    h = http1_find_header(&req, "X-TAB");
    assert_non_null(h);
    assert_true(str_is(h->value, "a\tb"));
    assert_null(http1_find_header(&req, "X-Missing"));
    assert_null(http1_find_header(&req, "X-Ta"));
}

static void test_obs_text_in_value(void **state)
{
    (void)state;
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nX-Name: \xe4\xb8\xad\xe6\x96\x87\r\n\r\n");
    assert_true(str_is(http1_find_header(&req, "x-name")->value, "\xe4\xb8\xad\xe6\x96\x87"));
}

static void test_methods(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        http_method_t m;
    } t[] = {{"GET", HTTP_M_GET},         {"HEAD", HTTP_M_HEAD},   {"POST", HTTP_M_POST},
             {"PUT", HTTP_M_PUT},         {"DELETE", HTTP_M_DELETE},
             {"CONNECT", HTTP_M_CONNECT}, {"OPTIONS", HTTP_M_OPTIONS},
             {"TRACE", HTTP_M_TRACE},     {"PATCH", HTTP_M_PATCH}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_int_equal(http1_method_from(t[i].name, strlen(t[i].name)), t[i].m);
        assert_string_equal(http1_method_name(t[i].m), t[i].name);
        char buf[128];
        snprintf(buf, sizeof buf, "%s /x HTTP/1.1\r\nHost: a\r\n\r\n", t[i].name);
        expect_done(buf);
        assert_int_equal(req.method, t[i].m);
    }
    assert_int_equal(http1_method_from("get", 3), HTTP_M_OTHER); /* case-sensitive */
    assert_int_equal(http1_method_from("GETX", 4), HTTP_M_OTHER);
    assert_int_equal(http1_method_from("GE", 2), HTTP_M_OTHER);
    expect_done("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(req.method, HTTP_M_OTHER);
    assert_true(str_is(req.method_str, "PROPFIND"));
    /* Not a token: */
    expect_status("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("G\x80T / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void test_status_text(void **state)
{
    (void)state;
    static const int codes[] = {100, 200, 201, 204, 206, 301, 302, 303, 304, 307,
                                308, 400, 401, 403, 404, 405, 408, 409, 411, 413,
                                414, 415, 416, 429, 431, 500, 501, 502, 503, 505};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        assert_string_not_equal(http1_status_text(codes[i]), "Unknown");
    assert_string_equal(http1_status_text(200), "OK");
    assert_string_equal(http1_status_text(404), "Not Found");
    assert_string_equal(http1_status_text(414), "URI Too Long");
    assert_string_equal(http1_status_text(431), "Request Header Fields Too Large");
    assert_string_equal(http1_status_text(505), "HTTP Version Not Supported");
    assert_string_equal(http1_status_text(299), "Unknown");
    assert_string_equal(http1_status_text(-1), "Unknown");
}

/* ---- request line ---- */

static void test_versions(void **state)
{
    (void)state;
    expect_done("GET / HTTP/1.0\r\n\r\n");
    assert_int_equal(req.version_minor, 0);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(req.version_minor, 1);
    expect_done("GET / HTTP/1.2\r\nHost: a\r\n\r\n"); /* answered as 1.1 */
    assert_int_equal(req.version_minor, 1);
    expect_status("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    expect_status("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505);
    expect_status("GET / HTTP/0.9\r\n\r\n", 505);
    expect_status("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / http/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/3.x\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET /\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
}

static void test_request_line_syntax(void **state)
{
    (void)state;
    expect_status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* double SP */
    expect_status("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* empty method */
    expect_status("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* HTAB separator */
    expect_status("GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    assert_int_equal(parse("\r\n\r\n\r\n"), HTTP1_PARTIAL); /* still waiting for a line */
}

static void test_target_forms(void **state)
{
    (void)state;
    expect_done("GET http://www.example.gov.cn:8080/a/b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_true(str_is(req.target, "http://www.example.gov.cn:8080/a/b?x=1"));
    expect_done("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_true(str_is(req.target, "*"));
    assert_int_equal(req.method, HTTP_M_OPTIONS);
    expect_done("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n");
    assert_true(str_is(req.target, "a.example:443"));
    /* Raw UTF-8 passes the parser; the path normaliser validates it. */
    expect_done("GET /\xe4\xb8\xad HTTP/1.1\r\nHost: a\r\n\r\n");
}

static void test_leading_crlf(void **state)
{
    (void)state;
    const char *s = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    expect_done(s);
    assert_true(str_is(req.method_str, "GET"));
    assert_int_equal(req.head_len, strlen(s));
    expect_status("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("\r\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    assert_int_equal(parse("\r\n\r"), HTTP1_PARTIAL);
    /* Endless empty lines are bounded by max_header_bytes. */
    http1_limits_t small = {.max_request_line = 64, .max_header_bytes = 32, .max_headers = 4};
    char buf[64];
    for (size_t i = 0; i < sizeof buf; i += 2)
        memcpy(buf + i, "\r\n", 2);
    assert_int_equal(parse_n(buf, sizeof buf, &small), HTTP1_ERROR);
    assert_int_equal(status, 431);
}

/* ---- header syntax ---- */

static void test_line_endings(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);      /* bare LF after line */
    expect_status("GET / HTTP/1.1\r\nHost: a\n\r\n", 400);      /* bare LF after field */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n\n", 400);      /* bare LF ending head */
    expect_status("GET / HTTP/1.1\rHost: a\r\n\r\n", 400);      /* bare CR */
    expect_status("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nX: a\rb\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost\n: a\r\n\r\n", 400);
    expect_status("GET /\n HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET\n/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void test_obs_fold(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", 400);
    /* Whitespace before the first field line (RFC 9112 section 2.2). */
    expect_status("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
}

static void test_control_bytes(void **state)
{
    (void)state;
    static const char ctl[] = {0x00, 0x01, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f};
    for (size_t i = 0; i < sizeof ctl; i++) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: a?b\r\n\r\n");
        char *q = strchr(buf, '?');
        *q = ctl[i];
        assert_int_equal(parse_n(buf, (size_t)n, &lim), HTTP1_ERROR);
        assert_int_equal(status, 400);
        /* in the name too */
        n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX?: ab\r\n\r\n");
        q = strchr(buf, '?');
        *q = ctl[i];
        assert_int_equal(parse_n(buf, (size_t)n, &lim), HTTP1_ERROR);
        assert_int_equal(status, 400);
    }
    /* NUL in the request target */
    const char nul_target[] = "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_int_equal(parse_n(nul_target, sizeof nul_target - 1, &lim), HTTP1_ERROR);
    assert_int_equal(status, 400);
    /* An error is seen before the head is complete. */
    const char nul_partial[] = "GET / HTTP/1.1\r\nX: \0";
    assert_int_equal(parse_n(nul_partial, sizeof nul_partial - 1, &lim), HTTP1_ERROR);
    assert_int_equal(status, 400);
}

/* The value and target scans test eight bytes at a time: a bad byte must be caught at
 * every offset within a word, and HTAB / obs-text must pass at every offset. */
static void test_bytes_at_every_offset(void **state)
{
    (void)state;
    static const struct {
        unsigned char c;
        bool ok_in_value;
    } cases[] = {{0x00, false}, {0x01, false}, {'\t', true}, {'\n', false},
                 {'\r', false}, {0x1f, false}, {0x7f, false}, {0x80, true},
                 {0xff, true},  {' ', true},   {'~', true}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        for (size_t at = 0; at < 40; at++) {
            char v[41];
            memset(v, 'v', 40);
            v[40] = '\0';
            v[at] = (char)cases[k].c;
            char buf[128];
            int n = snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: a");
            memcpy(buf + n, v, 40);
            n += 40;
            n += snprintf(buf + n, sizeof buf - (size_t)n, "z\r\n\r\n");
            int r = parse_n(buf, (size_t)n, &lim);
            if (cases[k].ok_in_value) {
                if (r != HTTP1_DONE)
                    fail_msg("value byte 0x%02x at %zu: r=%d", cases[k].c, at, r);
                assert_int_equal(http1_find_header(&req, "x")->value.len, 42);
            } else if (r != HTTP1_ERROR || status != 400) {
                fail_msg("value byte 0x%02x at %zu: r=%d status=%d", cases[k].c, at, r, status);
            }
            /* the same byte in a long target: only obs-text and visible ASCII pass */
            n = snprintf(buf, sizeof buf, "GET /");
            memcpy(buf + n, v, 40);
            n += 40;
            n += snprintf(buf + n, sizeof buf - (size_t)n, " HTTP/1.1\r\nHost: a\r\n\r\n");
            r = parse_n(buf, (size_t)n, &lim);
            bool ok_in_target = cases[k].c > 0x20 && cases[k].c != 0x7f;
            if (ok_in_target && r != HTTP1_DONE)
                fail_msg("target byte 0x%02x at %zu: r=%d", cases[k].c, at, r);
            if (!ok_in_target && (r != HTTP1_ERROR || status != 400))
                fail_msg("target byte 0x%02x at %zu: r=%d status=%d", cases[k].c, at, r,
                         status);
            if (ok_in_target)
                assert_int_equal(req.target.len, 41);
        }
    }
}

static void test_field_names(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);   /* SP before colon */
    expect_status("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400);  /* HTAB before colon */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX(Y): b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n\xe4\xb8\xad: b\r\n\r\n", 400);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nX-A!#$%&'*+.^_`|~9: b\r\n\r\n");
}

static void test_host_rules(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nX: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", 400);
    expect_done("GET / HTTP/1.1\r\nHost:\r\n\r\n"); /* empty Host is allowed */
    assert_int_equal(req.host.len, 0);
    expect_done("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
    assert_true(str_is(req.host, "[::1]:8080"));
    expect_done("GET / HTTP/1.0\r\n\r\n");          /* 1.0 needs no Host */
    assert_int_equal(req.host.len, 0);
}

/* ---- framing: the smuggling vectors ---- */

static void test_content_length(void **state)
{
    (void)state;
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
    assert_true(req.has_content_length);
    assert_int_equal(req.content_length, 5);
    expect_done("POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 0\r\n\r\n");
    assert_true(req.has_content_length);
    assert_int_equal(req.content_length, 0);
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n");
    assert_true(req.content_length == UINT64_MAX);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                  400);
}

static void test_transfer_encoding(void **state)
{
    (void)state;
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_true(req.chunked);
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n");
    assert_true(req.chunked);
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked ,\r\n\r\n");
    assert_true(req.chunked);
    /* CL + TE, in both orders */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Length: 5\r\n\r\n", 400);
    /* Unknown codings: 501 */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 501);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n", 501);
    /* chunked not final, twice, with parameters, or malformed: 400 */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                  "Transfer-Encoding: gzip\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;a=b\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun ked\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 501);
    /* HTTP/1.0 has no transfer codings: the framing cannot be trusted. */
    expect_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
    /* A similar-looking name is just another field. */
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encodings: gzip\r\n\r\n");
    assert_false(req.chunked);
}

/* ---- connection semantics ---- */

static void test_keep_alive(void **state)
{
    (void)state;
    expect_done("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_true(req.keep_alive);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assert_false(req.keep_alive);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n");
    assert_false(req.keep_alive);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: te\r\nConnection: close\r\n\r\n");
    assert_false(req.keep_alive);
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n");
    assert_true(req.keep_alive);
    expect_done("GET / HTTP/1.0\r\n\r\n");
    assert_false(req.keep_alive);
    expect_done("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    assert_true(req.keep_alive);
    expect_done("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n");
    assert_false(req.keep_alive);
    expect_done("GET / HTTP/1.0\r\nConnection: keep-alived\r\n\r\n");
    assert_false(req.keep_alive);
}

static void test_expect(void **state)
{
    (void)state;
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n");
    assert_true(req.expect_continue);
    expect_done("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continued\r\n\r\n");
    assert_false(req.expect_continue);
    expect_done("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    assert_false(req.expect_continue);
}

/* ---- incremental input and limits ---- */

static void test_every_prefix_is_partial(void **state)
{
    (void)state;
    const char *s = "\r\nPOST /a/b?c HTTP/1.1\r\nHost: a.example\r\nContent-Length: 3\r\n"
                    "X: y\r\n\r\nabc";
    size_t head = strlen(s) - 3;
    for (size_t n = 0; n < head; n++) {
        int r = parse_n(s, n, &lim);
        if (r != HTTP1_PARTIAL)
            fail_msg("prefix %zu: r=%d status=%d", n, r, status);
    }
    for (size_t n = head; n <= strlen(s); n++) {
        assert_int_equal(parse_n(s, n, &lim), HTTP1_DONE);
        assert_int_equal(req.head_len, head);
        assert_int_equal(req.content_length, 3);
    }
}

static void test_pipelined(void **state)
{
    (void)state;
    const char *s = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                    "POST /two HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\n\r\nhi"
                    "GET /three HTTP/1.0\r\n\r\n";
    size_t len = strlen(s);
    assert_int_equal(parse_n(s, len, &lim), HTTP1_DONE);
    assert_true(str_is(req.target, "/one"));
    size_t off = req.head_len;
    assert_int_equal(off, strlen("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"));
    assert_int_equal(parse_n(s + off, len - off, &lim), HTTP1_DONE);
    assert_true(str_is(req.target, "/two"));
    assert_true(str_is(req.host, "b"));
    assert_int_equal(req.content_length, 2);
    off += req.head_len;
    assert_memory_equal(s + off, "hi", 2);
    off += 2;
    assert_int_equal(parse_n(s + off, len - off, &lim), HTTP1_DONE);
    assert_true(str_is(req.target, "/three"));
    assert_int_equal(off + req.head_len, len);
}

static char *repeat(char c, size_t n)
{
    char *p = malloc(n + 1);
    assert_non_null(p);
    memset(p, c, n);
    p[n] = '\0';
    return p;
}

static void test_request_line_limit(void **state)
{
    (void)state;
    http1_limits_t l = {.max_request_line = 32, .max_header_bytes = 1024, .max_headers = 8};
    /* "GET /" + pad + " HTTP/1.1" is 14 + pad bytes. */
    char buf[256];
    char *pad = repeat('a', 18); /* line of exactly 32 */
    int n = snprintf(buf, sizeof buf, "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n", pad);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_DONE);
    free(pad);
    pad = repeat('a', 19); /* 33 */
    n = snprintf(buf, sizeof buf, "GET /%s HTTP/1.1\r\nHost: a\r\n\r\n", pad);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_ERROR);
    assert_int_equal(status, 414);
    free(pad);
    /* Still partial, no CRLF yet, already longer than the limit: 414 at once. */
    pad = repeat('a', 40);
    n = snprintf(buf, sizeof buf, "GET /%s", pad);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_ERROR);
    assert_int_equal(status, 414);
    /* ... but not while it could still fit. */
    assert_int_equal(parse_n(buf, 32, &l), HTTP1_PARTIAL);
    assert_int_equal(parse_n(buf, 33, &l), HTTP1_ERROR);
    assert_int_equal(status, 414);
    free(pad);
    /* A line of exactly the limit whose CR has arrived but not its LF. */
    pad = repeat('a', 18);
    n = snprintf(buf, sizeof buf, "GET /%s HTTP/1.1\r", pad);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_PARTIAL);
    free(pad);
}

static void test_header_bytes_limit(void **state)
{
    (void)state;
    http1_limits_t l = {.max_request_line = 64, .max_header_bytes = 64, .max_headers = 8};
    const char *head = "GET / HTTP/1.1\r\nHost: a\r\nX: ";   /* 28 bytes */
    char buf[256];
    /* Exactly 64 bytes of head: 28 + 32 + 4 (CRLF CRLF) */
    char *pad = repeat('v', 32);
    int n = snprintf(buf, sizeof buf, "%s%s\r\n\r\n", head, pad);
    assert_int_equal(n, 64);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_DONE);
    assert_int_equal(req.head_len, 64);
    free(pad);
    pad = repeat('v', 33);
    n = snprintf(buf, sizeof buf, "%s%s\r\n\r\n", head, pad);
    assert_int_equal(parse_n(buf, (size_t)n, &l), HTTP1_ERROR);
    assert_int_equal(status, 431);
    /* Partial: 63 bytes might still complete as 64, 64 bytes without the end cannot. */
    assert_int_equal(parse_n(buf, 63, &l), HTTP1_PARTIAL);
    assert_int_equal(parse_n(buf, 64, &l), HTTP1_ERROR);
    assert_int_equal(status, 431);
    free(pad);
    /* A body after a head that fits is not counted. */
    n = snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n");
    memset(buf + n, 'b', 100);
    assert_int_equal(parse_n(buf, (size_t)n + 100, &l), HTTP1_DONE);
    assert_int_equal(req.head_len, (size_t)n);
}

static void test_header_count_limit(void **state)
{
    (void)state;
    http1_limits_t l = {.max_request_line = 64, .max_header_bytes = 4096, .max_headers = 3};
    expect_done("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n");
    assert_int_equal(parse(""), HTTP1_PARTIAL);
    const char *ok = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    assert_int_equal(parse_n(ok, strlen(ok), &l), HTTP1_DONE);
    assert_int_equal(req.nheaders, 3);
    const char *many = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_int_equal(parse_n(many, strlen(many), &l), HTTP1_ERROR);
    assert_int_equal(status, 431);
    /* while partial: the fourth field has only begun */
    const char *partial = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC";
    assert_int_equal(parse_n(partial, strlen(partial), &l), HTTP1_ERROR);
    assert_int_equal(status, 431);
    /* max_headers above the array size is clamped, never overflows it */
    http1_limits_t big = {.max_request_line = 64, .max_header_bytes = 1 << 20,
                          .max_headers = 100000};
    size_t cap = 64 + (HTTP1_MAX_HEADERS + 1) * 8;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < HTTP1_MAX_HEADERS; i++)
        n += (size_t)snprintf(buf + n, cap - n, "X: %03d\r\n", i % 1000);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    assert_int_equal(parse_n(buf, n, &big), HTTP1_ERROR);
    assert_int_equal(status, 431);
    free(buf);
}

static void test_strings_inside_buffer(void **state)
{
    (void)state;
    const char *s = "\r\nDELETE /x/y HTTP/1.1\r\nHost: h\r\nA:b\r\n\r\n";
    expect_done(s);
    const char *end = s + strlen(s);
    assert_true(req.method_str.p >= s && req.method_str.p + req.method_str.len <= end);
    assert_true(req.target.p >= s && req.target.p + req.target.len <= end);
    for (size_t i = 0; i < req.nheaders; i++) {
        assert_true(req.headers[i].name.p >= s && req.headers[i].value.p + req.headers[i].value.len <= end);
    }
    assert_true(str_is(req.headers[1].value, "b"));
}

/* ---- chunked bodies ---- */

/* Decodes `in` fed as the given pieces, collecting the body. Returns the last result. */
static int chunked_feed(const char *in, size_t len, const size_t *cuts, size_t ncuts,
                        char *body, size_t *body_len, size_t *rest)
{
    http1_chunked_t c;
    http1_chunked_init(&c);
    char work[1024];
    size_t at = 0, out = 0;
    int r = 0;
    for (size_t k = 0; k <= ncuts; k++) {
        size_t to = k < ncuts ? cuts[k] : len;
        size_t n = to - at;
        assert_true(n <= sizeof work);
        memcpy(work, in + at, n);
        size_t consumed = 0, got = 0;
        r = http1_chunked_decode(&c, work, n, &consumed, &got);
        memcpy(body + out, work, got);
        out += got;
        if (r != 0) {
            *rest = len - (at + consumed);
            break;
        }
        assert_int_equal(consumed, n);
        at = to;
    }
    *body_len = out;
    return r;
}

static void test_chunked_basic(void **state)
{
    (void)state;
    const char *in = "5\r\nhello\r\n7;ext=\"v\";x\r\n, world\r\n0\r\nTrailer: t\r\n\r\nNEXT";
    char body[256];
    size_t blen, rest;
    assert_int_equal(chunked_feed(in, strlen(in), NULL, 0, body, &blen, &rest), 1);
    assert_int_equal(blen, 12);
    assert_memory_equal(body, "hello, world", 12);
    assert_int_equal(rest, 4); /* "NEXT" belongs to the next request */

    http1_chunked_t c;
    http1_chunked_init(&c);
    char buf[] = "A\r\n0123456789\r\n0\r\n\r\n";
    size_t consumed, out;
    assert_int_equal(http1_chunked_decode(&c, buf, strlen(buf), &consumed, &out), 1);
    assert_int_equal(out, 10);
    assert_memory_equal(buf, "0123456789", 10);
    assert_int_equal(c.total, 10);
    /* once done, stays done and consumes nothing */
    assert_int_equal(http1_chunked_decode(&c, buf, 3, &consumed, &out), 1);
    assert_int_equal(consumed, 0);
    assert_int_equal(out, 0);
}

static void test_chunked_split_everywhere(void **state)
{
    (void)state;
    const char *in = "3;a=b\r\nabc\r\n10\r\n0123456789abcdef\r\n1 ;x\r\nZ\r\n0\r\nT: 1\r\nU: 2\r\n\r\nXY";
    const char *want = "abc0123456789abcdefZ";
    size_t len = strlen(in);
    char body[256];
    size_t blen, rest;
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i; j <= len; j++) {
            size_t cuts[2] = {i, j};
            int r = chunked_feed(in, len, cuts, 2, body, &blen, &rest);
            if (r != 1 || blen != strlen(want) || memcmp(body, want, blen) != 0 || rest != 2)
                fail_msg("cuts %zu,%zu: r=%d blen=%zu rest=%zu", i, j, r, blen, rest);
        }
    }
    /* one byte at a time */
    size_t cuts[128];
    for (size_t i = 0; i < len - 1; i++)
        cuts[i] = i + 1;
    assert_int_equal(chunked_feed(in, len, cuts, len - 1, body, &blen, &rest), 1);
    assert_int_equal(blen, strlen(want));
    assert_memory_equal(body, want, blen);
}

static int chunked_once(const char *in, size_t len)
{
    http1_chunked_t c;
    http1_chunked_init(&c);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    memcpy(buf, in, len);
    size_t consumed, out;
    int r = http1_chunked_decode(&c, buf, len, &consumed, &out);
    free(buf);
    return r;
}
#define CHUNKED(s) chunked_once((s), strlen(s))

static void test_chunked_errors(void **state)
{
    (void)state;
    assert_int_equal(CHUNKED("\r\n"), -1);                 /* no size */
    assert_int_equal(CHUNKED("g\r\n"), -1);
    assert_int_equal(CHUNKED("-1\r\n"), -1);
    assert_int_equal(CHUNKED("0x5\r\n"), -1);
    assert_int_equal(CHUNKED("5\nhello\r\n"), -1);         /* bare LF */
    assert_int_equal(CHUNKED("5\rhello\r\n"), -1);         /* bare CR */
    assert_int_equal(CHUNKED("5\r\nhelloX\r\n"), -1);      /* data longer than size */
    assert_int_equal(CHUNKED("5\r\nhello\n0\r\n\r\n"), -1);
    assert_int_equal(CHUNKED("5 \r\nhello\r\n"), -1);      /* BWS not followed by ';' */
    assert_int_equal(CHUNKED("5;a\x01\r\nhello\r\n"), -1); /* control byte in extension */
    assert_int_equal(CHUNKED("5;a\nb\r\n"), -1);
    assert_int_equal(CHUNKED("0\r\n\n"), -1);              /* bare LF ending trailers */
    assert_int_equal(CHUNKED("0\r\nT: 1\n\r\n"), -1);
    assert_int_equal(CHUNKED("0\r\nT: 1\r\n folded\r\n\r\n"), -1);
    assert_int_equal(chunked_once("0\r\nT: \0\r\n\r\n", 11), -1);
    /* 16 hex digits is the most a uint64 holds; 17 is refused even with leading zeros */
    assert_int_equal(CHUNKED("000000000000000a\r\n0123456789\r\n0\r\n\r\n"), 1);
    assert_int_equal(CHUNKED("ffffffffffffffff\r\n"), 0);
    assert_int_equal(CHUNKED("0000000000000000a\r\n"), -1);
    assert_int_equal(CHUNKED("10000000000000000\r\n"), -1);
    /* an error is sticky */
    http1_chunked_t c;
    http1_chunked_init(&c);
    char bad[] = "zz";
    size_t consumed, out;
    assert_int_equal(http1_chunked_decode(&c, bad, 2, &consumed, &out), -1);
    char good[] = "0\r\n\r\n";
    assert_int_equal(http1_chunked_decode(&c, good, 5, &consumed, &out), -1);
}

/* What the client has committed to, step by step: a caller refuses an oversized chunk on
 * its size line, before any of its data arrives; trailer bytes never count. */
static void test_chunked_announced(void **state)
{
    (void)state;
    http1_chunked_t c;
    http1_chunked_init(&c);
    size_t consumed, out;
    assert_int_equal(http1_chunked_announced(&c), 0);
    char a[] = "3\r\nabc\r\n1000000\r\nxy";
    assert_int_equal(http1_chunked_decode(&c, a, sizeof a - 1, &consumed, &out), 0);
    assert_int_equal(out, 5);
    assert_true(http1_chunked_announced(&c) == 3 + 0x1000000);
    /* a size still being read counts as far as its digits go */
    http1_chunked_init(&c);
    char b[] = "ffff";
    assert_int_equal(http1_chunked_decode(&c, b, 4, &consumed, &out), 0);
    assert_true(http1_chunked_announced(&c) == 0xffff);
    /* saturates instead of wrapping */
    http1_chunked_init(&c);
    char d[] = "2\r\nab\r\nffffffffffffffff\r\n";
    assert_int_equal(http1_chunked_decode(&c, d, sizeof d - 1, &consumed, &out), 0);
    assert_true(http1_chunked_announced(&c) == UINT64_MAX);
    /* after the last chunk, trailers are not body */
    http1_chunked_init(&c);
    char e[] = "2\r\nab\r\n0\r\nX-Trailer: 0123456789\r\n";
    assert_int_equal(http1_chunked_decode(&c, e, sizeof e - 1, &consumed, &out), 0);
    assert_int_equal(http1_chunked_announced(&c), 2);
}

static void test_chunked_line_bounds(void **state)
{
    (void)state;
    /* a chunk extension of 5000 bytes, delivered in small pieces */
    size_t n = 5000;
    char *in = malloc(n + 16);
    assert_non_null(in);
    strcpy(in, "1;");
    memset(in + 2, 'x', n);
    strcpy(in + 2 + n, "\r\na\r\n0\r\n\r\n");
    http1_chunked_t c;
    http1_chunked_init(&c);
    int r = 0;
    for (size_t at = 0; at < strlen(in) && r == 0; at += 100) {
        char piece[100];
        size_t k = strlen(in) - at < 100 ? strlen(in) - at : 100;
        memcpy(piece, in + at, k);
        size_t consumed, out;
        r = http1_chunked_decode(&c, piece, k, &consumed, &out);
    }
    assert_int_equal(r, -1);
    /* 4000 bytes of extension are fine */
    memset(in + 2, 'x', 4000);
    strcpy(in + 2 + 4000, "\r\na\r\n0\r\n\r\n");
    assert_int_equal(CHUNKED(in), 1);
    free(in);

    /* trailers are bounded in total */
    size_t cap = 40000;
    char *t = malloc(cap);
    assert_non_null(t);
    size_t len = (size_t)snprintf(t, cap, "0\r\n");
    while (len < 20000)
        len += (size_t)snprintf(t + len, cap - len, "X-Trailer: %0100d\r\n", 7);
    len += (size_t)snprintf(t + len, cap - len, "\r\n");
    assert_int_equal(chunked_once(t, len), -1);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_value_trimmed_and_find_header),
        cmocka_unit_test(test_find_header_length_filter),
        cmocka_unit_test(test_obs_text_in_value),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_status_text),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_request_line_syntax),
        cmocka_unit_test(test_target_forms),
        cmocka_unit_test(test_leading_crlf),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_obs_fold),
        cmocka_unit_test(test_control_bytes),
        cmocka_unit_test(test_bytes_at_every_offset),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_host_rules),
        cmocka_unit_test(test_content_length),
        cmocka_unit_test(test_transfer_encoding),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_every_prefix_is_partial),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_request_line_limit),
        cmocka_unit_test(test_header_bytes_limit),
        cmocka_unit_test(test_header_count_limit),
        cmocka_unit_test(test_strings_inside_buffer),
        cmocka_unit_test(test_chunked_basic),
        cmocka_unit_test(test_chunked_split_everywhere),
        cmocka_unit_test(test_chunked_errors),
        cmocka_unit_test(test_chunked_line_bounds),
        cmocka_unit_test(test_chunked_announced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
