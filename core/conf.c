/* core/conf.c: conf_load(), the one entry point of the validator. It reads the server file
 * (the table of its keys lives here), then every site file (conf_site.c), then the rules
 * across files (conf_rules.c), and keeps going after errors so that one run reports
 * every problem in every file. Also the small lookups over a loaded conf_t. */
#include "conf_priv.h"
#include "tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "theme.h"
#include "util.h"

/* ---- server file keys ---- */

/* "127.0.0.1:8080", "[::1]:8080", "*:80", ":80". Returns NULL or why it is wrong. */
static const char *parse_listen_address(const char *s, char **host, int *port)
{
    const char *colon, *h;
    size_t hlen;
    char buf[INET6_ADDRSTRLEN + 1];
    unsigned char bin[16];
    int family;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close)
            return "missing ']' after an IPv6 address";
        if (close[1] != ':')
            return "missing ':PORT' after the address";
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
        family = AF_INET6;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return "expected HOST:PORT, e.g. 127.0.0.1:8080";
        if (memchr(s, ':', (size_t)(colon - s)))
            return "an IPv6 address needs brackets, e.g. [::1]:8080";
        h = s;
        hlen = (size_t)(colon - s);
        family = AF_INET;
        if (hlen == 0 || (hlen == 1 && h[0] == '*')) {
            h = "0.0.0.0";
            hlen = 7;
        }
    }
    if (hlen == 0 || hlen >= sizeof buf)
        return "not an IP address";
    memcpy(buf, h, hlen);
    buf[hlen] = '\0';
    if (inet_pton(family, buf, bin) != 1)
        return family == AF_INET ? "not an IPv4 address (host names are not accepted here)"
                                 : "not an IPv6 address";
    const char *p = colon + 1;
    long v = 0;
    if (!*p)
        return "missing port";
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 65535)
            return "the port must be a number from 1 to 65535";
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535)
        return "the port must be a number from 1 to 65535";
    *host = util_strdup(buf);
    *port = (int)v;
    return NULL;
}

static bool host_is_wildcard(const char *h)
{
    return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0;
}

/* 127.0.0.0/8 and ::1: a management listener there needs no TLS (nothing crosses a
 * network). */
static bool host_is_loopback(const char *h)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, h, a) == 1)
        return a[0] == 127;
    return strcmp(h, "::1") == 0;
}

static void listen_add(conf_ctx_t *x, const yaml_dom_node_t *entry, const yaml_dom_node_t *addr,
                       const yaml_dom_node_t *tls, bool admin)
{
    conf_t *c = x->c;
    const char *what = admin ? "admin.listen" : "listen";
    const char *s = conf_str(x, addr, what, "an address HOST:PORT");
    if (!s)
        return;
    char *host = NULL;
    int port = 0;
    const char *why = parse_listen_address(s, &host, &port);
    if (why) {
        conf_err(x, addr, "%s address '%s': %s", what, s, why);
        return;
    }
    bool on = false;
    if (tls && conf_bool(x, tls, admin ? "admin.listen.tls" : "listen.tls", &on) != 0) {
        free(host);
        return;
    }
    for (size_t i = 0; i < c->nlisten; i++) {
        const conf_listen_t *o = &c->listen[i];
        if (o->port != port)
            continue;
        if (o->admin != admin && (strcmp(o->host, host) == 0 || host_is_wildcard(o->host) ||
                                  host_is_wildcard(host))) {
            /* One socket cannot be both, and a wildcard beside a specific address on the
             * same port splits the clients between them by the kernel's choice. */
            conf_err(x, addr, "%s address '%s' is the same address and port as the %s "
                              "listener '%s' (line %d): the management listener needs one "
                              "of its own", what, s, o->admin ? "admin" : "public",
                     o->address, o->pos.line);
            free(host);
            return;
        }
        if (strcmp(o->host, host) == 0) {
            conf_err(x, addr, "%s address '%s' is given twice (first at line %d)", what, s,
                     o->pos.line);
            free(host);
            return;
        }
    }
    if (admin && !on && !host_is_loopback(host)) {
        conf_err(x, entry, "admin.listen '%s' is not a loopback address: the management "
                           "listener must use TLS there ({address: '%s', tls: true})", s, s);
        free(host);
        return;
    }
    c->listen = util_realloc(c->listen, (c->nlisten + 1) * sizeof *c->listen);
    conf_listen_t *l = &c->listen[c->nlisten++];
    l->address = util_strdup(s);
    l->host = host;
    l->port = port;
    l->tls = on;
    l->admin = admin;
    l->pos = conf_pos(x, entry);
    l->tls_pos = tls ? conf_pos(x, tls) : l->pos;
}

