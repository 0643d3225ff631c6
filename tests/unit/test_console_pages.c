/* tests/unit/test_console_pages.c: the pure parts of the console's pages: which `next`
 * a form may return to (an open redirect must be impossible), the "{id}" a new draft lands
 * on, and the line diff a reviewer reads (its exact output, its bounds, the text taken
 * out of HTML). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console_diff.h"
#include "console_next.h"
#include "util.h"

static bool ok(const char *s)
{
    return console_next_ok(s, strlen(s));
}

static void test_next_ok(void **state)
{
    assert_true(ok("/"));
    assert_true(ok("/drafts/7"));
    assert_true(ok("/drafts/{id}"));
    assert_true(ok("/login?x=1"));
    assert_false(ok(""));
    assert_false(ok("drafts"));
    assert_false(ok("//evil.example/"));
    assert_false(ok("/\\evil.example/"));
    assert_false(ok("/a\\b"));
    assert_false(ok("http://evil.example/"));
    assert_false(ok("javascript:alert(1)"));
    assert_false(ok(" /drafts"));
    assert_false(ok("/drafts\r\nSet-Cookie: x=y"));
    assert_false(ok("/a\tb"));
    assert_false(ok("/a b"));
    assert_false(ok("/\x7f"));
    assert_false(ok("/\xe7\xa8\xbf")); /* non-ASCII: not a header value we write */
    assert_false(console_next_ok("/a\0b", 4));
    char big[CONSOLE_NEXT_MAX + 2];
    memset(big, 'a', sizeof big);
    big[0] = '/';
    assert_true(console_next_ok(big, CONSOLE_NEXT_MAX));
    assert_false(console_next_ok(big, CONSOLE_NEXT_MAX + 1));
}

static void test_next_from_query(void **state)
{
    char out[CONSOLE_NEXT_MAX + 1];
    const char *q = "next=/drafts/7";
    assert_true(console_next_from_query(q, strlen(q), out));
    assert_string_equal(out, "/drafts/7");
    q = "a=1&next=%2Fdrafts%2F%7Bid%7D&b";
    assert_true(console_next_from_query(q, strlen(q), out));
    assert_string_equal(out, "/drafts/{id}");
    /* decoded before it is checked: an encoded "//" is still another host */
    q = "next=%2F%2Fevil.example";
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "next=/%5Cevil.example";
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "next=/a%0d%0aSet-Cookie:x";
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "next=/a%zz";
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "next=/a&next=/b"; /* twice: neither */
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "next"; /* no value */
    assert_false(console_next_from_query(q, strlen(q), out));
    q = "nextx=/a&xnext=/b";
    assert_false(console_next_from_query(q, strlen(q), out));
    assert_false(console_next_from_query(NULL, 0, out));
    assert_false(console_next_from_query("", 0, out));
}

static void test_next_expand(void **state)
{
    char out[CONSOLE_NEXT_MAX + 1];
    assert_true(console_next_expand("/drafts/{id}", "42", out));
    assert_string_equal(out, "/drafts/42");
    assert_true(console_next_expand("/drafts/7", NULL, out));
    assert_string_equal(out, "/drafts/7");
    assert_true(console_next_expand("/{id}/{id}", "a.b_c-1", out));
    assert_string_equal(out, "/a.b_c-1/a.b_c-1");
    /* an id that would make the place something else is refused, never pasted in */
    assert_false(console_next_expand("/drafts/{id}", NULL, out));
    assert_false(console_next_expand("/drafts/{id}", "", out));
    assert_false(console_next_expand("/drafts/{id}", "7/../../x", out));
    assert_false(console_next_expand("/{id}", "/evil.example", out));
    assert_false(console_next_expand("/drafts/{id}", "7\r\nX: y", out));
    char id[66];
    memset(id, 'a', 65);
    id[65] = '\0';
    assert_false(console_next_expand("/{id}", id, out));
    char next[CONSOLE_NEXT_MAX + 1];
    memset(next, 'b', CONSOLE_NEXT_MAX);
    next[0] = '/';
    memcpy(next + CONSOLE_NEXT_MAX - 4, "{id}", 4);
    next[CONSOLE_NEXT_MAX] = '\0';
    assert_false(console_next_expand(next, "12345", out)); /* would not fit */
    assert_true(console_next_expand(next, "1234", out));
    assert_int_equal(strlen(out), CONSOLE_NEXT_MAX);
}

