/* modules/report/report_annual.c: gathering a site's annual figures (report_annual.h). */
#include "report_annual.h"

#include <string.h>

#include "article.h"
#include "audit_runs.h"
#include "content_columns.h"
#include "interaction_conf.h"
#include "message_stats.h"
#include "registration.h"
#include "stats_record.h"

#define CST_OFFSET (8 * 3600)

/* The first second of `year` in China Standard Time. */
static int64_t year_start(int year)
{
    /* Days from 1970-01-01 to yyyy-01-01 (proleptic Gregorian). */
    int64_t y = year - 1, days = 365 * (int64_t)(year - 1970);
    days += (y / 4 - y / 100 + y / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);
    return days * 86400 - CST_OFFSET;
}

typedef struct count_ctx {
    int64_t from, to;
    uint64_t n;
    int64_t oldest; /* the column's first article (for topics opened this year) */
} count_ctx_t;

static int count_article(void *ud, const article_t *a)
{
    count_ctx_t *x = ud;
    x->oldest = a->pubtime; /* newest first: the last one seen is the oldest */
    if (a->pubtime >= x->from && a->pubtime < x->to)
        x->n++;
    return 0;
}

static int count_column(store_txn_t *t, const conf_site_t *s, const conf_column_t *c, int64_t from,
                        int64_t to, count_ctx_t *x)
{
    *x = (count_ctx_t){.from = from, .to = to};
    int rc = article_column_each(t, s->id, c->id, 0, SIZE_MAX, count_article, x);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

typedef struct visit_ctx {
    report_annual_t *r;
    stats_hll_t visitors;
} visit_ctx_t;

static int add_day(void *ud, uint32_t day, const stats_day_t *d)
{
    (void)day;
    visit_ctx_t *v = ud;
    v->r->page_views += d->views;
    stats_hll_merge(&v->visitors, &d->visitors);
    return 0;
}

int report_annual(store_txn_t *t, const conf_site_t *s, int year, report_annual_t *r)
{
    memset(r, 0, sizeof *r);
    r->site = s;
    r->year = year;
    r->name = s->name;
    const registration_t *reg = registration_of(s);
    r->site_code = reg && reg->site_code ? reg->site_code : "";
    r->organizer = reg && reg->organizer ? reg->organizer : "";
    r->icp = reg && reg->icp ? reg->icp : "";
    r->police = reg && reg->police ? reg->police : "";
    int64_t from = year_start(year), to = year_start(year + 1);

    visit_ctx_t v = {.r = r};
    int rc = stats_days(t, s->id, (uint32_t)year * 10000 + 101, (uint32_t)year * 10000 + 1231,
                        add_day, &v);
    if (rc != 0 && rc != STORE_NOTFOUND)
        return rc;
    r->visitors = stats_hll_estimate(&v.visitors);

    for (size_t i = 0; i < s->ncolumns; i++) {
        const conf_column_t *c = &s->columns[i];
        if (c->type == COLUMN_INTERACTION) {
            message_stat_t months[12], total;
            const interaction_site_conf_t *ic = interaction_site_conf(s);
            if ((rc = message_stats(t, s->id, c->id, year, ic ? ic->reply_days : 15, to, months,
                                    &total)) != 0)
                return rc;
            r->messages += total.received;
            r->answered += total.answered;
            r->reply_days += total.days_sum; /* a sum until the division below */
            continue;
        }
        if (c->type == COLUMN_STATIC)
            continue; /* imported pages, not articles */
        count_ctx_t x;
        if ((rc = count_column(t, s, c, from, to, &x)) != 0)
            return rc;
        r->articles += x.n;
        switch ((content_column_type_t)c->type) {
        case COLUMN_DYNAMIC:
        case COLUMN_NOTICE: r->news += x.n; break;
        case COLUMN_POLICY:
        case COLUMN_PERSONNEL:
        case COLUMN_PLAN: r->open_catalogue += x.n; break;
        case COLUMN_INTERPRETATION: r->interpretations += x.n; break;
        case COLUMN_TOPIC:
            r->topics++;
            if (x.oldest >= from && x.oldest < to)
                r->topics_new++;
            break;
        default: break;
        }
    }
    r->published = r->answered;
    r->reply_days = r->answered ? r->reply_days / (double)r->answered : 0;

    audit_runs_year_t a;
    if ((rc = audit_runs_between(t, s->id, from, to, &a)) != 0)
        return rc;
    r->audit_runs = a.runs;
    r->problems_found = a.found;
    r->problems_fixed = a.fixed;
    return 0;
}
