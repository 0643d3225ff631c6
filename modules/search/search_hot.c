/* modules/search/search_hot.c: hot searches (see search_hot.h): the worker's batch of
 * counts and its flush through the writer thread, the per-site, per-day records in the
 * store, and the week's terms the search page shows the top of and picks the related
 * searches from (kept per worker until the store changes). */
#include "search_hot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rec.h"
#include "search.h"
#include "search_conf.h"
#include "search_keys.h"
#include "search_text.h"
#include "store_keys.h"
#include "wcache.h"
#include "worker.h"
#include "writer.h"

#define TZ_OFFSET (8 * 3600)
#define DAY 86400
#define PENDING_SLOTS 2048 /* a power of two, twice SEARCH_HOT_PENDING */

uint32_t search_hot_day(int64_t t)
{
    time_t lt = (time_t)(t + TZ_OFFSET);
    struct tm tm;
    gmtime_r(&lt, &tm);
    return (uint32_t)((tm.tm_year + 1900) % 10000 * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

bool search_hot_term(const char *q, char *out, size_t cap)
{
    util_buf_t b = {0};
    size_t chars = search_text_fold(q, strlen(q), &b);
    bool ok = chars > 0 && chars <= SEARCH_HOT_TERM_CHARS && b.len < cap;
    if (ok)
        memcpy(out, b.data, b.len + 1);
    util_buf_free(&b);
    return ok;
}

/* ------------------------------------------------------------------ the store */

typedef struct hot_entry {
    const char *term; /* into a stored value or a batch */
    size_t len;
    uint64_t count;
} hot_entry_t;

static int day_key(char *k, size_t cap, const char *site, uint32_t day)
{
    int n = snprintf(k, cap, SEARCH_KEY_HOT "%s/%08u", site, day);
    return n > 0 && (size_t)n < cap ? n : -1;
}

/* The entries of a day record ("JYSH" v1, u16 n, n times: u32 count, string) appended to
 * *e (grown as needed). A damaged record reads as empty. */
static void decode_day(const void *v, size_t len, hot_entry_t **e, size_t *n, size_t *cap)
{
    rec_rd_t r = rec_reader(v, len);
    if (!rec_get_head(&r, "JYSH", 1))
        return;
    size_t k = (size_t)rec_get_n(&r, 2), start = *n;
    for (size_t i = 0; i < k && !r.bad; i++) {
        uint64_t count = rec_get_n(&r, 4);
        size_t sl = 0;
        const char *s = rec_get_str(&r, &sl);
        if (r.bad)
            break;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 128;
            *e = util_realloc(*e, *cap * sizeof **e);
        }
        (*e)[(*n)++] = (hot_entry_t){s, sl, count};
    }
    if (r.bad)
        *n = start;
}

static int by_count(const void *a, const void *b)
{
    const hot_entry_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, m);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int by_term(const void *a, const void *b)
{
    const hot_entry_t *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, m);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

typedef struct old_days {
    char cutoff[16]; /* keys of days before this one go */
    size_t prefix;
    char **keys;
    size_t n;
} old_days_t;

static int old_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    old_days_t *o = ud;
    if (klen != o->prefix + 8 || memcmp((const char *)key + o->prefix, o->cutoff, 8) >= 0)
        return 0;
    if (o->n == 64)
        return 1;
    o->keys = util_realloc(o->keys, (o->n + 1) * sizeof *o->keys);
    o->keys[o->n++] = util_strndup(key, klen);
    return 0;
}

/* Deletes the site's day records older than cutoff (all of them with cutoff NULL). */
static int drop_days(store_txn_t *w, const char *site, const char *cutoff)
{
    char prefix[STORE_KEY_MAX + 1];
    int pl = snprintf(prefix, sizeof prefix, SEARCH_KEY_HOT "%s/", site);
    if (pl <= 0 || (size_t)pl >= sizeof prefix)
        return STORE_EKEY;
    old_days_t o = {.prefix = (size_t)pl};
    snprintf(o.cutoff, sizeof o.cutoff, "%s", cutoff ? cutoff : "99999999");
    int rc = store_content_each(w, prefix, (size_t)pl, old_cb, &o);
    rc = rc < 0 ? rc : 0;
    for (size_t i = 0; i < o.n; i++) {
        int d = store_content_del(w, o.keys[i], strlen(o.keys[i]));
        if (rc == 0 && d != 0 && d != STORE_NOTFOUND)
            rc = d;
        free(o.keys[i]);
    }
    free(o.keys);
    return rc;
}

