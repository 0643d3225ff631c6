/* tests/unit/test_search_text.c: the search tokenizer (modules/search/search_text.c):
 * exact term lists with positions for Chinese bigrams, lone characters, ASCII words,
 * full-width folding, punctuation, query mode's prefix terms, and the HTML to text step. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "search_text.h"

typedef struct got {
    char s[1024];
} got_t;

static int cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    got_t *g = ud;
    size_t l = strlen(g->s);
    snprintf(g->s + l, sizeof g->s - l, "%s%.*s@%u%s", l ? " " : "", (int)len, term, pos,
             prefix ? "*" : "");
    return 0;
}

static const char *terms(const char *text, search_text_mode_t mode)
{
    static got_t g;
    g.s[0] = '\0';
    search_text_terms(text, strlen(text), mode, NULL, cb, &g);
    return g.s;
}

static void test_cjk_bigrams(void **state)
{
    assert_string_equal(terms("社保卡", SEARCH_TEXT_INDEX), "社保@0 保卡@1 卡@2");
    assert_string_equal(terms("社", SEARCH_TEXT_INDEX), "社@0");
    assert_string_equal(terms("社保，医保", SEARCH_TEXT_INDEX), "社保@0 保@1 医保@2 保@3");
    assert_string_equal(terms("", SEARCH_TEXT_INDEX), "");
}

static void test_ascii_and_numbers(void **state)
{
    assert_string_equal(terms("Hello, World 2026!", SEARCH_TEXT_INDEX),
                        "hello@0 world@1 2026@2");
    assert_string_equal(terms("ABC社保DEF", SEARCH_TEXT_INDEX), "abc@0 社保@1 保@2 def@3");
    /* a word longer than SEARCH_WORD_MAX is cut */
    assert_string_equal(terms("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b", SEARCH_TEXT_INDEX),
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@0 b@1");
}

static void test_fullwidth_folded(void **state)
{
    assert_string_equal(terms("ＡＢＣ１２３", SEARCH_TEXT_INDEX), "abc123@0");
    assert_string_equal(terms("ｅｄｕ　教育", SEARCH_TEXT_INDEX), "edu@0 教育@1 育@2");
}

static void test_punctuation_and_bad_bytes(void **state)
{
    assert_string_equal(terms("「通知」——《办法》。", SEARCH_TEXT_INDEX),
                        "通知@0 知@1 办法@2 法@3");
    assert_string_equal(terms("a\xff\xfe" "b\xe4\xb8", SEARCH_TEXT_INDEX), "a@0 b@1");
    assert_string_equal(terms("é ü", SEARCH_TEXT_INDEX), "");
}

static void test_query_mode(void **state)
{
    assert_string_equal(terms("社保卡", SEARCH_TEXT_QUERY), "社保@0 保卡@1");
    assert_string_equal(terms("社", SEARCH_TEXT_QUERY), "社@0*");
    assert_string_equal(terms("社 保险 ABC", SEARCH_TEXT_QUERY), "社@0* 保险@1 abc@2");
}

static void test_positions_continue(void **state)
{
    got_t g = {{0}};
    uint32_t pos = 0;
    search_text_terms("医保", 6, SEARCH_TEXT_INDEX, &pos, cb, &g);
    assert_int_equal(pos, 2);
    search_text_terms("x", 1, SEARCH_TEXT_INDEX, &pos, cb, &g);
    assert_string_equal(g.s, "医保@0 保@1 x@2");
    assert_int_equal(pos, 3);
}

static const char *plain(const char *html)
{
    static char out[512];
    util_buf_t b = {0};
    search_text_from_html(html, strlen(html), &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    util_buf_free(&b);
    return out;
}

static void test_html_to_text(void **state)
{
    assert_string_equal(plain("<p>第一段</p><p>第二段</p>"), "第一段 第二段");
    assert_string_equal(plain("<p><b>社</b>保 &amp; A&lt;B &#x793E;&#20445;</p>"),
                        "社保 & A<B 社保");
    assert_string_equal(plain("x<script>var s = \"<p>no</p>\";</script>y<style>p{}</style>z"),
                        "x y z");
    assert_string_equal(plain("  &nbsp;a \n\t b  "), "a b");
    assert_string_equal(plain("a<unclosed"), "a");
    assert_string_equal(plain("&bogus; &#0; &#xZZ;"), "&bogus; &#0; &#xZZ;");
}

static const char *snip(const char *text, const char *q)
{
    static char out[1024];
    util_buf_t b = {0};
    search_text_snippet(text, strlen(text), q, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    util_buf_free(&b);
    return out;
}

static void test_snippet(void **state)
{
    assert_string_equal(snip("关于社保卡办理的说明", "社保"), "关于社保卡办理的说明");
    char text[512], want[512];
    /* 50 characters, the term, 100 more: 30 before it, 100 in all */
    snprintf(text, sizeof text, "%s社保%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
             "bbbbbbbbbbbbbbbbbbb");
    snprintf(want, sizeof want, "…%s社保%s…", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assert_string_equal(snip(text, "社保"), want);
    /* ASCII terms case-insensitively; the first of several terms in the text */
    assert_string_equal(snip("办事指南 PDF 下载", "pdf"), "办事指南 PDF 下载");
    /* no term in the text: its start */
    assert_string_equal(snip("第一条 总则", "养老"), "第一条 总则");
    assert_string_equal(snip("", "养老"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cjk_bigrams),
        cmocka_unit_test(test_ascii_and_numbers),
        cmocka_unit_test(test_fullwidth_folded),
        cmocka_unit_test(test_punctuation_and_bad_bytes),
        cmocka_unit_test(test_query_mode),
        cmocka_unit_test(test_positions_continue),
        cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_snippet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
