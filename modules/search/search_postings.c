/* modules/search/search_postings.c: postings blocks (search_keys.h): the codec and the
 * one-entry changes an index update makes. Blocks are never merged: a block emptied by
 * removals is deleted, a small one stays (a reindex packs them again). */
#include "search_postings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
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

/* A document's length in terms as one byte: exact below 16, else 4 significant bits and
 * the power of two (a relative error under 1/16, as much as BM25's length norm needs). */
uint8_t search_length_code(uint32_t len)
{
    if (len < 16)
        return (uint8_t)len;
    int e = 31 - __builtin_clz(len); /* 4..31 */
    uint32_t m = (len >> (e - 4)) & 15;
    uint32_t c = (uint32_t)(e - 3) * 16 + m;
    return c > 255 ? 255 : (uint8_t)c;
}

uint32_t search_length_decode(uint8_t c)
{
    if (c < 16)
        return c;
    int e = c / 16 + 3;
    return (16u + (c & 15u)) << (e - 4);
}

/* v1: the entry's seven fields, each a varint, the number as the difference to the one
 * before (blocks written before v2; read, never written) */
static int decode_v1(const uint8_t *p, const uint8_t *end, size_t n, search_posting_t *out)
{
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

#define SEQ_MASK 0xFFFFFFull

static int decode_v2(const uint8_t *p, const uint8_t *end, size_t n, search_posting_t *out)
{
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d, site, ct, tf, tt = 0;
        if (get_varint(&p, end, &d))
            return -1;
        if (i > 0) {
            /* seconds back from the entry before, then the sequence part as a zigzag
             * difference */
            uint64_t zs;
            if (get_varint(&p, end, &zs) || d > (prev >> 24) || zs > 2 * SEQ_MASK)
                return -1;
            int64_t ds = (zs & 1) ? -(int64_t)(zs >> 1) - 1 : (int64_t)(zs >> 1);
            int64_t seq = (int64_t)(prev & SEQ_MASK) - ds;
            if (seq < 0 || seq > (int64_t)SEQ_MASK)
                return -1;
            d = ((prev >> 24) - d) << 24 | (uint64_t)seq;
            if (d >= prev)
                return -1; /* strictly newest first */
        }
        if (get_varint(&p, end, &site) || get_varint(&p, end, &ct) || get_varint(&p, end, &tf))
            return -1;
        if ((tf & 3) == 3 && get_varint(&p, end, &tt))
            return -1;
        if (p >= end)
            return -1;
        uint8_t lc = *p++;
        tt += tf & 3;
        tf >>= 2;
        if (site > UINT32_MAX || (ct >> 2) > UINT32_MAX || tt > UINT32_MAX || tf > UINT32_MAX)
            return -1;
        out[i] = (search_posting_t){d, (uint32_t)site, (uint32_t)(ct >> 2), (uint8_t)(ct & 3),
                                    (uint32_t)tt, (uint32_t)tf, search_length_decode(lc)};
        prev = d;
    }
    return p == end ? (int)n : -1;
}

/* v3: the first number whole (a varint, as in v2), then seven columns, each a width byte,
 * a varint base and its values less the base in that many bits, packed low bit first and
 * padded with zero bits to a byte: seconds back, zigzag sequence difference (entries 1..n-1),
 * site, column << 2 | type, tf_body << 2 | min(tf_title, 3), tf_title - 3 (only for the
 * entries whose low bits say 3), the length code. */
static uint64_t le64(uint64_t x)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(x);
#else
    return x;
#endif
}

typedef struct bits {
    const uint8_t *p, *end;
} bits_t;

