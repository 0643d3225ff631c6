/* modules/stats/stats_record.c: the day records and their merge (stats_record.h). */
#include "stats_record.h"

#include <stdio.h>
#include <string.h>

#include "rec.h"

#define STATS_MAGIC "JYVS"
#define STATS_VERSION 1
#define STATS_RECORD_FIXED (6 + 8 + 8 + STATS_HLL_REGS + 2)

size_t stats_key(char *key, const char *site, uint32_t day)
{
    int n = snprintf(key, STATS_KEY_MAX, STATS_KEY_PREFIX "%s/%08u", site, day);
    return n > 0 && n < STATS_KEY_MAX ? (size_t)n : 0;
}

void stats_day_encode(const stats_day_t *d, util_buf_t *out)
{
    rec_put_head(out, STATS_MAGIC, STATS_VERSION);
    rec_put_n(out, d->views, 8);
    rec_put_n(out, d->bot_views, 8);
    util_buf_append(out, d->visitors.reg, STATS_HLL_REGS);
    uint16_t n = d->visitors.nexact;
    rec_put_n(out, n, 2);
    for (uint16_t i = 0; n != STATS_HLL_OVER && i < n; i++)
        rec_put_n(out, d->visitors.exact[i], 8);
}

int stats_day_decode(const void *v, size_t len, stats_day_t *out)
{
    rec_rd_t r = rec_reader(v, len);
    if (len < STATS_RECORD_FIXED || !rec_get_head(&r, STATS_MAGIC, STATS_VERSION))
        return STORE_ECORRUPT;
    out->views = rec_get_n(&r, 8);
    out->bot_views = rec_get_n(&r, 8);
    memcpy(out->visitors.reg, r.p, STATS_HLL_REGS);
    r.p += STATS_HLL_REGS;
    uint16_t n = (uint16_t)rec_get_n(&r, 2);
    size_t want = STATS_RECORD_FIXED + (n == STATS_HLL_OVER ? 0 : (size_t)n * 8);
    if (r.bad || (n > STATS_HLL_EXACT && n != STATS_HLL_OVER) || len != want)
        return STORE_ECORRUPT;
    out->visitors.nexact = n;
    for (uint16_t i = 0; n != STATS_HLL_OVER && i < n; i++)
        out->visitors.exact[i] = rec_get_n(&r, 8);
    return r.bad ? STORE_ECORRUPT : 0;
}

int stats_day_merge(store_txn_t *w, const char *site, uint32_t day, const stats_day_t *delta)
{
    char key[STATS_KEY_MAX];
    size_t klen = stats_key(key, site, day);
    if (!klen)
        return STORE_EKEY;
    stats_day_t d = {0};
    const void *v;
    size_t len;
    int rc = store_content_get(w, key, klen, &v, &len);
    if (rc == 0) {
        /* A damaged record is started again rather than stopping every later count. */
        if (stats_day_decode(v, len, &d) != 0)
            memset(&d, 0, sizeof d);
    } else if (rc != STORE_NOTFOUND) {
        return rc;
    }
    d.views += delta->views;
    d.bot_views += delta->bot_views;
    stats_hll_merge(&d.visitors, &delta->visitors);
    util_buf_t b = {0};
    stats_day_encode(&d, &b);
    rc = store_content_put(w, key, klen, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

typedef struct each_ctx {
    uint32_t from, to;
    size_t plen;
    stats_day_fn fn;
    void *ud;
} each_ctx_t;

static int each_day(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    each_ctx_t *x = ud;
    const char *k = key;
    if (klen != x->plen + 8)
        return 0;
    uint32_t day = 0;
    for (size_t i = x->plen; i < klen; i++) {
        if (k[i] < '0' || k[i] > '9')
            return 0;
        day = day * 10 + (uint32_t)(k[i] - '0');
    }
    if (day < x->from || day > x->to)
        return 0;
    stats_day_t d;
    if (stats_day_decode(val, vlen, &d) != 0)
        return 0; /* a damaged day is left out, not fatal */
    return x->fn(x->ud, day, &d);
}

int stats_days(store_txn_t *t, const char *site, uint32_t from, uint32_t to, stats_day_fn fn,
               void *ud)
{
    char prefix[STATS_KEY_MAX];
    int n = snprintf(prefix, sizeof prefix, STATS_KEY_PREFIX "%s/", site);
    if (n <= 0 || n >= (int)sizeof prefix)
        return STORE_EKEY;
    each_ctx_t x = {from, to, (size_t)n, fn, ud};
    return store_content_each(t, prefix, (size_t)n, each_day, &x);
}
