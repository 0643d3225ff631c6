/* tools/jiyuectl/cmd_unpublish.c: `jiyuectl unpublish --by NAME [--reason TEXT] SITE COLUMN
 * ID` (or the article's URL: as copied from the browser on any host of the cluster, or the
 * path `publish` printed): takes an article down in one transaction and records who did
 * it and why in the audit trail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "ctl.h"
#include "path.h"
#include "router.h"
#include "util.h"

/* An article's URL as staff copy it from the browser ("http://jtj.example/tzgg/x.html" on
 * any host of the cluster: a site's own, an alias, the portal's with a mount path) or the
 * URL path `publish` printed ("/anning/hexi/news/x.html", on the portal's host), resolved
 * by the server's own router (core/router.c) -> site, column, id. On failure reports one
 * line saying where that site's articles really are, and returns false. */
/* When the path below the site begins with another site's id ("/zhen/news/x.html" for a
 * township that is really at /xian/zhen/), where that site's articles are. Heap or NULL. */
static char *other_site_hint(const conf_t *c, const char *rel, size_t rn)
{
    if (rn < 2)
        return NULL;
    const char *seg = rel + 1, *end = memchr(seg, '/', rn - 1);
    if (!end)
        return NULL;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        if (strlen(s->id) != (size_t)(end - seg) || memcmp(s->id, seg, (size_t)(end - seg)) != 0)
            continue;
        char *p = article_site_path(s);
        char *hint = p ? util_asprintf("; %s's are at %sCOLUMN/ID.html", s->id, p)
                       : s->nhosts ? util_asprintf("; %s's are at http://%s/COLUMN/ID.html",
                                                   s->id, s->hosts[0])
                                   : NULL;
        free(p);
        return hint;
    }
    return NULL;
}

static bool split_url(ctl_t *ctl, const char *url, const conf_site_t **site, char **col,
                      char **id)
{
    size_t ulen = strlen(url);
    const char *hash = memchr(url, '#', ulen);
    if (hash)
        ulen = (size_t)(hash - url); /* a fragment never reaches a server */
    char path[2048];
    size_t plen;
    path_target_t info;
    if (ulen == 0 || path_normalize(url, ulen, path, sizeof path, &plen, &info) != PATH_OK) {
        ctl_fail(ctl, "'%s' is not an article URL (http://HOST/.../COLUMN/ID.html, or the URL "
                      "path `publish` printed)", url);
        return false;
    }
    router_t *r = router_build(ctl->conf);
    route_t rt;
    /* No host (a URL path): the portal's host, where `publish` prints paths for. */
    router_resolve(r, info.host_len ? info.host : "", info.host_len, path, plen, &rt);
    bool ok = false;
    if (info.host_len && !rt.host_known) {
        ctl_fail(ctl, "'%.*s' is not a host of this cluster (no site in sites.d has it in "
                      "mount.hosts or mount.aliases)", (int)info.host_len, info.host);
    } else if (rt.kind == ROUTE_NONE || !rt.rsite) {
        ctl_fail(ctl, "'%s' belongs to no site of this cluster", url);
    } else {
        /* On an alias host the whole path is below the site's mount. */
        const char *rel = rt.kind == ROUTE_SITE ? rt.rel : path;
        size_t rn = rt.kind == ROUTE_SITE ? rt.rel_len : plen;
        const char *slash = rn > 1 ? memchr(rel + 1, '/', rn - 1) : NULL;
        if (rt.kind != ROUTE_ADD_SLASH && slash && rn > 6 &&
            memcmp(rel + rn - 5, ".html", 5) == 0 && !memchr(slash + 1, '/', (size_t)(rel + rn - slash - 1)) &&
            (size_t)(rel + rn - slash - 1) > 5) {
            *col = util_strndup(rel + 1, (size_t)(slash - rel - 1));
            *id = util_strndup(slash + 1, (size_t)(rel + rn - slash - 1) - 5);
            ok = true;
        } else {
            /* The layout of the site the URL landed on, as seen on that host. */
            size_t pre = rt.kind == ROUTE_SITE ? rt.prefix_len : 0;
            if (rt.kind == ROUTE_ADD_SLASH)
                pre = plen;
            char *where = info.host_len ? util_asprintf("http://%.*s%.*s", (int)info.host_len,
                                                        info.host, (int)pre, path)
                                        : util_asprintf("%.*s", (int)pre, path);
            char *also = other_site_hint(ctl->conf, rel, rn);
            ctl_fail(ctl, "'%s' is not an article URL: articles of %s (%s) are at "
                          "%s/COLUMN/ID.html%s", url, rt.rsite->site->name, rt.rsite->site->id,
                     where, also ? also : "");
            free(where);
            free(also);
        }
    }
    if (ok)
        *site = rt.rsite->site;
    router_free(r);
    return ok;
}

int ctl_cmd_unpublish(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"by", required_argument, NULL, 'b'},
        {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *by = NULL, *reason = "";
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "b:r:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            by = optarg;
            break;
        case 'r':
            reason = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            return ctl_usage(ctl, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    int nargs = argc - optind;
    if (nargs != 1 && nargs != 3)
        return ctl_usage(ctl, "give SITE COLUMN ID, or the article's URL path");
    if (!by || !*by)
        return ctl_usage(ctl, "--by NAME is required: the audit trail records who took it down");
    int rc;
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    char *col = NULL, *id = NULL;
    const char *site_id;
    if (nargs == 1) {
        const conf_site_t *s;
        if (!split_url(ctl, argv[optind], &s, &col, &id))
            return CTL_FAIL;
        site_id = s->id;
    } else {
        site_id = argv[optind];
        col = util_strdup(argv[optind + 1]);
        id = util_strdup(argv[optind + 2]);
        size_t n = strlen(id);
        if (n > 5 && strcmp(id + n - 5, ".html") == 0)
            id[n - 5] = '\0';
    }
    const conf_site_t *s = conf_site_find(ctl->conf, site_id);
    if (!s)
        rc = ctl_fail(ctl, "unknown site '%s' (no such id in sites.d)", site_id);
    else if (!conf_column_find(s, col))
        rc = ctl_fail(ctl, "site '%s' has no column '%s'", site_id, col);
    else if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) == CTL_OK) {
        char err[512];
        if (article_unpublish(ctl->store, site_id, col, id, by, reason, (int64_t)time(NULL), NULL,
                              err, sizeof err) != 0) {
            rc = ctl_fail(ctl, "%s", err);
        } else {
            printf("unpublished %s/%s/%s.html\n", site_id, col, id);
            rc = CTL_OK;
        }
    }
    free(col);
    free(id);
    return rc;
}
