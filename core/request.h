/* core/request.h: one HTTP request as modules see it, and the response API they answer
 * with.
 *
 * Core has already parsed the head (http1.c), normalised the path (path.c) and routed
 * it (router.c) before a module sees the request. A response is produced synchronously,
 * inside the read callback that parsed the request: headers are formatted into the
 * worker's output batch and bodies are referenced in place (a store value, valid while
 * the worker's read transaction is open) until the batch is written at the end of the
 * callback. Whatever the socket does not take at once is copied, so nothing a response
 * points to has to outlive the callback. */
#ifndef JIYUE_REQUEST_H
#define JIYUE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http1.h"
#include "router.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"

struct worker;
struct conn;

typedef struct request {
    struct worker *worker;
    struct conn *conn;
    const snapshot_t *snap;
    const http1_request_t *h; /* the parsed head: headers, version, framing */
    http_method_t method;

    /* Normalised, percent-decoded path (begins with '/'); query without '?', may be NULL */
    const char *path;
    size_t path_len;
    const char *query;
    size_t query_len;
    const char *host; /* Host header or absolute-form authority, as sent */
    size_t host_len;
    bool tls; /* arrived over TLS: redirects use https */
    const char *body; /* the whole body of a POST (de-chunked), else NULL */
    size_t body_len;
    const void *peer; /* the client's address (a peer_addr_t, see request_peer_ip) */

    route_t route;
    const conf_site_t *site;    /* NULL until routed */
    const router_site_t *rsite;
    const char *rel; /* the path below the site's mount, begins with '/' */
    size_t rel_len;
    /* A redesign's preview (modules/lifecycle.c): the namespace ("edu@v2") whose pages
     * answer instead of the live generation's, NULL otherwise; and `preview` makes every
     * response header say it must not be cached or indexed. */
    const char *pages_ns;
    bool preview;

    /* Response state (set by the response_* functions). */
    int status;
    bool head_only;       /* HEAD: headers as for GET, no body */
    bool keep_alive;      /* the connection stays open after this response */
    bool headers_done;
    bool deferred;        /* request_defer() was called: answered later (core/writer.h) */
    uint64_t body_bytes;  /* body bytes sent (for the access log) */
    uint64_t start_ns;
} request_t;

/* The worker's read transaction, renewed at first use within a callback (NULL on error).
 * Values read through it stay valid until the callback ends. */
store_txn_t *request_store(request_t *r);

/* The namespace whose stored pages answer r: r->pages_ns when set, else the site's live
 * generation (store_site_live). 0 or a STORE_E* code. */
int request_pages_ns(request_t *r, char *ns, size_t cap);

/* --- response --- */
/* Status line, Date and Server. */
void response_begin(request_t *r, int status);
/* One header line; name and value as given (value must be free of CR/LF). */
void response_header(request_t *r, const char *name, const char *value, size_t value_len);
void response_header_fmt(request_t *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Content-Length, Connection, then the blank line. */
void response_end_headers(request_t *r, uint64_t content_length);
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

/* Serves a stored page with everything HTTP offers for it: ETag and Last-Modified, 304
 * for If-None-Match / If-Modified-Since, one byte range (206, or 416 when unsatisfiable,
 * honouring If-Range), and the stored gzip variant when Accept-Encoding allows it (with
 * Vary). `status` is 200, or the status of an error page served from the store (then
 * conditionals and ranges do not apply). */
void response_page(request_t *r, int status, const store_page_t *page);

/* Finds a request header (case-insensitive); NULL when absent. */
const http1_header_t *request_header(const request_t *r, const char *name);

#endif
