/* tools/jiyuectl/cmd_messages.c: `jiyuectl messages SITE [--open|--overdue|--all] [--show
 * CODE]`: a site's citizen messages with their age and status, newest first per
 * interaction column (spam only with --all), and one message in full (contact details and
 * the whole reply trail) for the staff who answer it; and `jiyuectl messages SITE --spam
 * CODE... --by NAME`, which takes spam out of every list, count and the audit's clock, in
 * one transaction with an audit-trail record per message naming who did it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "content_columns.h"
#include "ctl.h"
#include "interaction_conf.h"
#include "message.h"
#include "util.h"

typedef struct lister {
    const conf_site_t *site;
    bool open_only, overdue_only;
    int64_t now;
    size_t n;
} lister_t;

static int print_one(void *ud, const message_t *m)
{
    lister_t *l = ud;
    bool overdue = message_overdue(l->site, m, l->now);
    if (m->spam_time && (l->open_only || l->overdue_only))
        return 0;
    if ((l->open_only && m->nreplies) || (l->overdue_only && !overdue))
        return 0;
    char when[17];
    article_format_minute(m->created, when);
    long long age = (long long)((l->now - m->created) / MESSAGE_DAY);
    printf("%s\t%s\t%s\t%lldd\t", m->code, m->column, when, age);
    if (m->spam_time)
        printf("SPAM");
    else if (m->nreplies)
        printf("answered in %ud (%u repl%s)", message_days(m->created, m->first_reply),
               m->nreplies, m->nreplies == 1 ? "y" : "ies");
    else
        printf("%s", overdue ? "OVERDUE" : "open");
    printf("\t%s\n", m->title);
    l->n++;
    return 0;
}

static int print_reply(void *ud, const message_reply_t *r)
{
    char when[17];
    article_format_minute(r->time, when);
    printf("\nreply %u\t%s\tby %s%s\n%s\n", r->n, when, r->by,
           r->n < *(uint32_t *)ud ? "\t(superseded by a later reply)" : "", r->text);
    return 0;
}

static int show(ctl_t *ctl, store_txn_t *t, const conf_site_t *site, const char *code, int64_t now)
{
    message_t m;
    int rc = message_get(t, code, &m);
    if (rc == STORE_NOTFOUND || (rc == 0 && strcmp(m.site, site->id) != 0))
        return ctl_fail(ctl, "no message %s on site '%s'", code, site->id);
    if (rc != 0)
        return ctl_store_fail(ctl, rc, "the message could not be read");
    char when[17];
    article_format_minute(m.created, when);
    printf("code:     %s\nsite:     %s/%s\nreceived: %s (%lld days ago)\n", m.code, m.site,
           m.column, when, (long long)((now - m.created) / MESSAGE_DAY));
    if (m.spam_time) {
        char marked[17];
        article_format_minute(m.spam_time, marked);
        printf("status:   spam (marked by %s at %s)\n", m.spam_by, marked);
    } else {
        printf("status:   %s\n", m.nreplies ? "answered" : "open");
    }
    printf("name:     %s\nphone:    %s\nemail:    %s\naddress:  %s\n", m.name, m.phone,
           *m.email ? m.email : "-", m.addr);
    printf("title:    %s\n\n%s\n", m.title, m.body);
    uint32_t last = m.nreplies;
    rc = message_replies_each(t, code, print_reply, &last);
    return rc < 0 ? ctl_store_fail(ctl, rc, "the replies could not be read") : CTL_OK;
}

/* --spam: every code must be a message of this site; all are marked in one transaction
 * (or none), each with its audit-trail record. */