/* `listen` and `admin.listen`: a list of "HOST:PORT" or {address, tls}. */
static void read_listen(conf_ctx_t *x, const yaml_dom_node_t *v, bool admin)
{
    const char *what = admin ? "admin.listen" : "listen";
    if (v->kind != YAML_DOM_SEQUENCE || v->nitems == 0) {
        conf_err(x, v, "'%s' must be a non-empty list of addresses (\"127.0.0.1:8080\" or "
                       "{address: ..., tls: true}), not %s", what,
                 v->kind == YAML_DOM_SEQUENCE ? "an empty list" : yaml_dom_kind_name(v));
        return;
    }
    if (v->nitems > CONF_MAX_LISTEN) {
        conf_err(x, v, "'%s' has %zu entries; at most %d are allowed", what, v->nitems, CONF_MAX_LISTEN);
        return;
    }
    for (size_t i = 0; i < v->nitems; i++) {
        const yaml_dom_node_t *e = v->items[i];
        if (e->kind == YAML_DOM_SCALAR) {
            listen_add(x, e, e, NULL, admin);
            continue;
        }
        if (e->kind != YAML_DOM_MAPPING) {
            conf_err(x, e, "a listen entry must be \"HOST:PORT\" or a mapping with address and tls, not a %s",
                     yaml_dom_kind_name(e));
            continue;
        }
        const yaml_dom_node_t *addr = NULL, *tls = NULL;
        for (size_t j = 0; j < e->npairs; j++) {
            const char *name = e->pairs[j].key->str;
            if (strcmp(name, "address") == 0)
                addr = e->pairs[j].value;
            else if (strcmp(name, "tls") == 0)
                tls = e->pairs[j].value;
            else
                conf_err(x, e->pairs[j].key, "unknown key '%s' in a listen entry", name);
        }
        if (!addr)
            conf_err(x, e, "missing required key 'address' in a listen entry");
        else
            listen_add(x, e, addr, tls, admin);
    }
}

static void key_listen(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    read_listen(x, v, false);
}

static void key_workers(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    if (v->kind == YAML_DOM_SCALAR && v->plain && strcmp(v->str, "auto") == 0) {
        c->workers_pos = conf_pos(x, v);
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = n < 1 ? 1 : n > CONF_MAX_WORKERS ? CONF_MAX_WORKERS : (int)n;
        return;
    }
    uint64_t n;
    if (v->kind != YAML_DOM_SCALAR) {
        conf_err(x, v, "'workers' must be a positive integer or 'auto', not a %s", yaml_dom_kind_name(v));
        return;
    }
    c->workers_pos = conf_pos(x, v);
    if (conf_count(x, v, "workers", &n) != 0)
        return;
    if (n > CONF_MAX_WORKERS) {
        conf_err(x, v, "'workers' is %llu; at most %d are allowed", (unsigned long long)n,
                 CONF_MAX_WORKERS);
        return;
    }
    c->workers = (int)n;
}

static void key_sites(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    const char *s = conf_str(x, v, "sites", "a folder");
    x->sites_pos = conf_pos(x, v);
    if (s)
        c->sites_dir = util_path_resolve(c->dir, s);
}

static void key_access_log(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    const char *s = conf_str(x, v, "access_log", "a path or off");
    if (!s)
        return;
    /* YAML 1.1 readers turn a bare off into false; we read it as the word it is */
    c->access_log = v->plain && strcmp(s, "off") == 0 ? util_strdup("off") : util_path_resolve(c->dir, s);
}

