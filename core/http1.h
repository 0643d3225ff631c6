/* core/http1.h: the HTTP/1.1 request-head parser (RFC 9112), strict at the edges.
 *
 * The parser is stateless and zero-copy, in the manner of picohttpparser: it is handed
 * everything received so far and either finds a complete head, asks for more, or rejects
 * it with the status the client should get. Returned strings point into the caller's
 * buffer. It never allocates.
 *
 * Strictness (each gets an error status and the connection is closed):
 *  - control bytes (other than HTAB in field values), NUL, bare CR, or a bare LF line end
 *    anywhere in the head -> 400; obs-fold (a line starting with SP/HTAB) -> 400;
 *  - a malformed request line, method token or version -> 400 (unknown version major: 505);
 *  - whitespace between a field name and the colon -> 400; an empty or invalid field name
 *    -> 400;
 *  - both Content-Length and Transfer-Encoding -> 400; duplicate or malformed
 *    Content-Length (even duplicates that agree) -> 400; Transfer-Encoding other than
 *    exactly "chunked" as the final coding -> 501 for unknown codings, 400 for malformed;
 *  - an HTTP/1.1 request without Host, or with more than one Host -> 400;
 *  - request line longer than max_request_line -> 414; the whole head longer than
 *    max_header_bytes, or more than max_headers fields -> 431. These limits are checked
 *    while the head is still incomplete, so a client cannot make us buffer more.
 *
 * Decisions where RFC 9112 leaves room (see core/http1.c):
 *  - a method that is a valid token but not in the table parses as HTTP_M_OTHER; the
 *    caller answers 501 (or 405), the parser does not fail;
 *  - "HTTP/1.x" with x > 1 is answered as HTTP/1.1 (version_minor 1, RFC 9110 2.5);
 *  - Transfer-Encoding in an HTTP/1.0 request -> 400 (its framing cannot be trusted);
 *  - Expect: 100-continue is ignored in HTTP/1.0 requests (RFC 9110 10.1.1);
 *  - a Host value with characters no host can contain (space, '/', '"'...) -> 400;
 *  - the request-target may carry bytes >= 0x80 (some clients send raw UTF-8); the path
 *    normaliser validates them. */
#ifndef JIYUE_HTTP1_H
#define JIYUE_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    HTTP_M_GET,
    HTTP_M_HEAD,
    HTTP_M_POST,
    HTTP_M_PUT,
    HTTP_M_DELETE,
    HTTP_M_CONNECT,
    HTTP_M_OPTIONS,
    HTTP_M_TRACE,
    HTTP_M_PATCH,
    HTTP_M_OTHER /* a valid token we do not know: 501 */
} http_method_t;

typedef struct http1_str {
    const char *p;
    size_t len;
} http1_str_t;

typedef struct http1_header {
    http1_str_t name; /* as sent; compare case-insensitively */
    http1_str_t value; /* leading and trailing whitespace removed */
} http1_header_t;

#define HTTP1_MAX_HEADERS 128

typedef struct http1_request {
    http_method_t method;
    http1_str_t method_str;
    http1_str_t target; /* the request-target exactly as sent */
    int version_minor;  /* 0 or 1 (HTTP/1.0 or HTTP/1.1) */
    http1_header_t headers[HTTP1_MAX_HEADERS];
    size_t nheaders;
    uint64_t name_lens; /* bit (len % 64) set for each header name's length: a lookup for
                         * a header that is absent (the common case for If-None-Match,
                         * Range...) is answered without scanning the headers */
    /* Derived while parsing, so callers need not scan the headers again: */
    http1_str_t host;  /* Host header value (empty when absent) */
    bool has_content_length;
    uint64_t content_length;
    bool chunked;       /* Transfer-Encoding: chunked */
    bool keep_alive;    /* from version and Connection (close / keep-alive) */
    bool expect_continue;
    size_t head_len;    /* bytes of the head including the final CRLF CRLF */
    int32_t h2_stream;  /* 0; for a request that came as an HTTP/2 stream (core/http2.c,
                         * which builds this struct from the stream's fields), its id */
} http1_request_t;

typedef struct http1_limits {
    size_t max_request_line; /* 414 beyond */
    size_t max_header_bytes; /* 431 beyond */
    size_t max_headers;      /* 431 beyond; at most HTTP1_MAX_HEADERS */
} http1_limits_t;

/* Results of http1_parse_request: */
#define HTTP1_PARTIAL 0 /* need more bytes (the limits are not yet exceeded) */
#define HTTP1_DONE 1    /* a complete head is in *req; req->head_len bytes consumed */
#define HTTP1_ERROR (-1) /* *status is set (400, 414, 431, 501, 505) and *reason to a
                          * short static message for the error page and the log */

/* Leading empty lines (CRLF) before a request line are skipped as RFC 9112 section 2.2
 * allows; they count in head_len. */
int http1_parse_request(const char *buf, size_t len, const http1_limits_t *lim,
                        http1_request_t *req, int *status, const char **reason);

/* Finds a header by name (case-insensitive); NULL when absent. */
const http1_header_t *http1_find_header(const http1_request_t *req, const char *name);

/* Incremental decoder for a chunked request body (RFC 9112 section 7.1). Trailers are
 * read and discarded. Chunk extensions are skipped. Malformed sizes, sizes that overflow,
 * missing CRLFs -> error. */
typedef struct http1_chunked {
    int state;
    uint64_t remaining; /* bytes left in the current chunk */
    uint64_t total;     /* body bytes decoded so far */
    size_t line_len;    /* bytes of the current size/trailer line seen (bounded) */
} http1_chunked_t;

void http1_chunked_init(http1_chunked_t *c);
/* Decodes in place: consumes up to `len` bytes of `buf`, moves the decoded body bytes to
 * the front of buf and sets *out_len to their count; *consumed to the bytes consumed.
 * Returns 0 when more input is needed, 1 when the body is complete (then bytes after
 * *consumed belong to the next request), -1 on malformed input. */
int http1_chunked_decode(http1_chunked_t *c, char *buf, size_t len, size_t *consumed,
                         size_t *out_len);

/* The body size the client has committed to so far: bytes decoded plus the rest of the
 * chunk being read (or the size being announced). Lets a caller refuse a chunk announced
 * over its limit at once instead of waiting for its data. Saturates at UINT64_MAX. */
uint64_t http1_chunked_announced(const http1_chunked_t *c);

/* Whether c is a tchar (RFC 9110 section 5.6.2: a token's character), by the parser's own
 * byte classes. */
bool http1_is_tchar(char c);

/* Parses a method name; HTTP_M_OTHER when unknown. */
http_method_t http1_method_from(const char *p, size_t len);
const char *http1_method_name(http_method_t m);
/* Reason phrase for a status code ("Not Found"). */
const char *http1_status_text(int status);

#endif
