/* modules/search/search_bulk.c: bulk mode (search_bulk.h): a transaction's new postings
 * and document counts collected in memory per term, and merged into each term's stored
 * blocks once a flush. */
#include "search_bulk.h"

#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "search_keys.h"
#include "store_keys.h"

typedef struct bterm {
    char term[SEARCH_TERM_BYTES];
    uint8_t len;
    const search_fam_t *fam;
    bool used;
    int64_t df;           /* pending change of xf/<term> */
    search_posting_t *e;  /* pending entries, in the order added */
    size_t n, cap;
    uint64_t *del;        /* pending removals of stored entries (document numbers) */
    size_t ndel, capdel;
    uint32_t epoch;       /* the flush it was last touched before (bulk_t.epoch) */
} bterm_t;

typedef struct bulk {
    store_txn_t *w;
    bterm_t *t;
    size_t cap, used; /* slots (a power of two), terms in use */
    size_t entries;   /* pending entries of every term */
    uint32_t epoch;   /* flushes so far */
    size_t touched;   /* terms touched since the last flush */
} bulk_t;

static _Thread_local bulk_t *bulk_now;

/* Document counts kept across transactions for one family (search_bulk_keep_df). */
typedef struct kept {
    char term[SEARCH_TERM_BYTES];
    uint8_t len;
    bool used;
    int64_t df;
} kept_t;

typedef struct keep {
    const search_fam_t *fam;
    kept_t *t;
    size_t cap, used;
    size_t *order, norder, at; /* the slots in term order, once writing began */
} keep_t;

static _Thread_local keep_t *keep_now;

static uint64_t term_hash(const search_fam_t *f, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ (unsigned char)f->id;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static bterm_t *bulk_slot(bulk_t *b, const search_fam_t *f, const char *term, size_t tlen)
{
    if ((b->used + 1) * 2 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        bterm_t *nt = util_calloc(ncap, sizeof *nt);
        for (size_t i = 0; i < b->cap; i++) {
            if (!b->t[i].used)
                continue;
            size_t j = term_hash(b->t[i].fam, b->t[i].term, b->t[i].len) & (ncap - 1);
            while (nt[j].used)
                j = (j + 1) & (ncap - 1);
            nt[j] = b->t[i];
        }
        free(b->t);
        b->t = nt;
        b->cap = ncap;
    }
    size_t j = term_hash(f, term, tlen) & (b->cap - 1);
    while (b->t[j].used && !(b->t[j].fam == f && b->t[j].len == tlen &&
                             memcmp(b->t[j].term, term, tlen) == 0))
        j = (j + 1) & (b->cap - 1);
    bterm_t *t = &b->t[j];
    if (!t->used) {
        *t = (bterm_t){.used = true, .len = (uint8_t)tlen, .fam = f, .epoch = b->epoch - 1};
        memcpy(t->term, term, tlen);
        b->used++;
    }
    if (t->epoch != b->epoch) {
        t->epoch = b->epoch;
        b->touched++;
    }
    return t;
}

bool search_bulk_take(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                      const search_posting_t *p)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w || tlen > SEARCH_TERM_BYTES)
        return false;
    bterm_t *t = bulk_slot(b, f, term, tlen);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->e = util_realloc(t->e, t->cap * sizeof *t->e);
    }
    t->e[t->n++] = *p;
    b->entries++;
    return true;
}

bool search_bulk_del(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                     uint64_t doc)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w || tlen > SEARCH_TERM_BYTES)
        return false;
    bterm_t *t = bulk_slot(b, f, term, tlen);
    /* an entry added in this batch is dropped from it (an add always follows a removal
     * of the same document, so the stored one, if any, has its removal pending already) */
    bool pending = false;
    for (size_t i = t->n; i-- > 0;) {
        if (t->e[i].doc == doc) {
            t->e[i] = t->e[--t->n];
            b->entries--;
            pending = true;
        }
    }
    if (pending)
        return true;
    if (t->ndel == t->capdel) {
        t->capdel = t->capdel ? t->capdel * 2 : 4;
        t->del = util_realloc(t->del, t->capdel * sizeof *t->del);
    }
    t->del[t->ndel++] = doc;
    b->entries++;
    return true;
}

bool search_bulk_df(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen,
                    int delta)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w || tlen > SEARCH_TERM_BYTES)
        return false;
    bulk_slot(b, f, term, tlen)->df += delta;
    return true;
}

static int post_desc(const void *a, const void *b)
{
    const search_posting_t *x = a, *y = b;
    return x->doc < y->doc ? 1 : x->doc > y->doc ? -1 : 0;
}