/* "10.0.0.5", "::1", "10.0.0.0/8", "2001:db8::/32" into n; NULL or why it is wrong. */
static const char *parse_net(const char *s, conf_net_t *n)
{
    char buf[INET6_ADDRSTRLEN + 8];
    size_t len = strlen(s);
    if (len >= sizeof buf)
        return "not an IP address";
    memcpy(buf, s, len + 1);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    bool v6 = strchr(buf, ':') != NULL;
    memset(n, 0, sizeof *n);
    if (v6) {
        if (inet_pton(AF_INET6, buf, n->addr) != 1)
            return "not an IPv6 address";
    } else {
        n->addr[10] = n->addr[11] = 0xff; /* ::ffff:a.b.c.d, as the connection sees it */
        if (inet_pton(AF_INET, buf, n->addr + 12) != 1)
            return "not an IPv4 address (host names are not accepted here)";
    }
    int max = v6 ? 128 : 32, bits = max;
    if (slash) {
        const char *p = slash + 1;
        bits = 0;
        if (!*p)
            return "missing prefix length after '/'";
        for (; *p; p++) {
            if (*p < '0' || *p > '9' || bits > max)
                return v6 ? "the prefix length must be 0 to 128" : "the prefix length must be 0 to 32";
            bits = bits * 10 + (*p - '0');
        }
        if (bits > max)
            return v6 ? "the prefix length must be 0 to 128" : "the prefix length must be 0 to 32";
    }
    n->prefix = v6 ? bits : 96 + bits;
    return NULL;
}

static void key_exempt(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_limits_t *l = obj;
    size_t n = 0;
    conf_pos_t *pos = NULL;
    char **list = conf_str_list(x, v, "limits.exempt_addresses", &n, &pos);
    if (!list)
        return;
    free(l->exempt);
    l->exempt = util_calloc(n ? n : 1, sizeof *l->exempt);
    l->nexempt = 0;
    for (size_t i = 0; i < n; i++) {
        const char *why = parse_net(list[i], &l->exempt[l->nexempt]);
        if (why)
            conf_err_at(x, pos[i], "limits.exempt_addresses '%s': %s", list[i], why);
        else
            l->nexempt++;
    }
    conf_str_list_free(list, n);
    free(pos);
}

/* `admin.allow`: the networks that may reach the management listener. */
static void key_admin_allow(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = x->c;
    size_t n = 0;
    conf_pos_t *pos = NULL;
    char **list = conf_str_list(x, v, "admin.allow", &n, &pos);
    if (!list)
        return;
    free(c->admin_allow);
    c->admin_allow = util_calloc(n ? n : 1, sizeof *c->admin_allow);
    c->nadmin_allow = 0;
    for (size_t i = 0; i < n; i++) {
        const char *why = parse_net(list[i], &c->admin_allow[c->nadmin_allow]);
        if (why)
            conf_err_at(x, pos[i], "admin.allow '%s': %s", list[i], why);
        else
            c->nadmin_allow++;
    }
    conf_str_list_free(list, n);
    free(pos);
}

static void key_admin_listen(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    read_listen(x, v, true);
}

static const conf_key_t admin_keys[] = {
    {"listen", CONF_K_FN, 0, key_admin_listen, true, 0},
    {"allow", CONF_K_FN, 0, key_admin_allow, false, 0},
    {"max_upload", CONF_K_SIZE, offsetof(conf_t, admin_max_upload), NULL, false, 0},
};

static void key_admin(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    c->admin_pos = conf_pos(x, v);
    conf_modules_walk(x, v, "admin", CONF_KEYS_ADMIN, admin_keys, UTIL_ARRAY_LEN(admin_keys), c,
                      c->mod);
    if (c->admin_max_upload > CONF_MAX_BODY_BYTES)
        conf_err(x, yaml_dom_get(v, "max_upload"),
                 "'admin.max_upload' is %llu bytes; at most 1GiB (%llu) is allowed",
                 (unsigned long long)c->admin_max_upload, (unsigned long long)CONF_MAX_BODY_BYTES);
    if (!c->admin_allow) {
        /* Without `allow`, only this machine: the safe reading of an omission. */
        c->admin_allow = util_calloc(2, sizeof *c->admin_allow);
        parse_net("127.0.0.0/8", &c->admin_allow[0]);
        parse_net("::1", &c->admin_allow[1]);
        c->nadmin_allow = 2;
    }
}