int search_hot_add(store_txn_t *w, const char *site, uint32_t day, const char *term,
                   uint32_t count)
{
    char k[STORE_KEY_MAX + 1];
    int kl = day_key(k, sizeof k, site, day);
    size_t tl = strlen(term);
    if (kl < 0 || tl == 0 || tl > SEARCH_HOT_TERM_BYTES)
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_content_get(w, k, (size_t)kl, &v, &len);
    if (rc != 0 && rc != STORE_NOTFOUND)
        return rc;
    hot_entry_t *e = NULL;
    size_t n = 0, cap = 0;
    util_buf_t old = {0};
    if (rc == 0) {
        /* the value is the store's: copy it, the put below may move it */
        util_buf_append(&old, v, len);
        decode_day(old.data, old.len, &e, &n, &cap);
    }
    size_t i = 0;
    while (i < n && !(e[i].len == tl && memcmp(e[i].term, term, tl) == 0))
        i++;
    if (i < n) {
        e[i].count += count;
    } else if (n < SEARCH_HOT_DAY_TERMS) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            e = util_realloc(e, cap * sizeof *e);
        }
        e[n++] = (hot_entry_t){term, tl, count};
    } else {
        /* full: a term searched more in this batch than the least searched one so far
         * takes its place; the bound holds whatever is searched */
        size_t min = 0;
        for (size_t j = 1; j < n; j++)
            if (e[j].count < e[min].count)
                min = j;
        if (count > e[min].count)
            e[min] = (hot_entry_t){term, tl, count};
    }
    qsort(e, n, sizeof *e, by_count);
    util_buf_t b = {0};
    rec_put_head(&b, "JYSH", 1);
    rec_put_n(&b, n, 2);
    for (size_t j = 0; j < n; j++) {
        rec_put_n(&b, e[j].count > UINT32_MAX ? UINT32_MAX : e[j].count, 4);
        rec_put_strn(&b, e[j].term, e[j].len);
    }
    rc = store_content_put(w, k, (size_t)kl, b.data, b.len);
    util_buf_free(&b);
    util_buf_free(&old);
    free(e);
    return rc;
}

int search_hot_purge(store_txn_t *w, const char *site)
{
    return drop_days(w, site, NULL);
}

/* ------------------------------------------------------------------ the week's terms */

/* The site's terms of the last SEARCH_HOT_DAYS days, each once with its days' counts
 * summed, most searched first (ties: in byte order); one allocation (the entries, then
 * their NUL-terminated texts). The hot searches are its first SEARCH_HOT_SHOW, the related
 * searches (search_related.h) are picked from all of it. */
typedef struct week {
    size_t n;
    size_t bytes; /* the allocation's size: its cost in the cache */
    search_hot_entry_t e[];
} week_t;

static const wcache_owner_t week_owner = {"search_hot", free};

/* Reads and sums the days (at most SEARCH_HOT_DAYS records of SEARCH_HOT_DAY_TERMS terms
 * each: search_hot_add keeps them so) into a new week_t. */
