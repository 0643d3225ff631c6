/* core/message.c: message and reply records, their indexes and counters, and the hourly
 * rate-limit windows, in the "content" database (key families in store_keys.h). */
#include "message.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"

#define KEYBUF 512

/* ------------------------------------------------------------------ encoding */

/* Record "JYMS" v1: created, first reply, last reply, seq, replies, then the strings. */
static void encode_message(util_buf_t *b, const message_t *m)
{
    rec_put_head(b, "JYMS", 1);
    rec_put_n(b, (uint64_t)m->created, 8);
    rec_put_n(b, (uint64_t)m->first_reply, 8);
    rec_put_n(b, (uint64_t)m->last_reply, 8);
    rec_put_n(b, m->seq, 8);
    rec_put_n(b, m->nreplies, 4);
    const char *s[] = {m->site, m->column, m->code, m->title, m->body,
                       m->name, m->phone, m->email, m->addr};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(s); i++)
        rec_put_str(b, s[i]);
}

static int decode_message(const void *data, size_t len, message_t *m)
{
    rec_rd_t r = rec_reader(data, len);
    if (!rec_get_head(&r, "JYMS", 1))
        return STORE_ECORRUPT;
    m->created = (int64_t)rec_get_n(&r, 8);
    m->first_reply = (int64_t)rec_get_n(&r, 8);
    m->last_reply = (int64_t)rec_get_n(&r, 8);
    m->seq = rec_get_n(&r, 8);
    m->nreplies = (uint32_t)rec_get_n(&r, 4);
    const char **s[] = {&m->site, &m->column, &m->code, &m->title, &m->body,
                        &m->name, &m->phone, &m->email, &m->addr};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(s); i++)
        *s[i] = rec_get_str(&r, NULL);
    return r.bad ? STORE_ECORRUPT : STORE_OK;
}

static int decode_reply(const void *data, size_t len, message_reply_t *out)
{
    rec_rd_t r = rec_reader(data, len);
    if (!rec_get_head(&r, "JYMR", 1))
        return STORE_ECORRUPT;
    out->n = (uint32_t)rec_get_n(&r, 4);
    out->time = (int64_t)rec_get_n(&r, 8);
    out->by = rec_get_str(&r, NULL);
    out->text = rec_get_str(&r, NULL);
    return r.bad ? STORE_ECORRUPT : STORE_OK;
}

/* ------------------------------------------------------------------ keys */

/* Site and column ids are slugs (conf checks them); never build a key from anything else,
 * so that every "<family>/<site>/" prefix stays exact. */
static bool slug(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 32 || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static size_t keyf(char *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t keyf(char *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k, KEYBUF, fmt, ap);
    va_end(ap);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

/* Newest first, within one second too: both parts count down. */
static void rank(char out[33], int64_t t, uint64_t seq)
{
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, (uint64_t)INT64_MAX - (uint64_t)t,
             UINT64_MAX - seq);
}

/* ------------------------------------------------------------------ reading */

int message_get(store_txn_t *t, const char *code, message_t *out)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "m/%s", code);
    if (!kl || !message_code_ok(code, strlen(code)))
        return STORE_NOTFOUND;
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    if (rc != 0)
        return rc;
    return decode_message(v, len, out);
}

typedef struct walk {
    store_txn_t *t;
    size_t skip, limit;
    message_fn fn;
    void *ud;
} walk_t;

static int walk_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    walk_t *w = ud;
    if (w->limit == 0)
        return 1;
    if (w->skip) {
        w->skip--;
        return 0;
    }
    char code[MESSAGE_CODE_LEN + 1];
    if (vlen != MESSAGE_CODE_LEN)
        return 0;
    memcpy(code, val, vlen);
    code[vlen] = '\0';
    message_t m;
    if (message_get(w->t, code, &m) != 0)
        return 0; /* an index entry without its record is skipped, never shown half */
    w->limit--;
    return w->fn(w->ud, &m);
}

int message_each(store_txn_t *t, const char *site, const char *column, bool answered_only,
                 size_t skip, size_t limit, message_fn fn, void *ud)
{
    char p[KEYBUF];
    size_t n = keyf(p, "%s/%s/%s/", answered_only ? "ma" : "mi", site, column);
    if (!n)
        return STORE_EKEY;
    walk_t w = {t, skip, limit, fn, ud};
    int rc = store_content_each(t, p, n, walk_cb, &w);
    return w.limit == 0 && rc == 1 ? 0 : rc;
}

typedef struct rwalk {
    message_reply_fn fn;
    void *ud;
    message_reply_t last;
    bool any;
} rwalk_t;

