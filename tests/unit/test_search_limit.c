/* tests/unit/test_search_limit.c: the per-address search limit (modules/search/
 * search_limit.c) over the shared rate window (modules/common/rate_window.c): the count
 * a minute, Retry-After, an IPv6 /64 counted as one, IPv4-mapped as IPv4, exempt
 * networks, the clock windows beyond the exact limit, and the bound on addresses held. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "rate_window.h"
#include "search_limit.h"

static struct sockaddr_in v4(const char *a)
{
    struct sockaddr_in s = {.sin_family = AF_INET};
    inet_pton(AF_INET, a, &s.sin_addr);
    return s;
}

static struct sockaddr_in6 v6(const char *a)
{
    struct sockaddr_in6 s = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, a, &s.sin6_addr);
    return s;
}

#define TAKE(sa, n, now, ra) search_limit_take((const struct sockaddr *)&(sa), NULL, n, now, ra)

static void test_per_minute(void **state)
{
    (void)state;
    search_limit_reset();
    struct sockaddr_in a = v4("203.0.113.7"), b = v4("203.0.113.8");
    int64_t ra = 0;
    for (int i = 0; i < 3; i++)
        assert_true(TAKE(a, 3, 1000 + i, &ra));
    assert_false(TAKE(a, 3, 1010, &ra));
    assert_int_equal(ra, 50); /* the first of the three leaves the minute at 1060 */
    assert_true(TAKE(b, 3, 1010, &ra)); /* another address: its own count */
    assert_true(TAKE(a, 3, 1060, &ra)); /* a sliding minute */
    assert_false(TAKE(a, 3, 1060, &ra));
    assert_int_equal(ra, 1);
    assert_false(TAKE(a, 2, 1060, &ra)); /* a lowered limit applies at once */
}

static void test_ipv6_prefix_and_mapped(void **state)
{
    (void)state;
    search_limit_reset();
    struct sockaddr_in6 x = v6("2001:db8:1:2::1"), y = v6("2001:db8:1:2:ffff::9"),
                        z = v6("2001:db8:1:3::1"), m = v6("::ffff:198.51.100.1");
    struct sockaddr_in m4 = v4("198.51.100.1");
    int64_t ra;
    assert_true(TAKE(x, 2, 50, &ra));
    assert_true(TAKE(y, 2, 50, &ra));
    assert_false(TAKE(x, 2, 50, &ra)); /* one /64 */
    assert_true(TAKE(z, 2, 50, &ra));
    assert_true(TAKE(m, 2, 50, &ra));
    assert_true(TAKE(m4, 2, 50, &ra));
    assert_false(TAKE(m4, 2, 50, &ra)); /* the mapped address is the IPv4 one */
}

static void test_exempt(void **state)
{
    (void)state;
    search_limit_reset();
    conf_net_t net = {0};
    struct sockaddr_in a = v4("10.1.2.3");
    memset(net.addr, 0, 10);
    net.addr[10] = net.addr[11] = 0xff;
    memcpy(net.addr + 12, &a.sin_addr, 4);
    net.prefix = 128;
    conf_limits_t lim = {.exempt = &net, .nexempt = 1};
    int64_t ra;
    for (int i = 0; i < 5; i++)
        assert_true(search_limit_take((const struct sockaddr *)&a, &lim, 1, 100, &ra));
    assert_true(search_limit_take(NULL, NULL, 1, 100, &ra)); /* not an IP peer */
}

static void test_clock_windows(void **state)
{
    (void)state;
    util_buf_t v = {0}, next = {0};
    int64_t ra = 0;
    /* beyond RATE_WINDOW_EXACT: a count per clock span, one small value */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(rate_window_take(v.data, v.len, 100, 60, 120 + i % 50, &ra, &next), 0);
        util_buf_free(&v);
        v = next;
        next = (util_buf_t){0};
    }
    assert_int_equal(v.len, 17);
    assert_int_equal(rate_window_take(v.data, v.len, 100, 60, 150, &ra, &next), 1);
    assert_int_equal(ra, 30);
    assert_int_equal(rate_window_last(v.data, v.len), 120);
    assert_int_equal(rate_window_take(v.data, v.len, 100, 60, 180, &ra, &next), 0);
    util_buf_free(&v);
    util_buf_free(&next);
}

static void test_bounded(void **state)
{
    (void)state;
    search_limit_reset();
    int64_t ra;
    /* more addresses than are held: the longest idle one goes, and every one is served */
    for (uint32_t i = 0; i < SEARCH_LIMIT_ADDRESSES + 10; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000000u + i)};
        assert_true(TAKE(a, 1, i == 0 ? 1000 : 1001 + i / 100, &ra));
    }
    /* the first address was forgotten (its count went with it); the newest is still held */
    struct sockaddr_in first = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000000u)};
    struct sockaddr_in last = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(0x0a000000u + SEARCH_LIMIT_ADDRESSES + 9)};
    assert_true(TAKE(first, 1, 1042, &ra));
    assert_false(TAKE(last, 1, 1042, &ra));
    search_limit_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_minute),
        cmocka_unit_test(test_ipv6_prefix_and_mapped),
        cmocka_unit_test(test_exempt),
        cmocka_unit_test(test_clock_windows),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
