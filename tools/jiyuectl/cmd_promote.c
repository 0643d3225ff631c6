/* tools/jiyuectl/cmd_promote.c: `jiyuectl promote SITE GEN`: the redesign's switch. The
 * pages of generation GEN ("SITE@GEN", imported with `import --generation GEN`) become
 * what the site serves, in one write transaction that records the generation served
 * until now for `rollback`. The server reads the switch in the same read transaction as
 * each page, so no request ever mixes the two generations and no reload is needed. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "search_pages.h"
#include "gen.h"
#include "lifecycle.h"
#include "store_keys.h"

int ctl_cmd_promote(ctl_t *ctl, int argc, char **argv)
{
    const char *gopt;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 2, &gopt, &first);
    if (rc >= 0)
        return rc;
    if (gopt)
        return ctl_usage(ctl, "the generation is the second operand, not --generation");
    const char *site = argv[first], *gen = argv[first + 1];
    char ns[128];
    if ((rc = ctl_namespace(ctl, site, gen, ns, sizeof ns)) != CTL_OK)
        return rc;
    const conf_site_t *s;
    if ((rc = ctl_load_site(ctl, site, &s)) != CTL_OK)
        return rc;
    store_txn_t *w;
    if ((rc = ctl_write_begin(ctl, CTL_STORE_WRITE, "nothing was changed", &w)) != CTL_OK)
        return rc;
    int src;
    char cur[64], label[96];
    src = gen_live(w, site, cur, sizeof cur);
    if (src != 0) {
        store_abort(w);
        return ctl_store_fail(ctl, src, "nothing was changed");
    }
    if (strcmp(cur, gen) == 0) {
        store_abort(w);
        return ctl_fail(ctl, "%s already serves generation %s", site, gen);
    }
    /* Promoting an empty generation would take the whole site down. */
    if (!gen_has_pages(w, ns)) {
        store_abort(w);
        return ctl_fail(ctl, "generation %s of %s has no pages (import them first: jiyuectl "
                             "import --generation %s %s DIR): nothing was changed",
                        gen, site, gen, site);
    }
    src = gen_put(w, STORE_META_PREV, site, cur);
    if (src == 0)
        src = gen_put(w, STORE_META_LIVE, site, gen);
    if (src == 0) /* the new generation's pages become searchable in the same commit */
        src = search_pages_sync(w, site, NULL);
    if ((rc = ctl_store_finish(ctl, w, src, "nothing was changed")) != CTL_OK)
        return rc;
    printf("%s now serves generation %s (was %s; `jiyuectl rollback %s` switches back)\n", site,
           gen, gen_label(cur, site, label, sizeof label), site);
    if (lifecycle_conf(s)->state == LIFECYCLE_REDESIGN)
        printf("when the new generation is confirmed, set `status: active` in %s and reload\n",
               s->file);
    return CTL_OK;
}
