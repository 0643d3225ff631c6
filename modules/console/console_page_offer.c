/* modules/console/console_page_offer.c: /offer?site=&column=&id=: 报送 a published
 * article of a site the account edits to a column of a site above it. One form per site
 * above (its parent, its parent's parent... and the portal), each with that site's
 * columns that list articles, posting to /api/articles/offer?next=/drafts/{id} (the
 * offer's draft). The workflow decides again on the act (workflow_offer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "article_link.h"
#include "console_pages.h"
#include "content_columns.h"
#include "workflow.h"

void console_page_offer(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_t *c = r->snap->conf;
    char site_id[64], column[64], id[72];
    const conf_site_t *site = console_page_query(r, "site", site_id, sizeof site_id)
                                  ? conf_site_find(c, site_id) : NULL;
    if (!site) {
        console_page_error(r, 400, "no such site", "site", "/", 0);
        return;
    }
    if (!account_may(a, ACCOUNT_ROLE_EDITOR, c, site->id)) {
        console_page_error(r, 403, "only an editor of the site offers its articles", "site",
                           "/", 0);
        return;
    }
    article_t art;
    store_txn_t *t = request_store(r);
    if (!console_page_query(r, "column", column, sizeof column) ||
        !console_page_query(r, "id", id, sizeof id) || !article_id_ok(id) || !t ||
        article_get(t, site->id, column, id, &art) != STORE_OK || article_is_link(&art)) {
        console_page_error(r, 404, "no such published article", "id", "/", 0);
        return;
    }
    console_page_t p;
    console_page_begin(&p, "报送", s, a);
    tpl_val_t *m = tpl_set_map(p.d, p.root, "article");
    tpl_set_str(p.d, m, "site_id", site->id);
    tpl_set_str(p.d, m, "site", site->name);
    tpl_set_str(p.d, m, "column", column);
    tpl_set_str(p.d, m, "id", id);
    tpl_set_str(p.d, m, "title", art.title);
    char minute[17];
    article_format_minute(art.pubtime, minute);
    tpl_set_str(p.d, m, "date", minute);
    char *url = article_url_path(c, site->id, column, id);
    tpl_set_str(p.d, m, "url", url);
    free(url);
    tpl_val_t *targets = tpl_set_list(p.d, p.root, "targets");
    /* nearest first: the parent, its parent... the portal last */
    const conf_site_t *chain[32];
    size_t n = 0;
    for (const conf_site_t *up = site->parent; up && n < UTIL_ARRAY_LEN(chain); up = up->parent)
        chain[n++] = up;
    if (c->portal && c->portal != site && (n == 0 || chain[n - 1] != c->portal) &&
        n < UTIL_ARRAY_LEN(chain))
        chain[n++] = c->portal;
    for (size_t i = 0; i < n; i++) {
        tpl_val_t *tm = NULL, *cols = NULL;
        for (size_t k = 0; k < chain[i]->ncolumns; k++) {
            const conf_column_t *col = &chain[i]->columns[k];
            if (col->type == COLUMN_STATIC || col->type == COLUMN_INTERACTION)
                continue;
            if (!tm) {
                tm = tpl_list_add_map(p.d, targets);
                tpl_set_str(p.d, tm, "id", chain[i]->id);
                tpl_set_str(p.d, tm, "name", chain[i]->name);
                cols = tpl_set_list(p.d, tm, "columns");
            }
            tpl_val_t *cm = tpl_list_add_map(p.d, cols);
            tpl_set_str(p.d, cm, "id", col->id);
            tpl_set_str(p.d, cm, "name", col->name);
        }
    }
    console_page_finish(r, &p, 200, "console_offer.html");
}
