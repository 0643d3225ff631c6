/* modules/audit/audit_runs.c: recording audit runs and summing them over a period
 * (audit_runs.h). */
#include "audit_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rec.h"
#include "strmap.h"

#define RUNS_MAGIC "JYAR"
#define RUNS_VERSION 1

static void identity(util_buf_t *b, const char *rule, const char *what)
{
    b->len = 0;
    util_buf_printf(b, "%s|%s", rule, what ? what : "");
}

int audit_runs_record(store_txn_t *w, const audit_site_t *s, int64_t when)
{
    util_buf_t rec = {0}, id = {0};
    rec_put_head(&rec, RUNS_MAGIC, RUNS_VERSION);
    rec_put_n(&rec, (uint64_t)when, 8);
    rec_put_n(&rec, s->nf + s->nagg, 4);
    for (size_t i = 0; i < s->nf; i++) {
        const audit_finding_t *f = &s->f[i];
        identity(&id, f->rule, f->url ? f->url : f->detail);
        rec_put_strn(&rec, id.data, id.len);
    }
    for (size_t i = 0; i < s->nagg; i++) {
        identity(&id, s->agg[i].rule, s->agg[i].what);
        rec_put_strn(&rec, id.data, id.len);
    }
    char key[96];
    time_t t = (time_t)when;
    struct tm tm;
    gmtime_r(&t, &tm);
    int n = snprintf(key, sizeof key, AUDIT_RUNS_PREFIX "%s/%04d%02d%02d%02d%02d%02d",
                     s->conf->id, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
    int rc = n > 0 && n < (int)sizeof key ? store_content_put(w, key, (size_t)n, rec.data, rec.len)
                                          : STORE_EKEY;
    util_buf_free(&rec);
    util_buf_free(&id);
    return rc;
}

typedef struct sum_ctx {
    int64_t from, to;
    audit_runs_year_t *out;
    strmap_t seen;    /* every finding of the period */
    strmap_t prev;    /* the previous run's */
    bool have_prev;
} sum_ctx_t;

static int each_run(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    sum_ctx_t *x = ud;
    rec_rd_t r = rec_reader(val, vlen);
    if (!rec_get_head(&r, RUNS_MAGIC, RUNS_VERSION))
        return 0; /* not a run record: left out */
    int64_t when = (int64_t)rec_get_n(&r, 8);
    uint64_t n = rec_get_n(&r, 4);
    if (r.bad || when < x->from || when >= x->to)
        return 0;
    x->out->runs++;
    strmap_t cur;
    strmap_init(&cur);
    for (uint64_t i = 0; i < n && !r.bad; i++) {
        size_t len;
        const char *s = rec_get_str(&r, &len);
        if (r.bad)
            break;
        strmap_put(&cur, s, len, (void *)1);
        if (!strmap_get(&x->seen, s, len)) {
            strmap_put(&x->seen, s, len, (void *)1);
            x->out->found++;
        }
    }
    if (x->have_prev)
        for (size_t i = 0; i < x->prev.cap; i++) {
            const strmap_slot_t *e = &x->prev.slots[i];
            if (e->key && !strmap_get(&cur, e->key, e->len))
                x->out->fixed++;
        }
    strmap_free(&x->prev);
    x->prev = cur;
    x->have_prev = true;
    return 0;
}

int audit_runs_between(store_txn_t *t, const char *site, int64_t from, int64_t to,
                       audit_runs_year_t *out)
{
    memset(out, 0, sizeof *out);
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, AUDIT_RUNS_PREFIX "%s/", site);
    if (n <= 0 || n >= (int)sizeof prefix)
        return STORE_EKEY;
    sum_ctx_t x = {.from = from, .to = to, .out = out};
    strmap_init(&x.seen);
    strmap_init(&x.prev);
    int rc = store_content_each(t, prefix, (size_t)n, each_run, &x);
    strmap_free(&x.seen);
    strmap_free(&x.prev);
    return rc == STORE_NOTFOUND ? 0 : rc;
}
