/* core/router.c: builds the host and prefix tables from the configuration and resolves
 * requests against them. See router.h for the model. */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct router_host {
    char *name;
    const router_site_t *alias_of; /* non-NULL: an old domain that redirects */
    strmap_t prefixes;             /* "/", "/edu/", "/anning/hexi/" -> router_site_t* */
    size_t longest;                /* the longest prefix: longer probes cannot hit */
};

typedef struct children {
    size_t *idx;
    size_t n, cap;
} children_t;

static router_host_t *host_new(router_t *r, const char *name)
{
    router_host_t *h = util_calloc(1, sizeof *h);
    h->name = util_strdup(name);
    strmap_init(&h->prefixes);
    r->all_hosts = util_realloc(r->all_hosts, (r->nhosts + 1) * sizeof *r->all_hosts);
    r->all_hosts[r->nhosts++] = h;
    strmap_put(&r->hosts, name, strlen(name), h);
    return h;
}

/* Adds `site` at `prefix` under host h, then every descendant mounted by path below it.
 * Depth is bounded by the validator (no cycles), so the recursion ends. */
static void add_subtree(router_t *r, router_host_t *h, const children_t *kids, size_t si,
                        const char *prefix)
{
    const conf_site_t *site = r->sites[si].site;
    size_t plen = strlen(prefix);
    strmap_put(&h->prefixes, prefix, plen, &r->sites[si]);
    if (plen > h->longest)
        h->longest = plen;
    for (size_t k = 0; k < kids[si].n; k++) {
        size_t ci = kids[si].idx[k];
        const conf_site_t *child = r->sites[ci].site;
        if (!child->mount_path)
            continue;
        char *p = util_asprintf("%s%s", prefix, child->mount_path + 1);
        add_subtree(r, h, kids, ci, p);
        free(p);
    }
    (void)site;
}

char *router_canonical(const conf_site_t *s, const char **host)
{
    char *prefix = util_strdup("/");
    *host = NULL;
    while (s) {
        if (s->nhosts > 0) {
            *host = s->hosts[0];
            break;
        }
        if (!s->mount_path)
            break;
        char *p = util_asprintf("%s%s", s->mount_path, prefix + 1);
        free(prefix);
        prefix = p;
        s = s->parent;
    }
    return prefix;
}

static void set_canonical(router_site_t *rs)
{
    rs->canon_prefix = router_canonical(rs->site, &rs->canon_host);
    rs->canon_prefix_len = strlen(rs->canon_prefix);
}

router_t *router_build(const conf_t *conf)
{
    router_t *r = util_calloc(1, sizeof *r);
    strmap_init(&r->hosts);
    r->nsites = conf->nsites;
    r->sites = util_calloc(conf->nsites ? conf->nsites : 1, sizeof *r->sites);
    children_t *kids = util_calloc(conf->nsites ? conf->nsites : 1, sizeof *kids);
    for (size_t i = 0; i < conf->nsites; i++) {
        r->sites[i].site = &conf->sites[i];
        const conf_site_t *parent = conf->sites[i].parent;
        if (parent) {
            children_t *c = &kids[parent - conf->sites];
            if (c->n == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 4;
                c->idx = util_realloc(c->idx, c->cap * sizeof *c->idx);
            }
            c->idx[c->n++] = i;
        }
    }
    for (size_t i = 0; i < conf->nsites; i++) {
        const conf_site_t *s = &conf->sites[i];
        set_canonical(&r->sites[i]);
        for (size_t h = 0; h < s->nhosts; h++)
            add_subtree(r, host_new(r, s->hosts[h]), kids, i, "/");
    }
    for (size_t i = 0; i < conf->nsites; i++) {
        const conf_site_t *s = &conf->sites[i];
        for (size_t a = 0; a < s->naliases; a++)
            host_new(r, s->aliases[a])->alias_of = &r->sites[i];
    }
    if (conf->portal && conf->portal->nhosts > 0)
        r->fallback = strmap_get(&r->hosts, conf->portal->hosts[0],
                                 strlen(conf->portal->hosts[0]));
    for (size_t i = 0; i < conf->nsites; i++)
        free(kids[i].idx);
    free(kids);
    return r;
}

void router_free(router_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhosts; i++) {
        strmap_free(&r->all_hosts[i]->prefixes);
        free(r->all_hosts[i]->name);
        free(r->all_hosts[i]);
    }
    free(r->all_hosts);
    for (size_t i = 0; i < r->nsites; i++)
        free(r->sites[i].canon_prefix);
    free(r->sites);
    strmap_free(&r->hosts);
    free(r);
}

/* Host as sent -> lower-case name without port or trailing dot. Returns its length, 0
 * when it does not fit (then the fallback host answers). */
static size_t clean_host(const char *host, size_t len, char *out, size_t cap)
{
    if (len > 0 && host[0] == '[') { /* IPv6 literal: keep up to ']' */
        const char *end = memchr(host, ']', len);
        len = end ? (size_t)(end - host) + 1 : len;
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon)
            len = (size_t)(colon - host);
    }
    if (len > 0 && host[len - 1] == '.')
        len--;
    if (len == 0 || len >= cap)
        return 0;
    memcpy(out, host, len);
    util_lower(out, len);
    return len;
}

void router_resolve(const router_t *r, const char *host, size_t host_len, const char *path,
                    size_t path_len, route_t *out)
{
    char name[256];
    size_t n = clean_host(host, host_len, name, sizeof name);
    const router_host_t *h = n ? strmap_get(&r->hosts, name, n) : NULL;
    memset(out, 0, sizeof *out);
    out->host_known = h != NULL;
    if (!h)
        h = r->fallback;
    if (!h) {
        out->kind = ROUTE_NONE;
        return;
    }
    if (h->alias_of) {
        out->kind = ROUTE_ALIAS;
        out->rsite = h->alias_of;
        out->rel = path;
        out->rel_len = path_len;
        return;
    }
    /* "/edu" names the mount "/edu/": redirect so relative links in its pages resolve. */
    if (path_len > 1 && path[path_len - 1] != '/' && path_len < h->longest && path_len < 1024) {
        char with_slash[1024];
        memcpy(with_slash, path, path_len);
        with_slash[path_len] = '/';
        if (strmap_get(&h->prefixes, with_slash, path_len + 1)) {
            out->kind = ROUTE_ADD_SLASH;
            out->rsite = strmap_get(&h->prefixes, with_slash, path_len + 1);
            return;
        }
    }
    /* Longest directory prefix first: "/a/b/c.html" tries "/a/b/", "/a/", "/". */
    for (size_t end = path_len < h->longest ? path_len : h->longest; end > 0; end--) {
        if (path[end - 1] != '/')
            continue;
        const router_site_t *rs = strmap_get(&h->prefixes, path, end);
        if (rs) {
            out->kind = ROUTE_SITE;
            out->rsite = rs;
            out->prefix_len = end - 1;
            out->rel = path + end - 1;
            out->rel_len = path_len - (end - 1);
            return;
        }
    }
    out->kind = ROUTE_NONE;
}

const router_site_t *router_site(const router_t *r, const char *id)
{
    for (size_t i = 0; i < r->nsites; i++)
        if (strcmp(r->sites[i].site->id, id) == 0)
            return &r->sites[i];
    return NULL;
}