static const conf_key_t limit_keys[] = {
    {"header_timeout", CONF_K_DURATION, offsetof(conf_limits_t, header_timeout_ms), NULL, false, 0},
    {"keepalive_timeout", CONF_K_DURATION, offsetof(conf_limits_t, keepalive_timeout_ms), NULL, false, 0},
    {"body_timeout", CONF_K_DURATION, offsetof(conf_limits_t, body_timeout_ms), NULL, false, 0},
    {"send_timeout", CONF_K_DURATION, offsetof(conf_limits_t, send_timeout_ms), NULL, false, 0},
    {"shutdown_timeout", CONF_K_DURATION, offsetof(conf_limits_t, shutdown_timeout_ms), NULL, false, 0},
    {"max_header_bytes", CONF_K_SIZE, offsetof(conf_limits_t, max_header_bytes), NULL, false, 0},
    {"max_request_line", CONF_K_SIZE, offsetof(conf_limits_t, max_request_line), NULL, false, 0},
    {"max_body_bytes", CONF_K_SIZE, offsetof(conf_limits_t, max_body_bytes), NULL, false, 0},
    {"max_connections", CONF_K_COUNT, offsetof(conf_limits_t, max_connections), NULL, false, 0},
    {"max_headers", CONF_K_COUNT, offsetof(conf_limits_t, max_headers), NULL, false, 0},
    {"body_deadline", CONF_K_DURATION, offsetof(conf_limits_t, body_deadline_ms), NULL, false, 0},
    {"max_connections_per_address", CONF_K_COUNT,
     offsetof(conf_limits_t, max_connections_per_address), NULL, false, 0},
    {"exempt_addresses", CONF_K_FN, 0, key_exempt, false, 0},
    {"accept_burst", CONF_K_COUNT, offsetof(conf_limits_t, accept_burst), NULL, false, 0},
};

static void key_limits(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    if (!conf_modules_walk(x, v, "limits", CONF_KEYS_LIMITS, limit_keys, UTIL_ARRAY_LEN(limit_keys),
                           &c->limits, c->mod))
        return;
    if (c->limits.max_body_bytes > CONF_MAX_BODY_BYTES)
        conf_err(x, yaml_dom_get(v, "max_body_bytes"),
                 "'limits.max_body_bytes' is %llu bytes; at most 1GiB (%llu) is allowed",
                 (unsigned long long)c->limits.max_body_bytes,
                 (unsigned long long)CONF_MAX_BODY_BYTES);
    if (c->limits.accept_burst > CONF_MAX_ACCEPT_BURST)
        conf_err(x, yaml_dom_get(v, "accept_burst"), "'limits.accept_burst' is %llu; at most %d is allowed",
                 (unsigned long long)c->limits.accept_burst, CONF_MAX_ACCEPT_BURST);
    if (c->limits.max_request_line > c->limits.max_header_bytes)
        conf_err(x, v, "limits.max_request_line (%llu) is larger than limits.max_header_bytes (%llu)",
                 (unsigned long long)c->limits.max_request_line,
                 (unsigned long long)c->limits.max_header_bytes);
}

static const conf_key_t http2_keys[] = {
    {"max_concurrent_streams", CONF_K_COUNT, offsetof(conf_http2_t, max_concurrent_streams), NULL, false, 0},
    {"initial_window", CONF_K_SIZE, offsetof(conf_http2_t, initial_window), NULL, false, 0},
    {"max_header_list", CONF_K_SIZE, offsetof(conf_http2_t, max_header_list), NULL, false, 0},
};

/* `http2:`: each value within what the protocol can say and what keeps a connection's
 * memory bounded (streams x header list, streams x window). */
