/* modules/common/render_common.c: the page-number URLs and site footer fields shared by the
 * modules that render in a site's theme (see render_common.h). */
#include "render_common.h"

#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "registration.h"
#include "snapshot.h"

bool render_index_page(const char *rest, size_t rn, unsigned *page)
{
    if (rn <= 11 || memcmp(rest, "index_", 6) != 0 || memcmp(rest + rn - 5, ".html", 5) != 0)
        return false;
    const char *s = rest + 6;
    size_t n = rn - 11;
    if (n > 6 || s[0] == '0')
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *page = v;
    return true;
}

bool render_mount_prefix(const request_t *r, char *out, size_t cap)
{
    size_t plen = r->route.prefix_len;
    if (plen + 2 > cap)
        return false;
    memcpy(out, r->path, plen);
    out[plen] = '/';
    out[plen + 1] = '\0';
    return true;
}

void render_site_reg(tpl_data_t *d, tpl_val_t *m, const conf_site_t *s, const router_site_t *rs)
{
    tpl_set_str(d, m, "domain", rs ? rs->canon_host : "");
    const registration_t *reg = registration_of(s);
    tpl_set_str(d, m, "code", reg->site_code);
    tpl_set_str(d, m, "icp", reg->icp);
    tpl_set_str(d, m, "police", reg->police);
    /* 公安备案号 links to its filing record by the number's digits. */
    if (reg->police) {
        char digits[64];
        size_t n = 0;
        for (const char *p = reg->police; *p && n + 1 < sizeof digits; p++)
            if (*p >= '0' && *p <= '9')
                digits[n++] = *p;
        digits[n] = '\0';
        tpl_set_str(d, m, "police_code", digits);
    }
    tpl_set_str(d, m, "organizer", reg->organizer ? reg->organizer : s->name);
    tpl_set_str(d, m, "contact", reg->contact);
}

char *render_portal_link(const request_t *r, const conf_site_t *site, const char *prefix,
                         const conf_site_t *portal)
{
    char *tree = article_site_path(site), *ptree = article_site_path(portal);
    char *link = NULL;
    size_t pl = strlen(prefix);
    if (tree && ptree) {
        size_t tl = strlen(tree);
        if (tl >= pl && strcmp(tree + tl - pl, prefix) == 0) {
            size_t root = tl - pl + 1; /* the portal-host path at "/" of this host */
            if (strncmp(ptree, tree, root) == 0)
                link = util_asprintf("/%s", ptree + root);
        }
    }
    free(tree);
    free(ptree);
    if (!link) {
        const router_site_t *rs = router_site(r->snap->router, portal->id);
        link = util_asprintf("%s://%s%s", r->tls ? "https" : "http",
                             rs ? rs->canon_host : "localhost", rs ? rs->canon_prefix : "/");
    }
    return link;
}

void render_page_window(unsigned page, unsigned pages, unsigned *from, unsigned *to)
{
    *from = page > 4 ? page - 4 : 1;
    *to = *from + 8 < pages ? *from + 8 : pages;
    if (*to - *from < 8 && *to > 8)
        *from = *to - 8;
}
