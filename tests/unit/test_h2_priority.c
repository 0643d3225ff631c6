/* tests/unit/test_h2_priority.c: the urgency read from RFC 9218 Priority field values
 * (core/h2_priority.c): the values clients send, values without u (the caller's urgency
 * stays), and values that must not parse (the caller's urgency stays, and callers fall
 * back to 3), each agreeing with nghttp2's reading where this parser reads at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "h2_priority.h"

#define UNTOUCHED 100u /* an urgency no value can give: the parser left it alone */

/* The urgency `v` gives a caller that starts at UNTOUCHED; -1 when v does not parse. */
static long urgency_of(const char *v)
{
    unsigned u = UNTOUCHED;
    if (!h2_priority_parse(v, strlen(v), &u))
        return u == UNTOUCHED ? -1 : -2; /* -2: a failed parse wrote *urgency */
    return (long)u;
}

static void test_values_clients_send(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        long u;
    } cases[] = {
        {"u=0", 0},          {"u=7", 7},          {"u=1, i", 1},      {"i, u=2", 2},
        {"u=3,i=?0", 3},     {"u=4 , \t i=?1", 4}, {" u=5", 5},       {"u=6 ", 6},
        {"u=07", 7},         {"u=2, u=6", 6},     {"u=1;x=2", 1},     {"u=1; y;z=tok", 1},
        {"foo=bar, u=3", 3}, {"*x=?1, u=6", 6},   {"x=a/b:c, u=1", 1}, {"x=-12, u=0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (urgency_of(cases[i].v) != cases[i].u)
            fail_msg("%s: %ld, not %ld", cases[i].v, urgency_of(cases[i].v), cases[i].u);
    }
}

static void test_values_without_u_keep_the_urgency(void **state)
{
    (void)state;
    static const char *values[] = {"", " ", "i", "i=?1", "i=?0", "x=1", "x, y;z", "ux=1"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (urgency_of(values[i]) != (long)UNTOUCHED)
            fail_msg("%s: %ld", values[i], urgency_of(values[i]));
    unsigned u = 6;
    assert_true(h2_priority_parse(NULL, 0, &u)); /* a PRIORITY_UPDATE with no value */
    assert_int_equal(u, 6);
}

static void test_garbage_does_not_parse(void **state)
{
    (void)state;
    static const char *bad[] = {
        "u=9", "u=8", "u=-1", "u=abc", "i=?5", "i=1", "u", "u=?1", "u=1;;", "u=1,", ",u=1",
        "u=1,,u=2", "u=1.5", "u=\"1\"", "u=(1)", "U=1", "u =1", "u= 1", "\tu=1", "u=1 x",
        "u=1;U", "u=1, x=\"s\"", "x=:YQ==:, u=1", "u=1, i=?", "u=-", "u=1\x01", "u=5, u=9x",
        "u=1; y ;z", /* parameters follow without a space */
        "u=9999999999999999", /* 16 digits: past RFC 8941's 15 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (urgency_of(bad[i]) != -1)
            fail_msg("%s: %ld", bad[i], urgency_of(bad[i]));
    char digits[203] = "u=";
    memset(digits + 2, '9', 200);
    digits[202] = '\0';
    assert_int_equal(urgency_of(digits), -1);
    unsigned u = 2;
    assert_false(h2_priority_parse("a\0b=1, u=1", 10, &u)); /* a NUL is no key character */
    assert_int_equal(u, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_clients_send),
        cmocka_unit_test(test_values_without_u_keep_the_urgency),
        cmocka_unit_test(test_garbage_does_not_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
