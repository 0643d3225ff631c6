/* modules/search/search_reindex.c: the index rebuilt from the content (search_reindex.h):
 * every article record (modules/content/content_keys.h a/) indexed as article_publish_txn
 * indexes it, every answered message as message_reply_add does
 * (modules/interaction/message_search.h), every page of a live generation as an import
 * does (search_pages.h); a site's in one transaction, the whole index beside the live one
 * in bounded transactions with one switch; and the digests compared. */
#include "search_reindex.h"

#include <malloc.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "article_link.h"
#include "content_keys.h"
#include "message_search.h"
#include "search_bulk.h"
#include "search_fam.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_pages.h"
#include "rec.h"
#include "store_keys.h"
#include "util.h"

/* entries collected before a bulk flush: about 32 bytes each in memory */
#define SEARCH_REINDEX_FLUSH (4u << 20)

/* --- sources --- */

/* A source to index: type 'a' (s = "<site>/<column>/<id>"), 'm' (s = "<site>/<code>") or
 * 'p' (s = "<site>/<path>"), with its document number to index oldest first. */
typedef struct src {
    uint64_t order;
    char type;
    char *s;
} src_t;

typedef struct srcs {
    src_t *v;
    size_t n, cap;
    store_txn_t *t;
    const char *site; /* pages: whose */
} srcs_t;

static void srcs_add(srcs_t *l, char type, uint64_t order, const char *a, size_t al,
                     const char *b, size_t bl)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = util_realloc(l->v, l->cap * sizeof *l->v);
    }
    char *s = util_malloc(al + 1 + bl + 1);
    memcpy(s, a, al);
    s[al] = '/';
    memcpy(s + al + 1, b, bl);
    s[al + 1 + bl] = '\0';
    l->v[l->n++] = (src_t){order, type, s};
}

static void srcs_free(srcs_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].s);
    free(l->v);
    *l = (srcs_t){0};
}

static uint64_t order_of(int64_t t, uint64_t seq)
{
    return (uint64_t)(t < 0 ? 0 : t) << 24 | (seq & 0xFFFFFF);
}

/* The order of an article record: it starts "JYAR" v1 or v2 (modules/content/article.c),
 * publication time (i64), time of change, sequence. (Read wrong, every article would be 0
 * and the walk would go in key order: each transaction's postings would then fall among a
 * term's whole list instead of after it, and each flush rewrite all its blocks.) */
static uint64_t article_order(const void *val, size_t vlen)
{
    rec_rd_t r = rec_reader(val, vlen);
    if (vlen < 6 || memcmp(val, "JYAR", 4) != 0)
        return 0;
    r.p += 4;
    uint64_t version = rec_get_n(&r, 2);
    if (version != 1 && version != 2)
        return 0;
    int64_t pub = (int64_t)rec_get_n(&r, 8);
    (void)rec_get_n(&r, 8);
    uint64_t seq = rec_get_n(&r, 8);
    return r.bad ? 0 : order_of(pub, seq);
}

static int article_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    const char *k = (const char *)key + CONTENT_KEY_LEN(CONTENT_KEY_ARTICLE);
    size_t n = klen - CONTENT_KEY_LEN(CONTENT_KEY_ARTICLE);
    const char *slash = memchr(k, '/', n);
    if (!slash)
        return 0;
    srcs_add(ud, 'a', article_order(val, vlen), k, (size_t)(slash - k), slash + 1,
             n - (size_t)(slash - k) - 1);
    return 0;
}

static int message_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    srcs_t *l = ud;
    if (vlen != MESSAGE_CODE_LEN)
        return 0;
    char code[MESSAGE_CODE_LEN + 1];
    memcpy(code, val, vlen);
    code[vlen] = '\0';
    message_t m;
    if (message_get(l->t, code, &m) == 0 && !m.spam_time && m.nreplies > 0)
        srcs_add(l, 'm', order_of(m.first_reply, m.seq), m.site, strlen(m.site), code, vlen);
    return 0;
}

