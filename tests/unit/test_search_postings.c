/* tests/unit/test_search_postings.c: the postings block codec (search_block.h, layout in
 * search_keys.h): v2 round trips with edge values (a block's first and last numbers, the
 * same second with sequence numbers either way, large counts, every length code), blocks
 * written in v1 still read, and every malformed or truncated block refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "search_keys.h"
#include "search_postings.h"
#include "util.h"

#define DOC(t, s) ((uint64_t)(t) << 24 | (uint64_t)(s))

/* Encodes, decodes and compares; returns the block's header bits (its form). */
static unsigned roundtrip(const search_posting_t *in, size_t n)
{
    util_buf_t b = {0};
    search_block_encode(in, n, &b);
    unsigned form = ((unsigned)(uint8_t)b.data[0] | (unsigned)(uint8_t)b.data[1] << 8) &
                    ~SEARCH_BLOCK_COUNT;
    search_posting_t out[SEARCH_BLOCK_MAX + 1];
    assert_int_equal(search_block_decode(b.data, b.len, out, SEARCH_BLOCK_MAX + 1), (int)n);
    for (size_t i = 0; i < n; i++) {
        assert_true(out[i].doc == in[i].doc);
        assert_int_equal(out[i].site, in[i].site);
        assert_int_equal(out[i].column, in[i].column);
        assert_int_equal(out[i].type, in[i].type);
        assert_int_equal(out[i].tf_title, in[i].tf_title);
        assert_int_equal(out[i].tf_body, in[i].tf_body);
        assert_int_equal(out[i].length, search_length_decode(search_length_code(in[i].length)));
    }
    /* every shorter prefix of the block is refused, and so is one byte more */
    for (size_t cut = 0; cut < b.len; cut++)
        assert_int_equal(search_block_decode(b.data, cut, out, SEARCH_BLOCK_MAX + 1), -1);
    util_buf_append(&b, "\0", 1);
    assert_int_equal(search_block_decode(b.data, b.len, out, SEARCH_BLOCK_MAX + 1), -1);
    util_buf_free(&b);
    return form;
}

static void test_roundtrip_edges(void **state)
{
    (void)state;
    uint64_t tmax = ((uint64_t)1 << 40) - 1;
    search_posting_t e[] = {
        {DOC(tmax, 0xFFFFFF), UINT32_MAX, UINT32_MAX >> 2, 3, UINT32_MAX, UINT32_MAX >> 2, 65535},
        {DOC(tmax, 0), 1, 0, 1, 0, 1, 0},           /* same second, sequence far lower */
        {DOC(tmax - 1, 0xFFFFFF), 2, 5, 2, 3, 0, 16}, /* next second, sequence far higher */
        {DOC(1780000000, 17), 1000, 7, 1, 2, 9, 301},
        {DOC(1780000000, 16), 1000, 7, 1, 1, 0, 15},
        {DOC(0, 1), 0, 0, 3, 0, 0, 17},
        {DOC(0, 0), 0, 0, 1, 4, 0, 1},               /* the smallest number there is */
    };
    roundtrip(e, sizeof e / sizeof *e);
    assert_int_equal(roundtrip(e + 6, 1), SEARCH_BLOCK_V2); /* one entry: varints are shorter */
    search_posting_t many[SEARCH_BLOCK_MAX + 1];
    for (size_t i = 0; i < SEARCH_BLOCK_MAX + 1; i++)
        many[i] = (search_posting_t){DOC(1780000000 - i * 977, (i * 7919) & 0xFFFFFF),
                                     (uint32_t)i, (uint32_t)(i % 5), (uint8_t)(1 + i % 3),
                                     (uint32_t)(i % 4), (uint32_t)i, (uint32_t)(i * 513)};
    assert_int_equal(roundtrip(many, SEARCH_BLOCK_MAX + 1), SEARCH_BLOCK_V2 | SEARCH_BLOCK_V3);
    /* a full block where every field differs in width, tf_title over 3 in some entries */
    for (size_t i = 0; i < SEARCH_BLOCK_MAX; i++)
        many[i] = (search_posting_t){DOC(1780000000 - i * 300 - (i % 7) * 40000, (SEARCH_BLOCK_MAX - i) * 3),
                                     (uint32_t)(900 + i % 100), 4, 1, (uint32_t)(i % 9),
                                     (uint32_t)(1 + i % 3), (uint32_t)(280 + i)};
    /* (numbers must fall: rebuild them strictly newest first) */
    for (size_t i = 0; i < SEARCH_BLOCK_MAX; i++)
        many[i].doc = DOC(1780000000 - i * 300, (SEARCH_BLOCK_MAX - i) * 3);
    assert_int_equal(roundtrip(many, SEARCH_BLOCK_MAX), SEARCH_BLOCK_V2 | SEARCH_BLOCK_V3);
}

