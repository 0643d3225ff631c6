/* tests/unit/test_interaction_form.c: reading a submitted message form
 * (modules/interaction/interaction_form.c): the media type, urlencoded decoding, duplicates, malformed
 * escapes and invalid UTF-8, trimming and CRLF, and the checks that name each problem. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "interaction.h"

static bool has_error(const interaction_form_t *f, const char *field)
{
    for (size_t i = 0; i < f->nerrors; i++)
        if (strcmp(f->errors[i].field, field) == 0)
            return true;
    return false;
}

static void test_content_type(void **state)
{
#define OK(s) assert_true(interaction_form_type_ok(s, strlen(s)))
#define NO(s) assert_false(interaction_form_type_ok(s, strlen(s)))
    OK("application/x-www-form-urlencoded");
    OK("Application/X-WWW-Form-Urlencoded ; charset=UTF-8");
    OK("application/x-www-form-urlencoded;charset=\"utf-8\"");
    OK("application/x-www-form-urlencoded; foo=bar");
    NO("application/x-www-form-urlencoded; charset=gbk");
    NO("multipart/form-data; boundary=x");
    NO("text/plain");
    NO("application/x-www-form-urlencodedx");
    NO("");
#undef OK
#undef NO
}

static void test_decode_and_tidy(void **state)
{
    interaction_form_t f = {0};
    const char *body = "title=+%E5%AD%A6%E6%A0%A1+&body=a%0D%0Ab%0D%0A%0D%0A&name=%E5%BC%A0%E4%B8%89"
                       "&phone=138+0000+0000&submit=go&token=1.x&email=";
    interaction_form_parse(&f, body, strlen(body));
    assert_false(f.bad_encoding);
    assert_string_equal(f.title, "学校"); /* '+' is a space, trimmed */
    assert_string_equal(f.body, "a\nb");  /* CRLF -> LF, trailing blank lines dropped */
    assert_string_equal(f.name, "张三");
    assert_string_equal(f.phone, "138 0000 0000");
    assert_string_equal(f.token, "1.x");
    assert_string_equal(f.email, "");
    assert_null(f.honeypot);
    interaction_form_check(&f);
    assert_int_equal(f.nerrors, 0);
    interaction_form_free(&f);
}

static void test_bad_encoding(void **state)
{
    const char *bodies[] = {"title=%FF", "title=%E5%AD", "title=%zz", "title=%4", "body=a%00b",
                            "title=%1B[31m"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        interaction_form_t f = {0};
        interaction_form_parse(&f, bodies[i], strlen(bodies[i]));
        assert_true(f.bad_encoding);
        assert_null(f.title); /* never kept, so never echoed */
        assert_true(has_error(&f, "form"));
        interaction_form_free(&f);
    }
}

static void test_duplicates_and_checks(void **state)
{
    interaction_form_t f = {0};
    const char *body = "title=a&title=b&body=&name=%20&phone=abc&email=x@y";
    interaction_form_parse(&f, body, strlen(body));
    assert_string_equal(f.title, "a");
    assert_true(has_error(&f, "title")); /* given twice */
    interaction_form_check(&f);
    assert_true(has_error(&f, "body"));
    assert_true(has_error(&f, "name"));
    assert_true(has_error(&f, "phone"));
    assert_true(has_error(&f, "email"));
    interaction_form_free(&f);

    /* Lengths are characters: 100 Chinese characters (300 bytes) pass, 101 do not. */
    char title[2000] = "title=";
    for (int i = 0; i < 100; i++)
        strcat(title, "%E5%AD%97");
    strcat(title, "&body=b&name=n&phone=12345");
    interaction_form_t g = {0};
    interaction_form_parse(&g, title, strlen(title));
    interaction_form_check(&g);
    assert_int_equal(g.nerrors, 0);
    interaction_form_free(&g);
    memmove(title + 6 + 9, title + 6, strlen(title + 6) + 1);
    memcpy(title + 6, "%E5%AD%97", 9);
    interaction_form_t h = {0};
    interaction_form_parse(&h, title, strlen(title));
    interaction_form_check(&h);
    assert_true(has_error(&h, "title"));
    interaction_form_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_decode_and_tidy),
        cmocka_unit_test(test_bad_encoding),
        cmocka_unit_test(test_duplicates_and_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