static int page_cb(void *ud, const char *path, size_t path_len, const store_page_t *page)
{
    srcs_t *l = ud;
    if (search_pages_wanted(path, path_len, page))
        srcs_add(l, 'p', order_of(page->mtime, 0), l->site, strlen(l->site), path, path_len);
    return 0;
}

static int src_cmp(const void *a, const void *b)
{
    const src_t *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return strcmp(x->s, y->s);
}

/* Every source the content holds (read in t), oldest document first. */
static int sources(store_txn_t *t, const conf_t *c, srcs_t *l)
{
    *l = (srcs_t){.t = t};
    int rc = store_content_each(t, CONTENT_KEY_ARTICLE, CONTENT_KEY_LEN(CONTENT_KEY_ARTICLE),
                                article_cb, l);
    if (rc == 0 || rc == STORE_NOTFOUND)
        rc = store_content_each(t, "ma/", 3, message_cb, l);
    rc = rc == STORE_NOTFOUND ? 0 : rc;
    for (size_t i = 0; rc == 0 && c && i < c->nsites; i++) {
        char ns[STORE_KEY_MAX + 1];
        l->site = c->sites[i].id;
        if ((rc = store_site_live(t, l->site, ns, sizeof ns)) == 0) {
            rc = store_page_each(t, ns, page_cb, l);
            rc = rc == STORE_NOTFOUND || rc > 0 ? 0 : rc;
        }
    }
    if (rc == 0 && l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, src_cmp);
    return rc;
}

/* An article "<site>/<column>/<id>" (s is cut at its slashes) into the index as it is now:
 * indexed when published (a listing's original is indexed, once), else taken out. */
static int article_refresh(store_txn_t *w, char *s, bool *indexed)
{
    *indexed = false;
    char *col = strchr(s, '/');
    char *id = col ? strchr(col + 1, '/') : NULL;
    if (!id)
        return 0;
    *col++ = '\0';
    *id++ = '\0';
    article_t a;
    int rc = article_get(w, s, col, id, &a);
    if (rc == STORE_NOTFOUND || (rc == 0 && article_is_link(&a))) {
        id[-1] = '/'; /* the ref: "<column>/<id>" */
        return search_index_del(w, s, SEARCH_TYPE_ARTICLE, col);
    }
    if (rc != 0)
        return rc;
    /* copies: the record's memory is not ours once the index writes */
    char *title = util_strdup(a.title), *source = util_strdup(a.source);
    char *body = util_strndup(a.body, a.body_len);
    size_t body_len = a.body_len;
    char *hdr[] = {util_strdup(a.doc_no), util_strdup(a.issuer), util_strdup(a.written),
                   util_strdup(a.topic), util_strdup(a.index_no)};
    search_policy_t pol = {hdr[0], hdr[1], hdr[2], hdr[3], hdr[4]};
    rc = search_index_article(w, s, col, id, title, source, body, body_len, &pol, a.pubtime,
                              a.seq);
    free(title);
    free(source);
    free(body);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(hdr); i++)
        free(hdr[i]);
    *indexed = rc == 0;
    return rc;
}

/* One source of the walk into the index (w's changes pinned to the family it fills). */
static int index_src(store_txn_t *w, const src_t *x)
{
    char *s = util_strdup(x->s);
    char *slash = strchr(s, '/');
    bool one;
    int rc = 0;
    if (x->type == 'a') {
        rc = article_refresh(w, s, &one);
    } else if (slash) {
        *slash = '\0';
        rc = x->type == 'm' ? message_search_index_code(w, slash + 1, &one)
                            : search_pages_index(w, s, slash + 1);
    }
    free(s);
    return rc;
}

/* --- a site in one transaction --- */

