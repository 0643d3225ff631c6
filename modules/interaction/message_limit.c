/* modules/interaction/message_limit.c: what stands between a flood of citizens' submissions and the
 * store: the hourly limits per address and per network prefix (IPv4 /24, IPv6 /64), the
 * daily cap per site, the cluster's daily byte budget, and the store's reserve (room only
 * publishing, imports and replies may use). Counts live in the "content" database, written
 * in the same transaction as the message they admit, so every worker and a restarted
 * server see the same numbers (key families "mt/" and "mq/" in store_keys.h). */
#include "message_limit.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "message.h"
#include "rate_window.h"
#include "rec.h"

#define KEYBUF 512
#define HOUR 3600
#define TZ_OFFSET (8 * 3600) /* days are China Standard Time days, as everywhere */

/* ------------------------------------------------------------------ prefixes */

bool message_addr_prefix(const char *addr, char *out, size_t cap)
{
    struct in_addr v4;
    struct in6_addr v6;
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, addr, &v4) == 1) {
        ((uint8_t *)&v4)[3] = 0;
    } else if (inet_pton(AF_INET6, addr, &v6) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(v6.s6_addr, mapped, 12) == 0) {
            /* An IPv4 peer on a dual-stack listener: its /24, like any IPv4 peer. */
            memcpy(&v4, v6.s6_addr + 12, 4);
            ((uint8_t *)&v4)[3] = 0;
        } else {
            memset(v6.s6_addr + 8, 0, 8);
            if (!inet_ntop(AF_INET6, &v6, buf, sizeof buf))
                return false;
            int n = snprintf(out, cap, "%s/64", buf);
            return n > 0 && (size_t)n < cap;
        }
    } else {
        return false;
    }
    if (!inet_ntop(AF_INET, &v4, buf, sizeof buf))
        return false;
    int n = snprintf(out, cap, "%s/24", buf);
    return n > 0 && (size_t)n < cap;
}

const char *message_limit_name(message_limit_kind_t k)
{
    switch (k) {
    case MESSAGE_LIMIT_ADDRESS:
        return "per-address limit";
    case MESSAGE_LIMIT_PREFIX:
        return "per-network limit";
    case MESSAGE_LIMIT_SITE_DAY:
        return "daily limit of the site";
    case MESSAGE_LIMIT_BUDGET:
        return "daily byte budget of the cluster";
    case MESSAGE_LIMIT_RESERVE:
        return "store reserve";
    default:
        return "no limit";
    }
}

/* ------------------------------------------------------------------ hourly windows */

/* "mt/<site>/<address or prefix>": a window of the modules' one rate limiter
 * (modules/common/rate_window.h) over an hour, its value kept in the store. */

/* Whether one more is allowed in the window at k. Returns 0 with the value to store when
 * it is taken in *next, 1 when the limit is reached (*retry_after set), or a STORE_E*
 * code. Writes nothing. */
static int window_check(store_txn_t *w, const char *k, size_t kl, uint64_t limit, int64_t now,
                        int64_t *retry_after, util_buf_t *next)
{
    const void *v;
    size_t len;
    int rc = store_content_get(w, k, kl, &v, &len);
    if (rc != 0 && rc != STORE_NOTFOUND)
        return rc;
    return rate_window_take(rc == 0 ? v : NULL, rc == 0 ? len : 0, limit, HOUR, now,
                            retry_after, next);
}

