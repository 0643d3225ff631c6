/* modules/search/search_index.c: documents into and out of the search index (keys in
 * search_keys.h): a document's terms, its postings, its record, the counters, and the
 * clearing and digest a reindex and a purge use. */
#include "search_index.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "search_bulk.h"
#include "search_fam.h"
#include "search_hot.h"
#include "search_keys.h"
#include "search_postings.h"
#include "search_text.h"
#include "store_keys.h"
#include "util.h"

#define KEYBUF (STORE_KEY_MAX + 1)

/* --- counters and numbers --- */

typedef struct counters {
    uint64_t docs, total_len;
    uint32_t last_site, last_column;
} counters_t;

/* A counters record: a family's ("xn", "yn"), whose numbers only "xn"'s are (shared). */
static counters_t counters_get(store_txn_t *t, const char *key)
{
    counters_t c = {0};
    const void *v;
    size_t len;
    if (store_content_get(t, key, strlen(key), &v, &len) == 0) {
        rec_rd_t r = rec_reader(v, len);
        c.docs = rec_get_n(&r, 8);
        c.total_len = rec_get_n(&r, 8);
        c.last_site = (uint32_t)rec_get_n(&r, 4);
        c.last_column = (uint32_t)rec_get_n(&r, 4);
        if (r.bad)
            c = (counters_t){0};
    }
    return c;
}

static int counters_put(store_txn_t *w, const char *key, const counters_t *c)
{
    util_buf_t b = {0};
    rec_put_n(&b, c->docs, 8);
    rec_put_n(&b, c->total_len, 8);
    rec_put_n(&b, c->last_site, 4);
    rec_put_n(&b, c->last_column, 4);
    int rc = store_content_put(w, key, strlen(key), b.data, b.len);
    util_buf_free(&b);
    return rc;
}

/* One document of `length` terms more (add) or fewer in family f's counts. */
static int counts_change(store_txn_t *w, const search_fam_t *f, bool add, uint32_t length)
{
    counters_t c = counters_get(w, f->counters);
    if (add) {
        c.docs++;
        c.total_len += length;
    } else {
        c.docs = c.docs ? c.docs - 1 : 0;
        c.total_len = c.total_len >= length ? c.total_len - length : 0;
    }
    return counters_put(w, f->counters, &c);
}

void search_counters(store_txn_t *t, const search_fam_t *f, uint64_t *docs, uint64_t *total_len)
{
    counters_t c = counters_get(t, f->counters);
    *docs = c.docs;
    *total_len = c.total_len;
}

int search_counters_reset(store_txn_t *w, const search_fam_t *f)
{
    if (strcmp(f->counters, SEARCH_KEY_COUNTERS) != 0) {
        int rc = store_content_del(w, f->counters, strlen(f->counters));
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    counters_t c = counters_get(w, f->counters); /* the shared numbers stay */
    c.docs = c.total_len = 0;
    return counters_put(w, f->counters, &c);
}

static int number_get(store_txn_t *t, const char *family, const char *name, uint32_t *num)
{
    char k[KEYBUF];
    int kl = snprintf(k, sizeof k, "%s%s", family, name);
    if (kl < 0 || (size_t)kl >= sizeof k)
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, (size_t)kl, &v, &len);
    if (rc != 0)
        return rc;
    if (len != 4)
        return STORE_ECORRUPT;
    rec_rd_t r = rec_reader(v, len);
    *num = (uint32_t)rec_get_n(&r, 4);
    return 0;
}

int search_site_number(store_txn_t *t, const char *site, uint32_t *num)
{
    return number_get(t, SEARCH_KEY_SITE, site, num);
}

int search_column_number(store_txn_t *t, const char *column, uint32_t *num)
{
    return number_get(t, SEARCH_KEY_COLUMN, column, num);
}

