/* modules/search/search_postings.c: postings blocks (search_keys.h): the codec and the
 * one-entry changes an index update makes. Blocks are never merged: a block emptied by
 * removals is deleted, a small one stays (a reindex packs them again). */
#include "search_postings.h"

#include <stdio.h>
#include <string.h>

#include "search_keys.h"
#include "store_keys.h"

static void put_varint(util_buf_t *b, uint64_t v)
{
    uint8_t t[10];
    size_t n = 0;
    do {
        t[n] = (uint8_t)(v & 0x7F);
        v >>= 7;
        if (v)
            t[n] |= 0x80;
        n++;
    } while (v);
    util_buf_append(b, t, n);
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t c = *(*p)++;
        x |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

int search_block_decode(const void *v, size_t len, search_posting_t *out, size_t cap)
{
    const uint8_t *p = v, *end = p + len;
    if (len < 2)
        return -1;
    size_t n = (size_t)p[0] | (size_t)p[1] << 8;
    p += 2;
    if (n == 0 || n > cap)
        return -1;
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d, site, col, type, tt, tb, dl;
        if (get_varint(&p, end, &d) || get_varint(&p, end, &site) ||
            get_varint(&p, end, &col) || get_varint(&p, end, &type) ||
            get_varint(&p, end, &tt) || get_varint(&p, end, &tb) || get_varint(&p, end, &dl))
            return -1;
        if (i > 0) {
            if (d == 0 || d > prev)
                return -1; /* strictly newest first */
            d = prev - d;
        }
        if (site > UINT32_MAX || col > UINT32_MAX || type > 255 || tt > UINT32_MAX ||
            tb > UINT32_MAX || dl > UINT32_MAX)
            return -1;
        out[i] = (search_posting_t){d, (uint32_t)site, (uint32_t)col, (uint8_t)type,
                                    (uint32_t)tt, (uint32_t)tb, (uint32_t)dl};
        prev = d;
    }
    return p == end ? (int)n : -1;
}

void search_block_encode(const search_posting_t *p, size_t n, util_buf_t *out)
{
    uint8_t h[2] = {(uint8_t)(n & 0xFF), (uint8_t)(n >> 8)};
    util_buf_append(out, h, 2);
    for (size_t i = 0; i < n; i++) {
        put_varint(out, i == 0 ? p[0].doc : p[i - 1].doc - p[i].doc);
        put_varint(out, p[i].site);
        put_varint(out, p[i].column);
        put_varint(out, p[i].type);
        put_varint(out, p[i].tf_title);
        put_varint(out, p[i].tf_body);
        put_varint(out, p[i].length);
    }
}

size_t search_postings_prefix(char *k, const char *term, size_t tlen)
{
    size_t fl = strlen(SEARCH_KEY_POSTINGS);
    if (fl + tlen + 1 + 16 > STORE_KEY_MAX)
        return 0;
    memcpy(k, SEARCH_KEY_POSTINGS, fl);
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

static int hex_min(const char *s, size_t n, uint64_t *min)
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
    if (hex_min((const char *)key + f->plen, klen - f->plen, &min) != 0) {
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

static int find_block(store_txn_t *w, const char *term, size_t tlen, uint64_t doc, find_t *f,
                      search_posting_t *e, size_t *n)
{
    *f = (find_t){.doc = doc};
    f->plen = search_postings_prefix(f->key, term, tlen);
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

static int put_block(store_txn_t *w, char *k, size_t plen, const search_posting_t *e, size_t n)
{
    util_buf_t b = {0};
    search_block_encode(e, n, &b);
    size_t kl = block_key(k, plen, e[n - 1].doc);
    int rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

int search_postings_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p)
{
    find_t f;
    search_posting_t e[SEARCH_BLOCK_MAX + 1];
    size_t n;
    int rc = find_block(w, term, tlen, p->doc, &f, e, &n);
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
        hex_min(f.key + f.plen, f.klen - f.plen, &oldmin);
        if (e[n - 1].doc != oldmin && (rc = store_content_del(w, f.key, f.klen)) != 0)
            return rc;
    }
    if (n > SEARCH_BLOCK_MAX) {
        size_t half = n / 2;
        if ((rc = put_block(w, k, f.plen, e, half)) != 0)
            return rc;
        return put_block(w, k, f.plen, e + half, n - half);
    }
    return put_block(w, k, f.plen, e, n);
}

int search_postings_del(store_txn_t *w, const char *term, size_t tlen, uint64_t doc)
{
    find_t f;
    search_posting_t e[SEARCH_BLOCK_MAX + 1];
    size_t n;
    int rc = find_block(w, term, tlen, doc, &f, e, &n);
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
        return put_block(w, f.key, f.plen, e, n); /* the smallest stayed: same key */
    if ((rc = store_content_del(w, f.key, f.klen)) != 0)
        return rc;
    char k[STORE_KEY_MAX + 1];
    memcpy(k, f.key, f.plen);
    return n > 0 ? put_block(w, k, f.plen, e, n) : 0;
}