static void test_v3_malformed(void **state)
{
    (void)state;
    search_posting_t e[40], out[40];
    for (size_t i = 0; i < 40; i++)
        e[i] = (search_posting_t){DOC(1780000000 - i * 1000, 40 - i), 7, 1, 1, 0, 1 + i % 2, 300};
    util_buf_t b = {0};
    search_block_encode(e, 40, &b);
    assert_int_equal(b.data[1] & 0xC0, 0xC0);
    assert_int_equal(search_block_decode(b.data, b.len, out, 40), 40);
    uint8_t *c = util_malloc(b.len);
    /* the v3 bit without the v2 bit is no form */
    memcpy(c, b.data, b.len);
    c[1] &= (uint8_t)~0x80;
    assert_int_equal(search_block_decode(c, b.len, out, 40), -1);
    /* the first column's width over 64 */
    memcpy(c, b.data, b.len);
    size_t at = 2;
    while (c[at] & 0x80)
        at++;
    at++;
    uint8_t w0 = c[at];
    c[at] = 65;
    assert_int_equal(search_block_decode(c, b.len, out, 40), -1);
    (void)w0;
    /* a column wider than the bytes that follow its head: the seconds-back column (every
     * entry 1000 s older: width 0, base 1000) made 1 bit wide */
    memcpy(c, b.data, b.len);
    assert_int_equal(c[at], 0);
    c[at] = 1;
    assert_int_equal(search_block_decode(c, b.len, out, 40), -1);
    free(c);
    util_buf_free(&b);
}

static void test_length_code(void **state)
{
    (void)state;
    for (uint32_t len = 0; len < 16; len++)
        assert_int_equal(search_length_decode(search_length_code(len)), len);
    uint8_t last = 0;
    for (uint32_t len = 1; len <= 70000; len++) {
        uint8_t c = search_length_code(len);
        uint32_t d = search_length_decode(c);
        assert_true(c >= last); /* monotonic */
        last = c;
        assert_true(d <= len && len - d <= len / 16); /* under 1/16 below */
        assert_int_equal(search_length_code(d), c);     /* the code of a decoded length is its own */
    }
    assert_int_equal(search_length_code(UINT32_MAX), 255);
}

static void test_v1_still_read(void **state)
{
    (void)state;
    /* count 2; doc 0x0100000000000005 whole, then 3 back; site 2, column 1, type 1,
     * tf_title 1, tf_body 2, length 300 (0xAC 0x02) */
    static const uint8_t v1[] = {2,    0,    0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                 0x01, 2,    1,    1,    1,    2,    0xAC, 0x02, 3,    2,
                                 1,    1,    0,    1,    0xAC, 0x02};
    search_posting_t out[4];
    assert_int_equal(search_block_decode(v1, sizeof v1, out, 4), 2);
    assert_true(out[0].doc == 0x0100000000000005ull);
    assert_true(out[1].doc == 0x0100000000000002ull);
    assert_int_equal(out[0].length, 300);
    assert_int_equal(out[1].tf_title, 0);
    assert_int_equal(search_block_decode(v1, sizeof v1 - 1, out, 4), -1);
}

static void test_malformed_refused(void **state)
{
    (void)state;
    search_posting_t out[4];
    uint8_t b[64] = {0};
    /* no header, an empty block, more entries than the caller has room for */
    assert_int_equal(search_block_decode(b, 0, out, 4), -1);
    assert_int_equal(search_block_decode((const uint8_t[]){0x00, 0x80}, 2, out, 4), -1);
    search_posting_t two[] = {{DOC(100, 2), 1, 1, 1, 0, 1, 3}, {DOC(99, 1), 1, 1, 1, 0, 1, 3}};
    util_buf_t w = {0};
    search_block_encode(two, 2, &w);
    assert_int_equal(search_block_decode(w.data, w.len, out, 1), -1);
    assert_int_equal(search_block_decode(w.data, w.len, out, 2), 2);
    /* the second entry made as new as the first: seconds back 0, sequence difference 0 */
    memcpy(b, w.data, w.len);
    size_t at = 2;
    while (b[at] & 0x80)
        at++;
    at += 1 + 4; /* first entry: number, site, column|type, tf, length byte */
    assert_int_equal(b[at], 1);  /* one second back */
    b[at] = 0;
    assert_int_equal(b[at + 1], 2); /* zigzag of +1 */
    b[at + 1] = 0;
    assert_int_equal(search_block_decode(b, w.len, out, 2), -1);
    /* further back than time 0 */
    memcpy(b, w.data, w.len);
    b[at] = 101;
    assert_int_equal(search_block_decode(b, w.len, out, 2), -1);
    /* a varint that never ends */
    memset(b, 0xFF, sizeof b);
    b[0] = 1, b[1] = 0x80;
    assert_int_equal(search_block_decode(b, sizeof b, out, 2), -1);
    util_buf_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_edges),
        cmocka_unit_test(test_length_code),
        cmocka_unit_test(test_v1_still_read),
        cmocka_unit_test(test_malformed_refused),
        cmocka_unit_test(test_v3_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