/* The number of a site or column, handed out when it has none. */
static int number_make(store_txn_t *w, const char *family, const char *name, uint32_t *num)
{
    int rc = number_get(w, family, name, num);
    if (rc != STORE_NOTFOUND)
        return rc;
    counters_t c = counters_get(w, SEARCH_KEY_COUNTERS);
    bool site = strcmp(family, SEARCH_KEY_SITE) == 0;
    *num = site ? ++c.last_site : ++c.last_column;
    char k[KEYBUF];
    int kl = snprintf(k, sizeof k, "%s%s", family, name);
    util_buf_t b = {0};
    rec_put_n(&b, *num, 4);
    rc = store_content_put(w, k, (size_t)kl, b.data, b.len);
    util_buf_free(&b);
    return rc ? rc : counters_put(w, SEARCH_KEY_COUNTERS, &c);
}

/* --- keys --- */

static size_t key_doc(char *k, const search_fam_t *f, uint64_t doc)
{
    return (size_t)snprintf(k, KEYBUF, "%s%016llx", f->doc, (unsigned long long)doc);
}

static char type_letter(search_type_t type)
{
    return "?apm"[type & 3];
}

static int key_ref(char *k, const search_fam_t *f, const char *site, search_type_t type,
                   const char *ref, size_t *kl)
{
    int n = snprintf(k, KEYBUF, "%s%s/%c/%s", f->ref, site, type_letter(type), ref);
    if (n < 0 || n >= KEYBUF)
        return STORE_EKEY;
    *kl = (size_t)n;
    return 0;
}

static int df_add(store_txn_t *w, const search_fam_t *f, const char *term, size_t tlen, int delta)
{
    if (search_bulk_df(w, f, term, tlen, delta))
        return 0; /* bulk mode: counted in memory (search_postings.h) */
    char k[KEYBUF];
    size_t fl = strlen(f->df);
    memcpy(k, f->df, fl);
    memcpy(k + fl, term, tlen);
    const void *v;
    size_t len;
    uint64_t df = 0;
    int rc = store_content_get(w, k, fl + tlen, &v, &len);
    if (rc == 0 && len == 4) {
        rec_rd_t r = rec_reader(v, len);
        df = rec_get_n(&r, 4);
    } else if (rc != 0 && rc != STORE_NOTFOUND) {
        return rc;
    }
    df = delta > 0 ? df + 1 : df > 0 ? df - 1 : 0;
    if (df == 0)
        return rc == 0 ? store_content_del(w, k, fl + tlen) : 0;
    util_buf_t b = {0};
    rec_put_n(&b, df, 4);
    rc = store_content_put(w, k, fl + tlen, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

/* --- a document's terms --- */

typedef enum { FIELD_BODY, FIELD_TITLE, FIELD_META } field_t;

typedef struct tok {
    char term[SEARCH_TERM_MAX];
    uint8_t len;
    uint8_t field;
} tok_t;

typedef struct toks {
    tok_t *t;
    size_t n, cap;
    uint8_t field;
} toks_t;

static int tok_cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    toks_t *ts = ud;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 256;
        ts->t = util_realloc(ts->t, ts->cap * sizeof *ts->t);
    }
    tok_t *t = &ts->t[ts->n++];
    memcpy(t->term, term, len);
    t->len = (uint8_t)len;
    t->field = ts->field;
    return 0;
}

static int tok_cmp(const void *a, const void *b)
{
    const tok_t *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->term, y->term, m);
    return c ? c : (int)x->len - (int)y->len;
}

/* One distinct term of a document with its counts (tf_body in units: search_keys.h). */
typedef struct dterm {
    const tok_t *tok;
    uint32_t tf_title, tf_body;
} dterm_t;

/* What a document's terms are made of: its record's fields (or the document's). */
typedef struct dfields {
    const char *title, *source, *text;
    size_t text_len;
    const char *doc_no, *index_no, *meta;
} dfields_t;

