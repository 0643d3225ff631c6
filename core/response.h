/* core/response.h: the response API modules answer with (defined in core/response.c):
 * the head recorded as a status plus header fields (core/resphead.h), written for the
 * request's protocol once complete (HTTP/1.1 bytes into the worker's output batch, or
 * HTTP/2 HEADERS), bodies by reference or copy, whole simple responses, error pages and
 * redirects. Included by request.h. */
#ifndef JIYUE_RESPONSE_H
#define JIYUE_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct request request_t;

/* Starts the head: status, Server, Date, the site's HSTS and module headers. */
void response_begin(request_t *r, int status);
/* One header line; name and value as given (value must be free of CR/LF). */
void response_header(request_t *r, const char *name, const char *value, size_t value_len);
void response_header_fmt(request_t *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A header whose name and value stay valid until response_end_headers (literals, store
 * values): recorded without a copy. */
void response_header_ref(request_t *r, const char *name, size_t name_len, const char *value,
                         size_t value_len);
/* Content-Length, Connection, then the blank line: the head is complete. */
void response_end_headers(request_t *r, uint64_t content_length);
/* The same without Content-Length (a 304 describes no body). */
void response_end_headers_no_length(request_t *r);
/* Body bytes: referenced in place until the batch is written (copy=false: the bytes must
 * stay valid for the rest of the callback, e.g. a store value), or copied now. Dropped for
 * HEAD. */
void response_body(request_t *r, const void *p, size_t len, bool copy);

/* Whole responses. */
void response_simple(request_t *r, int status, const char *content_type, const void *body,
                     size_t len);
/* An error page: the site's own "/404.html" for a 404 when it has one, else a small
 * plain page naming the status and `detail` (escaped). */
void response_error(request_t *r, int status, const char *detail);
/* 301/302/303/307/308 to `location` (absolute URL or path). */
void response_redirect(request_t *r, int status, const char *location, size_t location_len);

/* Redirects to the URL built in *loc plus the request's own query ("?..."), then frees
 * loc: every redirect that moves a page keeps its query. */
void response_redirect_keep_query(request_t *r, int status, util_buf_t *loc);
/* 301 from a folder named without its trailing slash ("/edu", "/edu/news") to the folder,
 * so the relative links of its index page resolve. */
void response_redirect_to_folder(request_t *r);

#endif
