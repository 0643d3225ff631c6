/* tests/unit/test_stats.c: the visit statistics' pure parts (modules/stats/): the
 * HyperLogLog estimate against known counts, merging, what counts as a page and as a bot,
 * the local day, the day record's round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"
#include "stats_hll.h"
#include "stats_record.h"

static const uint8_t KEY[16] = "0123456789abcdef";

static uint64_t visitor(uint64_t i)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "10.0.%llu.%llu|ua", (unsigned long long)(i >> 8),
                     (unsigned long long)(i & 255));
    return stats_hash(KEY, buf, (size_t)n, 0);
}

static void check_estimate(uint64_t n, double tolerance)
{
    stats_hll_t h = {0};
    for (uint64_t i = 0; i < n; i++) {
        stats_hll_add(&h, visitor(i));
        stats_hll_add(&h, visitor(i)); /* the same visitor twice counts once */
    }
    double e = (double)stats_hll_estimate(&h);
    assert_true(e >= (double)n * (1 - tolerance) && e <= (double)n * (1 + tolerance));
}

static void test_estimates(void **state)
{
    (void)state;
    stats_hll_t empty = {0};
    assert_int_equal(stats_hll_estimate(&empty), 0);
    check_estimate(1, 0.0);
    check_estimate(20, 0.05);   /* few visitors: linear counting, nearly exact */
    check_estimate(1000, 0.08);
    check_estimate(50000, 0.08); /* standard error about 3.3% with 1,024 registers */
}

static void test_small_counts_are_exact(void **state)
{
    (void)state;
    stats_hll_t a = {0}, b = {0};
    for (uint64_t i = 0; i < STATS_HLL_EXACT; i++) {
        stats_hll_add(&a, visitor(i));
        stats_hll_add(&a, visitor(i));
    }
    assert_int_equal(stats_hll_estimate(&a), STATS_HLL_EXACT); /* exact up to the bound */
    for (uint64_t i = 30; i < 40; i++)
        stats_hll_add(&b, visitor(i));
    stats_hll_merge(&b, &a); /* the union of 64 and 10 of them: still 64, exactly */
    assert_int_equal(stats_hll_estimate(&b), STATS_HLL_EXACT);
    stats_hll_add(&a, visitor(1000)); /* one more: the sketch's estimate from now on */
    assert_int_equal(a.nexact, STATS_HLL_OVER);
    uint64_t e = stats_hll_estimate(&a);
    assert_true(e >= 60 && e <= 70);
    stats_hll_merge(&b, &a);
    assert_int_equal(b.nexact, STATS_HLL_OVER);
}

static void test_merge_is_union(void **state)
{
    (void)state;
    stats_hll_t a = {0}, b = {0}, both = {0};
    for (uint64_t i = 0; i < 3000; i++) {
        stats_hll_add(i < 2000 ? &a : &b, visitor(i));
        if (i >= 1000 && i < 2000)
            stats_hll_add(&b, visitor(i)); /* 1,000 came both days */
        stats_hll_add(&both, visitor(i));
    }
    stats_hll_merge(&a, &b);
    assert_memory_equal(a.reg, both.reg, STATS_HLL_REGS);
    double e = (double)stats_hll_estimate(&a);
    assert_true(e > 3000 * 0.92 && e < 3000 * 1.08);
}

static void test_hash_depends_on_key(void **state)
{
    (void)state;
    uint8_t other[16] = "fedcba9876543210";
    assert_int_not_equal(stats_hash(KEY, "1.2.3.4", 7, 0), stats_hash(other, "1.2.3.4", 7, 0));
    assert_int_equal(stats_hash(KEY, "1.2.3.4", 7, 0), stats_hash(KEY, "1.2.3.4", 7, 0));
    assert_int_not_equal(stats_hash(KEY, "1.2.3.4", 7, 0), stats_hash(KEY, "1.2.3.5", 7, 0));
}

#define S(x) x, strlen(x)

static void test_pages_and_bots(void **state)
{
    (void)state;
    assert_true(stats_is_page(S("/")));
    assert_true(stats_is_page(S("/news/")));
    assert_true(stats_is_page(S("/news/2026-12-01-a.html")));
    assert_true(stats_is_page(S("/old/PAGE.HTM")));
    assert_true(stats_is_page(S("/search")));
    assert_true(stats_is_page(S("/a.b/c")));
    assert_false(stats_is_page(S("/style.css")));
    assert_false(stats_is_page(S("/img/logo.png")));
    assert_false(stats_is_page(S("/feed.xml")));
    assert_false(stats_is_page(S("/x.htmlx")));
    assert_true(stats_is_bot(NULL, 0));
    assert_true(stats_is_bot(S("Mozilla/5.0 (compatible; Baiduspider/2.0)")));
    assert_true(stats_is_bot(S("Mozilla/5.0 (compatible; Googlebot/2.1)")));
    assert_true(stats_is_bot(S("curl/7.88.1")));
    assert_true(stats_is_bot(S("python-requests/2.28")));
    assert_false(stats_is_bot(S("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0")));
}

static void test_day_of(void **state)
{
    (void)state;
    setenv("TZ", "America/New_York", 1); /* the server's own zone does not matter */
    tzset();
    time_t ends;
    /* 2026-12-05 16:30 UTC is 2026-12-06 00:30 in Beijing */
    assert_int_equal(stats_day_of(1796488200, &ends), 20261206);
    assert_int_equal(ends, 1796572800); /* 2026-12-07 00:00 +08:00 */
    assert_int_equal(stats_day_of(ends - 1, NULL), 20261206);
    assert_int_equal(stats_day_of(ends, NULL), 20261207);
}

static void test_record_round_trip(void **state)
{
    (void)state;
    stats_day_t d = {.views = 12345, .bot_views = 77};
    stats_hll_add(&d.visitors, visitor(1));
    stats_hll_add(&d.visitors, visitor(2));
    util_buf_t b = {0};
    stats_day_encode(&d, &b);
    stats_day_t back;
    assert_int_equal(stats_day_decode(b.data, b.len, &back), 0);
    assert_int_equal(back.views, 12345);
    assert_int_equal(back.bot_views, 77);
    assert_memory_equal(back.visitors.reg, d.visitors.reg, STATS_HLL_REGS);
    assert_int_equal(back.visitors.nexact, 2);
    assert_int_equal(back.visitors.exact[1], visitor(2));
    assert_int_equal(stats_day_decode(b.data, b.len - 1, &back), STORE_ECORRUPT);
    b.data[0] = 'X';
    assert_int_equal(stats_day_decode(b.data, b.len, &back), STORE_ECORRUPT);
    util_buf_free(&b);
    char key[STATS_KEY_MAX];
    size_t n = stats_key(key, "edu", 20261205);
    assert_int_equal(n, strlen("vs/edu/20261205"));
    assert_memory_equal(key, "vs/edu/20261205", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimates),       cmocka_unit_test(test_small_counts_are_exact),
        cmocka_unit_test(test_merge_is_union),
        cmocka_unit_test(test_hash_depends_on_key), cmocka_unit_test(test_pages_and_bots),
        cmocka_unit_test(test_day_of),          cmocka_unit_test(test_record_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