/* A 文号 or 索引号 as one term of the header (search_text_exact_term). */
static void exact_tok(toks_t *ts, const char *s)
{
    char term[SEARCH_TERM_MAX];
    size_t n = s ? search_text_exact_term(s, strlen(s), term) : 0;
    if (n)
        tok_cb(ts, term, n, 0, false);
}

/* The document's distinct terms (sorted) into *out; returns how many, *length its length
 * in terms. ts keeps the storage. */
static size_t doc_terms(const dfields_t *f, toks_t *ts, dterm_t **out, uint32_t *length)
{
    ts->field = FIELD_TITLE;
    search_text_terms(f->title, strlen(f->title), SEARCH_TEXT_INDEX, NULL, tok_cb, ts);
    ts->field = FIELD_BODY;
    search_text_terms(f->source, strlen(f->source), SEARCH_TEXT_INDEX, NULL, tok_cb, ts);
    search_text_terms(f->text, f->text_len, SEARCH_TEXT_INDEX, NULL, tok_cb, ts);
    ts->field = FIELD_META;
    const char *meta[] = {f->doc_no, f->index_no, f->meta};
    for (size_t i = 0; i < 3; i++)
        if (meta[i])
            search_text_terms(meta[i], strlen(meta[i]), SEARCH_TEXT_INDEX, NULL, tok_cb, ts);
    exact_tok(ts, f->doc_no);
    exact_tok(ts, f->index_no);
    *length = ts->n > 65535 ? 65535 : (uint32_t)ts->n;
    if (ts->n)
        qsort(ts->t, ts->n, sizeof *ts->t, tok_cmp);
    dterm_t *d = util_calloc(ts->n ? ts->n : 1, sizeof *d);
    size_t nd = 0;
    for (size_t i = 0; i < ts->n; i++) {
        if (nd == 0 || tok_cmp(d[nd - 1].tok, &ts->t[i]) != 0)
            d[nd++] = (dterm_t){&ts->t[i], 0, 0};
        if (ts->t[i].field == FIELD_TITLE)
            d[nd - 1].tf_title++;
        else
            d[nd - 1].tf_body += ts->t[i].field == FIELD_META ? SEARCH_META_UNITS
                                                               : SEARCH_BODY_UNITS;
    }
    *out = d;
    return nd;
}

/* --- document records --- */

int search_doc_decode(const void *v, size_t len, search_docrec_t *o)
{
    rec_rd_t r = rec_reader(v, len);
    if (len < 6 || memcmp(v, "JYSD", 4) != 0)
        return STORE_ECORRUPT;
    r.p += 4;
    uint64_t version = rec_get_n(&r, 2);
    if (version != 1 && version != 2)
        return STORE_ECORRUPT;
    o->pubtime = (int64_t)rec_get_n(&r, 8);
    o->type = (uint8_t)rec_get_n(&r, 1);
    o->length = (uint32_t)rec_get_n(&r, 4);
    o->site = rec_get_str(&r, NULL);
    o->column = rec_get_str(&r, NULL);
    o->id = rec_get_str(&r, NULL);
    o->title = rec_get_str(&r, NULL);
    o->source = rec_get_str(&r, NULL);
    o->text = rec_get_str(&r, &o->text_len);
    o->doc_no = version >= 2 ? rec_get_str(&r, NULL) : "";
    o->index_no = version >= 2 ? rec_get_str(&r, NULL) : "";
    o->meta = version >= 2 ? rec_get_str(&r, NULL) : "";
    return r.bad ? STORE_ECORRUPT : 0;
}

int search_doc_get(store_txn_t *t, const search_fam_t *f, uint64_t doc, search_docrec_t *out)
{
    char k[KEYBUF];
    size_t kl = key_doc(k, f, doc);
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    return rc ? rc : search_doc_decode(v, len, out);
}