static int column_get(bits_t *b, size_t count, uint64_t *vals)
{
    if (b->p >= b->end)
        return -1;
    unsigned w = *b->p++;
    uint64_t base;
    if (w > 64 || get_varint(&b->p, b->end, &base))
        return -1;
    size_t nbytes = (count * w + 7) / 8;
    if ((size_t)(b->end - b->p) < nbytes)
        return -1;
    size_t bit = 0;
    if (w <= 56) {
        /* a copy padded with 8 zero bytes: each value is one unaligned 64-bit load */
        uint8_t pad[8 * (SEARCH_BLOCK_MAX + 1) + 8];
        memcpy(pad, b->p, nbytes);
        memset(pad + nbytes, 0, 8);
        uint64_t mask = w ? (~0ull >> (64 - w)) : 0;
        for (size_t i = 0; i < count; i++, bit += w) {
            uint64_t x;
            memcpy(&x, pad + bit / 8, 8);
            uint64_t v = (le64(x) >> (bit % 8)) & mask;
            if (v > UINT64_MAX - base)
                return -1;
            vals[i] = base + v;
        }
    }
    for (size_t i = 0; w > 56 && i < count; i++) {
        uint64_t v = 0;
        for (unsigned got = 0; got < w;) {
            size_t byte = bit / 8;
            unsigned off = (unsigned)(bit % 8), take = 8 - off;
            if (take > w - got)
                take = w - got;
            v |= (uint64_t)((b->p[byte] >> off) & ((1u << take) - 1)) << got;
            got += take;
            bit += take;
        }
        if (v > UINT64_MAX - base)
            return -1;
        vals[i] = base + v;
    }
    if (bit % 8 && (b->p[bit / 8] >> (bit % 8)) != 0)
        return -1; /* padding is zero bits */
    b->p += nbytes;
    return 0;
}

static void column_put(util_buf_t *out, const uint64_t *vals, size_t count)
{
    uint64_t base = UINT64_MAX, top = 0;
    for (size_t i = 0; i < count; i++) {
        if (vals[i] < base)
            base = vals[i];
        if (vals[i] > top)
            top = vals[i];
    }
    if (count == 0)
        base = top = 0;
    unsigned w = 0;
    while (w < 64 && (top - base) >> w)
        w++;
    uint8_t wb = (uint8_t)w;
    util_buf_append(out, &wb, 1);
    put_varint(out, base);
    uint8_t acc[8 * (SEARCH_BLOCK_MAX + 1)] = {0};
    size_t bit = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t v = vals[i] - base;
        for (unsigned put = 0; put < w;) {
            unsigned off = (unsigned)(bit % 8), take = 8 - off;
            if (take > w - put)
                take = w - put;
            acc[bit / 8] |= (uint8_t)(((v >> put) & ((1u << take) - 1)) << off);
            put += take;
            bit += take;
        }
    }
    util_buf_append(out, acc, (bit + 7) / 8);
}

