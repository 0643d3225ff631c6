/* modules/workflow/workflow_list.c: the console's two lists of drafts (workflow.h,
 * workflow_list): an account's own drafts and the submitted drafts awaiting its review,
 * each bounded, newest first, and only what the account may read (workflow_read's rule). */
#include "workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
    const account_t *acct;
    const conf_t *conf;
    const char *site; /* NULL: every site */
    workflow_list_t *out;
    size_t max;  /* mine: stop after max + 1 */
    bool stop;   /* mine's walk stops when full; the queue's is sorted after */
} walk_t;

static void add(workflow_list_t *l, const workflow_draft_t *d)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->item = util_realloc(l->item, l->cap * sizeof *l->item);
    }
    workflow_item_t *it = &l->item[l->n++];
    memset(it, 0, sizeof *it);
    memcpy(it->id, d->id, sizeof it->id);
    it->site = util_strdup(d->site);
    it->column = util_strdup(d->column);
    it->title = util_strdup(d->title);
    it->of_site = util_strdup(d->of_site ? d->of_site : "");
    memcpy(it->editor, d->editor, sizeof it->editor);
    it->state = d->state;
    it->updated = d->updated;
    it->submitted = d->submitted;
    it->scheduled = d->scheduled;
}

static int take(void *ud, const workflow_draft_t *d)
{
    walk_t *wk = ud;
    if (wk->site && strcmp(wk->site, d->site) != 0)
        return 0;
    /* the rule of workflow_read: its editor while still an editor there, or a reviewer */
    bool own = strcmp(wk->acct->name, d->editor) == 0 &&
               account_may(wk->acct, ACCOUNT_ROLE_EDITOR, wk->conf, workflow_draft_home(d));
    if (!own && !account_may(wk->acct, ACCOUNT_ROLE_REVIEWER, wk->conf, d->site))
        return 0;
    add(wk->out, d);
    return wk->stop && wk->out->n > wk->max ? 1 : 0;
}

static int newest_first(const void *a, const void *b)
{
    const workflow_item_t *x = a, *y = b;
    if (x->submitted != y->submitted)
        return x->submitted < y->submitted ? 1 : -1;
    size_t lx = strlen(x->id), ly = strlen(y->id); /* ids are decimal without leading 0 */
    if (lx != ly)
        return lx < ly ? 1 : -1;
    return -strcmp(x->id, y->id);
}

void workflow_list_free(workflow_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->item[i].site);
        free(l->item[i].column);
        free(l->item[i].title);
        free(l->item[i].of_site);
    }
    free(l->item);
    memset(l, 0, sizeof *l);
}

static workflow_rc_t fail(workflow_err_t *e, workflow_rc_t rc, const char *field, const char *msg)
{
    e->rc = rc;
    e->field = field;
    snprintf(e->msg, sizeof e->msg, "%s", msg);
    return rc;
}

workflow_rc_t workflow_list(store_txn_t *t, const conf_t *c, const char *who,
                            workflow_view_t view, const char *site, size_t max,
                            workflow_list_t *out, workflow_err_t *e)
{
    *e = (workflow_err_t){0};
    memset(out, 0, sizeof *out);
    if (max == 0 || max > WORKFLOW_LIST_MAX)
        max = WORKFLOW_LIST_MAX;
    account_t acct = {0};
    int rc = account_get(t, who ? who : "", &acct);
    account_password_wipe(acct.hash, sizeof acct.hash);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && acct.disabled))
        return fail(e, WORKFLOW_EDENIED, NULL, "this account may not read drafts");
    if (rc != STORE_OK)
        return fail(e, WORKFLOW_ESTORE, NULL, "the store failed");
    if (site && !*site)
        site = NULL;
    if (site && !conf_site_find(c, site))
        return fail(e, WORKFLOW_EINVAL, "site", "unknown site");
    walk_t wk = {.acct = &acct, .conf = c, .site = site, .out = out, .max = max};
    if (view == WORKFLOW_VIEW_MINE) {
        if (site && !account_may(&acct, ACCOUNT_ROLE_EDITOR, c, site) &&
            !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, site))
            return fail(e, WORKFLOW_EDENIED, NULL, "this account has no role on that site");
        wk.stop = true;
        rc = workflow_each(t, WORKFLOW_INDEX_MINE, acct.name, take, &wk);
    } else {
        if (site && !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, site))
            return fail(e, WORKFLOW_EDENIED, NULL, "this account is not a reviewer of that site");
        rc = 0;
        for (size_t i = 0; rc == 0 && i < c->nsites; i++) {
            const char *sid = c->sites[i].id;
            if ((site && strcmp(site, sid) != 0) ||
                !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, sid))
                continue;
            rc = workflow_each(t, WORKFLOW_INDEX_QUEUE, sid, take, &wk);
        }
        if (out->n > 1)
            qsort(out->item, out->n, sizeof *out->item, newest_first);
    }
    if (rc < 0) {
        workflow_list_free(out);
        return fail(e, WORKFLOW_ESTORE, NULL, "the store failed");
    }
    if (out->n > max) {
        for (size_t i = max; i < out->n; i++) {
            free(out->item[i].site);
            free(out->item[i].column);
            free(out->item[i].title);
            free(out->item[i].of_site);
        }
        out->n = max;
        out->more = true;
    }
    return WORKFLOW_OK;
}