/* Removes document `doc` (its record read into r) from every posting list it is in. */
static int unpost(store_txn_t *w, const search_fam_t *fam, uint64_t doc, const search_docrec_t *r)
{
    toks_t ts = {0};
    dterm_t *d;
    uint32_t length;
    dfields_t f = {r->title, r->source, r->text, r->text_len, r->doc_no, r->index_no, r->meta};
    size_t nd = doc_terms(&f, &ts, &d, &length);
    int rc = 0;
    for (size_t i = 0; i < nd && rc == 0; i++) {
        rc = search_postings_del(w, fam, d[i].tok->term, d[i].tok->len, doc);
        /* an entry already missing (a damaged index) was still counted in df: the count
         * goes down either way, so a reindex of the site repairs both */
        if (rc == 0 || rc == STORE_NOTFOUND)
            rc = df_add(w, fam, d[i].tok->term, d[i].tok->len, -1);
    }
    free(d);
    free(ts.t);
    return rc;
}

static int doc_remove(store_txn_t *w, const search_fam_t *f, uint64_t doc)
{
    char k[KEYBUF];
    size_t kl = key_doc(k, f, doc);
    const void *v;
    size_t len;
    int rc = store_content_get(w, k, kl, &v, &len);
    if (rc != 0)
        return rc;
    /* copy: the record's memory is not ours once we write */
    void *copy = util_malloc(len);
    memcpy(copy, v, len);
    search_docrec_t r;
    if ((rc = search_doc_decode(copy, len, &r)) == 0 && (rc = unpost(w, f, doc, &r)) == 0)
        rc = store_content_del(w, k, kl);
    if (rc == 0)
        rc = counts_change(w, f, false, r.length);
    free(copy);
    return rc;
}

