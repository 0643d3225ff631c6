/* tests/unit/test_stats.c: the visit statistics' pure parts (modules/stats/): the
 * HyperLogLog estimate against known counts, merging, what counts as a page and as a bot
 * (the one-pass matcher against the list it replaced),
 * the local day, the day record's round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

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

/* The verdict as it was defined before the one-pass matcher: any mark, ignoring ASCII
 * case, anywhere in the UA; no UA is a robot. The matcher must agree on every UA. */
static bool reference_is_bot(const char *ua, size_t n)
{
    static const char *const marks[] = {"bot",  "spider", "crawl", "slurp",   "curl/",
                                        "wget", "python", "java/", "go-http", "headless",
                                        "scan", "monitor"};
    if (!ua || n == 0)
        return true;
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        size_t wl = strlen(marks[m]);
        for (size_t i = 0; i + wl <= n; i++)
            if (!strncasecmp(ua + i, marks[m], wl))
                return true;
    }
    return false;
}

static void agree(const char *ua, size_t n)
{
    if (stats_is_bot(ua, n) != reference_is_bot(ua, n))
        fail_msg("verdicts differ on \"%.*s\" (%zu bytes)", (int)(n < 200 ? n : 200), ua, n);
}

/* Real UAs, robots and browsers; each whole, in upper and in alternating case, and every
 * prefix of it (truncated headers end a mark anywhere); a very long one; then random
 * strings over the marks' letters, where near misses ("cur", "scab", "go-htp") abound. */
static void test_bot_matcher_agrees(void **state)
{
    (void)state;
    static const char *const uas[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
        "Mozilla/5.0 (Linux; Android 13; SM-S9080) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.42",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; YandexBot/3.0)", "Mozilla/5.0 (compatible; Yahoo! Slurp)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
        "curl/7.88.1", "Wget/1.21.3", "python-requests/2.31.0", "Python-urllib/3.11",
        "Java/17.0.2", "Go-http-client/1.1", "h2load nghttp2/1.52.0", "wrk", "Nmap Scripting Engine",
        "UptimeRobot/2.0", "Site24x7 Monitor", "ApacheBench/2.3", "Mozilla/5.0", "-", "a", "cur",
        "curl", "CURL/", "go-htt", "go-http", "java", "JAVA/", "bo", "BoT", "xscanx", "spide",
        "headles", "monito", "crawler", "slurp", "sLuRp", "\xe6\x9c\xba\xe5\x99\xa8" "bot",
        "\xff\xfe\x80" "bot\x01", "b\0ot", "bo\0t",
    };
    char buf[400];
    for (size_t k = 0; k < sizeof uas / sizeof *uas; k++) {
        size_t n = strlen(uas[k]);
        if (k + 2 >= sizeof uas / sizeof *uas)
            n = 4; /* the ones with a NUL inside: all four bytes */
        assert_true(n < sizeof buf);
        for (size_t cut = 0; cut <= n; cut++)
            agree(uas[k], cut);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)toupper((unsigned char)uas[k][i]);
        agree(buf, n);
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)(i % 2 ? toupper((unsigned char)uas[k][i]) : tolower((unsigned char)uas[k][i]));
        agree(buf, n);
    }
    agree(NULL, 0);
    agree("", 0);
    /* 64 KiB of a browser's UA repeated, then a mark at the very end (or a near miss) */
    size_t big = 65536;
    char *l = malloc(big + 8);
    assert_non_null(l);
    for (size_t i = 0; i < big; i++)
        l[i] = uas[0][i % strlen(uas[0])];
    agree(l, big);
    memcpy(l + big, "MONITOR", 7);
    agree(l, big + 7);
    assert_true(stats_is_bot(l, big + 7));
    memcpy(l + big, "MONITOx", 7);
    agree(l, big + 7);
    assert_false(stats_is_bot(l, big + 7));
    free(l);
    /* strings of pieces of marks (each a prefix, most of them short of the whole mark), in
     * random case, with a stray byte now and then */
    static const char *const pieces[] = {"bot",  "spider", "crawl", "slurp",   "curl/",
                                         "wget", "python", "java/", "go-http", "headless",
                                         "scan", "monitor", "x",    " ",       "\xe4"};
    uint64_t x = 88172645463325252ull;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    size_t bots = 0;
    for (int t = 0; t < 50000; t++) {
        size_t n = 0, parts = 1 + NEXT() % 4;
        for (size_t p = 0; p < parts; p++) {
            const char *w = pieces[NEXT() % (sizeof pieces / sizeof *pieces)];
            size_t wl = strlen(w), take = NEXT() % 3 ? 1 + NEXT() % wl : wl;
            for (size_t i = 0; i < take; i++)
                buf[n++] = (char)(NEXT() % 2 ? toupper((unsigned char)w[i]) : w[i]);
        }
        agree(buf, n);
        bots += stats_is_bot(buf, n);
    }
#undef NEXT
    assert_in_range(bots, 5000, 45000); /* both verdicts were exercised */
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
        cmocka_unit_test(test_bot_matcher_agrees),
        cmocka_unit_test(test_day_of),          cmocka_unit_test(test_record_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
