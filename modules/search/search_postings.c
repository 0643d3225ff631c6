/* modules/search/search_postings.c: a term's postings blocks in the store (search_keys.h):
 * their keys and the one-entry changes an index update makes (the codec is
 * search_block.c; bulk mode, search_bulk.c). Blocks are never merged here: a block emptied
 * by removals is deleted, a small one stays (a reindex packs them again). */
#include "search_postings.h"

#include <stdio.h>
#include <string.h>

#include "search_bulk.h"
#include "search_keys.h"
#include "store_keys.h"

size_t search_postings_prefix(char *k, const search_fam_t *fam, const char *term, size_t tlen)
{
    size_t fl = strlen(fam->postings);
    if (fl + tlen + 1 + 16 > STORE_KEY_MAX)
        return 0;
    memcpy(k, fam->postings, fl);
    memcpy(k + fl, term, tlen);
    k[fl + tlen] = '/';
    k[fl + tlen + 1] = '\0';
    return fl + tlen + 1;
}

static size_t block_key(char *k, size_t plen, uint64_t min)
{
    snprintf(k + plen, 17, "%016llx", (unsigned long long)(UINT64_MAX - min));
    return plen + 16;
}

int search_postings_key_min(const char *s, size_t n, uint64_t *min)
{
    if (n != 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *min = UINT64_MAX - v;
    return 0;
}

/* The block a document belongs in: the first (newest) whose smallest number is <= doc,
 * else the last one. */
typedef struct find {
    uint64_t doc;
    size_t plen;
    char key[STORE_KEY_MAX + 1];
    size_t klen;
    bool found, any, bad;
} find_t;

static int find_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    find_t *f = ud;
    uint64_t min;
    if (search_postings_key_min((const char *)key + f->plen, klen - f->plen, &min) != 0) {
        f->bad = true;
        return 1;
    }
    memcpy(f->key, key, klen);
    f->klen = klen;
    f->any = true;
    if (min <= f->doc) {
        f->found = true;
        return 1;
    }
    return 0;
}

static int find_block(store_txn_t *w, const search_fam_t *fam, const char *term, size_t tlen,
                      uint64_t doc, find_t *f, search_posting_t *e, size_t *n)
{
    *f = (find_t){.doc = doc};
    f->plen = search_postings_prefix(f->key, fam, term, tlen);
    if (!f->plen)
        return STORE_EKEY;
    char prefix[STORE_KEY_MAX + 1];
    memcpy(prefix, f->key, f->plen + 1);
    int rc = store_content_each(w, prefix, f->plen, find_cb, f);
    if (rc < 0)
        return rc;
    if (f->bad)
        return STORE_ECORRUPT;
    *n = 0;
    if (!f->any) {
        f->klen = f->plen;
        return 0;
    }
    const void *v;
    size_t vl;
    if ((rc = store_content_get(w, f->key, f->klen, &v, &vl)) != 0)
        return rc;
    int got = search_block_decode(v, vl, e, SEARCH_BLOCK_MAX);
    if (got < 0)
        return STORE_ECORRUPT;
    *n = (size_t)got;
    return 0;
}

int search_postings_put_block(store_txn_t *w, char *k, size_t plen, const search_posting_t *e,
                              size_t n)
{
    util_buf_t b = {0};
    search_block_encode(e, n, &b);
    size_t kl = block_key(k, plen, e[n - 1].doc);
    int rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

int search_postings_add(store_txn_t *w, const search_fam_t *fam, const char *term, size_t tlen,
                        const search_posting_t *p)
{
    if (search_bulk_take(w, fam, term, tlen, p))
        return 0;
    find_t f;
    search_posting_t e[SEARCH_BLOCK_MAX + 1];
    size_t n;
    int rc = find_block(w, fam, term, tlen, p->doc, &f, e, &n);
    if (rc != 0)
        return rc;
    size_t at = 0;
    while (at < n && e[at].doc > p->doc)
        at++;
    if (at < n && e[at].doc == p->doc) {
        e[at] = *p;
    } else {
        memmove(e + at + 1, e + at, (n - at) * sizeof *e);
        e[at] = *p;
        n++;
    }
    char k[STORE_KEY_MAX + 1];
    memcpy(k, f.key, f.plen);
    if (f.any) {
        /* the block keeps its key unless its smallest number changed (the new entry is
         * older than every entry of the last block) */
        uint64_t oldmin = 0;
        search_postings_key_min(f.key + f.plen, f.klen - f.plen, &oldmin);
        if (e[n - 1].doc != oldmin && (rc = store_content_del(w, f.key, f.klen)) != 0)
            return rc;
    }
    if (n > SEARCH_BLOCK_MAX) {
        size_t half = n / 2;
        if ((rc = search_postings_put_block(w, k, f.plen, e, half)) != 0)
            return rc;
        return search_postings_put_block(w, k, f.plen, e + half, n - half);
    }
    return search_postings_put_block(w, k, f.plen, e, n);
}

int search_postings_del(store_txn_t *w, const search_fam_t *fam, const char *term, size_t tlen,
                        uint64_t doc)
{
    if (search_bulk_del(w, fam, term, tlen, doc))
        return 0; /* applied with the batch's additions at the next flush */
    find_t f;
    search_posting_t e[SEARCH_BLOCK_MAX + 1];
    size_t n;
    int rc = find_block(w, fam, term, tlen, doc, &f, e, &n);
    if (rc != 0)
        return rc;
    if (!f.found)
        return STORE_NOTFOUND;
    size_t at = 0;
    while (at < n && e[at].doc != doc)
        at++;
    if (at == n)
        return STORE_NOTFOUND;
    memmove(e + at, e + at + 1, (n - at - 1) * sizeof *e);
    n--;
    if (n > 0 && at < n)
        return search_postings_put_block(w, f.key, f.plen, e, n); /* the smallest stayed: same key */
    if ((rc = store_content_del(w, f.key, f.klen)) != 0)
        return rc;
    char k[STORE_KEY_MAX + 1];
    memcpy(k, f.key, f.plen);
    return n > 0 ? search_postings_put_block(w, k, f.plen, e, n) : 0;
}