static int u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The blocks a term's pending entries are merged with: every block their range overlaps,
 * and the partial block just newer and just older than that range (so blocks fill up
 * rather than one partial block being left per flush). The blocks taken are neighbours in
 * key order, so the merged run overlaps no block left in place. */
typedef struct touch {
    uint64_t pmin, pmax;
    size_t plen;
    char (*keys)[STORE_KEY_MAX + 1];
    size_t *klen, n, cap;
    char newer[STORE_KEY_MAX + 1]; /* the last block wholly newer than the range */
    size_t newer_len;
    bool newer_partial, bad;
} touch_t;

static void touch_push(touch_t *t, const void *key, size_t klen)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        t->keys = util_realloc(t->keys, t->cap * sizeof *t->keys);
        t->klen = util_realloc(t->klen, t->cap * sizeof *t->klen);
    }
    memcpy(t->keys[t->n], key, klen);
    t->klen[t->n++] = klen;
}

static int touch_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    touch_t *t = ud;
    const uint8_t *v = val;
    uint64_t min, first = 0;
    const uint8_t *p = v + 2;
    if (search_postings_key_min((const char *)key + t->plen, klen - t->plen, &min) != 0 || vlen < 3 ||
        search_block_get_varint(&p, v + vlen, &first) != 0) {
        t->bad = true;
        return 1;
    }
    bool partial = (((size_t)v[0] | (size_t)v[1] << 8) & SEARCH_BLOCK_COUNT) < SEARCH_BLOCK_MAX;
    if (min > t->pmax) {
        memcpy(t->newer, key, klen);
        t->newer_len = klen;
        t->newer_partial = partial;
        return 0;
    }
    if (t->newer_len && t->newer_partial)
        touch_push(t, t->newer, t->newer_len);
    t->newer_len = 0;
    if (first >= t->pmin) {
        touch_push(t, key, klen); /* overlaps */
        return 0;
    }
    if (partial)
        touch_push(t, key, klen);
    return 1; /* wholly older: the rest are too */
}

static void keep_add(keep_t *kp, const char *term, size_t tlen, int64_t df);

/* carry: the newest (count mod SEARCH_BLOCK_MAX) pending entries stay pending, only full
 * blocks' worth are written (search_bulk_flush_carry) */
