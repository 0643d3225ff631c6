/* modules/console/console_page_list.c: /drafts: the account's own drafts (newest first)
 * and the drafts awaiting its review on every site it reviews (newest submitted first,
 * without its own: nobody reviews their own draft). Both come from the workflow library's
 * lists (workflow_list), the ones GET /api/drafts answers, so the page lists exactly what
 * the API would; each is cut at CONSOLE_LIST_MAX lines, and says so. */
#include <stdio.h>
#include <string.h>

#include "article.h"
#include "console_pages.h"
#include "log.h"
#include "workflow.h"

#define CONSOLE_LIST_MAX 100

/* The list `view` into the page as `name`: false (after answering) when it cannot be
 * read. An account without the view's role has an empty list. */
static bool add_list(request_t *r, console_page_t *p, workflow_view_t view, const char *name)
{
    workflow_list_t l = {0};
    workflow_err_t e;
    store_txn_t *t = request_store(r);
    workflow_rc_t rc = t ? workflow_list(t, r->snap->conf, p->a->name, view, NULL,
                                         CONSOLE_LIST_MAX, &l, &e)
                         : WORKFLOW_ESTORE;
    if (rc == WORKFLOW_EDENIED) {
        tpl_set_list(p->d, p->root, name);
        return true;
    }
    if (rc != WORKFLOW_OK) {
        log_error("console: listing drafts: %s", t ? e.msg : "no read transaction");
        console_page_error(r, 503, "the drafts cannot be read", NULL, "/", 0);
        return false;
    }
    const conf_t *c = r->snap->conf;
    tpl_val_t *list = tpl_set_list(p->d, p->root, name);
    for (size_t i = 0; i < l.n; i++) {
        const workflow_item_t *it = &l.item[i];
        if (view == WORKFLOW_VIEW_QUEUE && strcmp(it->editor, p->a->name) == 0)
            continue;
        const conf_site_t *site = conf_site_find(c, it->site);
        const conf_column_t *col = site ? conf_column_find(site, it->column) : NULL;
        tpl_val_t *m = tpl_list_add_map(p->d, list);
        tpl_set_str(p->d, m, "id", it->id);
        tpl_set_str(p->d, m, "title", *it->title ? it->title : "（无标题）");
        tpl_set_str(p->d, m, "site", site ? site->name : it->site);
        tpl_set_str(p->d, m, "column", col ? col->name : it->column);
        tpl_set_str(p->d, m, "state", console_page_state_label(it->state));
        tpl_set_str(p->d, m, "state_name", workflow_state_name(it->state));
        tpl_set_str(p->d, m, "editor", it->editor);
        /* an offer (报送): from which site ("" otherwise: the name must not resolve above) */
        const conf_site_t *from = *it->of_site ? conf_site_find(c, it->of_site) : NULL;
        tpl_set_str(p->d, m, "offer_from", from ? from->name : it->of_site);
        char minute[17];
        article_format_minute(view == WORKFLOW_VIEW_QUEUE && it->submitted ? it->submitted
                                                                            : it->updated,
                              minute);
        tpl_set_str(p->d, m, "updated", minute);
    }
    char more[16];
    snprintf(more, sizeof more, "%s_more", name);
    tpl_set_bool(p->d, p->root, more, l.more);
    workflow_list_free(&l);
    return true;
}

void console_page_drafts(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_t *c = r->snap->conf;
    console_page_t p;
    console_page_begin(&p, "稿件", s, a);
    bool editor = false, reviewer = false;
    for (size_t i = 0; i < c->nsites; i++) {
        editor |= account_may(a, ACCOUNT_ROLE_EDITOR, c, c->sites[i].id);
        reviewer |= account_may(a, ACCOUNT_ROLE_REVIEWER, c, c->sites[i].id);
    }
    if (!add_list(r, &p, WORKFLOW_VIEW_MINE, "mine") ||
        (reviewer && !add_list(r, &p, WORKFLOW_VIEW_QUEUE, "queue"))) {
        tpl_data_free(p.d);
        return;
    }
    tpl_set_bool(p.d, p.root, "editor", editor);
    tpl_set_bool(p.d, p.root, "reviewer", reviewer);
    tpl_set_int(p.d, p.root, "max", CONSOLE_LIST_MAX);
    console_page_finish(r, &p, 200, "console_drafts.html");
}
