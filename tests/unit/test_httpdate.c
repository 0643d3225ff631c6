/* tests/unit/test_httpdate.c: HTTP dates, the three accepted forms and the near misses
 * that must not parse (the fuzz_httpdate harness found a five-digit year accepted, whose
 * formatted form was then 30 bytes long). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "httpdate.h"

static int parse(const char *s, time_t *t)
{
    return httpdate_parse(s, strlen(s), t);
}

static void test_three_forms(void **state)
{
    (void)state;
    time_t t = 0;
    assert_int_equal(parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
    assert_int_equal(t, 784111777);
    t = 0;
    assert_int_equal(parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
    assert_int_equal(t, 784111777);
    t = 0;
    assert_int_equal(parse("Sun Nov  6 08:49:37 1994", &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(parse("Thu, 01 Jan 1970 00:00:00 GMT", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(parse("Thu, 29 Feb 2024 12:00:00 GMT", &t), 0); /* a leap day */
    assert_int_equal(parse("Wednesday, 09-Jun-21 10:18:14 GMT", &t), 0);
    assert_int_equal(parse("Fri, 31 Dec 9999 23:59:59 GMT", &t), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    const time_t samples[] = {0, 1, 784111777, 951782400 /* 2000-02-29 */, 4102444800,
                              253402300799 /* 9999-12-31 23:59:59 */};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char out[HTTPDATE_LEN + 1];
        httpdate_format(samples[i], out);
        assert_int_equal(strlen(out), HTTPDATE_LEN);
        time_t t = -1;
        assert_int_equal(httpdate_parse(out, HTTPDATE_LEN, &t), 0);
        assert_true(t == samples[i]);
    }
}

static void test_near_misses_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "Mon, 29 Feb 20211 00:00:00 GMT", /* found by fuzz_httpdate: a five-digit year */
        "Mon, 29 Feb 2021 00:00:00 GMT",  /* 2021 is not a leap year */
        "Fri, 31 Dec 9999 23:59:60 GMT",  /* fuzz_httpdate: a leap second into year 10000 */
        "Mon, 31 Apr 2021 00:00:00 GMT",
        "Mon, 00 Jan 2021 00:00:00 GMT",
        "Mon, 01 Jan 2021 24:00:00 GMT",
        "Mon, 01 Jan 2021 -1:00:00 GMT",
        "Mon, 01 Jan 2021 00:60:00 GMT",
        "Mon, 01 Jan 2021 00:00:61 GMT",
        "Mon, 01 Jan 1969 00:00:00 GMT",
        "Mon, 01 Jan 2021 00:00:00 GMT junk",
        "Mon, 01 Jan 2021 00:00:00 UTC",
        "Mon, 1 Jan 2021 00:00:00 GMT",
        "Mon, +1 Jan 2021 00:00:00 GMT",
        "mon, 01 jan 2021 00:00:00 GMT",  /* names are case-sensitive */
        "Xyz, 01 Jan 2021 00:00:00 GMT",
        "Mon, 01 Foo 2021 00:00:00 GMT",
        "Mon,  01 Jan 2021 00:00:00 GMT",
        "Monday, 01-Jan-2021 00:00:00 GMT",
        "Mon, 01-Jan-21 00:00:00 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov 36 08:49:37 1994",
        "",
        "GMT",
        "1994-11-06T08:49:37Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t = 12345;
        if (parse(bad[i], &t) != -1)
            fail_msg("accepted %s", bad[i]);
        assert_int_equal(t, 12345); /* untouched on failure */
    }
    /* An embedded NUL is not the end of the value. */
    time_t t = 0;
    assert_int_equal(httpdate_parse("Sun, 06 Nov 1994 08:49:37 GMT\0x", 31, &t), -1);
    assert_int_equal(httpdate_parse("Sun, 06 Nov 1994 08:49:37 GMT", 28, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_forms),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_near_misses_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