static void collect(void *ud, console_diff_op_t op, const char *line, size_t len)
{
    util_buf_t *b = ud;
    util_buf_appends(b, op == CONSOLE_DIFF_SAME ? " " : op == CONSOLE_DIFF_DEL ? "-" : "+");
    util_buf_append(b, line, len);
    util_buf_append(b, "|", 1);
}

static char *diff(const char *a, const char *b)
{
    util_buf_t out = {0};
    console_diff_lines(a, strlen(a), b, strlen(b), collect, &out);
    util_buf_append(&out, "", 1);
    return out.data;
}

static void test_diff_lines(void **state)
{
    char *d = diff("a\nb\nc\nd", "a\nc\nx\nd");
    assert_string_equal(d, " a|-b| c|+x| d|");
    free(d);
    d = diff("same", "same");
    assert_string_equal(d, " same|");
    free(d);
    d = diff("", "new");
    assert_string_equal(d, "+new|");
    free(d);
    d = diff("old", "");
    assert_string_equal(d, "-old|");
    free(d);
    d = diff("t\na\nb\nt", "t\nb\na\nt"); /* a move: one kept, one removed and added */
    assert_string_equal(d, " t|-a| b|+a| t|");
    free(d);
}

static void test_diff_bounds(void **state)
{
    /* A middle too large to compare pairwise is shown whole: removed, then added. */
    util_buf_t a = {0}, b = {0};
    for (int i = 0; i < 700; i++) {
        util_buf_printf(&a, "a%d\n", i);
        util_buf_printf(&b, "b%d\n", i);
    }
    util_buf_appends(&a, "end");
    util_buf_appends(&b, "end");
    util_buf_t out = {0};
    console_diff_lines(a.data, a.len, b.data, b.len, collect, &out);
    util_buf_append(&out, "", 1);
    assert_non_null(strstr(out.data, "-a699|+b0|"));
    assert_non_null(strstr(out.data, "+b699| end|"));
    assert_memory_equal(out.data, "-a0|", 4);
    util_buf_free(&out);
    util_buf_free(&a);
    util_buf_free(&b);
    /* more lines than CONSOLE_DIFF_LINES: the rest is one last line */
    util_buf_t many = {0};
    for (int i = 0; i < CONSOLE_DIFF_LINES + 10; i++)
        util_buf_appends(&many, "x\n");
    size_t lines = 0;
    util_buf_t o2 = {0};
    console_diff_lines(many.data, many.len, many.data, many.len, collect, &o2);
    for (size_t i = 0; i < o2.len; i++)
        lines += o2.data[i] == '|';
    assert_int_equal(lines, CONSOLE_DIFF_LINES);
    util_buf_free(&o2);
    util_buf_free(&many);
}

static void test_diff_text(void **state)
{
    const char *html = "<h2>标题</h2>\n<p>a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &copy;</p>\n"
                       "<ul>\n<li>one</li>\n</ul>\n<p><a href=\"x\">link</a> <script>x</script></p>\n";
    char *t = console_diff_text(html, strlen(html));
    assert_string_equal(t, "标题\na & b <c> \"d\" 'e' &copy;\none\nlink x");
    free(t);
    t = console_diff_text("", 0);
    assert_string_equal(t, "");
    free(t);
    t = console_diff_text("<p>unterminated <b", 18);
    assert_string_equal(t, "unterminated ");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_ok),     cmocka_unit_test(test_next_from_query),
        cmocka_unit_test(test_next_expand), cmocka_unit_test(test_diff_lines),
        cmocka_unit_test(test_diff_bounds), cmocka_unit_test(test_diff_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