int search_reindex(store_txn_t *w, const char *site, const conf_t *c,
                   search_reindex_report_t *rep)
{
    *rep = (search_reindex_report_t){0};
    if (!site)
        return STORE_EKEY; /* the whole index: search_rebuild */
    const search_fam_t *live = search_fam_live(w);
    unsigned char before[32], after[32];
    int rc = search_index_digest(w, live, site, before, NULL);
    if (rc == 0)
        rc = search_index_clear(w, site, false, &rep->removed);
    if (rc != 0)
        return rc;
    char prefix[STORE_KEY_MAX + 1];
    size_t pl = (size_t)snprintf(prefix, sizeof prefix, CONTENT_KEY_ARTICLE "%s/", site);
    srcs_t l = {.t = w};
    rc = store_content_each(w, prefix, pl, article_cb, &l);
    if (rc == STORE_NOTFOUND)
        rc = 0;
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, src_cmp); /* oldest first: one block per term and flush */
    if (rc == 0)
        rc = search_bulk_begin(w);
    bool bulk = rc == 0;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        bool one;
        rc = article_refresh(w, l.v[i].s, &one);
        rep->indexed += one;
        if (rc == 0 && search_bulk_pending() >= SEARCH_REINDEX_FLUSH)
            rc = search_bulk_flush(w);
    }
    srcs_free(&l);
    if (rc == 0)
        rc = message_search_reindex(w, site, &rep->indexed);
    if (rc == 0 && c && conf_site_find(c, site)) {
        long n = 0;
        rc = search_pages_sync(w, site, &n);
        rep->indexed += n;
    }
    if (bulk) {
        int erc = search_bulk_end(w, rc == 0);
        rc = rc ? rc : erc;
    }
    if (rc == 0)
        rc = search_index_digest(w, live, site, after, NULL);
    if (rc == 0)
        rep->equal = memcmp(before, after, sizeof before) == 0;
    return rc;
}

/* --- the whole index, beside the live one --- */

typedef struct rebuild {
    store_t *s;
    const search_rebuild_opt_t *o;
    search_reindex_report_t *rep;
    uint64_t run;
} rebuild_t;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A step's transaction, begun after checking this rebuild still owns "xb" (a later one
 * takes over; none at all: the record was removed). */
static int step_begin(rebuild_t *b, store_txn_t **w, search_build_t *st, double *t0)
{
    int rc;
    *t0 = now_ms();
    if (!(*w = store_write_begin(b->s, &rc)))
        return rc;
    if ((rc = search_build_get(*w, st)) == 0 && st->run != b->run)
        rc = SEARCH_REBUILD_TAKEN;
    if (rc != 0) {
        store_abort(*w);
        *w = NULL;
    }
    return rc;
}

/* Commits (rc 0) or aborts a step; counts it and calls the test hooks. */
static int step_end(rebuild_t *b, store_txn_t *w, int rc, double t0)
{
    if (rc != 0) {
        store_abort(w);
        return rc;
    }
    if ((rc = store_commit(w)) != 0)
        return rc;
    double ms = now_ms() - t0;
    if (ms > b->rep->longest_ms)
        b->rep->longest_ms = ms;
    struct mallinfo2 mi = mallinfo2();
    if (mi.uordblks + mi.hblkhd > b->rep->peak_heap)
        b->rep->peak_heap = mi.uordblks + mi.hblkhd;
    /* a writer waiting for the lock (a publish) gets it now: LMDB's lock is not fair, and
     * this process would otherwise take it again before the waiter has woken */
    nanosleep(&(struct timespec){0, SEARCH_REBUILD_PAUSE_MS * 1000000L}, NULL);
    b->rep->steps++;
    if (b->o->between)
        b->o->between(b->o->ud, b->rep->steps);
    if (b->o->stop_after && b->rep->steps >= b->o->stop_after)
        return SEARCH_REBUILD_STOPPED;
    return 0;
}

typedef struct some {
    char **k;
    size_t *len;
    size_t n, max;
} some_t;

static int some_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    some_t *s = ud;
    if (s->n == s->max)
        return 1;
    s->k[s->n] = util_strndup(key, klen);
    s->len[s->n++] = klen;
    return 0;
}

/* Up to max keys starting with prefix (the caller frees them with some_free). */
static int some_keys(store_txn_t *t, const char *prefix, size_t max, some_t *s)
{
    *s = (some_t){util_calloc(max ? max : 1, sizeof(char *)),
                  util_calloc(max ? max : 1, sizeof(size_t)), 0, max};
    int rc = store_content_each(t, prefix, strlen(prefix), some_cb, s);
    return rc < 0 && rc != STORE_NOTFOUND ? rc : 0;
}

