/* tools/jiyuectl/cmd_audit.c: `jiyuectl audit [SITE...] [--at YYYY-MM-DD]
 * [--format text|json|html] [--out FILE]`: self-inspection (自查) of the whole cluster, or
 * of the named sites, as of now or as of the end of the --at day (Beijing time), against
 * the national spot-check rules. Exit 0 when no site has a veto-level finding, 1 when one
 * has (or the audit could not run), 2 on a usage error. The rules and the findings'
 * bookkeeping are the audit module's (modules/audit/audit.h: audit_rules.c,
 * audit_links.c); the reports are audit_report.c and audit_html.c. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "audit_report.h"
#include "audit_runs.h"
#include "ctl.h"

/* "2026-11-27" -> the last second of that day in Beijing time. */
static int parse_at(const char *s, int64_t *at)
{
    int64_t days;
    if (strlen(s) != 10 || util_parse_date(s, &days) != 0)
        return -1;
    *at = days * 86400 + 86400 - 1 - ARTICLE_TZ_OFFSET;
    return 0;
}

/* Audits every site named on the command line (all when none is) into a->sites. */
static int audit_sites(ctl_t *ctl, audit_t *a, int argc, char **argv, int first)
{
    const conf_t *c = a->conf;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *cs = &c->sites[i];
        if (!ctl_site_wanted(argc, argv, first, cs->id))
            continue;
        audit_site_t *s = &a->sites[a->nsites++];
        s->conf = cs;
        s->rs = router_site(a->router, cs->id);
        /* https when plain HTTP only redirects there: the URL citizens end up at */
        s->base = util_asprintf("%s://%s%s", cs->https_redirect ? "https" : "http",
                                s->rs && s->rs->canon_host ? s->rs->canon_host : "",
                                s->rs ? s->rs->canon_prefix : "/");
        strmap_init(&s->agg_index);
        int src = s->rs ? audit_site(a, s) : 0;
        if (src < 0)
            return ctl_fail(ctl, "reading the store for %s: %s", cs->id, store_strerror(src));
    }
    return CTL_OK;
}

/* Writes the report in `format` (text, json, html) to out_path, or stdout when NULL. */
static int write_report(ctl_t *ctl, const audit_t *a, const char *format, const char *out_path)
{
    FILE *out = stdout;
    if (out_path && !(out = fopen(out_path, "w")))
        return ctl_fail(ctl, "cannot write %s", out_path);
    int rc = CTL_OK;
    if (strcmp(format, "json") == 0)
        audit_write_json(out, a);
    else if (strcmp(format, "html") == 0)
        audit_write_html(out, a);
    else
        audit_write_text(out, a);
    if (fflush(out) != 0 || ferror(out))
        rc = ctl_fail(ctl, "cannot write the report");
    if (out != stdout && fclose(out) != 0 && rc == CTL_OK)
        rc = ctl_fail(ctl, "cannot write %s", out_path);
    return rc;
}

/* The command line's options. */
typedef struct audit_opts {
    const char *at;     /* --at YYYY-MM-DD, or NULL: now */
    const char *format; /* text, json or html */
    const char *out;    /* --out FILE, or NULL: stdout */
} audit_opts_t;

/* Reads the options into o (optind then points at the first site); returns -1 to go on,
 * else the exit code (after --help or a usage error). */
static int parse_opts(ctl_t *ctl, int argc, char **argv, audit_opts_t *o)
{
    static const struct option longopts[] = {
        {"at", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "a:f:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'a':
            o->at = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            if (optopt)
                return ctl_usage(ctl, "option '%s' needs a value", argv[optind - 1]);
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0 &&
        strcmp(o->format, "html") != 0)
        return ctl_usage(ctl, "--format is text, json or html, not '%s'", o->format);
    return -1;
}

/* Keeps what this run found over each site (audit_runs.h), for the annual report's
 * self-inspection figures. The audit read the store read-only; the record needs it
 * writable, so it is opened again for this one transaction. A run that cannot be recorded
 * (a read-only store) says so and still stands. A backdated run (--at) is not recorded:
 * it is an inspection of the past, not one made now. */
static void record_runs(ctl_t *ctl, const audit_t *a)
{
    store_close(ctl->store);
    ctl->store = NULL;
    store_txn_t *w;
    if (ctl_write_begin(ctl, CTL_STORE_WRITE, "recording the audit run", &w) != CTL_OK) {
        ctl_warn(ctl, "this run is not recorded for the annual report");
        return;
    }
    int src = 0;
    for (size_t i = 0; i < a->nsites && src == 0; i++)
        src = audit_runs_record(w, &a->sites[i], a->at);
    if (ctl_store_finish(ctl, w, src, "recording the audit run") != CTL_OK)
        ctl_warn(ctl, "this run is not recorded for the annual report");
}

/* Applies the rules to the sites named from argv[first] on (all when none is) as of a->at,
 * and writes the report. */
static int run(ctl_t *ctl, audit_t *a, const audit_opts_t *o, int argc, char **argv, int first)
{
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    const conf_t *c = ctl->conf;
    if ((rc = ctl_check_sites(ctl, argc, argv, first)) != CTL_OK)
        return rc;
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    a->conf = c;
    a->au = audit_conf(c);
    a->router = router_build(c);
    a->t = ctl_read_txn(ctl);
    if (!a->t) {
        router_free(a->router);
        return CTL_FAIL;
    }
    a->sites = util_calloc(c->nsites + 1, sizeof *a->sites);
    audit_links_prepare(a);
    rc = audit_sites(ctl, a, argc, argv, first);
    bool any_fail = false;
    if (rc == CTL_OK) {
        rc = write_report(ctl, a, o->format, o->out);
        for (size_t i = 0; i < a->nsites; i++)
            any_fail = any_fail || audit_site_fails(&a->sites[i]);
    }
    store_txn_free(a->t);
    a->t = NULL;
    if (rc == CTL_OK && !o->at)
        record_runs(ctl, a);
    for (size_t i = 0; i < a->nsites; i++)
        audit_site_free(&a->sites[i]);
    free(a->sites);
    audit_links_done(a);
    router_free(a->router);
    if (rc != CTL_OK)
        return rc;
    return any_fail ? CTL_FAIL : CTL_OK;
}

int ctl_cmd_audit(ctl_t *ctl, int argc, char **argv)
{
    audit_opts_t o = {.format = "text"};
    int rc = parse_opts(ctl, argc, argv, &o);
    if (rc >= 0)
        return rc;
    audit_t a = {0};
    if (o.at) {
        if (parse_at(o.at, &a.at) != 0)
            return ctl_usage(ctl, "--at '%s' is not a date (YYYY-MM-DD)", o.at);
    } else {
        a.at = (int64_t)time(NULL);
    }
    article_format_day(a.at, a.at_day);
    return run(ctl, &a, &o, argc, argv, optind);
}