static int flush_term(store_txn_t *w, bterm_t *bt, bool carry)
{
    int rc = 0;
    char k[STORE_KEY_MAX + 1];
    if (bt->df != 0 && keep_now && keep_now->fam == bt->fam) {
        keep_add(keep_now, bt->term, bt->len, bt->df);
        bt->df = 0;
    }
    if (bt->df != 0) {
        size_t fl = strlen(bt->fam->df);
        memcpy(k, bt->fam->df, fl);
        memcpy(k + fl, bt->term, bt->len);
        const void *v;
        size_t len;
        int64_t df = 0;
        rc = store_content_get(w, k, fl + bt->len, &v, &len);
        if (rc == 0 && len == 4) {
            rec_rd_t r = rec_reader(v, len);
            df = (int64_t)rec_get_n(&r, 4);
        } else if (rc != 0 && rc != STORE_NOTFOUND) {
            return rc;
        }
        df += bt->df;
        if (df <= 0) {
            rc = rc == 0 ? store_content_del(w, k, fl + bt->len) : 0;
        } else {
            util_buf_t q = {0};
            rec_put_n(&q, df > UINT32_MAX ? UINT32_MAX : (uint64_t)df, 4);
            rc = store_content_put(w, k, fl + bt->len, q.data, q.len);
            util_buf_free(&q);
        }
        bt->df = 0;
        if (rc != 0)
            return rc;
    }
    if (bt->n == 0 && bt->ndel == 0)
        return 0;
    if (bt->n > 1)
        qsort(bt->e, bt->n, sizeof *bt->e, post_desc);
    if (bt->ndel > 1)
        qsort(bt->del, bt->ndel, sizeof *bt->del, u64_desc);
    /* one entry per document (a document is added once per term; a second entry for the
     * same number replaces the first, as search_postings_add does) */
    size_t m = 0;
    for (size_t i = 0; i < bt->n; i++) {
        if (m && bt->e[m - 1].doc == bt->e[i].doc)
            bt->e[m - 1] = bt->e[i];
        else
            bt->e[m++] = bt->e[i];
    }
    bt->n = m;
    size_t keep = carry ? m % SEARCH_BLOCK_MAX : 0;
    const search_posting_t *pe = bt->e + keep; /* what is written now: the older ones */
    size_t pn = m - keep;
    if (pn == 0 && bt->ndel == 0)
        return 0;
    size_t plen = search_postings_prefix(k, bt->fam, bt->term, bt->len);
    if (!plen)
        return STORE_EKEY;
    /* the range of the documents added and removed */
    uint64_t pmax = 0, pmin = UINT64_MAX;
    if (pn)
        pmax = pe[0].doc, pmin = pe[pn - 1].doc;
    if (bt->ndel) {
        pmax = bt->del[0] > pmax ? bt->del[0] : pmax;
        pmin = bt->del[bt->ndel - 1] < pmin ? bt->del[bt->ndel - 1] : pmin;
    }
    touch_t t = {.pmax = pmax, .pmin = pmin, .plen = plen};
    rc = store_content_each(w, k, plen, touch_cb, &t);
    if (rc >= 0 && !t.bad && t.newer_len && t.newer_partial)
        touch_push(&t, t.newer, t.newer_len); /* every block is newer: the oldest of them */
    if (rc < 0 || t.bad) {
        free(t.keys);
        free(t.klen);
        return rc < 0 ? rc : STORE_ECORRUPT;
    }
    rc = 0; /* (1: the walk stopped early) */
    /* the touched blocks' entries with the pending ones, newest first */
    search_posting_t *all = util_malloc((pn + t.n * SEARCH_BLOCK_MAX) * sizeof *all);
    size_t na = 0;
    for (size_t i = 0; i < t.n && rc == 0; i++) {
        const void *v;
        size_t vl;
        if ((rc = store_content_get(w, t.keys[i], t.klen[i], &v, &vl)) != 0)
            break;
        int got = search_block_decode(v, vl, all + na, SEARCH_BLOCK_MAX);
        if (got < 0) {
            rc = STORE_ECORRUPT;
            break;
        }
        na += (size_t)got;
        rc = store_content_del(w, t.keys[i], t.klen[i]);
    }
    free(t.keys);
    free(t.klen);
    if (rc == 0) {
        /* the removals first: stored entries whose number is among them go (both newest
         * first) */
        size_t kept = 0;
        for (size_t a = 0, d = 0; a < na; a++) {
            while (d < bt->ndel && bt->del[d] > all[a].doc)
                d++;
            if (d < bt->ndel && bt->del[d] == all[a].doc)
                continue;
            all[kept++] = all[a];
        }
        na = kept;
        /* both runs are newest first: merge, a pending entry replacing a stored one */
        search_posting_t *out = util_malloc((na + pn + 1) * sizeof *out);
        size_t a = 0, b = 0, o = 0;
        while (a < na || b < pn) {
            if (b == pn || (a < na && all[a].doc > pe[b].doc)) {
                out[o++] = all[a++];
            } else {
                if (a < na && all[a].doc == pe[b].doc)
                    a++;
                out[o++] = pe[b++];
            }
        }
        /* full blocks from the oldest end: a partial one is the newest, where the next
         * flush of newer documents merges into it */
        size_t head = o % SEARCH_BLOCK_MAX;
        for (size_t i = 0; i < o && rc == 0;) {
            size_t cnt = i == 0 && head ? head : SEARCH_BLOCK_MAX;
            rc = search_postings_put_block(w, k, plen, out + i, cnt);
            i += cnt;
        }
        free(out);
    }
    free(all);
    bt->n = keep; /* (the newest: at the front already) */
    bt->ndel = 0;
    return rc;
}

int search_bulk_begin(store_txn_t *w)
{
    if (bulk_now)
        return STORE_EIO; /* one at a time on a thread */
    bulk_now = util_calloc(1, sizeof *bulk_now);
    bulk_now->w = w;
    bulk_now->epoch = 1;
    return 0;
}

/* carry: family f's terms keep their newest partial block's worth pending */
static int flush(store_txn_t *w, const search_fam_t *carry)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w)
        return 0;
    bulk_now = NULL; /* the flush writes through the ordinary paths */
    int rc = 0;
    size_t left = 0;
    for (size_t i = 0; i < b->cap && rc == 0; i++)
        if (b->t[i].used) {
            rc = flush_term(w, &b->t[i], carry && b->t[i].fam == carry);
            left += b->t[i].n;
        }
    b->entries = left;
    b->epoch++;
    b->touched = 0;
    bulk_now = b;
    return rc;
}

int search_bulk_flush(store_txn_t *w)
{
    return flush(w, NULL);
}

int search_bulk_flush_carry(store_txn_t *w, const search_fam_t *f)
{
    return flush(w, f);
}

search_bulk_t *search_bulk_suspend(void)
{
    bulk_t *b = bulk_now;
    bulk_now = NULL;
    if (b)
        b->w = NULL;
    return b;
}

int search_bulk_resume(store_txn_t *w, search_bulk_t *b)
{
    if (bulk_now)
        return STORE_EIO;
    b->w = w;
    bulk_now = b;
    return 0;
}