static int decode_v3(const uint8_t *p, const uint8_t *end, size_t n, search_posting_t *out)
{
    uint64_t first, dt[SEARCH_BLOCK_MAX + 1], zs[SEARCH_BLOCK_MAX + 1],
        site[SEARCH_BLOCK_MAX + 1], ct[SEARCH_BLOCK_MAX + 1], tf[SEARCH_BLOCK_MAX + 1],
        tt[SEARCH_BLOCK_MAX + 1], lc[SEARCH_BLOCK_MAX + 1];
    if (n > SEARCH_BLOCK_MAX + 1 || get_varint(&p, end, &first))
        return -1;
    bits_t b = {p, end};
    size_t extra = 0;
    if (column_get(&b, n - 1, dt) || column_get(&b, n - 1, zs) || column_get(&b, n, site) ||
        column_get(&b, n, ct) || column_get(&b, n, tf))
        return -1;
    for (size_t i = 0; i < n; i++)
        extra += (tf[i] & 3) == 3;
    if (column_get(&b, extra, tt) || column_get(&b, n, lc) || b.p != end)
        return -1;
    uint64_t prev = 0;
    for (size_t i = 0, x = 0; i < n; i++) {
        uint64_t d = first;
        if (i > 0) {
            if (dt[i - 1] > (prev >> 24) || zs[i - 1] > 2 * SEQ_MASK)
                return -1;
            int64_t ds = (zs[i - 1] & 1) ? -(int64_t)(zs[i - 1] >> 1) - 1 : (int64_t)(zs[i - 1] >> 1);
            int64_t seq = (int64_t)(prev & SEQ_MASK) - ds;
            if (seq < 0 || seq > (int64_t)SEQ_MASK)
                return -1;
            d = ((prev >> 24) - dt[i - 1]) << 24 | (uint64_t)seq;
            if (d >= prev)
                return -1;
        }
        uint64_t title = tf[i] & 3;
        if (title == 3)
            title += tt[x++];
        if (site[i] > UINT32_MAX || (ct[i] >> 2) > UINT32_MAX || title > UINT32_MAX ||
            (tf[i] >> 2) > UINT32_MAX || lc[i] > 255)
            return -1;
        out[i] = (search_posting_t){d, (uint32_t)site[i], (uint32_t)(ct[i] >> 2),
                                    (uint8_t)(ct[i] & 3), (uint32_t)title, (uint32_t)(tf[i] >> 2),
                                    search_length_decode((uint8_t)lc[i])};
        prev = d;
    }
    return (int)n;
}

static void encode_v3(const search_posting_t *p, size_t n, util_buf_t *out)
{
    uint64_t dt[SEARCH_BLOCK_MAX + 1], zs[SEARCH_BLOCK_MAX + 1], site[SEARCH_BLOCK_MAX + 1],
        ct[SEARCH_BLOCK_MAX + 1], tf[SEARCH_BLOCK_MAX + 1], tt[SEARCH_BLOCK_MAX + 1],
        lc[SEARCH_BLOCK_MAX + 1];
    size_t extra = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            uint64_t a = p[i - 1].doc, b = p[i].doc;
            int64_t ds = (int64_t)(a & SEQ_MASK) - (int64_t)(b & SEQ_MASK);
            dt[i - 1] = (a >> 24) - (b >> 24);
            zs[i - 1] = ds >= 0 ? (uint64_t)ds << 1 : ((uint64_t)(-ds - 1) << 1) | 1;
        }
        site[i] = p[i].site;
        ct[i] = (uint64_t)p[i].column << 2 | (p[i].type & 3);
        tf[i] = (uint64_t)p[i].tf_body << 2 | (p[i].tf_title < 3 ? p[i].tf_title : 3);
        if (p[i].tf_title >= 3)
            tt[extra++] = p[i].tf_title - 3;
        lc[i] = search_length_code(p[i].length);
    }
    uint16_t h = (uint16_t)(n | SEARCH_BLOCK_V2 | SEARCH_BLOCK_V3);
    uint8_t hb[2] = {(uint8_t)(h & 0xFF), (uint8_t)(h >> 8)};
    util_buf_append(out, hb, 2);
    put_varint(out, p[0].doc);
    column_put(out, dt, n - 1);
    column_put(out, zs, n - 1);
    column_put(out, site, n);
    column_put(out, ct, n);
    column_put(out, tf, n);
    column_put(out, tt, extra);
    column_put(out, lc, n);
}

int search_block_decode(const void *v, size_t len, search_posting_t *out, size_t cap)
{
    const uint8_t *p = v, *end = p + len;
    if (len < 2)
        return -1;
    size_t h = (size_t)p[0] | (size_t)p[1] << 8;
    size_t n = h & SEARCH_BLOCK_COUNT;
    if (n == 0 || n > cap)
        return -1;
    if ((h & SEARCH_BLOCK_V3) && (h & SEARCH_BLOCK_V2))
        return decode_v3(p + 2, end, n, out);
    if (h & SEARCH_BLOCK_V3)
        return -1;
    return (h & SEARCH_BLOCK_V2) ? decode_v2(p + 2, end, n, out) : decode_v1(p + 2, end, n, out);
}

