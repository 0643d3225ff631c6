/* tools/jiyuectl/cmd_report.c: `jiyuectl report annual [--year YYYY] [SITE...]
 * [--format csv|json|html]`: the 政府网站工作年度报表 of each site (or those named), the
 * fields the platform knows filled in (modules/report/), the rest blank for the office.
 * Default: last year, every site, CSV. Read only. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "report_format.h"

int ctl_cmd_report(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"year", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
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
    json_t *all = json ? json_pack("{s:i,s:[]}", "year", year, "sites") : NULL;
    if (html)
        report_html_begin(stdout, year);
    else if (!json)
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
        if (json)
            json_array_append_new(json_object_get(all, "sites"), report_json(&r));
        else if (html)
            report_html(&r, stdout);
        else
            report_csv(&r, stdout);
    }
    store_txn_free(t);
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
