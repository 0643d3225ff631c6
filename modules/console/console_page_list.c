/* modules/console/console_page_list.c: /drafts: the account's own drafts (newest first),
 * and the drafts awaiting its review on every site it reviews (oldest submitted first,
 * without its own: nobody reviews their own draft). Each list is cut at
 * CONSOLE_LIST_MAX drafts, and says so. */
#include <string.h>

#include "console_pages.h"
#include "log.h"
#include "workflow.h"

#define CONSOLE_LIST_MAX 100

typedef struct lister {
    console_page_t *p;
    tpl_val_t *list;
    const conf_t *c;
    const account_t *a;
    size_t n;
    bool more;
    bool queue; /* awaiting review: skip the account's own */
} lister_t;

static int add(void *ud, const workflow_draft_t *d)
{
    lister_t *l = ud;
    if (l->queue && strcmp(d->editor, l->a->name) == 0)
        return 0;
    /* A draft stays listed under its editor after the account lost the site (its record
     * keeps the editor): listed only where the account may still read it. */
    if (!l->queue && !account_may(l->a, ACCOUNT_ROLE_EDITOR, l->c, d->site) &&
        !account_may(l->a, ACCOUNT_ROLE_REVIEWER, l->c, d->site))
        return 0;
    if (l->n == CONSOLE_LIST_MAX) {
        l->more = true;
        return 1;
    }
    l->n++;
    console_page_draft_summary(l->p, tpl_list_add_map(l->p->d, l->list), d, l->c);
    return 0;
}

void console_page_drafts(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_t *c = r->snap->conf;
    store_txn_t *t = request_store(r);
    if (!t) {
        console_page_error(r, 503, "the store cannot be read", NULL, "/", 0);
        return;
    }
    console_page_t p;
    console_page_begin(&p, "稿件", s, a);
    lister_t mine = {&p, tpl_set_list(p.d, p.root, "mine"), c, a, 0, false, false};
    int rc = workflow_each(t, WORKFLOW_INDEX_MINE, a->name, add, &mine);
    lister_t queue = {&p, tpl_set_list(p.d, p.root, "queue"), c, a, 0, false, true};
    bool reviewer = false;
    for (size_t i = 0; rc >= 0 && i < c->nsites && !queue.more; i++) {
        if (!account_may(a, ACCOUNT_ROLE_REVIEWER, c, c->sites[i].id))
            continue;
        reviewer = true;
        rc = workflow_each(t, WORKFLOW_INDEX_QUEUE, c->sites[i].id, add, &queue);
    }
    if (rc < 0) {
        log_error("console: listing drafts: %s", store_strerror(rc));
        tpl_data_free(p.d);
        console_page_error(r, 503, "the drafts cannot be read", NULL, "/", 0);
        return;
    }
    bool editor = false;
    for (size_t i = 0; i < c->nsites && !editor; i++)
        editor = account_may(a, ACCOUNT_ROLE_EDITOR, c, c->sites[i].id);
    tpl_set_bool(p.d, p.root, "editor", editor);
    tpl_set_bool(p.d, p.root, "reviewer", reviewer);
    tpl_set_bool(p.d, p.root, "mine_more", mine.more);
    tpl_set_bool(p.d, p.root, "queue_more", queue.more);
    tpl_set_int(p.d, p.root, "max", CONSOLE_LIST_MAX);
    console_page_finish(r, &p, 200, "console_drafts.html");
}