/* search_index_del in family f */
static int del_in(store_txn_t *w, const search_fam_t *f, const char *site, search_type_t type,
                  const char *ref)
{
    char k[KEYBUF];
    size_t kl;
    int rc = key_ref(k, f, site, type, ref, &kl);
    if (rc != 0)
        return rc;
    const void *v;
    size_t len;
    rc = store_content_get(w, k, kl, &v, &len);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    uint64_t doc = rec_u64_at(v, len, 0);
    if ((rc = store_content_del(w, k, kl)) != 0)
        return rc;
    rc = doc_remove(w, f, doc);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

/* bytes of document records this thread wrote (search_index_record_bytes) */
static _Thread_local uint64_t record_bytes;

uint64_t search_index_record_bytes(void)
{
    return record_bytes;
}

/* The families a change writes (search_fam.h), and the queueing of its source. */
int search_index_del(store_txn_t *w, const char *site, search_type_t type, const char *ref)
{
    search_targets_t tg;
    int rc = search_fam_targets(w, &tg);
    for (size_t i = 0; rc == 0 && i < tg.n; i++)
        rc = del_in(w, tg.f[i], site, type, ref);
    if (rc == 0 && tg.queue)
        rc = search_fam_queue(w, site, type_letter(type), ref);
    return rc;
}

static uint64_t doc_number(int64_t pubtime, uint64_t seq)
{
    uint64_t t = pubtime < 0 ? 0 : (uint64_t)pubtime;
    if (t > ((uint64_t)1 << 40) - 1)
        t = ((uint64_t)1 << 40) - 1;
    return t << 24 | (seq & 0xFFFFFF);
}

/* search_index_put in family f */
static int put_in(store_txn_t *w, const search_fam_t *fam, const search_doc_t *d)
{
    int rc = del_in(w, fam, d->site, d->type, d->ref);
    if (rc != 0)
        return rc;
    uint32_t site, col;
    if ((rc = number_make(w, SEARCH_KEY_SITE, d->site, &site)) != 0 ||
        (rc = number_make(w, SEARCH_KEY_COLUMN, d->column ? d->column : "", &col)) != 0)
        return rc;
    /* a free number: the next lower one on the (rare) collision */
    uint64_t doc = doc_number(d->pubtime, d->seq);
    char k[KEYBUF];
    size_t kl = 0;
    for (int tries = 0;; tries++, doc--) {
        const void *v;
        size_t len;
        kl = key_doc(k, fam, doc);
        rc = store_content_get(w, k, kl, &v, &len);
        if (rc == STORE_NOTFOUND) {
            rc = 0;
            break;
        }
        if (rc != 0)
            return rc;
        if (tries == 1000 || doc == 0)
            return STORE_ECORRUPT;
    }
    size_t text_len = d->text_len > SEARCH_TEXT_MAX ? SEARCH_TEXT_MAX : d->text_len;
    /* do not cut a UTF-8 character in two */
    while (text_len < d->text_len && text_len > 0 && ((unsigned char)d->text[text_len] & 0xC0) == 0x80)
        text_len--;
    const char *source = d->source ? d->source : "";
    toks_t ts = {0};
    dterm_t *dt;
    uint32_t length;
    dfields_t f = {d->title, source, d->text, text_len, d->doc_no ? d->doc_no : "",
                   d->index_no ? d->index_no : "", d->meta ? d->meta : ""};
    size_t nd = doc_terms(&f, &ts, &dt, &length);
    for (size_t i = 0; i < nd && rc == 0; i++) {
        search_posting_t p = {doc, site, col, (uint8_t)d->type, dt[i].tf_title, dt[i].tf_body,
                              length};
        rc = search_postings_add(w, fam, dt[i].tok->term, dt[i].tok->len, &p);
        if (rc == 0)
            rc = df_add(w, fam, dt[i].tok->term, dt[i].tok->len, +1);
    }
    free(dt);
    free(ts.t);
    if (rc != 0)
        return rc;
    util_buf_t b = {0};
    rec_put_head(&b, "JYSD", 2);
    rec_put_n(&b, (uint64_t)d->pubtime, 8);
    rec_put_n(&b, (uint64_t)d->type, 1);
    rec_put_n(&b, length, 4);
    rec_put_str(&b, d->site);
    rec_put_str(&b, d->column ? d->column : "");
    rec_put_str(&b, d->id ? d->id : "");
    rec_put_str(&b, d->title);
    rec_put_str(&b, source);
    rec_put_strn(&b, d->text, text_len);
    rec_put_str(&b, f.doc_no);
    rec_put_str(&b, f.index_no);
    rec_put_str(&b, f.meta);
    record_bytes += b.len;
    rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    if (rc != 0)
        return rc;
    char rk[KEYBUF];
    size_t rkl;
    if ((rc = key_ref(rk, fam, d->site, d->type, d->ref, &rkl)) != 0)
        return rc;
    rec_put_n(&b, doc, 8);
    rc = store_content_put(w, rk, rkl, b.data, b.len);
    util_buf_free(&b);
    if (rc != 0)
        return rc;
    return counts_change(w, fam, true, length);
}

int search_index_put(store_txn_t *w, const search_doc_t *d)
{
    search_targets_t tg;
    int rc = search_fam_targets(w, &tg);
    for (size_t i = 0; rc == 0 && i < tg.n; i++)
        rc = put_in(w, tg.f[i], d);
    if (rc == 0 && tg.queue)
        rc = search_fam_queue(w, d->site, type_letter(d->type), d->ref);
    return rc;
}

int search_index_article(store_txn_t *w, const char *site, const char *column, const char *id,
                         const char *title, const char *source, const char *html,
                         size_t html_len, const search_policy_t *pol, int64_t pubtime,
                         uint64_t seq)
{
    util_buf_t text = {0}, meta = {0};
    search_text_from_html(html, html_len, &text);
    char ref[KEYBUF];
    snprintf(ref, sizeof ref, "%s/%s", column, id);
    /* the header but its 文号 and 索引号 as one text: 发文机关 主题分类 成文日期 */
    const char *parts[] = {pol ? pol->issuer : NULL, pol ? pol->topic : NULL,
                           pol ? pol->written : NULL};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(parts); i++)
        if (parts[i] && *parts[i])
            util_buf_printf(&meta, "%s%s", meta.len ? " " : "", parts[i]);
    search_doc_t d = {.type = SEARCH_TYPE_ARTICLE, .site = site, .column = column, .ref = ref,
                      .id = id, .title = title ? title : "", .source = source,
                      .text = text.data ? text.data : "", .text_len = text.len,
                      .doc_no = pol ? pol->doc_no : NULL, .index_no = pol ? pol->index_no : NULL,
                      .meta = meta.data, .pubtime = pubtime, .seq = seq};
    int rc = search_index_put(w, &d);
    util_buf_free(&text);
    util_buf_free(&meta);
    return rc;
}

