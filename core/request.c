/* core/request.c: from a parsed head to a response: path normalisation, routing, method
 * rules, the module chain, and the access-log line. */
#include "request.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "module.h"
#include "path.h"
#include "conn.h"
#include "request_internal.h"
#include "tls.h"
#include "url.h"
#include "worker.h"
#include "writer.h"

store_txn_t *request_store(request_t *r)
{
    worker_t *w = r->worker;
    if (!w->rtxn_active) {
        if (!w->rtxn || store_read_renew(w->rtxn) != 0)
            return NULL;
        w->rtxn_active = true;
    }
    return w->rtxn;
}

int request_pages_ns(request_t *r, char *ns, size_t cap)
{
    if (r->pages_ns) {
        size_t n = strlen(r->pages_ns);
        if (n + 1 > cap)
            return STORE_EKEY;
        memcpy(ns, r->pages_ns, n + 1);
        return 0;
    }
    store_txn_t *t = request_store(r);
    if (!t)
        return STORE_EIO;
    return store_site_live(t, r->site->id, ns, cap);
}

const http1_header_t *request_header(const request_t *r, const char *name)
{
    return r->h ? http1_find_header(r->h, name) : NULL;
}

/* Escapes a field for the access log: quotes, backslashes and bytes outside printable
 * ASCII become \xHH, so a client cannot forge log lines. */
static void log_field(util_buf_t *b, const char *p, size_t len)
{
    if (!p || len == 0) {
        util_buf_append(b, "-", 1);
        return;
    }
    if (len > 1024)
        len = 1024;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            util_buf_printf(b, "\\x%02X", ch);
        else
            util_buf_append(b, (const char *)&ch, 1);
    }
}

/* Whether the query parameter p[0..len) ("name=value") is one a module keeps out of the
 * log (module_t.secret_params); *nlen is then the length of "name=". */
static bool secret_param(const char *p, size_t len, size_t *nlen)
{
    for (size_t m = 0; modules_list[m]; m++) {
        const char *const *names = modules_list[m]->secret_params;
        for (size_t i = 0; names && names[i]; i++) {
            size_t n = strlen(names[i]);
            if (len > n && p[n] == '=' && strncasecmp(p, names[i], n) == 0) {
                *nlen = n + 1;
                return true;
            }
        }
    }
    return false;
}

/* log_field for a URL whose query may carry a secret, such as a token
 * (module_t.secret_params): such a parameter is written "NAME=-", so the log does not
 * hand out a key. */
static void log_url_field(util_buf_t *b, const char *p, size_t len)
{
    if (len > 1024)
        len = 1024; /* what log_field keeps */
    const char *q = p ? memchr(p, '?', len) : NULL;
    if (!q) {
        log_field(b, p, len);
        return;
    }
    char tmp[1024 + 1024 / 2 + 8]; /* an empty "x=" grows by its '-' */
    size_t n = (size_t)(q - p) + 1, i = n, nlen;
    memcpy(tmp, p, n);
    while (i < len) {
        const char *amp = memchr(p + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - p) : len;
        if (secret_param(p + i, end - i, &nlen)) {
            memcpy(tmp + n, p + i, nlen);
            n += nlen;
            tmp[n++] = '-';
        } else {
            memcpy(tmp + n, p + i, end - i);
            n += end - i;
        }
        if (amp)
            tmp[n++] = '&';
        i = end + 1;
    }
    log_field(b, tmp, n);
}

static void format_peer(const peer_addr_t *peer, char *out, size_t cap)
{
    if (peer->sa.sa_family == AF_INET)
        inet_ntop(AF_INET, &peer->in4.sin_addr, out, (socklen_t)cap);
    else if (peer->sa.sa_family == AF_INET6)
        inet_ntop(AF_INET6, &peer->in6.sin6_addr, out, (socklen_t)cap);
    else
        snprintf(out, cap, "-");
}

/* The parts of an access-log line that come from the request head: the quoted request
 * line, and the quoted Referer and User-Agent. Kept apart so a deferred request can carry
 * them after its head is gone. */
static void log_request_line(util_buf_t *b, const http1_request_t *h)
{
    util_buf_append(b, "\"", 1);
    if (h) {
        log_field(b, h->method_str.p, h->method_str.len);
        util_buf_append(b, " ", 1);
        log_url_field(b, h->target.p, h->target.len);
        if (h->h2_stream)
            util_buf_appends(b, " HTTP/2.0\"");
        else
            util_buf_printf(b, " HTTP/1.%d\"", h->version_minor);
    } else {
        util_buf_appends(b, "-\"");
    }
}

