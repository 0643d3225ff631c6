/* tools/jiyuectl/cmd_ls.c: `jiyuectl ls SITE`: one line per stored page, in path order,
 * tab-separated so it can be piped into cut/awk/sort. */
#include <stdio.h>
#include <time.h>

#include "ctl.h"

typedef struct ls_state {
    size_t pages;
} ls_state_t;

static int print_page(void *ud, const char *path, size_t path_len, const store_page_t *p)
{
    ls_state_t *st = ud;
    char when[32] = "-";
    time_t t = (time_t)p->mtime;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char gz[24] = "-";
    if (p->gzip)
        snprintf(gz, sizeof gz, "%zu", p->gzip_len);
    printf("%.*s\t%.*s\t%zu\t%s\t%s\n", (int)path_len, path, (int)p->content_type_len,
           p->content_type, p->body_len, gz, when);
    st->pages++;
    return 0;
}

int ctl_cmd_ls(ctl_t *ctl, int argc, char **argv)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 1, &gen, &first);
    if (rc >= 0)
        return rc;
    const char *site = argv[first];
    char ns[128];
    if ((rc = ctl_namespace(ctl, site, gen, ns, sizeof ns)) != CTL_OK)
        return rc;
    if ((rc = ctl_load_conf(ctl)) != CTL_OK || (rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    bool known = conf_site_find(ctl->conf, site) != NULL;

    store_txn_t *t = store_read_txn_new(ctl->store);
    if (!t)
        return ctl_fail(ctl, "%s", store_strerror(STORE_EIO));
    ls_state_t st = {0};
    rc = store_read_renew(t);
    if (rc == 0)
        rc = store_page_each(t, ns, print_page, &st);
    store_txn_free(t);
    if (rc != 0)
        return ctl_fail(ctl, "%s", store_strerror(rc));
    /* The store may still hold pages of a site removed from sites.d: list those, but a
     * name that is neither configured nor stored is most likely a typo. */
    if (!known && st.pages == 0)
        return ctl_fail(ctl, "no site '%s' in sites.d and no pages stored under '%s'", site, ns);
    if (!known)
        ctl_warn(ctl, "site '%s' is not in sites.d: these pages are not served", site);
    return CTL_OK;
}