int search_unindex_article(store_txn_t *w, const char *site, const char *column, const char *id)
{
    char ref[KEYBUF];
    snprintf(ref, sizeof ref, "%s/%s", column, id);
    return search_index_del(w, site, SEARCH_TYPE_ARTICLE, ref);
}

/* --- clearing and digests --- */

typedef struct keylist {
    char **k;
    size_t *len;
    size_t n, cap;
    uint32_t site;      /* postings: only this site's entries (0: all) */
    const char *dsite;  /* records: only this site's */
    bool bad;
} keylist_t;

static void kl_add(keylist_t *l, const void *key, size_t klen)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->k = util_realloc(l->k, l->cap * sizeof *l->k);
        l->len = util_realloc(l->len, l->cap * sizeof *l->len);
    }
    l->k[l->n] = util_strndup(key, klen);
    l->len[l->n++] = klen;
}

static void kl_free(keylist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->k[i]);
    free(l->k);
    free(l->len);
}

static int all_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    kl_add(ud, key, klen);
    return 0;
}

/* blocks holding an entry of l->site */
static int site_block_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keylist_t *l = ud;
    search_posting_t e[SEARCH_BLOCK_MAX];
    int n = search_block_decode(val, vlen, e, SEARCH_BLOCK_MAX);
    for (int i = 0; i < n; i++)
        if (e[i].site == l->site) {
            kl_add(l, key, klen);
            return 0;
        }
    if (n < 0)
        kl_add(l, key, klen); /* a malformed block: it goes */
    return 0;
}

static int site_doc_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keylist_t *l = ud;
    search_docrec_t r;
    if (search_doc_decode(val, vlen, &r) != 0 || strcmp(r.site, l->dsite) == 0)
        kl_add(l, key, klen);
    return 0;
}

/* The term of a postings key "xp/<term>/<16 hex>" (every family's prefix is 3 bytes). */
static void block_term(const char *k, size_t kl, const char **term, size_t *tlen)
{
    size_t fl = 3;
    *term = k + fl;
    *tlen = kl >= fl + 17 ? kl - fl - 17 : 0;
}

int search_index_del_all(store_txn_t *w, const char *site, search_type_t type)
{
    search_targets_t tg;
    int rc = search_fam_targets(w, &tg);
    for (size_t i = 0; rc == 0 && i < tg.nclear; i++) {
        const search_fam_t *f = tg.clear[i];
        bool write = false;
        for (size_t j = 0; j < tg.n; j++)
            write |= tg.f[j] == f;
        char k[KEYBUF];
        int kl = snprintf(k, sizeof k, "%s%s/%c/", f->ref, site, type_letter(type));
        if (kl <= 0 || (size_t)kl >= sizeof k)
            return STORE_EKEY;
        keylist_t refs = {0};
        rc = store_content_each(w, k, (size_t)kl, all_cb, &refs);
        rc = rc == STORE_NOTFOUND || rc > 0 ? 0 : rc;
        /* each ref: its key less "xa/<site>/<t>/" */
        for (size_t j = 0; rc == 0 && j < refs.n; j++) {
            const char *ref = refs.k[j] + kl;
            if (write)
                rc = del_in(w, f, site, type, ref);
            if (rc == 0 && tg.queue)
                rc = search_fam_queue(w, site, type_letter(type), ref);
        }
        kl_free(&refs);
    }
    return rc;
}