static void bulk_free(bulk_t *b)
{
    for (size_t i = 0; i < b->cap; i++) {
        free(b->t[i].e);
        free(b->t[i].del);
    }
    free(b->t);
    free(b);
}

void search_bulk_discard(search_bulk_t *b)
{
    if (b)
        bulk_free(b);
}

bool search_bulk_active(const store_txn_t *w)
{
    return bulk_now && bulk_now->w == w;
}

size_t search_bulk_pending(void)
{
    return bulk_now ? bulk_now->entries : 0;
}

size_t search_bulk_terms(void)
{
    return bulk_now ? bulk_now->touched : 0;
}

int search_bulk_end(store_txn_t *w, bool flush)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w)
        return 0;
    int rc = flush ? search_bulk_flush(w) : 0;
    bulk_free(b);
    bulk_now = NULL;
    return rc;
}

/* --- document counts kept across transactions --- */

static uint64_t kept_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void keep_add(keep_t *kp, const char *term, size_t tlen, int64_t df)
{
    if ((kp->used + 1) * 2 > kp->cap) {
        size_t ncap = kp->cap ? kp->cap * 2 : 65536;
        kept_t *nt = util_calloc(ncap, sizeof *nt);
        for (size_t i = 0; i < kp->cap; i++) {
            if (!kp->t[i].used)
                continue;
            size_t j = kept_hash(kp->t[i].term, kp->t[i].len) & (ncap - 1);
            while (nt[j].used)
                j = (j + 1) & (ncap - 1);
            nt[j] = kp->t[i];
        }
        free(kp->t);
        kp->t = nt;
        kp->cap = ncap;
    }
    size_t j = kept_hash(term, tlen) & (kp->cap - 1);
    while (kp->t[j].used &&
           !(kp->t[j].len == tlen && memcmp(kp->t[j].term, term, tlen) == 0))
        j = (j + 1) & (kp->cap - 1);
    kept_t *t = &kp->t[j];
    if (!t->used) {
        *t = (kept_t){.used = true, .len = (uint8_t)tlen};
        memcpy(t->term, term, tlen);
        kp->used++;
    }
    t->df += df;
}

void search_bulk_keep_df(const search_fam_t *f)
{
    search_bulk_kept_free();
    keep_now = util_calloc(1, sizeof *keep_now);
    keep_now->fam = f;
}

static const kept_t *kept_base;

static int kept_cmp(const void *a, const void *b)
{
    const kept_t *x = &kept_base[*(const size_t *)a], *y = &kept_base[*(const size_t *)b];
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, m);
    return c ? c : (int)x->len - (int)y->len;
}

int search_bulk_kept_write(store_txn_t *w, size_t max, bool *done)
{
    keep_t *kp = keep_now;
    *done = true;
    if (!kp)
        return 0;
    if (!kp->order) {
        /* in key order: consecutive keys share leaf pages */
        kp->order = util_calloc(kp->used ? kp->used : 1, sizeof *kp->order);
        for (size_t i = 0; i < kp->cap; i++)
            if (kp->t[i].used)
                kp->order[kp->norder++] = i;
        kept_base = kp->t;
        qsort(kp->order, kp->norder, sizeof *kp->order, kept_cmp);
    }
    int rc = 0;
    size_t fl = strlen(kp->fam->df);
    for (size_t n = 0; rc == 0 && n < max && kp->at < kp->norder; n++, kp->at++) {
        const kept_t *t = &kp->t[kp->order[kp->at]];
        char k[STORE_KEY_MAX + 1];
        memcpy(k, kp->fam->df, fl);
        memcpy(k + fl, t->term, t->len);
        const void *v;
        size_t len;
        int64_t df = t->df;
        rc = store_content_get(w, k, fl + t->len, &v, &len);
        if (rc == 0 && len == 4) {
            rec_rd_t r = rec_reader(v, len);
            df += (int64_t)rec_get_n(&r, 4);
        } else if (rc != 0 && rc != STORE_NOTFOUND) {
            break;
        }
        if (df <= 0) {
            rc = rc == 0 ? store_content_del(w, k, fl + t->len) : 0;
        } else {
            util_buf_t q = {0};
            rec_put_n(&q, df > UINT32_MAX ? UINT32_MAX : (uint64_t)df, 4);
            rc = store_content_put(w, k, fl + t->len, q.data, q.len);
            util_buf_free(&q);
        }
    }
    *done = rc == 0 && kp->at == kp->norder;
    return rc;
}

void search_bulk_kept_free(void)
{
    if (!keep_now)
        return;
    free(keep_now->t);
    free(keep_now->order);
    free(keep_now);
    keep_now = NULL;
}
