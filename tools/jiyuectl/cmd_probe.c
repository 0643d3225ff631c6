/* tools/jiyuectl/cmd_probe.c: `jiyuectl probe [--address HOST:PORT] [SITE...]`: fetches
 * the home page of each active site (and each site being redesigned: it is live) through
 * the running server, with the site's canonical Host, and appends {site, time, ok, status,
 * ms} to the availability log in the store (store_keys.h "probe/"), which `jiyuectl audit`
 * judges by the national rule (more than 5% of a week's probes failed or slower than
 * 15 s). Meant for cron, at least 20 times a day. A probe is ok when the server answers
 * 2xx or 3xx (a site served over https only answers plain HTTP with its redirect) within
 * audit.probe_timeout. Records older than 35 days (or twice the audit window) are dropped
 * in the same transaction.
 *
 * The client is a plain blocking-with-deadline HTTP/1.1 socket client: one request, then
 * read until the server closes (Connection: close). The address is the first plain-HTTP
 * listen address of the configuration (a wildcard address is reached over loopback), or
 * --address. Exit 0 when every probe succeeded, 1 when one failed (results are recorded
 * either way), 2 on a usage error. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit_conf.h"
#include "audit_probe.h"
#include "ctl.h"
#include "lifecycle.h"
#include "router.h"
#include "store_keys.h"
#include "util.h"

typedef struct probe_result {
    bool ok;
    int status;
    uint32_t ms;
    char why[96];
} probe_result_t;

static int remaining_ms(uint64_t deadline)
{
    uint64_t now = util_now_ms();
    return now >= deadline ? 0 : (int)(deadline - now);
}

/* Connects to host:port before the deadline. Returns the socket or -1 (reason in why). */
static int dial(const char *host, int port, uint64_t deadline, char *why, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
    } else {
        snprintf(why, cap, "bad address %s", host);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, cap, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
        snprintf(why, cap, "connect: %s", strerror(errno));
        close(fd);
        return -1;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int r = poll(&p, 1, remaining_ms(deadline));
    int err = 0;
    socklen_t el = sizeof err;
    if (r <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
        snprintf(why, cap, "connect: %s", r == 0 ? "timed out" : strerror(err ? err : errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void probe_one(const char *addr, int port, const char *host, const char *path,
                      uint64_t timeout_ms, probe_result_t *res)
{
    uint64_t start = util_now_ms(), deadline = start + timeout_ms;
    memset(res, 0, sizeof *res);
    int fd = dial(addr, port, deadline, res->why, sizeof res->why);
    if (fd < 0) {
        res->ms = (uint32_t)(util_now_ms() - start);
        return;
    }
    char *req = util_asprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: jiyuectl-probe\r\n"
                              "Accept: text/html\r\nConnection: close\r\n\r\n", path, host);
    size_t len = strlen(req), sent = 0;
    util_buf_t in = {0};
    bool done = false;
    while (!done) {
        int left = remaining_ms(deadline);
        if (left == 0) {
            snprintf(res->why, sizeof res->why, "no complete answer within %llu ms",
                     (unsigned long long)timeout_ms);
            break;
        }
        struct pollfd p = {fd, sent < len ? POLLOUT : POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            continue;
        if (sent < len) {
            ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                snprintf(res->why, sizeof res->why, "send: %s", strerror(errno));
                break;
            }
            if (n > 0)
                sent += (size_t)n;
            continue;
        }
        char buf[16384];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n < 0) {
            snprintf(res->why, sizeof res->why, "recv: %s", strerror(errno));
            break;
        }
        if (n == 0) {
            done = true;
            break;
        }
        /* Only the head is kept; the body is read and dropped, timed all the same. */
        if (in.len < 8192)
            util_buf_append(&in, buf, (size_t)n);
    }
    close(fd);
    free(req);
    res->ms = (uint32_t)(util_now_ms() - start);
    if (in.len >= 12 && memcmp(in.data, "HTTP/1.", 7) == 0)
        res->status = atoi(in.data + 9);
    util_buf_free(&in);
    if (!done)
        return;
    if (res->status >= 200 && res->status < 400) {
        res->ok = true;
    } else {
        snprintf(res->why, sizeof res->why, res->status ? "answered %d" : "no HTTP answer",
                 res->status);
    }
}

typedef struct old_keys {
    char prefix_cut[STORE_KEY_MAX + 1]; /* keys below this are old */
    char **keys;
    size_t n, cap;
} old_keys_t;

static int collect_old(void *ud, const char *key, size_t klen, const void *val, size_t len)
{
    old_keys_t *o = ud;
    size_t cl = strlen(o->prefix_cut);
    int cmp = memcmp(key, o->prefix_cut, klen < cl ? klen : cl);
    if (cmp > 0 || (cmp == 0 && klen >= cl))
        return 1; /* in key order: the rest are newer */
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 64;
        o->keys = util_realloc(o->keys, o->cap * sizeof *o->keys);
    }
    o->keys[o->n++] = util_strndup(key, klen);
    return 0;
}

static int record(store_txn_t *w, const char *site, int64_t now_ms, const probe_result_t *r,
                  int64_t keep_ms)
{
    char key[STORE_KEY_MAX + 1];
    if (!audit_probe_key(key, site, now_ms))
        return STORE_EKEY;
    uint8_t v[AUDIT_PROBE_REC] = {r->ok ? 1 : 0, 0, (uint8_t)(r->status & 0xff),
                                  (uint8_t)((r->status >> 8) & 0xff), (uint8_t)(r->ms & 0xff),
                                  (uint8_t)((r->ms >> 8) & 0xff), (uint8_t)((r->ms >> 16) & 0xff),
                                  (uint8_t)((r->ms >> 24) & 0xff)};
    int rc = store_meta_put(w, key, v, sizeof v);
    if (rc != 0)
        return rc;
    old_keys_t o = {0};
    audit_probe_key(o.prefix_cut, site, now_ms - keep_ms);
    char prefix[STORE_KEY_MAX + 1];
    audit_probe_key(prefix, site, -1);
    rc = store_meta_each(w, prefix, collect_old, &o);
    if (rc == 1 || rc == STORE_NOTFOUND)
        rc = 0;
    for (size_t i = 0; i < o.n; i++) {
        if (rc == 0) {
            rc = store_meta_del(w, o.keys[i]);
            if (rc == STORE_NOTFOUND)
                rc = 0;
        }
        free(o.keys[i]);
    }
    free(o.keys);
    return rc;
}

/* "127.0.0.1:8080", "[::1]:8080" */
static int parse_address(const char *s, char *host, size_t cap, int *port)
{
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= cap)
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= cap)
            return -1;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