/* Everything family f holds of a site; *count (may be NULL): documents removed. */
static int clear_in(store_txn_t *w, const search_fam_t *f, const char *site, long *count)
{
    /* the documents the site's refs name, each with its postings */
    char k[KEYBUF];
    snprintf(k, sizeof k, "%s%s/", f->ref, site);
    keylist_t refs = {0};
    int rc = store_content_each(w, k, strlen(k), all_cb, &refs);
    for (size_t i = 0; rc >= 0 && i < refs.n; i++) {
        const void *v;
        size_t len;
        rc = store_content_get(w, refs.k[i], refs.len[i], &v, &len);
        if (rc == 0) {
            uint64_t doc = rec_u64_at(v, len, 0);
            if ((rc = store_content_del(w, refs.k[i], refs.len[i])) == 0) {
                rc = doc_remove(w, f, doc);
                if (rc == 0 && count)
                    (*count)++;
                if (rc == STORE_NOTFOUND)
                    rc = 0;
            }
        }
    }
    kl_free(&refs);
    if (rc < 0)
        return rc;
    /* what no ref leads to any more: records of the site, entries of its number */
    keylist_t docs = {.dsite = site};
    rc = store_content_each(w, f->doc, strlen(f->doc), site_doc_cb, &docs);
    for (size_t i = 0; rc >= 0 && i < docs.n; i++) {
        const void *v;
        size_t len;
        search_docrec_t r = {0};
        if ((rc = store_content_get(w, docs.k[i], docs.len[i], &v, &len)) != 0)
            break;
        bool ok = search_doc_decode(v, len, &r) == 0;
        uint32_t length = ok ? r.length : 0;
        if ((rc = store_content_del(w, docs.k[i], docs.len[i])) != 0)
            break;
        rc = counts_change(w, f, false, length);
        if (count)
            (*count)++;
    }
    kl_free(&docs);
    if (rc < 0)
        return rc;
    uint32_t num;
    rc = search_site_number(w, site, &num);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    keylist_t blocks = {.site = num};
    rc = store_content_each(w, f->postings, strlen(f->postings), site_block_cb, &blocks);
    for (size_t i = 0; rc >= 0 && i < blocks.n; i++) {
        const void *v;
        size_t len;
        if ((rc = store_content_get(w, blocks.k[i], blocks.len[i], &v, &len)) != 0)
            break;
        search_posting_t e[SEARCH_BLOCK_MAX];
        int n = search_block_decode(v, len, e, SEARCH_BLOCK_MAX);
        const char *term;
        size_t tlen;
        block_term(blocks.k[i], blocks.len[i], &term, &tlen);
        uint64_t gone[SEARCH_BLOCK_MAX];
        size_t ng = 0;
        for (int j = 0; j < n; j++)
            if (e[j].site == num)
                gone[ng++] = e[j].doc;
        if (n < 0) {
            rc = store_content_del(w, blocks.k[i], blocks.len[i]);
            continue;
        }
        for (size_t j = 0; rc >= 0 && j < ng; j++) {
            rc = search_postings_del(w, f, term, tlen, gone[j]);
            if (rc == 0)
                rc = df_add(w, f, term, tlen, -1);
            else if (rc == STORE_NOTFOUND)
                rc = 0;
        }
    }
    kl_free(&blocks);
    return rc < 0 ? rc : 0;
}

