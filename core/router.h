/* core/router.h: maps (Host, normalised path) to the site that serves it.
 *
 * Built once per configuration snapshot and read-only afterwards. A site that claims a
 * host serves at "/" of that host; every descendant mounted by `mount.path` under it
 * serves under the joined prefix (township /hexi/ under county /anning/ under the portal
 * answers at /anning/hexi/ on the portal's host, and at /hexi/ on the county's own host).
 * Lookup walks the path's directory prefixes from longest to shortest, one hash probe
 * each, so it costs O(path depth) however many sites the cluster has. An unknown host gets
 * the portal's table; an alias host answers with a redirect to the site's canonical URL. */
#ifndef JIYUE_ROUTER_H
#define JIYUE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "strmap.h"

typedef struct router_site {
    const conf_site_t *site;
    /* Canonical base URL parts: the nearest host (own or an ancestor's) and the prefix
     * under it, e.g. "www.yunling.gov.cn" + "/anning/hexi/". */
    const char *canon_host;
    char *canon_prefix;
    size_t canon_prefix_len;
} router_site_t;

typedef struct router_host router_host_t;

typedef struct router {
    strmap_t hosts;          /* lower-case host -> router_host_t* */
    router_host_t *fallback; /* the portal's first host: unknown hosts land here */
    router_site_t *sites;    /* one per conf site, same order as conf->sites */
    size_t nsites;
    router_host_t **all_hosts;
    size_t nhosts;
} router_t;

typedef enum {
    ROUTE_SITE,        /* serve from route.site; rel is the path below the mount */
    ROUTE_ALIAS,       /* 301 to location (canonical URL of the site + same path) */
    ROUTE_ADD_SLASH,   /* the path names a mount without its trailing slash: 301 to path/ */
    ROUTE_NONE         /* no site at all (an empty cluster): 404 */
} route_kind_t;

typedef struct route {
    route_kind_t kind;
    const router_site_t *rsite;
    const char *rel; /* points into the path given: begins with '/' */
    size_t rel_len;
    size_t prefix_len; /* bytes of the path that are the mount prefix (without last '/') */
    bool host_known;   /* the Host named a host of the cluster (not the fallback) */
} route_t;

/* Builds the router for a validated configuration. */
router_t *router_build(const conf_t *conf);
void router_free(router_t *r);

/* host: as sent (any case, may carry ":port"); path: normalised, begins with '/'. */
void router_resolve(const router_t *r, const char *host, size_t host_len, const char *path,
                    size_t path_len, route_t *out);

const router_site_t *router_site(const router_t *r, const char *id);

/* The canonical place of a site of a loaded configuration (parents linked), as the router
 * gives it (router_site_t.canon_host, canon_prefix): the nearest host up its ancestry
 * (*host, NULL when there is none) and the joined mount paths from there down, returned
 * (the caller frees it). */
char *router_canonical(const conf_site_t *s, const char **host);

#endif
