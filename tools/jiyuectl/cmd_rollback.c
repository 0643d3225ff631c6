/* tools/jiyuectl/cmd_rollback.c: `jiyuectl rollback SITE`: switches a site back to the
 * generation it served before the last promote (and a second rollback switches forward
 * again): the live and previous generations trade places in one write transaction. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "search_pages.h"
#include "gen.h"
#include "store_keys.h"

int ctl_cmd_rollback(ctl_t *ctl, int argc, char **argv)
{
    const char *gopt;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 1, &gopt, &first);
    if (rc >= 0)
        return rc;
    if (gopt)
        return ctl_usage(ctl, "rollback takes no --generation");
    const char *site = argv[first];
    if ((rc = ctl_load_site(ctl, site, NULL)) != CTL_OK)
        return rc;
    store_txn_t *w;
    if ((rc = ctl_write_begin(ctl, CTL_STORE_WRITE, "nothing was changed", &w)) != CTL_OK)
        return rc;
    int src;
    char cur[64], prev[64], l1[96], l2[96];
    src = gen_get(w, STORE_META_PREV, site, prev, sizeof prev);
    if (src == STORE_NOTFOUND) {
        store_abort(w);
        return ctl_fail(ctl, "%s was never promoted: there is nothing to roll back to", site);
    }
    if (src == 0)
        src = gen_live(w, site, cur, sizeof cur);
    if (src == 0) {
        char ns[160];
        snprintf(ns, sizeof ns, prev[0] ? "%s@%s" : "%s", site, prev);
        if (!gen_has_pages(w, ns)) {
            store_abort(w);
            return ctl_fail(ctl, "the previous generation %s of %s has no pages any more: "
                                 "nothing was changed", gen_label(prev, site, l1, sizeof l1), site);
        }
        src = gen_put(w, STORE_META_LIVE, site, prev);
    }
    if (src == 0)
        src = gen_put(w, STORE_META_PREV, site, cur);
    if (src == 0) /* and what is searchable with it */
        src = search_pages_sync(w, site, NULL);
    if ((rc = ctl_store_finish(ctl, w, src, "nothing was changed")) != CTL_OK)
        return rc;
    printf("%s now serves generation %s again (was %s)\n", site,
           gen_label(prev, site, l1, sizeof l1), gen_label(cur, site, l2, sizeof l2));
    return CTL_OK;
}