static void log_agent_fields(util_buf_t *b, const http1_request_t *h)
{
    const http1_header_t *ref = h ? http1_find_header(h, "Referer") : NULL;
    const http1_header_t *ua = h ? http1_find_header(h, "User-Agent") : NULL;
    util_buf_append(b, "\"", 1);
    log_url_field(b, ref ? ref->value.p : NULL, ref ? ref->value.len : 0);
    util_buf_appends(b, "\" \"");
    log_field(b, ua ? ua->value.p : NULL, ua ? ua->value.len : 0);
    util_buf_append(b, "\"", 1);
}

static void access_log_parts(worker_t *w, const peer_addr_t *peer, const request_t *r,
                             const char *reqline, const char *agents)
{
    char addr[INET6_ADDRSTRLEN];
    format_peer(peer, addr, sizeof addr);
    util_buf_t *b = &w->access;
    util_buf_printf(b, "%s - - [%s] ", addr, w->log_time);
    if (reqline)
        util_buf_appends(b, reqline);
    else
        log_request_line(b, r->h);
    util_buf_printf(b, " %d %llu ", r->status, (unsigned long long)r->body_bytes);
    if (agents)
        util_buf_appends(b, agents);
    else
        log_agent_fields(b, r->h);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    util_buf_printf(b, " %s %.3f\n", r->site ? r->site->id : "-",
                    (double)(now_ns - r->start_ns) / 1e9);
    if (b->len > 32 * 1024) {
        log_access_write(b->data, b->len);
        b->len = 0;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An answered request is counted (core/metrics.h) and, when the log is on, logged. */
static void request_count(worker_t *w, const request_t *r)
{
    uint32_t slot = r->admin ? METRICS_SLOT_ADMIN : r->site ? r->site->metrics_slot
                                                           : METRICS_SLOT_NONE;
    metrics_request(&w->metrics, slot, r->method, r->status, r->body_bytes,
                    now_ns() - r->start_ns);
    for (module_t *const *m = modules_done_handlers; *m; m++)
        (*m)->request_done(r);
}

static void access_log(worker_t *w, const peer_addr_t *peer, const request_t *r)
{
    request_count(w, r);
    if (log_access_enabled())
        access_log_parts(w, peer, r, NULL, NULL);
}

static uint64_t start_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void request_reject(worker_t *w, const peer_addr_t *peer, int status, const char *reason)
{
    request_reject_on(w, peer, status, reason, false);
}

void request_reject_on(worker_t *w, const peer_addr_t *peer, int status, const char *reason,
                       bool h2)
{
    worker_update_time(w);
    request_t r = {.worker = w, .snap = w->snap, .start_ns = start_time(), .h2 = h2};
    response_error(&r, status, reason);
    access_log(w, peer, &r);
}

/* Redirects to the same path (and query) at the site's canonical place: an old alias
 * domain keeps every deep link working. */
static void redirect_canonical(request_t *r, const router_site_t *rs)
{
    util_buf_t loc = {0};
    util_buf_printf(&loc, "%s://%s", r->tls ? "https" : "http", rs->canon_host);
    url_append_path(&loc, rs->canon_prefix, rs->canon_prefix_len - 1);
    url_append_path(&loc, r->path, r->path_len);
    response_redirect_keep_query(r, 301, &loc);
}

/* RFC 9110 section 7.2: Host is uri-host [ ":" port ], port = *DIGIT. The parser has
 * already refused spaces, slashes and quotes; what remains to check is the port, which the
 * router ignores but a proxy or log reader would not. */
static bool host_port_valid(const char *h, size_t n)
{
    size_t i = 0;
    if (n > 0 && h[0] == '[') {
        const char *end = memchr(h, ']', n);
        if (!end)
            return false;
        i = (size_t)(end - h) + 1;
    } else {
        const char *colon = memchr(h, ':', n);
        i = colon ? (size_t)(colon - h) : n;
    }
    if (i == n)
        return true;
    if (h[i] != ':' || n - i - 1 > 5)
        return false;
    unsigned long port = 0;
    for (size_t k = i + 1; k < n; k++) {
        if (h[k] < '0' || h[k] > '9')
            return false;
        port = port * 10 + (unsigned long)(h[k] - '0');
    }
    return port <= 65535;
}

/* `https: redirect`: the same URL over https, on the host the client asked for when it is
 * one of ours (else the site's canonical host), and on the TLS port when it is not 443. */
static void redirect_https(request_t *r)
{
    const conf_t *c = r->snap->conf;
    int port = 443;
    for (size_t i = 0; i < c->nlisten; i++)
        if (c->listen[i].tls && !c->listen[i].admin) {
            port = c->listen[i].port;
            break;
        }
    util_buf_t loc = {0};
    util_buf_appends(&loc, "https://");
    if (r->route.host_known) {
        size_t n = r->host_len;
        const char *colon = r->host_len && r->host[0] != '[' ? memchr(r->host, ':', n) : NULL;
        if (colon)
            n = (size_t)(colon - r->host);
        url_append_path(&loc, r->host, n);
        util_lower(loc.data + 8, loc.len - 8);
        if (port != 443)
            util_buf_printf(&loc, ":%d", port);
        url_append_path(&loc, r->path, r->path_len);
    } else {
        util_buf_appends(&loc, r->rsite->canon_host);
        if (port != 443)
            util_buf_printf(&loc, ":%d", port);
        url_append_path(&loc, r->rsite->canon_prefix, r->rsite->canon_prefix_len - 1);
        url_append_path(&loc, r->rel, r->rel_len);
    }
    response_redirect_keep_query(r, 301, &loc);
}

/* GET /metrics on a management listener (its allow-list already passed): the Prometheus
 * text exposition of core/metrics.h, never cached. */
static void serve_metrics(request_t *r)
{
    util_buf_t b = {0};
    tls_session_stats_t ts;
    metrics_tls_sessions_t tls = {.on = tls_session_stats(r->worker->snap->conf, &ts)};
    if (tls.on) {
        tls.sessions = ts.sessions;
        tls.evicted = ts.evicted;
    }
    metrics_render(&b, r->worker->store, &tls);
    r->not_public = true;
    response_begin(r, 200);
    static const char ct[] = "text/plain; version=0.0.4; charset=utf-8";
    response_header(r, "Content-Type", ct, sizeof ct - 1);
    response_end_headers(r, b.len);
    response_body(r, b.data, b.len, true);
    util_buf_free(&b);
}

/* A request on a management listener: the modules that serve the management side
 * (module_t.admin_handle), never a site. */
static void dispatch_admin(request_t *r)
{
    if (r->method == HTTP_M_OTHER) {
        response_error(r, 501, "unknown method");
        return;
    }
    static const char metrics_path[] = "/metrics";
    if (r->path_len == sizeof metrics_path - 1 && !memcmp(r->path, metrics_path, r->path_len)) {
        if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD) {
            response_error(r, 405, "method not allowed");
            return;
        }
        serve_metrics(r);
        return;
    }
    for (module_t *const *m = modules_admin_handlers; *m; m++)
        if ((*m)->admin_handle(r) == MODULE_DONE)
            return;
    response_error(r, 404, "not found");
}

static void dispatch(request_t *r)
{
    const http1_request_t *h = r->h;
    if (r->method == HTTP_M_CONNECT) {
        response_error(r, 405, "method not allowed"); /* we are not a proxy */
        return;
    }
    path_target_t info;
    size_t len = 0;
    int rc = path_normalize(h->target.p, h->target.len, r->worker->pathbuf,
                            r->worker->pathbuf_cap, &len, &info);
    if (rc != PATH_OK) {
        r->keep_alive = false;
        response_error(r, 400, rc == PATH_ESCAPE ? "the path climbs above the root"
                                                 : "malformed request target");
        return;
    }
    r->path = r->worker->pathbuf;
    r->path_len = len;
    r->query = info.query;
    r->query_len = info.query_len;
    if (info.host_len) {
        r->host = info.host;
        r->host_len = info.host_len;
    } else {
        r->host = h->host.p;
        r->host_len = h->host.len;
    }

    if (!host_port_valid(r->host, r->host_len)) {
        r->keep_alive = false;
        response_error(r, 400, "malformed Host");
        return;
    }
    if (r->admin) {
        dispatch_admin(r);
        return;
    }
    router_resolve(r->snap->router, r->host, r->host_len, r->path, r->path_len, &r->route);
    r->rsite = r->route.rsite;
    r->site = r->rsite ? r->rsite->site : NULL;
    switch (r->route.kind) {
    case ROUTE_NONE:
        response_error(r, 404, "no site here");
        return;
    case ROUTE_ALIAS:
        redirect_canonical(r, r->rsite);
        return;
    case ROUTE_ADD_SLASH:
        response_redirect_to_folder(r);
        return;
    case ROUTE_SITE:
        break;
    }
    r->rel = r->route.rel;
    r->rel_len = r->route.rel_len;
    if (!r->tls && r->site->https_redirect) {
        redirect_https(r);
        return;
    }

    bool get_or_head = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;
    if (r->method == HTTP_M_OTHER) {
        response_error(r, 501, "unknown method");
        return;
    }
    for (module_t *const *m = modules_handlers; *m; m++) {
        if (!get_or_head && !(*m)->accepts_any_method)
            continue;
        if ((*m)->handle(r) == MODULE_DONE)
            return;
    }
    if (!get_or_head) {
        response_error(r, 405, "method not allowed");
        return;
    }
    response_error(r, 404, "not found");
}

bool request_handle(worker_t *w, struct conn *c, const peer_addr_t *peer,
                    const http1_request_t *h, bool tls, bool admin, const char *body,
                    size_t body_len, int *status)
{
    worker_update_time(w);
    request_t r = {
        .worker = w,
        .conn = c,
        .snap = w->snap,
        .h = h,
        .method = h->method,
        .head_only = h->method == HTTP_M_HEAD,
        .keep_alive = h->keep_alive && !w->stopping,
        .tls = tls,
        .admin = admin,
        .h2 = h->h2_stream != 0,
        .body = body,
        .body_len = body_len,
        .peer = peer,
        .start_ns = start_time(),
    };
    dispatch(&r);
    *status = r.status;
    if (r.deferred)
        return true; /* the deferred response decides, in request_resume() */
    access_log(w, peer, &r);
    return r.keep_alive;
}

/* ---- deferred responses (core/writer.h) ---- */

struct request_deferred {
    worker_t *worker;
    struct conn *conn;
    snapshot_t *snap; /* pinned: the site and its config stay valid */
    peer_addr_t peer;
    http_method_t method;
    bool head_only, keep_alive, tls, admin;
    int version_minor;
    int32_t h2_stream; /* the HTTP/2 stream that waits, 0 over HTTP/1.1 */
    const conf_site_t *site;
    const router_site_t *rsite;
    uint64_t start_ns;
    char *reqline, *agents; /* access-log fields captured from the head */
    /* The normalised path and the query (NULL when none), kept so a deferred answer can
     * still read them (a console form names the page to return to in its query). */
    char *path, *query;
    size_t path_len, query_len;
};

request_deferred_t *request_defer(request_t *r)
{
    request_deferred_t *d = util_calloc(1, sizeof *d);
    d->worker = r->worker;
    d->conn = r->conn;
    d->snap = (snapshot_t *)r->snap;
    snapshot_ref(d->snap);
    if (r->peer)
        d->peer = *(const peer_addr_t *)r->peer;
    d->method = r->method;
    d->head_only = r->head_only;
    d->keep_alive = r->keep_alive;
    d->tls = r->tls;
    d->admin = r->admin;
    d->version_minor = r->h ? r->h->version_minor : 1;
    d->h2_stream = r->h ? r->h->h2_stream : 0;
    d->site = r->site;
    d->rsite = r->rsite;
    d->start_ns = r->start_ns;
    d->path_len = r->path ? r->path_len : 0;
    d->path = util_malloc(d->path_len + 1);
    if (d->path_len)
        memcpy(d->path, r->path, d->path_len);
    d->path[d->path_len] = '\0';
    if (r->query) {
        d->query_len = r->query_len;
        d->query = util_malloc(d->query_len + 1);
        memcpy(d->query, r->query, d->query_len);
        d->query[d->query_len] = '\0';
    }
    if (log_access_enabled()) {
        util_buf_t b = {0};
        log_request_line(&b, r->h);
        d->reqline = b.data;
        util_buf_t a = {0};
        log_agent_fields(&a, r->h);
        d->agents = a.data;
    }
    r->deferred = true;
    conn_defer(r->conn, d->h2_stream);
    return d;
}

struct worker *request_deferred_worker(const request_deferred_t *d)
{
    return d->worker;
}

void request_resume(request_deferred_t *d, void (*respond)(request_t *r, void *ud), void *ud)
{
    worker_t *w = d->worker;
    if (conn_resume_begin(d->conn, d->h2_stream)) {
        worker_update_time(w);
        http1_request_t h = {.method = d->method, .version_minor = d->version_minor,
                             .h2_stream = d->h2_stream};
        request_t r = {
            .worker = w,
            .conn = d->conn,
            .snap = d->snap,
            .h = &h, /* version only: the head itself is gone */
            .method = d->method,
            .head_only = d->head_only,
            .keep_alive = d->keep_alive && !w->stopping,
            .tls = d->tls,
            .admin = d->admin,
            .h2 = d->h2_stream != 0,
            .site = d->site,
            .rsite = d->rsite,
            .peer = &d->peer,
            .start_ns = d->start_ns,
            .path = d->path,
            .path_len = d->path_len,
            .query = d->query,
            .query_len = d->query_len,
        };
        respond(&r, ud);
        request_count(w, &r);
        if (log_access_enabled())
            access_log_parts(w, &d->peer, &r, d->reqline, d->agents);
        conn_resume_end(d->conn, d->h2_stream, r.keep_alive);
    }
    snapshot_unref(d->snap);
    free(d->reqline);
    free(d->agents);
    free(d->path);
    free(d->query);
    free(d);
}