static week_t *read_week(store_txn_t *t, const char *site, int64_t now)
{
    hot_entry_t *e = NULL;
    size_t n = 0, cap = 0;
    for (int d = 0; d < SEARCH_HOT_DAYS; d++) {
        char k[STORE_KEY_MAX + 1];
        int kl = day_key(k, sizeof k, site, search_hot_day(now - (int64_t)d * DAY));
        const void *v;
        size_t len;
        if (kl > 0 && store_content_get(t, k, (size_t)kl, &v, &len) == 0)
            decode_day(v, len, &e, &n, &cap);
    }
    /* one entry per term, its days' counts summed */
    if (n)
        qsort(e, n, sizeof *e, by_term);
    size_t m = 0, text = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && e[m - 1].len == e[i].len && memcmp(e[m - 1].term, e[i].term, e[i].len) == 0)
            e[m - 1].count += e[i].count;
        else if (e[i].len <= SEARCH_HOT_TERM_BYTES)
            e[m++] = e[i], text += e[i].len + 1;
    }
    if (m)
        qsort(e, m, sizeof *e, by_count);
    size_t bytes = sizeof(week_t) + m * sizeof(search_hot_entry_t) + text;
    week_t *w = util_malloc(bytes);
    char *p = (char *)(w->e + m);
    w->n = m;
    w->bytes = bytes;
    for (size_t i = 0; i < m; i++) {
        memcpy(p, e[i].term, e[i].len);
        p[e[i].len] = '\0';
        w->e[i] = (search_hot_entry_t){p, e[i].count};
        p += e[i].len + 1;
    }
    free(e);
    return w;
}

size_t search_hot_week_key(const char *site, int64_t now, char ck[STORE_KEY_MAX + 1])
{
    int cl = snprintf(ck, STORE_KEY_MAX + 1, "%s\n%08u", site, search_hot_day(now));
    return cl <= 0 || cl > STORE_KEY_MAX ? 0 : (size_t)cl;
}

size_t search_hot_week(store_txn_t *t, const char *site, int64_t now,
                       const search_hot_entry_t **out)
{
    char ck[STORE_KEY_MAX + 1];
    size_t cl = search_hot_week_key(site, now, ck);
    *out = NULL;
    if (!cl)
        return 0;
    /* the store's commit: a flush (or any write) makes a new list */
    const wcache_stamp_t st = {.txn = store_txn_stamp(t)};
    week_t *w = wcache_get(&week_owner, ck, cl, &st);
    if (!w) {
        w = read_week(t, site, now);
        w = wcache_put(&week_owner, ck, cl, &st, w, w->bytes);
    }
    *out = w->e;
    return w->n;
}

size_t search_hot_top(store_txn_t *t, const char *site, int64_t now,
                      const char *out[SEARCH_HOT_SHOW])
{
    const search_hot_entry_t *e;
    size_t n = search_hot_week(t, site, now, &e);
    if (n > SEARCH_HOT_SHOW)
        n = SEARCH_HOT_SHOW;
    for (size_t i = 0; i < n; i++)
        out[i] = e[i].term;
    return n;
}

/* ------------------------------------------------------------------ the worker's batch */

typedef struct pend {
    char *key; /* site '\n' YYYYMMDD '\n' term */
    size_t klen;
    uint32_t count;
} pend_t;

typedef struct batch {
    pend_t *p;
    size_t n;
    worker_t *w; /* NULL: flushed at the worker's exit (done runs on the writer thread) */
} batch_t;

typedef struct hot_state {
    worker_t *w;
    uint64_t last_flush_ms;
    pend_t slot[PENDING_SLOTS];
    size_t n;
    uint64_t dropped;
} hot_state_t;

static _Thread_local hot_state_t *tl_hot;

void search_hot_count(const char *site, const char *q, int64_t now)
{
    hot_state_t *h = tl_hot;
    char term[SEARCH_HOT_TERM_BYTES + 1];
    if (!h || !search_hot_term(q, term, sizeof term))
        return;
    char key[STORE_KEY_MAX + SEARCH_HOT_TERM_BYTES + 16];
    int kl = snprintf(key, sizeof key, "%s\n%08u\n%s", site, search_hot_day(now), term);
    if (kl <= 0 || (size_t)kl >= sizeof key)
        return;
    uint64_t i = util_hash_bytes(0x5eac4, key, (size_t)kl);
    for (;; i++) {
        pend_t *p = &h->slot[i & (PENDING_SLOTS - 1)];
        if (!p->key) {
            if (h->n >= SEARCH_HOT_PENDING) {
                h->dropped++; /* until the next flush: the batch is bounded */
                return;
            }
            p->key = util_strndup(key, (size_t)kl);
            p->klen = (size_t)kl;
            p->count = 1;
            h->n++;
            return;
        }
        if (p->klen == (size_t)kl && memcmp(p->key, key, (size_t)kl) == 0) {
            if (p->count < UINT32_MAX)
                p->count++;
            return;
        }
    }
}

