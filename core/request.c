/* core/request.c: from a parsed head to a response: path normalisation, routing, method
 * rules, the module chain, and the access-log line. */
#include "request.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "module.h"
#include "path.h"
#include "request_internal.h"
#include "url.h"
#include "worker.h"

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

static void format_peer(const peer_addr_t *peer, char *out, size_t cap)
{
    if (peer->sa.sa_family == AF_INET)
        inet_ntop(AF_INET, &peer->in4.sin_addr, out, (socklen_t)cap);
    else if (peer->sa.sa_family == AF_INET6)
        inet_ntop(AF_INET6, &peer->in6.sin6_addr, out, (socklen_t)cap);
    else
        snprintf(out, cap, "-");
}

static void access_log(worker_t *w, const peer_addr_t *peer, const request_t *r)
{
    if (!log_access_enabled())
        return;
    char addr[INET6_ADDRSTRLEN];
    format_peer(peer, addr, sizeof addr);
    util_buf_t *b = &w->access;
    util_buf_printf(b, "%s - - [%s] \"", addr, w->log_time);
    if (r->h) {
        log_field(b, r->h->method_str.p, r->h->method_str.len);
        util_buf_append(b, " ", 1);
        log_field(b, r->h->target.p, r->h->target.len);
        util_buf_printf(b, " HTTP/1.%d\" ", r->h->version_minor);
    } else {
        util_buf_appends(b, "-\" ");
    }
    util_buf_printf(b, "%d %llu \"", r->status, (unsigned long long)r->body_bytes);
    const http1_header_t *ref = r->h ? http1_find_header(r->h, "Referer") : NULL;
    const http1_header_t *ua = r->h ? http1_find_header(r->h, "User-Agent") : NULL;
    log_field(b, ref ? ref->value.p : NULL, ref ? ref->value.len : 0);
    util_buf_appends(b, "\" \"");
    log_field(b, ua ? ua->value.p : NULL, ua ? ua->value.len : 0);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    util_buf_printf(b, "\" %s %.3f\n", r->site ? r->site->id : "-",
                    (double)(now_ns - r->start_ns) / 1e9);
    if (b->len > 32 * 1024) {
        log_access_write(b->data, b->len);
        b->len = 0;
    }
}

static uint64_t start_time(void)
{
    if (!log_access_enabled())
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void request_reject(worker_t *w, const peer_addr_t *peer, int status, const char *reason)
{
    worker_update_time(w);
    request_t r = {.worker = w, .snap = w->snap, .start_ns = start_time()};
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
    if (r->query) {
        util_buf_append(&loc, "?", 1);
        util_buf_append(&loc, r->query, r->query_len);
    }
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&loc);
}

static void redirect_add_slash(request_t *r)
{
    util_buf_t loc = {0};
    url_append_path(&loc, r->path, r->path_len);
    util_buf_append(&loc, "/", 1);
    if (r->query) {
        util_buf_append(&loc, "?", 1);
        util_buf_append(&loc, r->query, r->query_len);
    }
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&loc);
}

/* `https: redirect`: the same URL over https, on the host the client asked for when it is
 * one of ours (else the site's canonical host), and on the TLS port when it is not 443. */
static void redirect_https(request_t *r)
{
    const conf_t *c = r->snap->conf;
    int port = 443;
    for (size_t i = 0; i < c->nlisten; i++)
        if (c->listen[i].tls) {
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
    if (r->query) {
        util_buf_append(&loc, "?", 1);
        util_buf_append(&loc, r->query, r->query_len);
    }
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&loc);
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
        redirect_add_slash(r);
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
    for (const module_t *const *m = modules_list; *m; m++) {
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

bool request_handle(worker_t *w, const peer_addr_t *peer, const http1_request_t *h, bool tls,
                    const char *body, size_t body_len)
{
    worker_update_time(w);
    request_t r = {
        .worker = w,
        .snap = w->snap,
        .h = h,
        .method = h->method,
        .head_only = h->method == HTTP_M_HEAD,
        .keep_alive = h->keep_alive && !w->stopping,
        .tls = tls,
        .body = body,
        .body_len = body_len,
        .peer = peer,
        .start_ns = start_time(),
    };
    dispatch(&r);
    access_log(w, peer, &r);
    return r.keep_alive;
}
