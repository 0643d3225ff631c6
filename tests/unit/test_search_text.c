/* tests/unit/test_search_text.c: the search tokenizer (modules/search/search_text.c):
 * exact term lists with positions for Chinese bigrams, lone characters, ASCII words,
 * full-width folding, punctuation, query mode's prefix terms, the HTML to text step, and a
 * 文号's brackets folded to one form (the exact term and the phrase test of a query). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "search_hot.h"
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
    assert_string_equal(terms("社 保险 ABC", SEARCH_TEXT_QUERY), "社@0* 保险@1 abc@3");
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

/* A phrase that goes on past a CJK run: the query's positions are the index's. */
static void test_query_positions_match_index(void **state)
{
    assert_string_equal(terms("云政发〔2026〕12号", SEARCH_TEXT_INDEX),
                        "云政@0 政发@1 发@2 2026@3 12@4 号@5");
    assert_string_equal(terms("云政发[2026]12号", SEARCH_TEXT_QUERY),
                        "云政@0 政发@1 2026@3 12@4 号@5*");
}

static const char *exact(const char *s)
{
    static char out[256];
    util_buf_t b = {0};
    search_text_exact_fold(s, strlen(s), &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    util_buf_free(&b);
    return out;
}

static const char *term_of(const char *s)
{
    static char out[SEARCH_TERM_MAX + 1];
    size_t n = search_text_exact_term(s, strlen(s), out);
    out[n] = '\0';
    return out;
}

static void test_doc_no_brackets_fold(void **state)
{
    static const char *const forms[] = {
        "云政发〔2026〕12号", "云政发[2026]12号", "云政发(2026)12号", "云政发【2026】12号",
        "云政发（2026）12号", "云政发［2026］12号", "云政发〖2026〗12号", "云政发﹝2026﹞12号",
        "云政发 [2026] 12 号", "“云政发〔２０２６〕１２号”",
    };
    char want[SEARCH_TERM_MAX + 1];
    snprintf(want, sizeof want, "%s", term_of(forms[0]));
    assert_int_equal(strlen(want), 17);
    assert_int_equal(want[0], '#');
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        assert_string_equal(exact(forms[i]), "云政发〔2026〕12号");
        assert_string_equal(term_of(forms[i]), want);
        assert_true(search_text_is_doc_no(forms[i], strlen(forms[i])));
        /* the ordinary terms are the same whatever the brackets */
        assert_string_equal(terms(forms[i], SEARCH_TEXT_INDEX),
                            "云政@0 政发@1 发@2 2026@3 12@4 号@5");
    }
    /* another number, another term; no number, no term */
    assert_string_not_equal(term_of("云政发〔2026〕13号"), want);
    assert_string_not_equal(term_of("云政发〔2025〕12号"), want);
    assert_string_equal(term_of("通知公告"), "");
    assert_string_equal(term_of("a1"), "");
    assert_string_equal(exact("ABC-2026-00001"), "abc202600001");
    assert_false(search_text_is_doc_no("社保 2026", strlen("社保 2026")));
    assert_false(search_text_is_doc_no("〔社保〕", strlen("〔社保〕")));
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


static const char *hl(const char *text, const char *q)
{
    static char out[2048];
    util_buf_t b = {0};
    search_text_highlight(text, strlen(text), q, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    util_buf_free(&b);
    return out;
}

static void test_highlight(void **state)
{
    (void)state;
    assert_string_equal(hl("携带身份证办理社保卡。", "社保卡"), "携带身份证办理<mark>社保卡</mark>。");
    /* bigrams of the query mark their union; one character marks where it stands */
    assert_string_equal(hl("社保和保卡", "社保卡"), "<mark>社保</mark>和<mark>保卡</mark>");
    assert_string_equal(hl("社会保障", "社"), "<mark>社</mark>会保障");
    /* ASCII words at word bounds only, folded; everything else escaped */
    assert_string_equal(hl("<Card> cards & ＣＡＲＤ", "card"),
                        "&lt;<mark>Card</mark>&gt; cards &amp; <mark>ＣＡＲＤ</mark>");
    assert_string_equal(hl("a\"b'c", "x"), "a&quot;b&#39;c");
    /* bytes that are not UTF-8 become U+FFFD, control bytes a space */
    assert_string_equal(hl("\xff社保\x01\xe7\xa4", "社保"), "\xef\xbf\xbd<mark>社保</mark> \xef\xbf\xbd\xef\xbf\xbd");
}

static void test_clean_and_fold(void **state)
{
    (void)state;
    util_buf_t b = {0};
    search_text_clean("ok\xc3(\x7f", 5, &b);
    assert_string_equal(b.data, "ok\xef\xbf\xbd( ");
    b.len = 0;
    assert_int_equal(search_text_fold("  IC，ｃａｒｄ　社保卡!! ", strlen("  IC，ｃａｒｄ　社保卡!! "), &b), 11);
    assert_string_equal(b.data, "ic card 社保卡");
    util_buf_free(&b);
    char t[SEARCH_HOT_TERM_BYTES + 1];
    assert_true(search_hot_term("IC card", t, sizeof t));
    assert_string_equal(t, "ic card");
    assert_true(search_hot_term("“社保卡”", t, sizeof t));
    assert_string_equal(t, "社保卡");
    assert_false(search_hot_term("!!!", t, sizeof t));        /* nothing of a term */
    assert_true(search_hot_term("一二三四五六七八九十一二三四五六七八九十", t, sizeof t));
    assert_false(search_hot_term("一二三四五六七八九十一二三四五六七八九十一", t, sizeof t));
    assert_false(search_hot_term("社保卡", t, 9));            /* does not fit */
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
        cmocka_unit_test(test_query_positions_match_index),
        cmocka_unit_test(test_doc_no_brackets_fold),
        cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_snippet),
        cmocka_unit_test(test_highlight),
        cmocka_unit_test(test_clean_and_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