static void encode_v2(const search_posting_t *p, size_t n, util_buf_t *out)
{
    size_t h = n | SEARCH_BLOCK_V2;
    uint8_t hb[2] = {(uint8_t)(h & 0xFF), (uint8_t)(h >> 8)};
    util_buf_append(out, hb, 2);
    for (size_t i = 0; i < n; i++) {
        if (i == 0) {
            put_varint(out, p[0].doc);
        } else {
            uint64_t a = p[i - 1].doc, b = p[i].doc;
            int64_t ds = (int64_t)(a & SEQ_MASK) - (int64_t)(b & SEQ_MASK);
            put_varint(out, (a >> 24) - (b >> 24));
            put_varint(out, ds >= 0 ? (uint64_t)ds << 1 : ((uint64_t)(-ds - 1) << 1) | 1);
        }
        uint32_t tt = p[i].tf_title;
        put_varint(out, p[i].site);
        put_varint(out, (uint64_t)p[i].column << 2 | (p[i].type & 3));
        put_varint(out, (uint64_t)p[i].tf_body << 2 | (tt < 3 ? tt : 3));
        if (tt >= 3)
            put_varint(out, tt - 3);
        uint8_t lc = search_length_code(p[i].length);
        util_buf_append(out, &lc, 1);
    }
}

void search_block_encode(const search_posting_t *p, size_t n, util_buf_t *out)
{
    /* whichever form is smaller: v3 for full blocks, v2 for a few entries, where v3's
     * seven column heads cost more than they save */
    util_buf_t a = {0}, b = {0};
    encode_v2(p, n, &a);
    encode_v3(p, n, &b);
    util_buf_t *best = b.len < a.len ? &b : &a;
    util_buf_append(out, best->data, best->len);
    util_buf_free(&a);
    util_buf_free(&b);
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

static bool bulk_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p);

int search_postings_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p)
{
    if (bulk_add(w, term, tlen, p))
        return 0;
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
    int frc = search_bulk_flush(w); /* a removal sees every entry added before it */
    if (frc != 0)
        return frc;
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

/* --- bulk: entries and document counts collected in memory, merged per term --- */

typedef struct bterm {
    char term[SEARCH_TERM_BYTES];
    uint8_t len;
    bool used;
    int64_t df;           /* pending change of xf/<term> */
    search_posting_t *e;  /* pending entries, in the order added */
    size_t n, cap;
} bterm_t;

typedef struct bulk {
    store_txn_t *w;
    bterm_t *t;
    size_t cap, used; /* slots (a power of two), terms in use */
    size_t entries;   /* pending entries of every term */
} bulk_t;

static _Thread_local bulk_t *bulk_now;

static uint64_t term_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static bterm_t *bulk_slot(bulk_t *b, const char *term, size_t tlen)
{
    if ((b->used + 1) * 2 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        bterm_t *nt = util_calloc(ncap, sizeof *nt);
        for (size_t i = 0; i < b->cap; i++) {
            if (!b->t[i].used)
                continue;
            size_t j = term_hash(b->t[i].term, b->t[i].len) & (ncap - 1);
            while (nt[j].used)
                j = (j + 1) & (ncap - 1);
            nt[j] = b->t[i];
        }
        free(b->t);
        b->t = nt;
        b->cap = ncap;
    }
    size_t j = term_hash(term, tlen) & (b->cap - 1);
    while (b->t[j].used && !(b->t[j].len == tlen && memcmp(b->t[j].term, term, tlen) == 0))
        j = (j + 1) & (b->cap - 1);
    bterm_t *t = &b->t[j];
    if (!t->used) {
        *t = (bterm_t){.used = true, .len = (uint8_t)tlen};
        memcpy(t->term, term, tlen);
        b->used++;
    }
    return t;
}

static bool bulk_add(store_txn_t *w, const char *term, size_t tlen, const search_posting_t *p)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w || tlen > SEARCH_TERM_BYTES)
        return false;
    bterm_t *t = bulk_slot(b, term, tlen);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->e = util_realloc(t->e, t->cap * sizeof *t->e);
    }
    t->e[t->n++] = *p;
    b->entries++;
    return true;
}

