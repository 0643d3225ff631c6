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
    bool admin; /* arrived on a management listener: offered to admin_handle, never routed */
    bool h2;    /* arrived on an HTTP/2 stream: the head goes to core/http2.c, not the batch */
    const char *body; /* the whole body of a POST or PUT (de-chunked), else NULL */
    size_t body_len;
    const void *peer; /* the client's address (a peer_addr_t, see request_peer_ip) */

    route_t route;
    const conf_site_t *site;    /* NULL until routed */
    const router_site_t *rsite;
    const char *rel; /* the path below the site's mount, begins with '/' */
    size_t rel_len;
    /* Set by a module before the chain goes on: a namespace other than the site's live
     * pages ("edu@v2") whose pages answer r, NULL for the live ones (request_pages_ns); and
     * `not_public`: the response is not public: no shared cache may keep it, caches tell
     * it apart by the cookie, search engines do not index it (core/response.c writes the
     * headers that say so). */
    const char *pages_ns;
    bool not_public;

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

/* Finds a request header (case-insensitive); NULL when absent. */
const http1_header_t *request_header(const request_t *r, const char *name);

/* ---- responses that wait for the writer thread (core/writer.h) ---- */
/* A response that waits: returned by request_defer(), consumed by request_resume(). */
typedef struct request_deferred request_deferred_t;

/* Called by a module inside its handle(): the request will be answered later. The
 * connection stops reading until then; the request's snapshot stays pinned. The module
 * returns MODULE_DONE without writing a response. */
request_deferred_t *request_defer(request_t *r);

/* Called on the request's worker loop thread (e.g. from a writer job's done callback):
 * rebuilds the request (method, site, path, query, keep-alive, TLS; not the headers or
 * body, which are gone) and calls respond(r, ud), which answers with the usual response_*
 * functions. The response is written, the access-log line recorded, and the connection
 * resumes. If the client went away meanwhile, respond is not called and everything is
 * freed. */
void request_resume(request_deferred_t *d, void (*respond)(request_t *r, void *ud), void *ud);

/* The worker a deferred request belongs to (to post its completion there). */
struct worker *request_deferred_worker(const request_deferred_t *d);


/* The response API (core/response.h, core/serve.h): every module answers through it. */
#include "response.h"
#include "serve.h"

#endif