static void some_free(some_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->k[i]);
    free(s->k);
    free(s->len);
}

/* Deletes up to max keys of family f and of the queue; *done when none are left (then f's
 * counts are reset too). */
static int drop_some(store_txn_t *w, const search_fam_t *f, size_t max, bool *done)
{
    const char *pre[] = {f->postings, f->df, f->doc, f->ref, SEARCH_KEY_QUEUE};
    size_t left = max;
    int rc = 0;
    for (size_t i = 0; rc == 0 && left > 0 && i < UTIL_ARRAY_LEN(pre); i++) {
        some_t ks;
        rc = some_keys(w, pre[i], left, &ks);
        for (size_t j = 0; rc == 0 && j < ks.n; j++)
            rc = store_content_del(w, ks.k[j], ks.len[j]);
        left -= ks.n;
        some_free(&ks);
    }
    *done = rc == 0 && left > 0;
    if (*done)
        rc = search_counters_reset(w, f);
    return rc;
}

/* One bounded step after another, each in its own transaction, until `one` says done:
 * every step first checks that this run still owns "xb" and that it is still in `phase`
 * (anything else means another run moved it: the store is not what this run expects). */
typedef int (*step_fn)(rebuild_t *b, store_txn_t *w, void *arg, bool *done);

static int steps(rebuild_t *b, search_build_phase_t phase, step_fn one, void *arg)
{
    for (bool done = false; !done;) {
        store_txn_t *w;
        search_build_t st;
        double t0;
        int rc = step_begin(b, &w, &st, &t0);
        if (rc != 0)
            return rc;
        rc = st.phase == phase ? one(b, w, arg, &done) : STORE_ECORRUPT;
        if ((rc = step_end(b, w, rc, t0)) != 0)
            return rc;
    }
    return 0;
}

/* A step of DROP: some keys of the family that is not live; at the end, phase `next`. */
static int drop_step(rebuild_t *b, store_txn_t *w, void *arg, bool *done)
{
    search_build_phase_t next = *(const search_build_phase_t *)arg;
    size_t max = b->o->drop_keys ? b->o->drop_keys : SEARCH_REBUILD_DROP_KEYS;
    int rc = drop_some(w, search_fam_other(search_fam_live(w)), max, done);
    if (rc == 0 && *done)
        rc = search_build_put(w, &(search_build_t){next, next ? b->run : 0});
    return rc;
}

/* Phase DROP to its end: the family that is not live deleted in bounded transactions;
 * then `next` (NONE: the record goes). */
static int drop(rebuild_t *b, search_build_phase_t next)
{
    return steps(b, SEARCH_BUILD_DROP, drop_step, &next);
}

/* A step of WALK's end: some of the kept document counts written (search_bulk_kept_write). */
static int kept_step(rebuild_t *b, store_txn_t *w, void *arg, bool *done)
{
    (void)arg;
    return search_bulk_kept_write(w, b->o->drop_keys ? b->o->drop_keys
                                                     : SEARCH_REBUILD_DROP_KEYS, done);
}

/* Phase WALK: the sources into the family that is not live (fill), oldest first, a bounded
 * step a transaction; the document counts kept in memory meanwhile and written last, in key
 * order (search_bulk_keep_df). */
