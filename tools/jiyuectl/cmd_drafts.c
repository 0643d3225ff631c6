/* tools/jiyuectl/cmd_drafts.c: `jiyuectl drafts SITE [--queue]`: the publishing workflow's
 * drafts of a site (modules/workflow/), newest first, or with --queue only those awaiting
 * review, oldest submitted first: one tab-separated line each (id, state, column, editor,
 * last change in UTC+8, the article it publishes as, title). Read only: the console moves
 * drafts between states; this is the operator's view of them. */
#include <stdio.h>
#include <string.h>

#include "article.h"
#include "ctl.h"
#include "workflow.h"

static int print_draft(void *ud, const workflow_draft_t *d)
{
    size_t *n = ud;
    char when[17];
    article_format_minute(d->updated, when);
    printf("%s\t%s\t%s\t%s\t%s\t%s/%s/%s%s\t%s\n", d->id, workflow_state_name(d->state),
           d->column, d->editor, when, d->site, d->column, d->article,
           d->update ? " (revision)" : "", d->title);
    (*n)++;
    return 0;
}

int ctl_cmd_drafts(ctl_t *ctl, int argc, char **argv)
{
    const char *site;
    bool queue;
    int rc = ctl_parse_flag_site(ctl, argc, argv, "--queue", NULL, &queue, &site);
    if (rc >= 0)
        return rc;
    if (!site)
        return ctl_usage(ctl, "missing SITE");
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    if (!conf_site_find(ctl->conf, site))
        return ctl_fail(ctl, "unknown site '%s' (no such id in sites.d)", site);
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = store_read_txn_new(ctl->store);
    if (!t)
        return ctl_fail(ctl, "%s", store_strerror(STORE_EIO));
    size_t n = 0;
    int src = store_read_renew(t);
    if (src == 0)
        src = workflow_each(t, queue ? WORKFLOW_INDEX_QUEUE : WORKFLOW_INDEX_SITE, site,
                            print_draft, &n);
    store_txn_free(t);
    if (src != 0)
        return ctl_fail(ctl, "%s", store_strerror(src));
    if (n == 0)
        fprintf(stderr, "jiyuectl: drafts: no drafts%s of %s\n", queue ? " awaiting review" : "",
                site);
    return CTL_OK;
}
