/* tests/unit/test_care.c: the 适老化 switch's return paths (modules/care/care.c: never an
 * open redirect) and the audit's count of images without a text alternative
 * (modules/audit/audit_rules.c, the rule image-alt-missing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit_rules.h"
#include "care.h"

#define S(x) x, strlen(x)

static void test_local_paths(void **state)
{
    (void)state;
    assert_true(care_local_path(S("/")));
    assert_true(care_local_path(S("/edu/news/")));
    assert_true(care_local_path(S("/edu/search?q=%E6%95%99&page=2")));
    assert_true(care_local_path(S("/教育/")));
    assert_false(care_local_path(S("")));
    assert_false(care_local_path(S("edu/")));
    assert_false(care_local_path(S("//evil.example/")));
    assert_false(care_local_path(S("/\\evil.example/")));
    assert_false(care_local_path(S("https://evil.example/")));
    assert_false(care_local_path(S("/\t/evil.example")));
    assert_false(care_local_path(S("/x\r\nSet-Cookie: a=b")));
    assert_false(care_local_path(S("/a b")));
    assert_false(care_local_path(S("/a\\b")));
    assert_false(care_local_path("/a\0b", 4));
    assert_false(care_local_path(S("/a\x7f")));
    char *big = malloc(CARE_TO_MAX + 2);
    memset(big, 'a', CARE_TO_MAX + 1);
    big[0] = '/';
    assert_true(care_local_path(big, CARE_TO_MAX));
    assert_false(care_local_path(big, CARE_TO_MAX + 1));
    free(big);
}

static void test_link(void **state)
{
    (void)state;
    util_buf_t b = {0};
    care_link_html(&b, false, "/edu/", S("/edu/search?q=a b&x=<\"'>"));
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, "<a class=\"care-switch\" href=\"/edu/care?on=1&amp;to="
                                "/edu/search%3Fq%3Da%20b%26x%3D%3C%22%27%3E\">关怀版（大字）</a>");
    util_buf_free(&b);
    b = (util_buf_t){0};
    care_link_html(&b, true, "/", NULL, 0);
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, "<a class=\"care-switch\" href=\"/care?on=0\">返回标准版</a>");
    util_buf_free(&b);
}

static void test_images_without_alt(void **state)
{
    (void)state;
    assert_int_equal(audit_images_without_alt(S("<p>no images</p>")), 0);
    assert_int_equal(audit_images_without_alt(S("<img src=\"a.png\" alt=\"校门\" />")), 0);
    assert_int_equal(audit_images_without_alt(S("<IMG ALT='图' SRC=a.png>")), 0);
    assert_int_equal(audit_images_without_alt(S("<img alt=图 src=a.png>")), 0);
    assert_int_equal(audit_images_without_alt(S("<img src=\"a.png\">")), 1);
    assert_int_equal(audit_images_without_alt(S("<img src=\"a.png\" alt=\"\" />")), 1);
    assert_int_equal(audit_images_without_alt(S("<img src=\"a.png\" alt=\"  \">")), 1);
    assert_int_equal(audit_images_without_alt(S("<img alt src=a.png>")), 1);
    /* another attribute's name or value is not an alt */
    assert_int_equal(audit_images_without_alt(S("<img data-alt=\"x\" src=a.png>")), 1);
    assert_int_equal(audit_images_without_alt(S("<img title=\"alt=x\" src=a.png>")), 1);
    assert_int_equal(audit_images_without_alt(S("<img title=\"a>b alt=c\" src=a.png>")), 1);
    assert_int_equal(audit_images_without_alt(S("<img title=\"a>b\" alt=\"c\">")), 0);
    /* not an image: <imgx>, text */
    assert_int_equal(audit_images_without_alt(S("<imgx src=a.png> img src")), 0);
    assert_int_equal(audit_images_without_alt(S("<img src=a><img alt=b><img>")), 2);
    /* cut short: counted, nothing read beyond the end */
    assert_int_equal(audit_images_without_alt(S("<img src=\"a")), 1);
    assert_int_equal(audit_images_without_alt(S("<img")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_paths),
        cmocka_unit_test(test_link),
        cmocka_unit_test(test_images_without_alt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
