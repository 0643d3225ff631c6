/* tests/unit/test_frontmatter.c: splitting documents into front matter and body, with the
 * file's own line numbers in YAML errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "frontmatter.h"

static void test_basic(void **state)
{
    (void)state;
    const char *doc = "---\ntitle: 关于开展秋季开学安全检查的通知\nsite: edu\n"
                      "secrecy_review: {by: 王五, date: 2026-11-20}\n---\n# 正文\n\n内容。\n";
    diag_t d;
    diag_init(&d);
    frontmatter_t fm;
    assert_int_equal(frontmatter_parse("a.md", doc, strlen(doc), &fm, &d), 0);
    assert_non_null(fm.meta);
    const yaml_dom_node_t *t = yaml_dom_get(fm.meta->root, "title");
    assert_non_null(t);
    assert_string_equal(t->str, "关于开展秋季开学安全检查的通知");
    assert_string_equal(yaml_dom_get(fm.meta->root, "site")->str, "edu");
    const yaml_dom_node_t *sr = yaml_dom_get(fm.meta->root, "secrecy_review");
    assert_string_equal(yaml_dom_get(sr, "by")->str, "王五");
    assert_int_equal(t->line, 2); /* the file's own line numbers */
    assert_int_equal(fm.body_line, 6);
    assert_int_equal(fm.body_len, strlen("# 正文\n\n内容。\n"));
    assert_memory_equal(fm.body, "# 正文\n\n内容。\n", fm.body_len);
    frontmatter_free(&fm);
    diag_free(&d);
}

static void test_none_bom_crlf(void **state)
{
    (void)state;
    diag_t d;
    diag_init(&d);
    frontmatter_t fm;
    const char *plain = "# no front matter\n---\n";
    assert_int_equal(frontmatter_parse("p.md", plain, strlen(plain), &fm, &d), 0);
    assert_null(fm.meta);
    assert_ptr_equal(fm.body, plain);
    assert_int_equal(fm.body_len, strlen(plain));

    const char *bom = "\xEF\xBB\xBF---\r\ntitle: T\r\n...\r\nbody";
    assert_int_equal(frontmatter_parse("b.md", bom, strlen(bom), &fm, &d), 0);
    assert_non_null(fm.meta);
    assert_string_equal(yaml_dom_get(fm.meta->root, "title")->str, "T");
    assert_int_equal(fm.body_len, 4);
    assert_memory_equal(fm.body, "body", 4);
    frontmatter_free(&fm);
    assert_int_equal(d.errors, 0);
    diag_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    diag_t d;
    diag_init(&d);
    frontmatter_t fm;
    const char *open = "---\ntitle: x\nno end\n";
    assert_int_equal(frontmatter_parse("o.md", open, strlen(open), &fm, &d), -1);
    assert_non_null(strstr(d.items[0].text, "o.md:1:1:"));
    assert_non_null(strstr(d.items[0].text, "never closed"));
    diag_free(&d);

    diag_init(&d);
    const char *bad = "---\ntitle: x\ntitle: y\n---\nbody\n";
    assert_int_equal(frontmatter_parse("dup.md", bad, strlen(bad), &fm, &d), -1);
    assert_non_null(strstr(d.items[0].text, "dup.md:3:"));
    diag_free(&d);

    diag_init(&d);
    const char *list = "---\n- a\n- b\n---\n";
    assert_int_equal(frontmatter_parse("l.md", list, strlen(list), &fm, &d), -1);
    assert_non_null(strstr(d.items[0].text, "mapping"));
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_none_bom_crlf),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