static void key_http2(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    conf_walk(x, v, "http2", http2_keys, UTIL_ARRAY_LEN(http2_keys), &c->http2);
    const conf_http2_t *h = &c->http2;
    if (h->max_concurrent_streams < 1 || h->max_concurrent_streams > 1000)
        conf_err(x, yaml_dom_get(v, "max_concurrent_streams"),
                 "'http2.max_concurrent_streams' is %llu; it must be 1 to 1000",
                 (unsigned long long)h->max_concurrent_streams);
    if (h->initial_window < 65535 || h->initial_window > (16ull << 20))
        conf_err(x, yaml_dom_get(v, "initial_window"),
                 "'http2.initial_window' is %llu bytes; it must be 65535 (64KiB - 1) to 16MiB",
                 (unsigned long long)h->initial_window);
    if (h->max_header_list < 1024 || h->max_header_list > (1ull << 20))
        conf_err(x, yaml_dom_get(v, "max_header_list"),
                 "'http2.max_header_list' is %llu bytes; it must be 1KiB to 1MiB",
                 (unsigned long long)h->max_header_list);
}

static const conf_key_t tls_keys[] = {
    {"cert", CONF_K_PATH, offsetof(conf_tls_t, cert), NULL, true, 0},
    {"key", CONF_K_PATH, offsetof(conf_tls_t, key), NULL, true, 0},
};

static void key_tls(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    c->tls.pos = conf_pos(x, v);
    conf_walk(x, v, "tls", tls_keys, UTIL_ARRAY_LEN(tls_keys), &c->tls);
}

static void key_themes(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    const char *s = conf_str(x, v, "themes", "a folder of themes");
    if (!s)
        return;
    c->themes_dir = util_path_resolve(c->dir, s);
    c->themes_pos = conf_pos(x, v);
}

static void key_mourning(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_bool(x, v, "mourning", &((conf_t *)obj)->mourning);
}

static void key_store_reserve(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_t *c = obj;
    const char *s = conf_str(x, v, "store_reserve", "a size such as 64MiB");
    uint64_t u;
    if (!s)
        return;
    if (util_parse_size(s, &u) != 0)
        conf_err(x, v, "'store_reserve' must be a size such as 64MiB, not '%s'", s);
    c->store_reserve = u;
    c->store_reserve_pos = conf_pos(x, v);
}

static const conf_key_t server_keys[] = {
    {"listen", CONF_K_FN, 0, key_listen, true, 0},
    {"workers", CONF_K_FN, 0, key_workers, false, 0},
    {"store", CONF_K_PATH, offsetof(conf_t, store), NULL, true, 0},
    {"store_map_size", CONF_K_SIZE, offsetof(conf_t, store_map_size), NULL, false, 0},
    {"store_reserve", CONF_K_FN, 0, key_store_reserve, false, 0},
    {"sites", CONF_K_FN, 0, key_sites, true, 0},
    {"pid_file", CONF_K_PATH, offsetof(conf_t, pid_file), NULL, false, 0},
    {"access_log", CONF_K_FN, 0, key_access_log, false, 0},
    {"error_log", CONF_K_PATH, offsetof(conf_t, error_log), NULL, false, 0},
    {"user", CONF_K_STR, offsetof(conf_t, user), NULL, false, 0},
    {"limits", CONF_K_FN, 0, key_limits, false, 0},
    {"http2", CONF_K_FN, 0, key_http2, false, 0},
    {"tls", CONF_K_FN, 0, key_tls, false, 0},
    {"themes", CONF_K_FN, 0, key_themes, false, 0},
    {"mourning", CONF_K_FN, 0, key_mourning, false, 0},
    {"admin", CONF_K_FN, 0, key_admin, false, 0},
};

static void set_defaults(conf_t *c)
{
    c->workers = 1;
    c->store_map_size = 1ull << 30;
    c->admin_max_upload = 20ull << 20;
    c->limits = (conf_limits_t){
        .header_timeout_ms = 10000,
        .keepalive_timeout_ms = 75000,
        .body_timeout_ms = 30000,
        .send_timeout_ms = 60000,
        .max_header_bytes = 16 * 1024,
        .max_request_line = 8 * 1024,
        .max_body_bytes = 1024 * 1024,
        .max_connections = 10000,
        .max_headers = 100,
        .shutdown_timeout_ms = 10000,
        .body_deadline_ms = 60000,
        .max_connections_per_address = 64,
        .accept_burst = 16,
    };
    c->http2 = (conf_http2_t){
        .max_concurrent_streams = 128,
        .initial_window = 1024 * 1024,
        .max_header_list = 16 * 1024,
    };
}