static int walk(rebuild_t *b, const srcs_t *l, const search_fam_t *fill)
{
    size_t max = b->o->step_docs ? b->o->step_docs : SEARCH_REBUILD_STEP_DOCS;
    search_bulk_keep_df(fill);
    /* each term's newest partial block's worth of postings carried from one transaction
     * to the next (search_bulk_flush_carry) */
    search_bulk_t *carry = NULL;
    for (size_t at = 0; at < l->n;) {
        store_txn_t *w;
        search_build_t st;
        double t0;
        int rc = step_begin(b, &w, &st, &t0);
        if (rc != 0) {
            search_bulk_discard(carry);
            return rc;
        }
        if (st.phase != SEARCH_BUILD_WALK)
            rc = STORE_ECORRUPT;
        search_fam_pin(w, fill);
        if (rc == 0)
            rc = carry ? search_bulk_resume(w, carry) : search_bulk_begin(w);
        bool bulk = rc == 0;
        carry = NULL;
        uint64_t bytes = search_index_record_bytes();
        for (size_t n = 0; rc == 0 && at < l->n && n < max &&
                           search_bulk_terms() < SEARCH_REBUILD_STEP_TERMS &&
                           search_index_record_bytes() - bytes < SEARCH_REBUILD_STEP_BYTES;
             n++)
            rc = index_src(w, &l->v[at++]);
        if (bulk && rc == 0 && at < l->n && search_bulk_pending() < SEARCH_REBUILD_CARRY) {
            rc = search_bulk_flush_carry(w, fill);
            carry = search_bulk_suspend();
        } else if (bulk) {
            int erc = search_bulk_end(w, rc == 0);
            rc = rc ? rc : erc;
        }
        search_fam_pin(w, NULL);
        if ((rc = step_end(b, w, rc, t0)) != 0) {
            search_bulk_discard(carry);
            return rc;
        }
    }
    return steps(b, SEARCH_BUILD_WALK, kept_step, NULL);
}

/* A queued source "xq/<site>/<type>/<ref>" into the family being filled as it is now. */
static int refresh(store_txn_t *w, const char *key, size_t klen)
{
    char *s = util_strndup(key + strlen(SEARCH_KEY_QUEUE), klen - strlen(SEARCH_KEY_QUEUE));
    char *t = strchr(s, '/');
    int rc = 0;
    if (t && t[1] && t[2] == '/') {
        char type = t[1];
        char *ref = t + 3;
        *t = '\0';
        bool one;
        if (type == 'a') {
            /* article_refresh takes "<site>/<column>/<id>" */
            memmove(t + 1, ref, strlen(ref) + 1);
            *t = '/';
            rc = article_refresh(w, s, &one);
        } else if (type == 'm') {
            rc = message_search_refresh(w, s, ref);
        } else if (type == 'p') {
            rc = search_pages_index(w, s, ref);
        }
    }
    free(s);
    return rc == 0 ? store_content_del(w, key, klen) : rc;
}

/* A step of catching up: some queued sources refreshed in the family being filled; the
 * step that empties the queue sets phase SYNC. */
static int catch_up_step(rebuild_t *b, store_txn_t *w, void *arg, bool *done)
{
    (void)arg;
    some_t q = {0};
    int rc = some_keys(w, SEARCH_KEY_QUEUE, SEARCH_REBUILD_CATCHUP + 1, &q);
    search_fam_pin(w, search_fam_other(search_fam_live(w)));
    size_t n = q.n > SEARCH_REBUILD_CATCHUP ? SEARCH_REBUILD_CATCHUP : q.n;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = refresh(w, q.k[i], q.len[i]);
    search_fam_pin(w, NULL);
    *done = q.n <= SEARCH_REBUILD_CATCHUP;
    some_free(&q);
    if (rc == 0 && *done)
        rc = search_build_put(w, &(search_build_t){SEARCH_BUILD_SYNC, b->run});
    return rc;
}

/* The queue worked off; the transaction that empties it sets phase SYNC. */
static int catch_up(rebuild_t *b)
{
    return steps(b, SEARCH_BUILD_WALK, catch_up_step, NULL);
}

/* The two families compared in one snapshot (both kept in step since SYNC). */
static int compare(rebuild_t *b)
{
    store_txn_t *t = store_read_txn_new(b->s);
    int rc = t ? store_read_renew(t) : STORE_EIO;
    search_build_t st;
    if (rc == 0 && (rc = search_build_get(t, &st)) == 0 && st.run != b->run)
        rc = SEARCH_REBUILD_TAKEN;
    unsigned char a[32], n[32];
    if (rc == 0) {
        const search_fam_t *live = search_fam_live(t);
        rc = search_index_digest(t, live, NULL, a, &b->rep->removed);
        if (rc == 0)
            rc = search_index_digest(t, search_fam_other(live), NULL, n, &b->rep->indexed);
    }
    if (rc == 0)
        b->rep->equal = memcmp(a, n, sizeof a) == 0;
    store_txn_free(t);
    return rc;
}

