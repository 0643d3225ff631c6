/* tools/jiyuectl/cmd_stats.c: `jiyuectl stats SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 * [--format csv|json]`: a site's visits per day (modules/stats/): page views by people,
 * unique visitors (estimated, see stats_hll.h), page views by bots; and the whole range's
 * totals, where the visitors are the union of the days' sketches (a person who came on
 * two days counts once), which is the annual report's 独立用户访问总量. Read only. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "stats_record.h"

typedef struct stats_out {
    bool json;
    json_t *days;
    stats_day_t total;
    size_t n;
} stats_out_t;

static void format_day(uint32_t day, char out[16])
{
    snprintf(out, 16, "%04u-%02u-%02u", day / 10000 % 10000, day / 100 % 100, day % 100);
}

static int each(void *ud, uint32_t day, const stats_day_t *d)
{
    stats_out_t *o = ud;
    char date[16];
    format_day(day, date);
    uint64_t uv = stats_hll_estimate(&d->visitors);
    if (o->json)
        json_array_append_new(o->days, json_pack("{s:s,s:I,s:I,s:I}", "date", date, "page_views",
                                                 (json_int_t)d->views, "unique_visitors",
                                                 (json_int_t)uv, "bot_views",
                                                 (json_int_t)d->bot_views));
    else
        printf("%s,%llu,%llu,%llu\n", date, (unsigned long long)d->views,
               (unsigned long long)uv, (unsigned long long)d->bot_views);
    o->total.views += d->views;
    o->total.bot_views += d->bot_views;
    stats_hll_merge(&o->total.visitors, &d->visitors);
    o->n++;
    return 0;
}

/* "YYYY-MM-DD" into yyyymmdd; false when it is not a date of that shape. */
static bool parse_day(const char *s, uint32_t *out)
{
    unsigned y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
        s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31 || y < 1970)
        return false;
    *out = y * 10000 + m * 100 + d;
    return true;
}

static bool site_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int ctl_cmd_stats(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint32_t from = 0, to = 99999999;
    const char *format = "csv";
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!parse_day(optarg, &from))
                return ctl_usage(ctl, "--from takes a date YYYY-MM-DD, not '%s'", optarg);
            break;
        case 't':
            if (!parse_day(optarg, &to))
                return ctl_usage(ctl, "--to takes a date YYYY-MM-DD, not '%s'", optarg);
            break;
        case 'F':
            format = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return ctl_usage(ctl, "--format takes csv or json, not '%s'", format);
    if (argc - optind != 1)
        return ctl_usage(ctl, argc - optind < 1 ? "missing SITE" : "too many arguments");
    const char *site = argv[optind];
    if (!site_id_ok(site))
        return ctl_usage(ctl, "'%s' is not a site id", site);
    if (from > to)
        return ctl_usage(ctl, "--from is after --to");
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    if ((rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    stats_out_t o = {.json = !strcmp(format, "json")};
    if (o.json)
        o.days = json_array();
    else
        printf("date,page_views,unique_visitors,bot_views\n");
    int src = stats_days(t, site, from, to, each, &o);
    store_txn_free(t);
    if (src != 0 && src != STORE_NOTFOUND) {
        json_decref(o.days);
        return ctl_fail(ctl, "%s", store_strerror(src));
    }
    uint64_t uv = stats_hll_estimate(&o.total.visitors);
    if (o.json) {
        json_t *root = json_pack("{s:s,s:o,s:{s:I,s:I,s:I}}", "site", site, "days", o.days,
                                 "total", "page_views", (json_int_t)o.total.views,
                                 "unique_visitors", (json_int_t)uv, "bot_views",
                                 (json_int_t)o.total.bot_views);
        char *text = json_dumps(root, JSON_INDENT(2));
        puts(text);
        free(text);
        json_decref(root);
    } else {
        printf("total,%llu,%llu,%llu\n", (unsigned long long)o.total.views,
               (unsigned long long)uv, (unsigned long long)o.total.bot_views);
    }
    if (o.n == 0 && !conf_site_find(ctl->conf, site))
        fprintf(stderr, "jiyuectl: stats: no site '%s' in sites.d and no visits stored\n", site);
    return CTL_OK;
}