static void read_server(conf_ctx_t *x, const yaml_dom_t *doc)
{
    conf_t *c = x->c;
    x->file = c->file;
    if (!conf_modules_walk(x, doc->root, "", CONF_KEYS_SERVER, server_keys,
                           UTIL_ARRAY_LEN(server_keys), c, c->mod))
        return;
    if (!c->store_reserve_pos.line)
        c->store_reserve = c->store_map_size / 8;
    else if (c->store_reserve >= c->store_map_size)
        conf_err_at(x, c->store_reserve_pos, "store_reserve (%llu) must be smaller than store_map_size (%llu)",
                 (unsigned long long)c->store_reserve, (unsigned long long)c->store_map_size);
    bool have_cert = c->tls.cert && c->tls.key;
    for (size_t i = 0; i < c->nlisten; i++)
        if (c->listen[i].tls && !have_cert)
            conf_err_at(x, c->listen[i].tls_pos,
                        "%s '%s' has tls: true but there is no default certificate "
                        "(tls: {cert: ..., key: ...})", c->listen[i].admin ? "admin.listen" : "listen",
                        c->listen[i].address);
    /* Public listeners first, whichever of `listen` and `admin` the file gives first. */
    size_t np = 0;
    for (size_t i = 0; i < c->nlisten; i++) {
        if (c->listen[i].admin)
            continue;
        conf_listen_t l = c->listen[i];
        memmove(&c->listen[np + 1], &c->listen[np], (i - np) * sizeof l);
        c->listen[np++] = l;
    }
}

/* ---- site files ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_site_file(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static void read_sites(conf_ctx_t *x)
{
    conf_t *c = x->c;
    DIR *d = opendir(c->sites_dir);
    if (!d) {
        conf_err_at(x, x->sites_pos, "sites folder '%s' cannot be opened: %s", c->sites_dir,
                    strerror(errno));
        return;
    }
    char **names = NULL, **unread = NULL;
    size_t n = 0, cap = 0, nunread = 0, ucap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_site_file(e->d_name)) {
            /* said out loud: a site.yml or a copy left as .bak is a site nobody serves */
            if (e->d_name[0] != '.') {
                if (nunread == ucap) {
                    ucap = ucap ? ucap * 2 : 8;
                    unread = util_realloc(unread, ucap * sizeof *unread);
                }
                unread[nunread++] = util_strdup(e->d_name);
            }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = util_realloc(names, cap * sizeof *names);
        }
        names[n++] = util_strdup(e->d_name);
    }
    closedir(d);
    if (nunread > 1)
        qsort(unread, nunread, sizeof *unread, cmp_str);
    for (size_t i = 0; i < nunread; i++) {
        char *path = util_asprintf("%s/%s", c->sites_dir, unread[i]);
        struct stat st;
        bool dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        if (dir)
            diag_warning(x->diag, path, 0, 0,
                         "not read: a folder (site files are NAME.yaml directly in %s)",
                         c->sites_dir);
        else
            diag_warning(x->diag, path, 0, 0,
                         "not read: site files are NAME.yaml (rename it, or start its name "
                         "with '.' to keep it aside)");
        free(path);
        free(unread[i]);
    }
    free(unread);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    c->sites = util_calloc(n ? n : 1, sizeof *c->sites);
    for (size_t i = 0; i < n; i++) {
        char *path = util_asprintf("%s/%s", c->sites_dir, names[i]);
        free(names[i]);
        yaml_dom_t *doc = yaml_dom_load_file(path, x->diag);
        if (!doc) {
            x->nbroken++;
            free(path);
            continue;
        }
        conf_site_t *s = &c->sites[c->nsites];
        memset(s, 0, sizeof *s);
        s->file = path;
        x->file = path;
        if (conf_site_read(x, doc, s)) {
            c->nsites++;
        } else {
            x->nbroken++;
            conf_site_free(s);
            memset(s, 0, sizeof *s);
        }
        yaml_dom_free(doc);
    }
    free(names);
    x->file = c->file;
}

