/* tools/jiyuectl/cmd_report.c: `jiyuectl report annual [--year YYYY] [SITE...]
 * [--format csv|json|html]`: the 政府网站工作年度报表 of each site (or those named), the
 * fields the platform knows filled in (modules/report/), the rest blank for the office.
 * Default: last year, every site, CSV. With --publish COLUMN --by NAME --reviewer NAME
 * (one SITE), the form becomes an article of that column, published as `jiyuectl publish`
 * publishes. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "ctl.h"
#include "report_format.h"

/* --publish: the site's form as an article of COLUMN, through the checks and the
 * transaction `jiyuectl publish` uses (article_check, article_publish): the publisher and
 * the reviewer are named, the reviewer's 保密审查 is today's. Prints its URL path. */
static int publish_report(ctl_t *ctl, const report_annual_t *r, const char *column,
                          const char *by, const char *reviewer)
{
    char title[256], id[32], today[11];
    int64_t now = (int64_t)time(NULL);
    article_format_day(now, today);
    snprintf(title, sizeof title, "%s政府网站工作年度报表（%d年度）", r->site->name, r->year);
    snprintf(id, sizeof id, "nianbiao-%d", r->year);
    article_meta_t m = {0};
    const char *keys[][2] = {{"site", r->site->id}, {"column", column}, {"id", id},
                             {"title", title},      {"publisher", by},  {"reviewer", reviewer},
                             {"secrecy_by", reviewer}, {"secrecy_date", today},
                             {"disclosure", "主动公开"}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        article_meta_set(&m, keys[i][0], keys[i][1]);
    m.secrecy_given = true;
    char why[512];
    int rc = CTL_OK;
    if (article_check(ctl->conf, &m, why, sizeof why)) {
        rc = ctl_fail(ctl, "--publish refused: %s", why);
        goto out;
    }
    article_meta_prepare(ctl->conf, &m); /* into a policy column: its 索引号 */
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    report_html(r, f);
    fclose(f);
    store_close(ctl->store); /* read-only until now */
    ctl->store = NULL;
    article_result_t res;
    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) == CTL_OK) {
        article_op_t op = ARTICLE_PUBLISH;
        store_txn_t *t = ctl_read_txn(ctl);
        if (t && article_exists(t, m.site, m.column, m.id))
            op = ARTICLE_UPDATE; /* made again: a new revision of the same article */
        store_txn_free(t);
        if (article_publish(ctl->store, op, &m, "html", body, len, NULL, 0, now, &res, why,
                            sizeof why) != 0)
            rc = ctl_fail(ctl, "--publish refused: %s", why);
        else {
            char *url = article_url_path(ctl->conf, m.site, m.column, m.id);
            printf("%s\n", url);
            free(url);
        }
    }
    free(body);
out:
    article_meta_free(&m);
    return rc;
}

int ctl_cmd_report(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"year", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'F'},
        {"publish", required_argument, NULL, 'P'},
        {"by", required_argument, NULL, 'B'},
        {"reviewer", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *publish = NULL, *by = NULL, *reviewer = NULL;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int year = tm.tm_year + 1900 - 1;
    const char *format = "csv";
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'y': {
            char *end;
            long y = strtol(optarg, &end, 10);
            if (*end || y < 2000 || y > 2100)
                return ctl_usage(ctl, "--year takes a year such as 2026, not '%s'", optarg);
            year = (int)y;
            break;
        }
        case 'F': format = optarg; break;
        case 'P': publish = optarg; break;
        case 'B': by = optarg; break;
        case 'R': reviewer = optarg; break;
        case 'h': return ctl_help(ctl);
        default: return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    bool json = !strcmp(format, "json"), html = !strcmp(format, "html");
    if (!json && !html && strcmp(format, "csv") != 0)
        return ctl_usage(ctl, "--format takes csv, json or html, not '%s'", format);
    if (optind >= argc || strcmp(argv[optind], "annual") != 0)
        return ctl_usage(ctl, "the report to make: annual");
    int first = optind + 1;
    if (publish && (argc - first != 1 || !by || !reviewer))
        return ctl_usage(ctl, "--publish COLUMN takes one SITE, --by NAME and --reviewer NAME");
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    if ((rc = ctl_check_sites(ctl, argc, argv, first)) != CTL_OK)
        return rc;
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    json_t *all = json && !publish ? json_pack("{s:i,s:[]}", "year", year, "sites") : NULL;
    report_annual_t pub;
    bool have_pub = false;
    if (html && !publish)
        report_html_begin(stdout, year);
    else if (!json && !publish)
        report_csv_header(stdout);
    for (size_t i = 0; i < ctl->conf->nsites && rc == CTL_OK; i++) {
        const conf_site_t *s = &ctl->conf->sites[i];
        if (!ctl_site_wanted(argc, argv, first, s->id))
            continue;
        report_annual_t r;
        int src = report_annual(t, s, year, &r);
        if (src != 0) {
            rc = ctl_store_fail(ctl, src, s->id);
            break;
        }
        if (publish) {
            pub = r;
            have_pub = true;
            break;
        }
        if (json)
            json_array_append_new(json_object_get(all, "sites"), report_json(&r));
        else if (html)
            report_html(&r, stdout);
        else
            report_csv(&r, stdout);
    }
    store_txn_free(t); /* before the store is opened for writing */
    if (publish)
        return rc == CTL_OK && have_pub ? publish_report(ctl, &pub, publish, by, reviewer) : rc;
    if (html && rc == CTL_OK)
        report_html_end(stdout);
    if (json) {
        if (rc == CTL_OK) {
            char *text = json_dumps(all, JSON_INDENT(2));
            puts(text);
            free(text);
        }
        json_decref(all);
    }
    return rc;
}
