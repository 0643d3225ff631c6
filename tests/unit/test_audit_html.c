/* tests/unit/test_audit_html.c: the audit's HTML tokenizer (modules/audit/audit_html.c)
 * as the rule link-hidden (暗链) depends on it: which inline styles hide an element (in
 * any case and spacing, !important), the `hidden` attribute and tiny marquees, the hidden
 * state carried through nesting (void elements, implied end tags, unbalanced and
 * truncated HTML, nesting deeper than the tracked depth), the visible text, and which
 * hosts are government sites' (audit_links.c: a hidden link there is no 暗链). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit_css.h"
#include "audit_html.h"
#include "audit_links.h"

#define S(x) x, strlen(x)

/* What a walk saw: each reference as "H:value" (hidden) or "V:value", space-separated. */
typedef struct seen {
    char refs[4096];
    size_t scripts;
} seen_t;

static void on_ref(void *ud, const audit_html_ref_t *r)
{
    seen_t *s = ud;
    size_t n = strlen(s->refs);
    snprintf(s->refs + n, sizeof s->refs - n, "%s%c:%.*s", n ? " " : "", r->hidden ? 'H' : 'V',
             (int)r->len, r->val);
}

static void on_script(void *ud, const char *code, size_t len)
{
    ((seen_t *)ud)->scripts++;
}

static const char *walk(const char *html)
{
    static seen_t s;
    memset(&s, 0, sizeof s);
    audit_html_visitor_t v = {&s, on_ref, on_script, NULL};
    audit_html_walk(html, strlen(html), &v);
    return s.refs;
}

static bool hides(const char *style)
{
    return audit_html_style_hides(style, strlen(style), false);
}

static void test_styles_that_hide(void **state)
{
    (void)state;
    assert_true(hides("display:none"));
    assert_true(hides("DISPLAY : NONE !important"));
    assert_true(hides("color:red;display: none;"));
    assert_true(hides("visibility:hidden"));
    assert_true(hides("Visibility:Hidden"));
    assert_true(hides("font-size:0"));
    assert_true(hides("font-size:0px"));
    assert_true(hides("font-size: 0pt"));
    assert_true(hides("font-size:0em"));
    assert_true(hides("font-size:0.0rem"));
    assert_true(hides("height:0;overflow:hidden"));
    assert_true(hides("overflow : hidden ; width : 0px"));
    assert_true(hides("position:absolute;left:-9999px"));
    assert_true(hides("position:fixed; top:-600px"));
    assert_true(hides("position:absolute;left:-500px")); /* the limit itself */
    assert_true(hides("position:absolute;top:-50em"));
    assert_true(hides("text-indent:-9999px"));
    assert_true(hides("text-indent:-500px"));
    /* not hidden */
    assert_false(hides(""));
    assert_false(hides("display:block"));
    assert_false(hides("display:inline-block;color:#000"));
    assert_false(hides("visibility:visible"));
    assert_false(hides("font-size:12px"));
    assert_false(hides("font-size:0.5em"));
    assert_false(hides("height:0"));                 /* without overflow:hidden */
    assert_false(hides("overflow:hidden"));          /* without a zero size */
    assert_false(hides("height:10px;overflow:hidden"));
    assert_false(hides("left:-9999px"));             /* not positioned */
    assert_false(hides("position:relative;left:-9999px"));
    assert_false(hides("position:absolute;left:-499px"));
    assert_false(hides("position:absolute;left:10px;top:10px"));
    assert_false(hides("text-indent:2em"));
    assert_false(hides("text-indent:-499px"));
    assert_false(hides("display"));
    assert_false(hides(";;;:;"));
    /* a later declaration wins */
    assert_false(hides("display:none;display:block"));
    /* a marquee of one pixel or less */
    assert_true(audit_html_style_hides(S("height:1px"), true));
    assert_true(audit_html_style_hides(S("width:0"), true));
    assert_false(audit_html_style_hides(S("height:1px"), false));
    assert_false(audit_html_style_hides(S("height:20px"), true));
}

static void test_elements_that_hide(void **state)
{
    (void)state;
    assert_string_equal(walk("<a href=a style='display:none'>x</a><a href=b>y</a>"), "H:a V:b");
    assert_string_equal(walk("<A STYLE=\"DISPLAY : NONE !important\" HREF=\"a\">x</A>"), "H:a");
    assert_string_equal(walk("<div hidden><a href=a>x</a></div><a href=b>"), "H:a V:b");
    assert_string_equal(walk("<span style=\"font-size:0px\"><a href=a>x</a></span>"), "H:a");
    assert_string_equal(walk("<marquee height=1><a href=a>x</a></marquee>"
                             "<marquee width=\"0\"><a href=b>x</a></marquee>"
                             "<marquee height=\"60\"><a href=c>x</a></marquee>"), "H:a H:b V:c");
    assert_string_equal(walk("<div style=\"position:absolute;top:-1000px\"><p><a href=a>x</a>"
                             "</p></div><a href=b>y</a>"), "H:a V:b");
    /* the style of another element or attribute hides nothing */
    assert_string_equal(walk("<a href=a title='display:none'>x</a>"), "V:a");
    assert_string_equal(walk("<a href=a data-style='display:none'>x</a>"), "V:a");
}