/* The site `id` from sites_dir/<id>.yaml into c->sites, for conf_load_sites. False, with
 * the reason added as an error, when the file cannot stand for what the whole folder gives:
 * not a slug (so the name never leaves the folder), no such file, not a site, another id. */
static bool read_named_site(conf_ctx_t *x, const char *id, size_t *cap)
{
    conf_t *c = x->c;
    if (!conf_is_slug(id)) {
        conf_err_at(x, x->sites_pos, "'%s' is not a site id", id);
        return false;
    }
    if (c->nsites == CONF_LOAD_SITES_MAX) {
        conf_err_at(x, x->sites_pos, "more than %d sites to read by name", CONF_LOAD_SITES_MAX);
        return false;
    }
    char *path = util_asprintf("%s/%s.yaml", c->sites_dir, id);
    yaml_dom_t *doc = yaml_dom_load_file(path, x->diag);
    if (!doc) {
        free(path);
        return false;
    }
    if (c->nsites == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        c->sites = util_realloc(c->sites, *cap * sizeof *c->sites);
    }
    conf_site_t *s = &c->sites[c->nsites];
    memset(s, 0, sizeof *s);
    s->file = path;
    x->file = path;
    bool ok = conf_site_read(x, doc, s);
    yaml_dom_free(doc);
    x->file = c->file;
    if (!ok) {
        conf_site_free(s);
        conf_err_at(x, x->sites_pos, "%s gives no site", path);
        return false;
    }
    c->nsites++;
    if (strcmp(s->id, id) != 0) {
        conf_err_at(x, s->id_pos, "the file of site '%s' declares id '%s'", id, s->id);
        return false;
    }
    return true;
}

/* conf_load_sites' part of the folder: ids[0..n) and, for each site read, its parent. */
static void read_named_sites(conf_ctx_t *x, const char *const *ids, size_t n)
{
    conf_t *c = x->c;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        /* then the parents of the sites read, until one is read already (the portal, or a
         * loop that conf_rules_check reports) */
        while (id) {
            bool have = false;
            for (size_t k = 0; k < c->nsites && !have; k++)
                have = strcmp(c->sites[k].id, id) == 0;
            if (have)
                break;
            if (!read_named_site(x, id, &cap))
                return;
            id = c->sites[c->nsites - 1].parent_id;
        }
    }
    if (!c->sites)
        c->sites = util_calloc(1, sizeof *c->sites);
}

static int cmp_site(const void *a, const void *b)
{
    return strcmp(((const conf_site_t *)a)->id, ((const conf_site_t *)b)->id);
}

/* Sorts by id and turns parent ids into pointers; only run on an error-free set. */
static void link_sites(conf_t *c)
{
    qsort(c->sites, c->nsites, sizeof *c->sites, cmp_site);
    for (size_t i = 0; i < c->nsites; i++) {
        conf_site_t *s = &c->sites[i];
        if (s->kind == SITE_PORTAL)
            c->portal = s;
        if (s->parent_id)
            s->parent = (conf_site_t *)conf_site_find(c, s->parent_id);
    }
}

conf_t *conf_load(const char *path, int64_t today_days, diag_t *diag)
{
    return conf_load_opt(path, today_days, 0, diag);
}

static conf_t *load(const char *path, int64_t today_days, unsigned flags,
                    const char *const *ids, size_t nids, diag_t *diag);

conf_t *conf_load_opt(const char *path, int64_t today_days, unsigned flags, diag_t *diag)
{
    return load(path, today_days, flags, NULL, 0, diag);
}

conf_t *conf_load_sites(const char *path, int64_t today_days, unsigned flags,
                        const char *const *ids, size_t n, diag_t *diag)
{
    return load(path, today_days, flags, ids, n, diag);
}