static int apply_batch(store_txn_t *t, void *ud)
{
    batch_t *b = ud;
    int rc = 0;
    char last_site[STORE_KEY_MAX + 1] = "";
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        char *k = b->p[i].key, *nl1 = strchr(k, '\n'), *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
        if (!nl2)
            continue;
        *nl1 = *nl2 = '\0';
        uint32_t day = (uint32_t)strtoul(nl1 + 1, NULL, 10);
        rc = search_hot_add(t, k, day, nl2 + 1, b->p[i].count);
        if (rc == 0 && strcmp(last_site, k) != 0) {
            /* days past the week shown go, once per site in a batch */
            char cutoff[16];
            snprintf(cutoff, sizeof cutoff, "%08u",
                     search_hot_day((int64_t)time(NULL) - (int64_t)(SEARCH_HOT_DAYS + 1) * DAY));
            rc = drop_days(t, k, cutoff);
            snprintf(last_site, sizeof last_site, "%s", k);
        }
    }
    return rc;
}

static int by_key(const void *a, const void *b)
{
    const pend_t *x = a, *y = b;
    return strcmp(x->key, y->key);
}

static void batch_free(batch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->p[i].key);
    free(b->p);
    free(b);
}

static void batch_done(int rc, void *ud)
{
    batch_t *b = ud;
    if (rc != 0)
        log_warn("search: %zu hot-search counts could not be stored: %s", b->n, store_strerror(rc));
    if (b->w)
        worker_release(b->w);
    batch_free(b);
}

/* Hands the worker's counts to the writer (w NULL: at exit, no loop to come back to). */
static void flush(hot_state_t *h, worker_t *w)
{
    if (h->dropped) {
        log_warn("search: %llu hot-search counts dropped: more than %d distinct queries "
                 "between two flushes", (unsigned long long)h->dropped, SEARCH_HOT_PENDING);
        h->dropped = 0;
    }
    if (h->n == 0)
        return;
    batch_t *b = util_calloc(1, sizeof *b);
    b->p = util_malloc(h->n * sizeof *b->p);
    b->w = w;
    for (size_t i = 0; i < PENDING_SLOTS; i++)
        if (h->slot[i].key) {
            b->p[b->n++] = h->slot[i];
            h->slot[i] = (pend_t){0};
        }
    h->n = 0;
    qsort(b->p, b->n, sizeof *b->p, by_key); /* one site after the other */
    writer_job_t j = {.apply = apply_batch, .done = batch_done, .ud = b, .worker = w};
    if (w)
        worker_hold(w); /* the loop waits for done at shutdown */
    if (writer_submit(&j) != 0) {
        if (w)
            worker_release(w);
        log_warn("search: %zu hot-search counts lost: the writer is not running", b->n);
        batch_free(b);
    }
}

void search_hot_worker_init(worker_t *w)
{
    hot_state_t *h = util_calloc(1, sizeof *h);
    h->w = w;
    h->last_flush_ms = util_now_ms();
    tl_hot = h;
}

/* The worker's tick (module_t.worker_tick): the batch goes to the writer once
 * search.hot_flush has passed, read from the current snapshot so a reload applies. */
void search_hot_worker_tick(worker_t *w)
{
    hot_state_t *h = tl_hot;
    uint64_t now = util_now_ms();
    if (!h || now - h->last_flush_ms < search_server_conf(w->snap->conf)->hot_flush_ms)
        return;
    h->last_flush_ms = now;
    flush(h, w);
}

void search_hot_worker_exit(worker_t *w)
{
    (void)w;
    hot_state_t *h = tl_hot;
    tl_hot = NULL;
    if (!h)
        return;
    flush(h, NULL); /* the server joins the workers before it stops the writer */
    free(h);
}
