/* tools/jiyuectl/cmd_history.c: `jiyuectl history [SITE]`: the audit trail, oldest first:
 * its number (1, 2, 3... in the trail listed), when, what, which article and revision, who
 * did it and who reviewed it; and the changes to console accounts (`jiyuectl user`: no
 * site, so listed with the whole cluster's trail only) and the steps of the publishing
 * workflow (draft-create, draft-update, draft-submit, draft-approve, draft-reject: the
 * draft's id and the account that took the step). What each record's fields mean is
 * article_trail_kind's rule, which the console's GET /api/history shares. */
#include <stdio.h>
#include <string.h>

#include "article.h"
#include "ctl.h"

static int print_one(void *ud, const article_audit_t *a)
{
    size_t *n = ud;
    char when[17];
    article_format_minute(a->time, when);
    article_trail_kind_t kind = article_trail_kind(a);
    if (kind == ARTICLE_TRAIL_ACCOUNT) {
        /* a console account's change (cmd_user.c): no site, the account as id */
        printf("%llu\t%s\t%s\tuser %s\tby %s%s%s%s%s\n", (unsigned long long)a->seq, when,
               a->action, a->id, a->who, *a->title ? "\troles: " : "", a->title,
               *a->note ? "\t" : "", a->note);
        (*n)++;
        return 0;
    }
    if (kind == ARTICLE_TRAIL_DRAFT) {
        /* a step of the publishing workflow (modules/workflow): the draft's id, the account */
        printf("%llu\t%s\t%s\t%s/%s draft %s\tby %s%s%s\t%s\n", (unsigned long long)a->seq,
               when, a->action, a->site, a->column, a->id, a->who, *a->note ? "\t" : "", a->note,
               a->title);
        (*n)++;
        return 0;
    }
    printf("%llu\t%s\t%s\t%s/%s/%s\trev %u\tby %s", (unsigned long long)a->seq, when, a->action,
           a->site, a->column, a->id, a->revision, a->who);
    if (kind == ARTICLE_TRAIL_ARTICLE)
        printf("\treviewed by %s\t%s", a->reviewer, a->note);
    else
        printf("\treason: %s", *a->note ? a->note : "-");
    printf("\t%s\n", a->title);
    (*n)++;
    return 0;
}

int ctl_cmd_history(ctl_t *ctl, int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        return ctl_help(ctl);
    if (argc > 2)
        return ctl_usage(ctl, "too many arguments");
    const char *site = argc == 2 ? argv[1] : NULL;
    int rc;
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    /* A site removed from sites.d (and purged) keeps its trail: it is still listed. */
    bool known = !site || conf_site_find(ctl->conf, site);
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    size_t n = 0;
    rc = article_history_each(t, site, print_one, &n);
    store_txn_free(t);
    if (rc < 0)
        return ctl_store_fail(ctl, rc, "the history could not be read");
    if (n == 0 && !known)
        return ctl_fail(ctl, "unknown site '%s' (no such id in sites.d, no record in the "
                             "trail)", site);
    if (n == 0)
        fprintf(stderr, "jiyuectl: history: no records%s%s\n", site ? " for " : "", site ? site : "");
    return CTL_OK;
}