static int reply_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    rwalk_t *w = ud;
    message_reply_t r;
    if (decode_reply(val, vlen, &r) != 0)
        return 0;
    w->last = r;
    w->any = true;
    return w->fn ? w->fn(w->ud, &r) : 0;
}

int message_replies_each(store_txn_t *t, const char *code, message_reply_fn fn, void *ud)
{
    char p[KEYBUF];
    size_t n = keyf(p, "mr/%s/", code);
    if (!n)
        return STORE_EKEY;
    rwalk_t w = {fn, ud, {0}, false};
    return store_content_each(t, p, n, reply_cb, &w);
}

int message_reply_latest(store_txn_t *t, const message_t *m, message_reply_t *out)
{
    if (m->nreplies == 0)
        return STORE_NOTFOUND;
    char k[KEYBUF];
    size_t kl = keyf(k, "mr/%s/%08" PRIx32, m->code, m->nreplies);
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    if (rc != 0)
        return rc;
    return decode_reply(v, len, out);
}

void message_counts(store_txn_t *t, const char *site, const char *column, uint64_t *received,
                    uint64_t *answered)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "mc/%s/%s", site, column);
    const void *v;
    size_t len;
    *received = *answered = 0;
    if (kl && store_content_get(t, k, kl, &v, &len) == 0) {
        *received = rec_u64_at(v, len, 0);
        *answered = rec_u64_at(v, len, 8);
    }
}

uint64_t message_version(store_txn_t *t, const char *site)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "mv/%s", site);
    const void *v;
    size_t len;
    if (!kl || store_content_get(t, k, kl, &v, &len) != 0)
        return 0;
    return rec_u64_at(v, len, 0);
}

/* ------------------------------------------------------------------ writing */

static int put_u64s(store_txn_t *w, const char *k, size_t kl, uint64_t a, uint64_t b, int n)
{
    util_buf_t buf = {0};
    rec_put_n(&buf, a, 8);
    if (n > 1)
        rec_put_n(&buf, b, 8);
    int rc = store_content_put(w, k, kl, buf.data, buf.len);
    util_buf_free(&buf);
    return rc;
}

static int next_seq(store_txn_t *w, uint64_t *seq)
{
    const void *v;
    size_t len;
    uint64_t cur = 0;
    int rc = store_content_get(w, "mn/seq", 6, &v, &len);
    if (rc == 0)
        cur = rec_u64_at(v, len, 0);
    else if (rc != STORE_NOTFOUND)
        return rc;
    *seq = cur + 1;
    return put_u64s(w, "mn/seq", 6, *seq, 0, 1);
}

static int add_counts(store_txn_t *w, const char *site, const char *column, int received,
                      int answered)
{
    uint64_t r, a;
    message_counts(w, site, column, &r, &a);
    char k[KEYBUF];
    size_t kl = keyf(k, "mc/%s/%s", site, column);
    return put_u64s(w, k, kl, r + (uint64_t)received, a + (uint64_t)answered, 2);
}

static int bump_version(store_txn_t *w, const char *site)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "mv/%s", site);
    return put_u64s(w, k, kl, message_version(w, site) + 1, 0, 1);
}

static int put_record(store_txn_t *w, const message_t *m)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "m/%s", m->code);
    util_buf_t b = {0};
    encode_message(&b, m);
    int rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

static int put_index(store_txn_t *w, const char *family, const message_t *m)
{
    char k[KEYBUF], r[33];
    rank(r, m->created, m->seq);
    size_t kl = keyf(k, "%s/%s/%s/%s", family, m->site, m->column, r);
    if (!kl)
        return STORE_EKEY;
    return store_content_put(w, k, kl, m->code, strlen(m->code));
}

int message_put(store_txn_t *w, const message_new_t *in, const char *code)
{
    message_t old;
    int rc = message_get(w, code, &old);
    if (rc == 0)
        return STORE_EKEY;
    if (rc != STORE_NOTFOUND)
        return rc;
    if (!message_code_ok(code, strlen(code)) || !slug(in->site) ||
        !slug(in->column))
        return STORE_EKEY;
    message_t m = {
        .site = in->site, .column = in->column, .code = code, .title = in->title,
        .body = in->body, .name = in->name, .phone = in->phone, .email = in->email,
        .addr = in->addr, .created = in->created,
    };
    if ((rc = next_seq(w, &m.seq)) != 0 || (rc = put_record(w, &m)) != 0 ||
        (rc = put_index(w, "mi", &m)) != 0 || (rc = add_counts(w, m.site, m.column, 1, 0)) != 0)
        return rc;
    return bump_version(w, m.site);
}