int message_rate_take(store_txn_t *w, const char *site, const char *addr, uint64_t limit,
                      int64_t now, int64_t *retry_after)
{
    char k[KEYBUF];
    int kl = snprintf(k, sizeof k, "mt/%s/%s", site, addr);
    if (kl <= 0 || kl >= KEYBUF)
        return STORE_EKEY;
    util_buf_t b = {0};
    int rc = window_check(w, k, (size_t)kl, limit, now, retry_after, &b);
    if (rc == 0)
        rc = store_content_put(w, k, (size_t)kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ daily counts */

/* The local day as YYYYMMDD, and the seconds until it ends. */
static void local_day(int64_t now, char out[16], int64_t *left)
{
    time_t t = (time_t)(now + TZ_OFFSET);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 16, "%04d%02d%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
    *left = MESSAGE_DAY - (now + TZ_OFFSET) % MESSAGE_DAY;
}

static uint64_t get_u64(store_txn_t *w, const char *k, size_t kl, int *rc)
{
    const void *v;
    size_t len;
    *rc = store_content_get(w, k, kl, &v, &len);
    if (*rc == STORE_NOTFOUND)
        *rc = 0;
    else if (*rc == 0)
        return rec_u64_at(v, len, 0);
    return 0;
}

static int put_u64(store_txn_t *w, const char *k, size_t kl, uint64_t n)
{
    util_buf_t b = {0};
    rec_put_n(&b, n, 8);
    int rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ admission */

int message_admit(store_txn_t *w, const char *site, const char *addr,
                  const message_limits_t *l, uint64_t bytes, int64_t now,
                  message_limit_kind_t *fired, int64_t *retry_after)
{
    *fired = MESSAGE_LIMIT_NONE;
    *retry_after = 0;
    char ka[KEYBUF], kp[KEYBUF], ks[KEYBUF], kb[KEYBUF], day[16], prefix[INET6_ADDRSTRLEN + 4];
    int64_t day_left;
    local_day(now, day, &day_left);
    bool have_prefix = message_addr_prefix(addr, prefix, sizeof prefix);
    int na = snprintf(ka, sizeof ka, "mt/%s/%s", site, addr);
    int np = snprintf(kp, sizeof kp, "mt/%s/%s", site, have_prefix ? prefix : "");
    int ns = snprintf(ks, sizeof ks, "mq/%s/%s", day, site);
    int nb = snprintf(kb, sizeof kb, "mq/%s", day);
    if (na <= 0 || na >= KEYBUF || np <= 0 || np >= KEYBUF || ns <= 0 || ns >= KEYBUF)
        return STORE_EKEY;

    util_buf_t va = {0}, vp = {0};
    uint64_t site_n = 0, day_bytes = 0, room = 0;
    int rc = window_check(w, ka, (size_t)na, l->per_address, now, retry_after, &va);
    if (rc == 1) {
        *fired = MESSAGE_LIMIT_ADDRESS;
    } else if (rc == 0 && have_prefix) {
        rc = window_check(w, kp, (size_t)np, l->per_prefix, now, retry_after, &vp);
        if (rc == 1)
            *fired = MESSAGE_LIMIT_PREFIX;
    }
    if (rc == 0) {
        site_n = get_u64(w, ks, (size_t)ns, &rc);
        if (rc == 0 && site_n >= l->per_site_day) {
            *fired = MESSAGE_LIMIT_SITE_DAY;
            *retry_after = day_left;
            rc = 1;
        }
    }
    if (rc == 0) {
        day_bytes = get_u64(w, kb, (size_t)nb, &rc);
        if (rc == 0 && day_bytes + bytes > l->bytes_per_day) {
            *fired = MESSAGE_LIMIT_BUDGET;
            *retry_after = day_left;
            rc = 1;
        }
    }
    if (rc == 0 && (rc = store_room(w, &room)) == 0) {
        /* What this message adds, with room for the pages its writes copy and the
         * indexes and counters beside it. */
        uint64_t need = 4 * bytes + 64 * 1024;
        if (room < l->reserve || room - l->reserve < need) {
            *fired = MESSAGE_LIMIT_RESERVE;
            *retry_after = HOUR;
            rc = 1;
        }
    }
    if (rc == 0)
        rc = store_content_put(w, ka, (size_t)na, va.data, va.len);
    if (rc == 0 && have_prefix)
        rc = store_content_put(w, kp, (size_t)np, vp.data, vp.len);
    if (rc == 0)
        rc = put_u64(w, ks, (size_t)ns, site_n + 1);
    if (rc == 0)
        rc = put_u64(w, kb, (size_t)nb, day_bytes + bytes);
    util_buf_free(&va);
    util_buf_free(&vp);
    return rc == 1 ? 0 : rc;
}

/* ------------------------------------------------------------------ sweep */

typedef struct sweep {
    int64_t cutoff;  /* "mt/": entries whose last time is older than this */
    const char *day; /* "mq/": entries of any other day */
    char **keys;
    size_t *lens;
    size_t n, cap;
} sweep_t;

static int sweep_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    sweep_t *s = ud;
    const char *k = key;
    if (k[1] == 't' && vlen >= 9 && rate_window_last(val, vlen) > s->cutoff)
        return 0;
    if (k[1] == 'q' && klen >= 11 && memcmp(k + 3, s->day, 8) == 0)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->keys = util_realloc(s->keys, s->cap * sizeof *s->keys);
        s->lens = util_realloc(s->lens, s->cap * sizeof *s->lens);
    }
    s->keys[s->n] = util_strndup(key, klen);
    s->lens[s->n++] = klen;
    return 0;
}

long message_rate_sweep(store_txn_t *w, int64_t now)
{
    char day[16];
    int64_t left;
    local_day(now, day, &left);
    sweep_t s = {now - HOUR, day, NULL, NULL, 0, 0};
    int rc = store_content_each(w, "mt/", 3, sweep_cb, &s);
    if (rc >= 0)
        rc = store_content_each(w, "mq/", 3, sweep_cb, &s);
    for (size_t i = 0; i < s.n && rc >= 0; i++) {
        int d = store_content_del(w, s.keys[i], s.lens[i]);
        if (d != 0 && d != STORE_NOTFOUND)
            rc = d;
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.keys[i]);
    free(s.keys);
    free(s.lens);
    return rc < 0 ? rc : (long)s.n;
}