/* ids NULL: every file of the sites folder; else only those sites and their parents. */
static conf_t *load(const char *path, int64_t today_days, unsigned flags,
                    const char *const *ids, size_t nids, diag_t *diag)
{
    size_t errors_before = diag->errors;
    conf_t *c = util_calloc(1, sizeof *c);
    c->file = util_strdup(path);
    c->dir = util_dirname(path);
    set_defaults(c);
    conf_modules_server_init(c);
    conf_ctx_t x = {.c = c, .diag = diag, .file = c->file, .today = today_days};
    if (x.today < 0)
        x.today = (int64_t)(time(NULL) / 86400);

    yaml_dom_t *doc = yaml_dom_load_file(path, diag);
    if (doc) {
        read_server(&x, doc);
        yaml_dom_free(doc);
    }
    c->partial = ids != NULL;
    if (c->sites_dir) {
        if (ids)
            read_named_sites(&x, ids, nids);
        else
            read_sites(&x);
        conf_rules_check(&x);
        conf_modules_check(&x);
        /* Themes compile with the rest, so a template error fails the load like any other. */
        if (!(flags & CONF_LOAD_NO_THEMES))
            c->themes = theme_set_load(c, diag);
    }
    /* Certificates last: only a configuration that is otherwise valid is worth the cost of
     * reading keys (unchanged ones come from tls.c's cache). */
    if (diag->errors == errors_before && !(flags & CONF_LOAD_NO_TLS))
        tls_conf_load(c, diag);
    if (diag->errors > errors_before) {
        conf_free(c);
        return NULL;
    }
    link_sites(c);
    conf_modules_ready(c);
    return c;
}

int conf_read_pid_file(const char *path, char **pid_file, diag_t *diag)
{
    *pid_file = NULL;
    size_t errors_before = diag->errors;
    yaml_dom_t *doc = yaml_dom_load_file(path, diag);
    if (!doc)
        return -1;
    conf_ctx_t x = {.diag = diag, .file = doc->file};
    const yaml_dom_node_t *v = yaml_dom_get(doc->root, "pid_file");
    const char *s = v ? conf_str(&x, v, "pid_file", "a path") : NULL;
    if (s) {
        char *dir = util_dirname(path);
        *pid_file = util_path_resolve(dir, s);
        free(dir);
    }
    yaml_dom_free(doc);
    return diag->errors > errors_before ? -1 : 0;
}

static void tls_free(conf_tls_t *t)
{
    tls_conf_release(t);
    free(t->cert);
    free(t->key);
}

void conf_free(conf_t *c)
{
    if (!c)
        return;
    conf_modules_server_free(c);
    for (size_t i = 0; i < c->nlisten; i++) {
        free(c->listen[i].address);
        free(c->listen[i].host);
    }
    free(c->listen);
    for (size_t i = 0; i < c->nsites; i++)
        conf_site_free(&c->sites[i]);
    free(c->sites);
    tls_free(&c->tls);
    theme_set_free(c->themes);
    free(c->themes_dir);
    free(c->file);
    free(c->dir);
    free(c->store);
    free(c->sites_dir);
    free(c->pid_file);
    free(c->access_log);
    free(c->error_log);
    free(c->user);
    free(c->limits.exempt);
    free(c->admin_allow);
    free(c);
}

bool conf_net_contains(const conf_net_t *n, const unsigned char a[16])
{
    int full = n->prefix / 8, rest = n->prefix % 8;
    if (memcmp(a, n->addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == (n->addr[full] & mask);
}

bool conf_nets_match(const conf_net_t *nets, size_t n, const struct sockaddr *sa)
{
    unsigned char a[16] = {0};
    if (sa->sa_family == AF_INET) {
        a[10] = a[11] = 0xff;
        memcpy(a + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    } else {
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (conf_net_contains(&nets[i], a))
            return true;
    return false;
}

const conf_site_t *conf_site_find(const conf_t *c, const char *id)
{
    size_t lo = 0, hi = c->nsites;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(id, c->sites[mid].id);
        if (r == 0)
            return &c->sites[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const conf_column_t *conf_column_find(const conf_site_t *s, const char *id)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strcmp(s->columns[i].id, id) == 0)
            return &s->columns[i];
    return NULL;
}

const char *conf_kind_name(conf_site_kind_t k)
{
    static const char *names[] = {"portal", "department", "county", "township", "village"};
    return (unsigned)k < UTIL_ARRAY_LEN(names) ? names[k] : "?";
}