bool search_bulk_df(store_txn_t *w, const char *term, size_t tlen, int delta)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w || tlen > SEARCH_TERM_BYTES)
        return false;
    bulk_slot(b, term, tlen)->df += delta;
    return true;
}

static int post_desc(const void *a, const void *b)
{
    const search_posting_t *x = a, *y = b;
    return x->doc < y->doc ? 1 : x->doc > y->doc ? -1 : 0;
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
    if (hex_min((const char *)key + t->plen, klen - t->plen, &min) != 0 || vlen < 3 ||
        get_varint(&p, v + vlen, &first) != 0) {
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

static int flush_term(store_txn_t *w, bterm_t *bt)
{
    int rc = 0;
    char k[STORE_KEY_MAX + 1];
    if (bt->df != 0) {
        size_t fl = strlen(SEARCH_KEY_DF);
        memcpy(k, SEARCH_KEY_DF, fl);
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
    if (bt->n == 0)
        return 0;
    qsort(bt->e, bt->n, sizeof *bt->e, post_desc);
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
    size_t plen = search_postings_prefix(k, bt->term, bt->len);
    if (!plen)
        return STORE_EKEY;
    touch_t t = {.pmax = bt->e[0].doc, .pmin = bt->e[bt->n - 1].doc, .plen = plen};
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
    search_posting_t *all = util_malloc((bt->n + t.n * SEARCH_BLOCK_MAX) * sizeof *all);
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
        /* both runs are newest first: merge, a pending entry replacing a stored one */
        search_posting_t *out = util_malloc((na + bt->n) * sizeof *out);
        size_t a = 0, b = 0, o = 0;
        while (a < na || b < bt->n) {
            if (b == bt->n || (a < na && all[a].doc > bt->e[b].doc)) {
                out[o++] = all[a++];
            } else {
                if (a < na && all[a].doc == bt->e[b].doc)
                    a++;
                out[o++] = bt->e[b++];
            }
        }
        /* full blocks from the oldest end: a partial one is the newest, where the next
         * flush of newer documents merges into it */
        size_t head = o % SEARCH_BLOCK_MAX;
        for (size_t i = 0; i < o && rc == 0;) {
            size_t cnt = i == 0 && head ? head : SEARCH_BLOCK_MAX;
            rc = put_block(w, k, plen, out + i, cnt);
            i += cnt;
        }
        free(out);
    }
    free(all);
    bt->n = 0;
    return rc;
}

int search_bulk_begin(store_txn_t *w)
{
    if (bulk_now)
        return STORE_EIO; /* one at a time on a thread */
    bulk_now = util_calloc(1, sizeof *bulk_now);
    bulk_now->w = w;
    return 0;
}

int search_bulk_flush(store_txn_t *w)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w)
        return 0;
    bulk_now = NULL; /* the flush writes through the ordinary paths */
    int rc = 0;
    for (size_t i = 0; i < b->cap && rc == 0; i++)
        if (b->t[i].used)
            rc = flush_term(w, &b->t[i]);
    b->entries = 0;
    bulk_now = b;
    return rc;
}

size_t search_bulk_pending(void)
{
    return bulk_now ? bulk_now->entries : 0;
}

int search_bulk_end(store_txn_t *w, bool flush)
{
    bulk_t *b = bulk_now;
    if (!b || b->w != w)
        return 0;
    int rc = flush ? search_bulk_flush(w) : 0;
    for (size_t i = 0; i < b->cap; i++)
        free(b->t[i].e);
    free(b->t);
    free(b);
    bulk_now = NULL;
    return rc;
}