static void test_nesting(void **state)
{
    (void)state;
    /* inside, deeper, and out again */
    assert_string_equal(walk("<div style=display:none><ul><li><a href=a>1</a></li></ul></div>"
                             "<a href=b>2</a>"), "H:a V:b");
    assert_string_equal(walk("<div><div style=display:none><div>x</div><a href=a></a></div>"
                             "<a href=b></a></div><a href=c>"), "H:a V:b V:c");
    /* void elements do not nest: the <img> and <br> close nothing and open nothing */
    assert_string_equal(walk("<div style=display:none><img src=i><br><a href=a>x</a></div>"
                             "<a href=b>y</a>"), "H:i H:a V:b");
    assert_string_equal(walk("<img style=display:none src=i><a href=a>x</a>"), "H:i V:a");
    /* a new <li> or <p> ends an open one; a block ends an open <p> */
    assert_string_equal(walk("<ul><li style=display:none><a href=a>1<li><a href=b>2</ul>"),
                        "H:a V:b");
    assert_string_equal(walk("<p style=display:none><a href=a>x</a><div><a href=b>y</a></div>"),
                        "H:a V:b");
    assert_string_equal(walk("<table><tr style=display:none><td><a href=a>x<tr><td><a href=b>"),
                        "H:a V:b");
    /* ... but not across a list boundary */
    assert_string_equal(walk("<ul><li style=display:none><ul><li><a href=a>x<li><a href=b>y"
                             "</ul><a href=c></ul><a href=d>"), "H:a H:b H:c V:d");
    /* a script's body is no markup */
    assert_string_equal(walk("<div style=display:none><script>var s='</div>';</script>"
                             "<a href=a>x</a></div><a href=b>"), "H:a V:b");
}

static void test_unbalanced(void **state)
{
    (void)state;
    /* end tags with nothing open are ignored, never underflow */
    assert_string_equal(walk("</div></span></a></p><a href=a>x</a>"), "V:a");
    assert_string_equal(walk("<div style=display:none></span></b><a href=a>x</a></div>"
                             "</div></div><a href=b>y</a>"), "H:a V:b");
    /* an end tag closes what was left open inside it */
    assert_string_equal(walk("<div style=display:none><span><b><a href=a>x</div><a href=b>"),
                        "H:a V:b");
    /* never closed: hidden to the end, as a browser shows it */
    assert_string_equal(walk("<div style=display:none><a href=a>x<p><a href=b>"), "H:a H:b");
    /* truncated anywhere: nothing read past the end */
    const char *doc = "<div style=\"display:none\"><a href=\"http://x.com/\">x</a></div>";
    for (size_t n = 0; n <= strlen(doc); n++) {
        seen_t s = {{0}, 0};
        audit_html_visitor_t v = {&s, on_ref, on_script, NULL};
        audit_html_walk(doc, n, &v);
    }
    assert_string_equal(walk("<a href='unterminated"), "V:unterminated");
    assert_string_equal(walk("<"), "");
    assert_string_equal(walk("<div style="), "");
}

/* Nesting beyond AUDIT_HTML_DEPTH is counted, not tracked: the hidden state stays right. */
static void test_deep_nesting(void **state)
{
    (void)state;
    enum { N = AUDIT_HTML_DEPTH * 3 };
    static char doc[N * 16 + 512];
    size_t o = 0;
    /* hidden at the top, then N levels, a link at the bottom, N closes, a link still
     * inside the hidden one, its close, a visible link */
    o += (size_t)sprintf(doc + o, "<div style=display:none>");
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(doc + o, "<div>");
    o += (size_t)sprintf(doc + o, "<a href=a></a>");
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(doc + o, "</div>");
    o += (size_t)sprintf(doc + o, "<a href=b></a></div><a href=c></a>");
    assert_string_equal(walk(doc), "H:a H:b V:c");
    /* hidden deep below the tracked depth */
    o = 0;
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(doc + o, "<span>");
    o += (size_t)sprintf(doc + o, "<i style=display:none><a href=a></a></i><a href=b></a>");
    for (int i = 0; i < N; i++)
        o += (size_t)sprintf(doc + o, "</span>");
    o += (size_t)sprintf(doc + o, "<a href=c></a>");
    assert_string_equal(walk(doc), "H:a V:b V:c");
}

