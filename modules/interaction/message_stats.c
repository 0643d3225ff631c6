/* modules/interaction/message_stats.c: 受理反馈统计 (received, answered, answered within the site's limit,
 * average days, overdue now, per month of a year) and the overdue report that `jiyuectl
 * check` prints and the server logs at each reload. */
#include "message_stats.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "content_columns.h"
#include "interaction_conf.h"
#include "message.h"

#define TZ_OFFSET (8 * 3600) /* China Standard Time, as articles */

static void local_tm(int64_t t, struct tm *tm)
{
    time_t x = (time_t)(t + TZ_OFFSET);
    gmtime_r(&x, tm);
}

int64_t message_deadline(const conf_site_t *s, int64_t created)
{
    return created + (int64_t)interaction_site_conf(s)->reply_days * MESSAGE_DAY;
}

bool message_overdue(const conf_site_t *s, const message_t *m, int64_t now)
{
    return m->nreplies == 0 && m->spam_time == 0 && now > message_deadline(s, m->created);
}

typedef struct st {
    int year;
    int64_t now, limit;
    message_stat_t *months, *total;
    bool past; /* the walk went below the year: stop */
} st_t;

static void count(message_stat_t *s, const message_t *m, int64_t now, int64_t limit)
{
    s->received++;
    if (m->nreplies > 0) {
        s->answered++;
        int64_t took = m->first_reply - m->created;
        if (took <= limit)
            s->in_time++;
        s->days_sum += (double)(took > 0 ? took : 0) / MESSAGE_DAY;
    } else if (now - m->created > limit) {
        s->overdue++;
    }
}

static int stat_cb(void *ud, const message_t *m)
{
    st_t *s = ud;
    struct tm tm;
    local_tm(m->created, &tm);
    if (tm.tm_year + 1900 < s->year)
        return 1; /* newest first: everything after this is older */
    if (tm.tm_year + 1900 > s->year)
        return 0;
    count(&s->months[tm.tm_mon], m, s->now, s->limit);
    count(s->total, m, s->now, s->limit);
    return 0;
}

int message_stats(store_txn_t *t, const char *site, const char *column, int year,
                  uint64_t reply_days, int64_t now, message_stat_t months[12],
                  message_stat_t *total)
{
    memset(months, 0, 12 * sizeof *months);
    memset(total, 0, sizeof *total);
    st_t s = {year, now, (int64_t)reply_days * MESSAGE_DAY, months, total, false};
    int rc = message_each(t, site, column, false, 0, SIZE_MAX, stat_cb, &s);
    return rc < 0 ? rc : 0;
}

typedef struct od {
    const conf_site_t *site;
    const char *column;
    int64_t now;
    message_emit_fn emit;
    void *ud;
    long n;
} od_t;

static int overdue_cb(void *ud, const message_t *m)
{
    od_t *o = ud;
    if (!message_overdue(o->site, m, o->now))
        return 0;
    struct tm tm;
    local_tm(m->created, &tm);
    char line[512];
    snprintf(line, sizeof line,
             "%s/%s: message %s of %04d-%02d-%02d has waited %lld days without a reply "
             "(limit %llu days): %.120s",
             o->site->id, o->column, m->code, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             (long long)((o->now - m->created) / MESSAGE_DAY),
             (unsigned long long)interaction_site_conf(o->site)->reply_days, m->title);
    o->emit(o->ud, line);
    o->n++;
    return 0;
}

long message_report_overdue(store_txn_t *t, const conf_t *c, int64_t now, message_emit_fn emit,
                            void *ud)
{
    long total = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        for (size_t j = 0; j < s->ncolumns; j++) {
            if (s->columns[j].type != COLUMN_INTERACTION)
                continue;
            od_t o = {s, s->columns[j].id, now, emit, ud, 0};
            int rc = message_each(t, s->id, s->columns[j].id, false, 0, SIZE_MAX, overdue_cb, &o);
            if (rc < 0 && rc != STORE_NOTFOUND)
                return rc;
            total += o.n;
        }
    }
    return total;
}
