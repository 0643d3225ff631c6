/* tests/unit/test_form.c: core/form.c: media type pieces and urlencoded fields, which the
 * message form and the console's forms both read through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"

#define S(x) x, strlen(x)

static void test_media_type(void **state)
{
    (void)state;
    assert_true(form_media_type_is(S("application/json"), "application/json"));
    assert_true(form_media_type_is(S(" Application/JSON ; charset=utf-8"), "application/json"));
    assert_false(form_media_type_is(S("application/jsonx"), "application/json"));
    assert_false(form_media_type_is(S("text/plain"), "application/json"));
    assert_false(form_media_type_is(NULL, 0, "application/json"));
}

static void test_media_param(void **state)
{
    (void)state;
    const char *v;
    size_t n;
    assert_true(form_media_param(S("multipart/form-data; boundary=abc"), "boundary", &v, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(v, "abc", 3);
    assert_true(form_media_param(S("multipart/form-data;x=1; BOUNDARY=\"a b\""), "boundary",
                                 &v, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(v, "a b", 3);
    /* the type itself is never a parameter */
    assert_false(form_media_param(S("boundary=abc"), "boundary", &v, &n));
    assert_false(form_media_param(S("multipart/form-data"), "boundary", &v, &n));
}

static void test_charset(void **state)
{
    (void)state;
    assert_true(form_charset_utf8(S("application/x-www-form-urlencoded")));
    assert_true(form_charset_utf8(S("application/x-www-form-urlencoded; charset=UTF-8")));
    assert_true(form_charset_utf8(S("application/x-www-form-urlencoded; charset=\"utf8\"")));
    assert_false(form_charset_utf8(S("application/x-www-form-urlencoded; charset=gbk")));
}

static void test_fields(void **state)
{
    (void)state;
    const char *body = "a=1&&b&c=x%20y+z&=v", *p = body, *end = body + strlen(body);
    const char *k, *v;
    size_t kl, vl;
    assert_true(form_next_field(&p, end, &k, &kl, &v, &vl));
    assert_int_equal(kl, 1);
    assert_memory_equal(k, "a", 1);
    assert_int_equal(vl, 1);
    assert_memory_equal(v, "1", 1);
    assert_true(form_next_field(&p, end, &k, &kl, &v, &vl)); /* the empty piece is skipped */
    assert_int_equal(kl, 1);
    assert_memory_equal(k, "b", 1);
    assert_null(v);
    assert_true(form_next_field(&p, end, &k, &kl, &v, &vl));
    size_t n;
    char *d = form_decode(v, vl, &n);
    assert_string_equal(d, "x y z");
    assert_int_equal(n, 5);
    free(d);
    assert_true(form_next_field(&p, end, &k, &kl, &v, &vl));
    assert_int_equal(kl, 0);
    assert_false(form_next_field(&p, end, &k, &kl, &v, &vl));
}

static void test_decode(void **state)
{
    (void)state;
    size_t n;
    char *d = form_decode(S("%E7%A4%BE%e4%bf%9d"), &n);
    assert_string_equal(d, "社保");
    free(d);
    d = form_decode(S("a%00b"), &n); /* a NUL is decoded; callers refuse it */
    assert_int_equal(n, 3);
    assert_int_equal(d[1], '\0');
    free(d);
    assert_null(form_decode(S("%"), &n));
    assert_null(form_decode(S("%4"), &n));
    assert_null(form_decode(S("%zz"), &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_type), cmocka_unit_test(test_media_param),
        cmocka_unit_test(test_charset),    cmocka_unit_test(test_fields),
        cmocka_unit_test(test_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
