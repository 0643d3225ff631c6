/* tools/jiyuectl/cmd_unpublish.c: `jiyuectl unpublish --by NAME [--reason TEXT] SITE COLUMN
 * ID` (or the article's URL path as `publish` printed it): takes an article down in one
 * transaction and records who did it and why in the audit trail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "ctl.h"
#include "util.h"

/* "/anning/hexi/news/x.html" -> the site whose path is the longest prefix, column, id. */
static bool split_url(const conf_t *c, const char *url, const conf_site_t **site, char **col,
                      char **id)
{
    size_t best = 0;
    *site = NULL;
    for (size_t i = 0; i < c->nsites; i++) {
        char *p = article_site_path(&c->sites[i]);
        size_t n = p ? strlen(p) : 0;
        if (p && n > best && strncmp(url, p, n) == 0) {
            best = n;
            *site = &c->sites[i];
        }
        free(p);
    }
    if (!*site)
        return false;
    const char *rest = url + best;
    const char *slash = strchr(rest, '/');
    size_t rn = strlen(rest);
    if (!slash || rn < 6 || strcmp(rest + rn - 5, ".html") != 0 || strchr(slash + 1, '/'))
        return false;
    *col = util_strndup(rest, (size_t)(slash - rest));
    *id = util_strndup(slash + 1, rn - 5 - (size_t)(slash + 1 - rest));
    return true;
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
        if (!split_url(ctl->conf, argv[optind], &s, &col, &id))
            return ctl_fail(ctl, "'%s' is not an article URL path (/SITE/COLUMN/ID.html)", argv[optind]);
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