int search_index_clear(store_txn_t *w, const char *site, bool purge, long *count)
{
    search_targets_t tg;
    int rc = search_fam_targets(w, &tg);
    /* the family being filled too: a purged site's documents must not come back with it */
    for (size_t i = 0; rc == 0 && i < tg.nclear; i++)
        rc = clear_in(w, tg.clear[i], site, i == 0 ? count : NULL);
    if (rc != 0 || !purge)
        return rc;
    char k[KEYBUF];
    snprintf(k, sizeof k, SEARCH_KEY_SITE "%s", site);
    rc = store_content_del(w, k, strlen(k));
    if (rc == 0 || rc == STORE_NOTFOUND)
        rc = search_hot_purge(w, site); /* what was searched there goes with the site */
    return rc;
}

typedef struct dig {
    EVP_MD_CTX *md;
    const char *site;
    uint32_t num;
    bool all;
    long docs;
} dig_t;

static void dig_put(dig_t *g, const void *p, size_t n)
{
    uint8_t l[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    EVP_DigestUpdate(g->md, l, 4);
    EVP_DigestUpdate(g->md, p, n);
}

/* keys are digested without their family's letter: the same index in either family has
 * the same digest */
static int dig_kv(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    dig_put(ud, (const char *)key + 1, klen - 1);
    dig_put(ud, val, vlen);
    return 0;
}

static int dig_doc(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    dig_t *g = ud;
    search_docrec_t r;
    if (!g->all && (search_doc_decode(val, vlen, &r) != 0 || strcmp(r.site, g->site) != 0))
        return 0;
    g->docs++;
    return dig_kv(ud, key, klen, val, vlen);
}

static int dig_block(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    dig_t *g = ud;
    search_posting_t e[SEARCH_BLOCK_MAX];
    int n = search_block_decode(val, vlen, e, SEARCH_BLOCK_MAX);
    const char *term;
    size_t tlen;
    block_term(key, klen, &term, &tlen);
    if (n < 0) {
        dig_put(g, "bad", 3);
        dig_put(g, (const char *)key + 1, klen - 1);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (!g->all && e[i].site != g->num)
            continue;
        /* field by field: the struct has padding */
        uint64_t f[8] = {e[i].doc, e[i].site, e[i].column, e[i].type, e[i].tf_title,
                         e[i].tf_body, e[i].length, 0};
        dig_put(g, term, tlen);
        dig_put(g, f, sizeof f);
    }
    return 0;
}

int search_index_digest(store_txn_t *t, const search_fam_t *f, const char *site,
                        unsigned char out[32], long *docs)
{
    dig_t g = {.md = EVP_MD_CTX_new(), .site = site, .all = site == NULL};
    if (!g.md)
        return STORE_EIO;
    EVP_DigestInit_ex(g.md, EVP_sha256(), NULL);
    int rc = 0;
    char k[KEYBUF];
    if (site) {
        snprintf(k, sizeof k, "%s%s/", f->ref, site);
        rc = search_site_number(t, site, &g.num);
        if (rc == STORE_NOTFOUND)
            g.num = UINT32_MAX, rc = 0; /* no entry can be the site's */
    } else {
        snprintf(k, sizeof k, "%s", f->ref);
    }
    if (rc == 0)
        rc = store_content_each(t, k, strlen(k), dig_kv, &g);
    if (rc == 0 || rc == STORE_NOTFOUND)
        rc = store_content_each(t, f->doc, strlen(f->doc), dig_doc, &g);
    if (rc == 0 || rc == STORE_NOTFOUND)
        rc = store_content_each(t, f->postings, strlen(f->postings), dig_block, &g);
    if ((rc == 0 || rc == STORE_NOTFOUND) && !site) {
        rc = store_content_each(t, f->df, strlen(f->df), dig_kv, &g);
        counters_t c = counters_get(t, f->counters);
        dig_put(&g, &c.docs, sizeof c.docs);
        dig_put(&g, &c.total_len, sizeof c.total_len);
    }
    unsigned len = 32;
    EVP_DigestFinal_ex(g.md, out, &len);
    EVP_MD_CTX_free(g.md);
    if (docs)
        *docs = g.docs;
    return rc == STORE_NOTFOUND ? 0 : rc;
}
