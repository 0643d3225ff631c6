/* modules/search/search_block.c: the postings block codec (forms in search_keys.h): varints,
 * the one-byte length code, v1 read, v2 and v3 read and written, the shorter chosen. Pure
 * functions: no store. */
#include "search_block.h"

#include <string.h>

#include "search_keys.h"

void search_block_put_varint(util_buf_t *b, uint64_t v)
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

int search_block_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
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
        if (search_block_get_varint(&p, end, &d) || search_block_get_varint(&p, end, &site) ||
            search_block_get_varint(&p, end, &col) || search_block_get_varint(&p, end, &type) ||
            search_block_get_varint(&p, end, &tt) || search_block_get_varint(&p, end, &tb) || search_block_get_varint(&p, end, &dl))
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
        if (search_block_get_varint(&p, end, &d))
            return -1;
        if (i > 0) {
            /* seconds back from the entry before, then the sequence part as a zigzag
             * difference */
            uint64_t zs;
            if (search_block_get_varint(&p, end, &zs) || d > (prev >> 24) || zs > 2 * SEQ_MASK)
                return -1;
            int64_t ds = (zs & 1) ? -(int64_t)(zs >> 1) - 1 : (int64_t)(zs >> 1);
            int64_t seq = (int64_t)(prev & SEQ_MASK) - ds;
            if (seq < 0 || seq > (int64_t)SEQ_MASK)
                return -1;
            d = ((prev >> 24) - d) << 24 | (uint64_t)seq;
            if (d >= prev)
                return -1; /* strictly newest first */
        }
        if (search_block_get_varint(&p, end, &site) || search_block_get_varint(&p, end, &ct) || search_block_get_varint(&p, end, &tf))
            return -1;
        if ((tf & 3) == 3 && search_block_get_varint(&p, end, &tt))
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
    if (w > 64 || search_block_get_varint(&b->p, b->end, &base))
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
    search_block_put_varint(out, base);
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
    if (n > SEARCH_BLOCK_MAX + 1 || search_block_get_varint(&p, end, &first))
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
    search_block_put_varint(out, p[0].doc);
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
            search_block_put_varint(out, p[0].doc);
        } else {
            uint64_t a = p[i - 1].doc, b = p[i].doc;
            int64_t ds = (int64_t)(a & SEQ_MASK) - (int64_t)(b & SEQ_MASK);
            search_block_put_varint(out, (a >> 24) - (b >> 24));
            search_block_put_varint(out, ds >= 0 ? (uint64_t)ds << 1 : ((uint64_t)(-ds - 1) << 1) | 1);
        }
        uint32_t tt = p[i].tf_title;
        search_block_put_varint(out, p[i].site);
        search_block_put_varint(out, (uint64_t)p[i].column << 2 | (p[i].type & 3));
        search_block_put_varint(out, (uint64_t)p[i].tf_body << 2 | (tt < 3 ? tt : 3));
        if (tt >= 3)
            search_block_put_varint(out, tt - 3);
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
