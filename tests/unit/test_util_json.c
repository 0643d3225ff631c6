/* tests/unit/test_util_json.c: util_buf_json_str (core/util.c), the JSON string writer of
 * the search answer (HTML-safe; the audit report and the census are built by libjansson
 * now): exact bytes in both modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void expect_json(const char *in, size_t n, bool html_safe, const char *want)
{
    util_buf_t b = {0};
    util_buf_json_str(&b, in, n, html_safe);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    util_buf_free(&b);
}

static void test_plain(void **state)
{
    (void)state;
    expect_json("a\"b\\c", 5, false, "\"a\\\"b\\\\c\"");
    expect_json("x\ny\tz\x7f", 6, false, "\"x\\ny\\u0009z\\u007f\"");
    expect_json("<a&b>", 5, false, "\"<a&b>\"");
    expect_json("社保", strlen("社保"), false, "\"社保\"");
    expect_json("", 0, false, "\"\"");
}

static void test_html_safe(void **state)
{
    (void)state;
    expect_json("<a&b>", 5, true, "\"\\u003ca\\u0026b\\u003e\"");
    expect_json("x\ny", 3, true, "\"x\\u000ay\"");
    expect_json("a\"b", 3, true, "\"a\\\"b\"");
    /* a NUL inside the given length is written, escaped */
    expect_json("a\0b", 3, true, "\"a\\u0000b\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_html_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
