/* tools/jiyuectl/replaced.c: see replaced.h. The rules mirror
 * modules/content/content_render.c: a site's home is rendered once its content version is
 * non-zero (the portal's once the cluster's is), a column page once the column holds an
 * article. */
#include "replaced.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* True when the namespace a site serves now holds an imported page at `path`. */
static bool imported(store_txn_t *t, const char *site, const char *path)
{
    char ns[128];
    store_page_t page;
    if (store_site_live(t, site, ns, sizeof ns) != 0)
        return false;
    return store_page_get(t, ns, path, strlen(path), &page) == 0;
}

/* Where a site's pages are: "/edu/" on the portal's host, or "http://HOST/". Heap. */
static char *site_base(const conf_site_t *s)
{
    char *p = article_site_path(s);
    if (p)
        return p;
    return util_asprintf("http://%s/", s->nhosts ? s->hosts[0] : s->id);
}

void replaced_warn(ctl_t *ctl, const article_meta_t *m)
{
    const conf_site_t *site = conf_site_find(ctl->conf, m->site);
    if (!site || !ctl->store)
        return;
    store_txn_t *t = store_read_txn_new(ctl->store);
    if (!t || store_read_renew(t) != 0) {
        store_txn_free(t);
        return;
    }
    util_buf_t b = {0};
    uint64_t ver;
    int64_t when;
    article_t a;
    if (article_get(t, m->site, m->column, m->id, &a) == 0)
        goto done; /* publish refuses it; an update replaces nothing new */
    char *base = site_base(site);
    article_version(t, site->kind == SITE_PORTAL ? NULL : site->id, &ver, &when);
    if (ver == 0 && imported(t, site->id, "/index.html"))
        util_buf_printf(&b, "%s%s (the home page of %s)", b.len ? ", " : "", base, site->id);
    const conf_site_t *portal = ctl->conf->portal;
    if (portal && portal != site) {
        article_version(t, NULL, &ver, &when);
        if (ver == 0 && imported(t, portal->id, "/index.html")) {
            char *pb = site_base(portal);
            util_buf_printf(&b, "%s%s (the portal's home page, which lists the latest articles "
                                "of every site)", b.len ? ", " : "", pb);
            free(pb);
        }
    }
    char *col = util_asprintf("/%s/index.html", m->column);
    if (article_column_count(t, site->id, m->column) == 0 && imported(t, site->id, col))
        util_buf_printf(&b, "%s%s%s/ (the page of column %s)", b.len ? ", " : "", base,
                        m->column, m->column);
    free(col);
    free(base);
    if (b.len)
        ctl_warn(ctl, "the first article here replaces imported pages with the theme's rendered "
                      "ones: %.*s; the other imported pages stay, but links to them that were "
                      "only on the replaced pages are gone", (int)b.len, b.data);
done:
    util_buf_free(&b);
    store_txn_free(t);
}