/* The step of SYNC: the built family made live (check: left out), then phase DROP. */
static int switch_step(rebuild_t *b, store_txn_t *w, void *arg, bool *done)
{
    (void)arg;
    *done = true;
    int rc = b->o->check ? 0 : search_fam_switch(w, search_fam_other(search_fam_live(w)));
    if (rc == 0)
        rc = search_build_put(w, &(search_build_t){SEARCH_BUILD_DROP, b->run});
    return rc;
}

/* The switch: one small transaction. */
static int switch_live(rebuild_t *b)
{
    return steps(b, SEARCH_BUILD_SYNC, switch_step, NULL);
}

/* This run's record "xb" (DROP), taking over from any other run. */
static int start(rebuild_t *b)
{
    if (RAND_bytes((unsigned char *)&b->run, sizeof b->run) != 1)
        return STORE_EIO;
    b->run |= 1; /* never 0: "no run" */
    int rc;
    double t0 = now_ms();
    store_txn_t *w = store_write_begin(b->s, &rc);
    if (!w)
        return rc;
    rc = search_build_put(w, &(search_build_t){SEARCH_BUILD_DROP, b->run});
    return step_end(b, w, rc, t0);
}

int search_rebuild(store_t *s, const conf_t *c, const search_rebuild_opt_t *opt,
                   search_reindex_report_t *rep)
{
    static const search_rebuild_opt_t none = {0};
    *rep = (search_reindex_report_t){0};
    rebuild_t b = {s, opt ? opt : &none, rep, 0};
    int rc = start(&b);
    if (rc == 0)
        rc = drop(&b, SEARCH_BUILD_WALK); /* leftovers */
    srcs_t l = {0};
    const search_fam_t *fill = NULL;
    if (rc == 0) {
        /* what to index: read after WALK began, so a change from then on is queued */
        store_txn_t *t = store_read_txn_new(s);
        rc = t ? store_read_renew(t) : STORE_EIO;
        if (rc == 0) {
            fill = search_fam_other(search_fam_live(t));
            rc = sources(t, c, &l);
        }
        store_txn_free(t);
    }
    if (rc == 0)
        rc = walk(&b, &l, fill);
    search_bulk_kept_free();
    srcs_free(&l);
    if (rc == 0)
        rc = catch_up(&b);
    if (rc == 0)
        rc = compare(&b);
    if (rc == 0)
        rc = switch_live(&b);
    if (rc == 0)
        return drop(&b, SEARCH_BUILD_NONE);
    if (rc < 0) {
        /* a failure (a full map): what was built goes, the live index stays */
        store_txn_t *w;
        search_build_t st;
        double t0;
        if (step_begin(&b, &w, &st, &t0) == 0) {
            int prc = st.phase == SEARCH_BUILD_DROP ? 0 : search_build_put(
                          w, &(search_build_t){SEARCH_BUILD_DROP, b.run});
            if (step_end(&b, w, prc, t0) == 0)
                drop(&b, SEARCH_BUILD_NONE);
        }
    }
    return rc;
}

/* --- sizes --- */

static int size_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    search_size_family_t *f = ud;
    f->entries++;
    f->key_bytes += klen;
    f->value_bytes += vlen;
    return 0;
}

int search_index_size(store_txn_t *t, search_size_t *out)
{
    const search_fam_t *live = search_fam_live(t);
    const char *const prefixes[] = {live->postings, live->df, live->doc, live->ref,
                                    SEARCH_KEY_SITE, SEARCH_KEY_COLUMN, live->counters};
    /* the site and column numbers share one row */
    static const int row[] = {0, 1, 2, 3, 4, 4, 5};
    *out = (search_size_t){0};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(prefixes); i++) {
        search_size_family_t *f = &out->f[row[i]];
        if (row[i] == 4)
            snprintf(f->prefix, sizeof f->prefix, "%s", "xs/+xc/");
        else
            snprintf(f->prefix, sizeof f->prefix, "%s", prefixes[i]);
        int rc = store_content_each(t, prefixes[i], strlen(prefixes[i]), size_cb, f);
        if (rc < 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    return 0;
}
