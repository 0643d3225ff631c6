/* tools/jiyuectl/cmd_rm.c: `jiyuectl rm SITE PATH`: removes one page in one transaction;
 * the server stops serving it at the next request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "search_pages.h"
#include "util.h"

int ctl_cmd_rm(ctl_t *ctl, int argc, char **argv)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 2, &gen, &first);
    if (rc >= 0)
        return rc;
    const char *site = argv[first];
    const char *arg = argv[first + 1];
    char ns[128];
    if ((rc = ctl_namespace(ctl, site, gen, ns, sizeof ns)) != CTL_OK)
        return rc;
    if (arg[0] == '\0')
        return ctl_usage(ctl, "empty PATH");
    if ((rc = ctl_load_conf(ctl)) != CTL_OK || (rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK)
        return rc;
    bool known = conf_site_find(ctl->conf, site) != NULL;

    /* "news/a.html" and "/news/a.html" name the same page: paths are stored from '/'. */
    char *path = arg[0] == '/' ? util_strdup(arg) : util_asprintf("/%s", arg);
    store_txn_t *w = store_write_begin(ctl->store, &rc);
    if (w) {
        rc = store_page_del(w, ns, path);
        if (rc == 0) /* a page citizens no longer see is no longer found */
            rc = search_pages_forget(w, site, ns, path);
        if (rc == 0)
            rc = store_commit(w);
        else
            store_abort(w);
    }
    if (rc == STORE_NOTFOUND) {
        if (!known)
            rc = ctl_fail(ctl, "no site '%s' in sites.d and no page %s under '%s'", site, path, ns);
        else
            rc = ctl_fail(ctl, "no page %s in site '%s'", path, ns);
    } else if (rc != 0) {
        rc = ctl_store_fail(ctl, rc, "nothing was changed");
    } else {
        printf("removed %s from %s\n", path, ns);
        rc = CTL_OK;
    }
    free(path);
    return rc;
}
