/* modules/interaction/message.c: message and reply records, their indexes and counters, and spam marks,
 * in the "content" database (key families in store_keys.h). The submission limits are in
 * message_limit.c. */
#include "message.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_search.h"
#include "rec.h"

#define KEYBUF 512

/* ------------------------------------------------------------------ encoding */

/* Record "JYMS" v2: created, first reply, last reply, seq, replies, the strings, then the
 * spam mark (time, by). v1 (written before spam could be marked) ends after the strings
 * and is read as not spam. */
static void encode_message(util_buf_t *b, const message_t *m)
{
    rec_put_head(b, "JYMS", 2);
    rec_put_n(b, (uint64_t)m->created, 8);
    rec_put_n(b, (uint64_t)m->first_reply, 8);
    rec_put_n(b, (uint64_t)m->last_reply, 8);
    rec_put_n(b, m->seq, 8);
    rec_put_n(b, m->nreplies, 4);
    const char *s[] = {m->site, m->column, m->code, m->title, m->body,
                       m->name, m->phone, m->email, m->addr};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(s); i++)
        rec_put_str(b, s[i]);
    rec_put_n(b, (uint64_t)m->spam_time, 8);
    rec_put_str(b, m->spam_by);
}

static int decode_message(const void *data, size_t len, message_t *m)
{
    rec_rd_t r = rec_reader(data, len);
    if (len < 6 || memcmp(data, "JYMS", 4) != 0)
        return STORE_ECORRUPT;
    r.p += 4;
    uint64_t version = rec_get_n(&r, 2);
    if (version != 1 && version != 2)
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
    m->spam_time = 0;
    m->spam_by = "";
    if (version >= 2) {
        m->spam_time = (int64_t)rec_get_n(&r, 8);
        m->spam_by = rec_get_str(&r, NULL);
    }
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
    if (!message_code_ok(code, strlen(code)) || !conf_is_slug(in->site) ||
        !conf_is_slug(in->column))
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

/* The record points into the map, which a put may change: copy its strings first. */
static void copy_strings(message_t *c, char *copies[10])
{
    const char **f[] = {&c->site, &c->column, &c->code, &c->title, &c->body,
                        &c->name, &c->phone, &c->email, &c->addr, &c->spam_by};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(f); i++)
        *f[i] = copies[i] = util_strdup(*f[i]);
}

int message_reply_add(store_txn_t *w, const char *code, const char *by, const char *text,
                      int64_t now, uint32_t *n)
{
    message_t m;
    int rc = message_get(w, code, &m);
    if (rc != 0)
        return rc;
    message_t c = m;
    char *copies[10];
    copy_strings(&c, copies);
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
    if (rc == 0 && c.nreplies == 1 && !c.spam_time) {
        rc = put_index(w, "ma", &c);
        if (rc == 0)
            rc = add_counts(w, c.site, c.column, 0, 1);
    }
    /* the reply is public now: the search index follows in this transaction (a correction
     * replaces what was indexed) */
    if (rc == 0 && !c.spam_time)
        rc = message_search_put(w, &c);
    if (rc == 0)
        rc = bump_version(w, c.site);
    if (rc == 0 && n)
        *n = c.nreplies;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(copies); i++)
        free(copies[i]);
    return rc;
}

/* ------------------------------------------------------------------ spam */

static int del_index(store_txn_t *w, const char *family, const message_t *m)
{
    char k[KEYBUF], r[33];
    rank(r, m->created, m->seq);
    size_t kl = keyf(k, "%s/%s/%s/%s", family, m->site, m->column, r);
    if (!kl)
        return STORE_EKEY;
    int rc = store_content_del(w, k, kl);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static int sub_counts(store_txn_t *w, const char *site, const char *column, bool answered)
{
    uint64_t r, a;
    message_counts(w, site, column, &r, &a);
    char k[KEYBUF];
    size_t kl = keyf(k, "mc/%s/%s", site, column);
    return put_u64s(w, k, kl, r ? r - 1 : 0, answered && a ? a - 1 : a, 2);
}

int message_mark_spam(store_txn_t *w, const char *code, const char *by, int64_t now)
{
    message_t m;
    int rc = message_get(w, code, &m);
    if (rc != 0)
        return rc;
    if (m.spam_time)
        return 1;
    message_t c = m;
    char *copies[10];
    copy_strings(&c, copies);
    c.spam_time = now;
    c.spam_by = by;
    /* Out of the column's index (every list, count and clock walks it) and the public
     * list, into the spam index; the counters follow. */
    if ((rc = del_index(w, "mi", &c)) == 0 && (rc = del_index(w, "ma", &c)) == 0 &&
        (rc = put_index(w, "ms", &c)) == 0 &&
        (rc = sub_counts(w, c.site, c.column, c.nreplies > 0)) == 0 &&
        (rc = message_search_del(w, &c)) == 0 && (rc = put_record(w, &c)) == 0)
        rc = bump_version(w, c.site);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(copies); i++)
        free(copies[i]);
    return rc;
}

int message_spam_each(store_txn_t *t, const char *site, const char *column, message_fn fn,
                      void *ud)
{
    char p[KEYBUF];
    size_t n = keyf(p, "ms/%s/%s/", site, column);
    if (!n)
        return STORE_EKEY;
    walk_t w = {t, 0, SIZE_MAX, fn, ud};
    return store_content_each(t, p, n, walk_cb, &w);
}