static void test_text_and_scripts(void **state)
{
    (void)state;
    util_buf_t text = {0};
    seen_t s = {{0}, 0};
    audit_html_visitor_t v = {&s, on_ref, on_script, &text};
    const char *doc = "<p>发布<b>日期</b></p><!-- <a href=c> --><script>x()</script>"
                      "<style>a{}</style>尾 < 1";
    audit_html_walk(doc, strlen(doc), &v);
    util_buf_append(&text, "", 1);
    assert_string_equal(text.data, "发布 日期 尾  < 1"); /* as the old scanner made it */
    assert_string_equal(s.refs, "");
    assert_int_equal(s.scripts, 1);
    util_buf_free(&text);
}

static void test_government_hosts(void **state)
{
    (void)state;
    assert_true(audit_host_is_gov(S("gov.cn")));
    assert_true(audit_host_is_gov(S("www.gov.cn")));
    assert_true(audit_host_is_gov(S("www.km.yn.gov.cn")));
    assert_false(audit_host_is_gov(S("xgov.cn")));
    assert_false(audit_host_is_gov(S("gov.cn.bet365.com")));
    assert_false(audit_host_is_gov(S("gov.com")));
    assert_false(audit_host_is_gov(S("www.example.cn")));
    assert_false(audit_host_is_gov(S("")));
}

/* Rules of the page's own <style> blocks: simple class and id selectors that hide, also
 * from a block after the element; not in @media or other at-rules, not combinators, not a
 * tag the rule does not name; bounded by AUDIT_CSS_RULES. */
static void test_style_block_rules(void **state)
{
    (void)state;
    assert_string_equal(walk("<style>.x9{display:none}</style><div class=\"a x9\"><a href=\"h1\">k</a></div>"
                             "<div class=\"x99\"><a href=\"v1\">k</a></div>"),
                        "H:h1 V:v1");
    /* the block after the links, an id, a tag-qualified class, several selectors */
    assert_string_equal(walk("<p id=\"z\"><a href=\"h2\">k</a></p><span class=\"q\"><a href=\"v2\">k</a></span>"
                             "<div class=\"q\"><a href=\"h3\">k</a></div><i class=\"w\"><a href=\"h4\">k</a></i>"
                             "<style>\n/* hidden */ #z { position:absolute; left:-9999px }\n"
                             "div.q, .w {font-size:0}</style>"),
                        "H:h2 V:v2 H:h3 H:h4");
    /* at-rules, combinators, pseudo selectors, rules that do not hide: nothing hidden */
    assert_string_equal(walk("<style>@media print{.m{display:none}} @import url(x.css);"
                             ".n a{display:none} .o:hover{display:none} .p{color:red}"
                             "@font-face{font-family:x}</style>"
                             "<div class=\"m\"><a href=\"v3\">k</a></div><div class=\"n\"><a href=\"v4\">k</a></div>"
                             "<div class=\"o\"><a href=\"v5\">k</a></div><div class=\"p\"><a href=\"v6\">k</a></div>"),
                        "V:v3 V:v4 V:v5 V:v6");
    /* class names are case-sensitive; an unclosed block or rule ends the reading, not the walk */
    assert_string_equal(walk("<style>.Up{display:none}</style><b class=\"up\"><a href=\"v7\">k</a></b>"
                             "<b class=\"Up\"><a href=\"h5\">k</a></b><style>.r{display:none"),
                        "V:v7 H:h5");
    /* a rule the element's own hidden state does not need: a hidden ancestor still counts */
    assert_string_equal(walk("<style>.h{visibility:hidden}</style><ul class=\"h\"><li><a href=\"h6\">k</a></ul>"),
                        "H:h6");
    /* more rules than are kept: the first AUDIT_CSS_RULES are, the rest not read */
    static char big[64 * 1024];
    size_t n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "<style>");
    for (int i = 0; i < AUDIT_CSS_RULES + 10; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, ".c%d{display:none}", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "</style><a class=\"c0\" href=\"h7\">k</a>"
                          "<a class=\"c%d\" href=\"v8\">k</a>", AUDIT_CSS_RULES + 5);
    assert_string_equal(walk(big), "H:h7 V:v8");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_styles_that_hide), cmocka_unit_test(test_elements_that_hide),
        cmocka_unit_test(test_nesting),          cmocka_unit_test(test_unbalanced),
        cmocka_unit_test(test_deep_nesting),     cmocka_unit_test(test_text_and_scripts),
        cmocka_unit_test(test_government_hosts), cmocka_unit_test(test_style_block_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
