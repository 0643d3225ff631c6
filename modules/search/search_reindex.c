/* modules/search/search_reindex.c: the index rebuilt from the content: every article
 * record (modules/content/content_keys.h a/) indexed as article_publish_txn indexes it,
 * every answered message as message_reply_add does (modules/interaction/message_search.h),
 * and the digests before and after compared. */
#include "search_reindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "article_link.h"
#include "content_keys.h"
#include "message_search.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_pages.h"
#include "search_bulk.h"
#include "rec.h"
#include "store_keys.h"
#include "util.h"

/* entries collected before a bulk flush: about 32 bytes each in memory */
#define SEARCH_REINDEX_FLUSH (4u << 20)

/* An article key with its document number, to index oldest first (search_postings.h:
 * bulk mode then touches one block per term and flush). */
typedef struct akey {
    char *k;
    uint64_t order;
} akey_t;

typedef struct keys {
    akey_t *k;
    size_t n, cap;
    store_txn_t *t;
} keys_t;

static int key_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keys_t *ks = ud;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 64;
        ks->k = util_realloc(ks->k, ks->cap * sizeof *ks->k);
    }
    /* the record starts "JYAR" v1, publication time (i64), time of change, sequence */
    rec_rd_t r = rec_reader(val, vlen);
    uint64_t order = 0;
    if (rec_get_head(&r, "JYAR", 1)) {
        int64_t pub = (int64_t)rec_get_n(&r, 8);
        (void)rec_get_n(&r, 8);
        uint64_t seq = rec_get_n(&r, 8);
        if (!r.bad)
            order = (uint64_t)(pub < 0 ? 0 : pub) << 24 | (seq & 0xFFFFFF);
    }
    ks->k[ks->n++] = (akey_t){util_strndup(key, klen), order};
    return 0;
}

static int akey_cmp(const void *a, const void *b)
{
    const akey_t *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order ? 1 : strcmp(x->k, y->k);
}

/* "a/<site>/<column>/<id>": indexes that article. */
static int index_one(store_txn_t *w, char *key, long *indexed)
{
    char *site = key + CONTENT_KEY_LEN(CONTENT_KEY_ARTICLE);
    char *col = strchr(site, '/');
    char *id = col ? strchr(col + 1, '/') : NULL;
    if (!id)
        return 0; /* not an article key */
    *col++ = '\0';
    *id++ = '\0';
    article_t a;
    int rc = article_get(w, site, col, id, &a);
    if (rc != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    if (article_is_link(&a))
        return 0; /* a listing (报送): its original is indexed, once */
    /* copies: the record's memory is not ours once the index writes */
    char *title = util_strdup(a.title), *source = util_strdup(a.source);
    char *body = util_strndup(a.body, a.body_len);
    size_t body_len = a.body_len;
    char *hdr[] = {util_strdup(a.doc_no), util_strdup(a.issuer), util_strdup(a.written),
                   util_strdup(a.topic), util_strdup(a.index_no)};
    search_policy_t pol = {hdr[0], hdr[1], hdr[2], hdr[3], hdr[4]};
    rc = search_index_article(w, site, col, id, title, source, body, body_len, &pol, a.pubtime,
                              a.seq);
    free(title);
    free(source);
    free(body);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(hdr); i++)
        free(hdr[i]);
    if (rc == 0)
        (*indexed)++;
    return rc;
}

int search_reindex(store_txn_t *w, const char *site, const conf_t *c,
                   search_reindex_report_t *rep)
{
    *rep = (search_reindex_report_t){0};
    unsigned char before[32], after[32];
    int rc = search_index_digest(w, site, before);
    if (rc == 0)
        rc = search_index_clear(w, site, false, &rep->removed);
    if (rc != 0)
        return rc;
    char prefix[STORE_KEY_MAX + 1];
    size_t pl = site ? (size_t)snprintf(prefix, sizeof prefix, CONTENT_KEY_ARTICLE "%s/", site)
                     : (size_t)snprintf(prefix, sizeof prefix, CONTENT_KEY_ARTICLE);
    keys_t ks = {0};
    rc = store_content_each(w, prefix, pl, key_cb, &ks);
    if (rc == STORE_NOTFOUND)
        rc = 0;
    if (ks.n > 1)
        qsort(ks.k, ks.n, sizeof *ks.k, akey_cmp);
    if (rc == 0)
        rc = search_bulk_begin(w);
    bool bulk = rc == 0;
    for (size_t i = 0; rc == 0 && i < ks.n; i++) {
        rc = index_one(w, ks.k[i].k, &rep->indexed);
        if (rc == 0 && search_bulk_pending() >= SEARCH_REINDEX_FLUSH)
            rc = search_bulk_flush(w);
    }
    for (size_t i = 0; i < ks.n; i++)
        free(ks.k[i].k);
    free(ks.k);
    if (rc == 0)
        rc = message_search_reindex(w, site, &rep->indexed);
    for (size_t i = 0; rc == 0 && c && i < c->nsites; i++) {
        if (site && strcmp(site, c->sites[i].id) != 0)
            continue;
        long n = 0;
        rc = search_pages_sync(w, c->sites[i].id, &n);
        rep->indexed += n;
    }
    if (bulk) {
        int erc = search_bulk_end(w, rc == 0);
        rc = rc ? rc : erc;
    }
    if (rc == 0)
        rc = search_index_digest(w, site, after);
    if (rc == 0)
        rep->equal = memcmp(before, after, sizeof before) == 0;
    return rc;
}

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
    static const char *const prefixes[] = {SEARCH_KEY_POSTINGS, SEARCH_KEY_DF, SEARCH_KEY_DOC,
                                           SEARCH_KEY_REF, SEARCH_KEY_SITE, SEARCH_KEY_COLUMN,
                                           SEARCH_KEY_COUNTERS};
    /* the site and column numbers share one row */
    static const int row[] = {0, 1, 2, 3, 4, 4, 5};
    static const char *const labels[] = {"xp/", "xf/", "xd/", "xa/", "xs/+xc/", "xn"};
    *out = (search_size_t){0};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        search_size_family_t *f = &out->f[row[i]];
        f->prefix = labels[row[i]];
        int rc = store_content_each(t, prefixes[i], strlen(prefixes[i]), size_cb, f);
        if (rc < 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    return 0;
}