int message_reply_add(store_txn_t *w, const char *code, const char *by, const char *text,
                      int64_t now, uint32_t *n)
{
    message_t m;
    int rc = message_get(w, code, &m);
    if (rc != 0)
        return rc;
    /* The record points into the map, which the puts below may change: copy first. */
    message_t c = m;
    char *copies[] = {util_strdup(m.site), util_strdup(m.column), util_strdup(m.code),
                      util_strdup(m.title), util_strdup(m.body), util_strdup(m.name),
                      util_strdup(m.phone), util_strdup(m.email), util_strdup(m.addr)};
    c.site = copies[0], c.column = copies[1], c.code = copies[2], c.title = copies[3];
    c.body = copies[4], c.name = copies[5], c.phone = copies[6], c.email = copies[7];
    c.addr = copies[8];
    c.nreplies++;
    if (c.nreplies == 1)
        c.first_reply = now;
    c.last_reply = now;

    char k[KEYBUF];
    size_t kl = keyf(k, "mr/%s/%08" PRIx32, c.code, c.nreplies);
    util_buf_t b = {0};
    rec_put_head(&b, "JYMR", 1);
    rec_put_n(&b, c.nreplies, 4);
    rec_put_n(&b, (uint64_t)now, 8);
    rec_put_str(&b, by);
    rec_put_str(&b, text);
    rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    if (rc == 0)
        rc = put_record(w, &c);
    if (rc == 0 && c.nreplies == 1) {
        rc = put_index(w, "ma", &c);
        if (rc == 0)
            rc = add_counts(w, c.site, c.column, 0, 1);
    }
    if (rc == 0)
        rc = bump_version(w, c.site);
    if (rc == 0 && n)
        *n = c.nreplies;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(copies); i++)
        free(copies[i]);
    return rc;
}

/* ------------------------------------------------------------------ rate limit */

/* "mt/<site>/<addr>". Up to MESSAGE_RATE_EXACT a sliding hour, exact: 'L' then the send
 * times (i64) within the last hour, oldest first. Beyond that (a board opened to a
 * gateway, a benchmark) a window per clock hour, one small value to rewrite: 'W', the
 * count (u64), the window's start (i64). Either way the last 8 bytes are a time after
 * which the entry still matters (what the sweep looks at). */
#define MESSAGE_RATE_EXACT 64

int message_rate_take(store_txn_t *w, const char *site, const char *addr, uint64_t limit,
                      int64_t now, int64_t *retry_after)
{
    char k[KEYBUF];
    size_t kl = keyf(k, "mt/%s/%s", site, addr);
    if (!kl)
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_content_get(w, k, kl, &v, &len);
    if (rc != 0 && rc != STORE_NOTFOUND)
        return rc;
    bool have = rc == 0 && len >= 1;
    util_buf_t b = {0};
    if (limit > MESSAGE_RATE_EXACT) {
        int64_t start = now - now % 3600;
        uint64_t count = 0;
        if (have && ((const char *)v)[0] == 'W' && len == 17 &&
            (int64_t)rec_u64_at(v, len, 9) == start)
            count = rec_u64_at(v, len, 1);
        if (count >= limit) {
            *retry_after = start + 3600 - now;
            return 1;
        }
        util_buf_append(&b, "W", 1);
        rec_put_n(&b, count + 1, 8);
        rec_put_n(&b, (uint64_t)start, 8);
    } else {
        int64_t times[MESSAGE_RATE_EXACT + 1];
        size_t n = 0;
        if (have && ((const char *)v)[0] == 'L') {
            for (size_t off = 1; off + 8 <= len && n < MESSAGE_RATE_EXACT; off += 8) {
                int64_t t = (int64_t)rec_u64_at(v, len, off);
                if (t > now - 3600)
                    times[n++] = t;
            }
        }
        /* The newest `limit` count (a lowered limit applies at once). */
        size_t first = n > limit ? n - (size_t)limit : 0;
        if (n - first >= limit) {
            int64_t wait = times[first] + 3600 - now;
            *retry_after = wait < 1 ? 1 : wait;
            return 1;
        }
        times[n++] = now;
        util_buf_append(&b, "L", 1);
        for (size_t i = first; i < n; i++)
            rec_put_n(&b, (uint64_t)times[i], 8);
    }
    rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

typedef struct sweep {
    int64_t cutoff;
    char **keys;
    size_t *lens;
    size_t n, cap;
} sweep_t;

static int sweep_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    sweep_t *s = ud;
    if (vlen >= 9 && (int64_t)rec_u64_at(val, vlen, vlen - 8) > s->cutoff)
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
    sweep_t s = {now - 3600, NULL, NULL, 0, 0};
    int rc = store_content_each(w, "mt/", 3, sweep_cb, &s);
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