int ctl_cmd_probe(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"address", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *address = NULL;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "a:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'a':
            address = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            if (optopt == 'a')
                return ctl_usage(ctl, "--address needs HOST:PORT");
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    char host[64];
    int port = 0;
    if (address && parse_address(address, host, sizeof host, &port) != 0)
        return ctl_usage(ctl, "--address '%s' is not HOST:PORT (e.g. 127.0.0.1:8080)", address);
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    const conf_t *c = ctl->conf;
    const audit_conf_t *au = audit_conf(c);
    if ((rc = ctl_check_sites(ctl, argc, argv, optind)) != CTL_OK)
        return rc;
    if (!address) {
        const conf_listen_t *l = NULL;
        for (size_t i = 0; i < c->nlisten && !l; i++)
            if (!c->listen[i].tls && !c->listen[i].admin)
                l = &c->listen[i];
        if (!l)
            return ctl_fail(ctl, "no plain-HTTP listen address to probe through (give --address)");
        const char *h = l->host;
        if (strcmp(h, "0.0.0.0") == 0)
            h = "127.0.0.1";
        else if (strcmp(h, "::") == 0)
            h = "::1";
        snprintf(host, sizeof host, "%s", h);
        port = l->port;
    }
    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK)
        return rc;
    router_t *r = router_build(c);
    int64_t keep_ms = (int64_t)(au->probe_days * 2 > 35 ? au->probe_days * 2 : 35) *
                      86400 * 1000;
    size_t failed = 0, n = c->nsites;
    probe_result_t *res = util_calloc(n + 1, sizeof *res);
    int64_t *when = util_calloc(n + 1, sizeof *when);
    bool *did = util_calloc(n + 1, sizeof *did);
    for (size_t i = 0; i < n; i++) {
        const conf_site_t *s = &c->sites[i];
        if (!ctl_site_wanted(argc, argv, optind, s->id) || (lifecycle_conf(s)->state != LIFECYCLE_ACTIVE && lifecycle_conf(s)->state != LIFECYCLE_REDESIGN))
            continue;
        const router_site_t *rs = router_site(r, s->id);
        if (!rs || !rs->canon_host)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        when[i] = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        probe_one(host, port, rs->canon_host, rs->canon_prefix, au->probe_timeout_ms, &res[i]);
        did[i] = true;
        if (!res[i].ok)
            failed++;
        printf("%s\t%s\t%d\t%ums%s%s\n", s->id, res[i].ok ? "ok" : "FAIL", res[i].status,
               res[i].ms, res[i].ok ? "" : "\t", res[i].ok ? "" : res[i].why);
    }
    router_free(r);
    store_txn_t *w = store_write_begin(ctl->store, &rc);
    for (size_t i = 0; w && rc == 0 && i < n; i++)
        if (did[i])
            rc = record(w, c->sites[i].id, when[i], &res[i], keep_ms);
    if (w && rc == 0)
        rc = store_commit(w);
    else if (w)
        store_abort(w);
    free(res);
    free(when);
    free(did);
    if (rc != 0)
        return ctl_store_fail(ctl, rc, "recording the probes");
    fflush(stdout);
    return failed ? CTL_FAIL : CTL_OK;
}