static int mark_spam(ctl_t *ctl, const conf_site_t *site, char **codes, int n, const char *by)
{
    size_t chars;
    if (!by || !*by)
        return ctl_usage(ctl, "--by NAME is required: the audit trail says who marked spam");
    if (!message_text_ok(by, strlen(by), false, &chars) || chars > MESSAGE_BY_MAX)
        return ctl_fail(ctl, "--by must be UTF-8 text on one line, at most %d characters",
                        MESSAGE_BY_MAX);
    if (n == 0)
        return ctl_usage(ctl, "give the receipt CODE of each message to mark spam");
    for (int i = 0; i < n; i++)
        if (!message_code_ok(codes[i], strlen(codes[i])))
            return ctl_fail(ctl, "'%s' is not a receipt code (%d of a-z and 2-7)", codes[i],
                            MESSAGE_CODE_LEN);
    store_txn_t *w;
    int rc = ctl_write_begin(ctl, CTL_STORE_WRITE, "cannot start a write", &w);
    if (rc != CTL_OK)
        return rc;
    int src = 0;
    int64_t now = (int64_t)time(NULL);
    util_buf_t out = {0};
    for (int i = 0; i < n && src == 0; i++) {
        message_t m;
        src = message_get(w, codes[i], &m);
        if (src == STORE_NOTFOUND || (src == 0 && strcmp(m.site, site->id) != 0)) {
            store_abort(w);
            util_buf_free(&out);
            return ctl_fail(ctl, "no message %s on site '%s': nothing marked", codes[i], site->id);
        }
        if (src != 0)
            break;
        if (m.spam_time) {
            util_buf_printf(&out, "%s was already marked spam by %s\n", codes[i], m.spam_by);
            continue;
        }
        char *column = util_strdup(m.column), *title = util_strdup(m.title);
        src = message_mark_spam(w, codes[i], by, now);
        uint64_t seq = 0;
        if (src == 0)
            src = article_audit_append(w, now, "spam", site->id, column, codes[i], by, title,
                                       "", &seq);
        if (src == 0)
            util_buf_printf(&out, "%s marked spam by %s (audit record %llu)\n", codes[i], by,
                            (unsigned long long)seq);
        free(column);
        free(title);
    }
    if ((rc = ctl_store_finish(ctl, w, src, "nothing was marked")) == CTL_OK)
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
    util_buf_free(&out);
    return rc;
}

int ctl_cmd_messages(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"open", no_argument, NULL, 'o'},
        {"overdue", no_argument, NULL, 'd'},
        {"show", required_argument, NULL, 's'},
        {"all", no_argument, NULL, 'a'},
        {"spam", no_argument, NULL, 'x'},
        {"by", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    lister_t l = {0};
    const char *code = NULL, *by = NULL;
    bool spam = false, all = false;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            l.open_only = true;
            break;
        case 'd':
            l.overdue_only = true;
            break;
        case 's':
            code = optarg;
            break;
        case 'a':
            all = true;
            break;
        case 'x':
            spam = true;
            break;
        case 'b':
            by = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            return ctl_usage(ctl, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (spam && (code || all || l.open_only || l.overdue_only))
        return ctl_usage(ctl, "--spam takes only codes and --by NAME");
    if (by && !spam)
        return ctl_usage(ctl, "--by NAME goes with --spam");
    if (argc - optind < 1 || (!spam && argc - optind != 1))
        return ctl_usage(ctl, "give one SITE");
    int rc;
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    l.site = conf_site_find(ctl->conf, argv[optind]);
    if (!l.site)
        return ctl_fail(ctl, "unknown site '%s' (no such id in sites.d)", argv[optind]);
    if (spam)
        return mark_spam(ctl, l.site, argv + optind + 1, argc - optind - 1, by);
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    l.now = (int64_t)time(NULL);
    if (code) {
        rc = show(ctl, t, l.site, code, l.now);
        store_txn_free(t);
        return rc;
    }
    size_t columns = 0;
    for (size_t i = 0; i < l.site->ncolumns && rc == CTL_OK; i++) {
        const conf_column_t *c = &l.site->columns[i];
        if (c->type != COLUMN_INTERACTION)
            continue;
        columns++;
        int r = message_each(t, l.site->id, c->id, false, 0, SIZE_MAX, print_one, &l);
        if (all && (r >= 0 || r == STORE_NOTFOUND))
            r = message_spam_each(t, l.site->id, c->id, print_one, &l);
        if (r < 0 && r != STORE_NOTFOUND)
            rc = ctl_store_fail(ctl, r, "the messages could not be read");
    }
    store_txn_free(t);
    if (rc != CTL_OK)
        return rc;
    if (columns == 0)
        return ctl_fail(ctl, "site '%s' has no column of type interaction", l.site->id);
    if (l.n == 0)
        fprintf(stderr, "jiyuectl: messages: no %smessages on %s\n",
                l.overdue_only ? "overdue " : l.open_only ? "open " : "", l.site->id);
    return CTL_OK;
}
