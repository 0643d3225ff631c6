/* tools/jiyuectl/cmd_redirects.c: `jiyuectl redirects SITE`: the migration redirects stored
 * for a site (modules/static/redirect.h), one "OLD -> NEW" per line in key order: OLD an old path
 * with its query, NEW a path below the site's mount or an absolute URL. Redirects an older
 * store keeps for one generation only are listed after them, marked so. */
#include <stdio.h>

#include "ctl.h"
#include "redirect.h"

typedef struct redirects_state {
    size_t n;
} redirects_state_t;

static int print_redirect(void *ud, const char *gen, size_t gen_len, const char *old,
                          size_t old_len, const char *to, size_t to_len)
{
    redirects_state_t *st = ud;
    printf("%.*s -> %.*s", (int)old_len, old, (int)to_len, to);
    if (gen)
        printf("  (generation %.*s only: import the mirror again to keep it after a promote)",
               (int)gen_len, gen);
    putchar('\n');
    st->n++;
    return 0;
}

int ctl_cmd_redirects(ctl_t *ctl, int argc, char **argv)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 1, &gen, &first);
    if (rc >= 0)
        return rc;
    if (gen)
        return ctl_usage(ctl, "redirects belong to the site, not to a generation: no --generation");
    const char *site = argv[first];
    if ((rc = ctl_load_conf(ctl)) != CTL_OK || (rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    bool known = conf_site_find(ctl->conf, site) != NULL;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    redirects_state_t st = {0};
    rc = redirect_each(t, site, print_redirect, &st);
    store_txn_free(t);
    if (rc != 0)
        return ctl_fail(ctl, "%s", store_strerror(rc));
    if (!known && st.n == 0)
        return ctl_fail(ctl, "no site '%s' in sites.d and no redirects stored for it", site);
    if (!known)
        ctl_warn(ctl, "site '%s' is not in sites.d: these redirects are not served", site);
    if (st.n == 0)
        fprintf(stderr, "jiyuectl: redirects: no redirects stored for %s\n", site);
    return CTL_OK;
}
