/* tests/unit/test_template.c: the template engine: escaping by default, raw output, missing
 * names, conditionals, loops with position names and {{else}}, includes with fallback
 * themes, and compile/link errors reported at FILE:LINE:COL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "template.h"

/* Compiles `src` as template "t" in a fresh set and renders it over `root`. */
static char *render_src(const char *src, const tpl_val_t *root)
{
    diag_t d;
    diag_init(&d);
    tpl_set_t *s = tpl_set_new(NULL);
    if (tpl_set_add(s, "t", "t.html", src, strlen(src), &d) != 0 || tpl_set_link(s, &d) != 0)
        fail_msg("compile failed: %s", d.count ? d.items[0].text : "?");
    util_buf_t out = {0};
    tpl_render(tpl_set_get(s, "t"), root, &out);
    util_buf_append(&out, "", 1);
    tpl_set_free(s);
    diag_free(&d);
    return out.data;
}

static void expect(const char *src, const tpl_val_t *root, const char *want)
{
    char *got = render_src(src, root);
    if (strcmp(got, want) != 0)
        fail_msg("template %s\n  want: %s\n  got:  %s", src, want, got);
    free(got);
}

/* The first diagnostic of a template that must not compile. */
static char *compile_error(const char *src)
{
    diag_t d;
    diag_init(&d);
    tpl_set_t *s = tpl_set_new(NULL);
    int rc = tpl_set_add(s, "t", "themes/x/t.html", src, strlen(src), &d);
    if (rc == 0)
        rc = tpl_set_link(s, &d);
    assert_int_equal(rc, -1);
    assert_true(d.errors >= 1);
    char *msg = strdup(d.items[0].text);
    tpl_set_free(s);
    diag_free(&d);
    return msg;
}

static void test_escaping(void **state)
{
    (void)state;
    tpl_data_t *d = tpl_data_new();
    tpl_val_t *r = tpl_data_root(d);
    tpl_set_str(d, r, "t", "<script>alert('x') & \"y\"</script>");
    tpl_set_str(d, r, "body", "<p>正文</p>");
    expect("<h1>{{ t }}</h1>", r,
           "<h1>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</h1>");
    expect("<a title=\"{{t}}\">", r,
           "<a title=\"&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\">");
    expect("{{ raw body }}|{{body}}", r, "<p>正文</p>|&lt;p&gt;正文&lt;/p&gt;");
    tpl_data_free(d);
}

static void test_missing_fields(void **state)
{
    (void)state;
    tpl_data_t *d = tpl_data_new();
    tpl_val_t *r = tpl_data_root(d);
    tpl_set_str(d, r, "a", "A");
    tpl_set_str(d, r, "nothing", NULL); /* NULL sets nothing */
    expect("[{{ missing }}][{{ a.b.c }}][{{ nothing }}][{{ a }}]", r, "[][][][A]");
    expect("{{#if missing}}yes{{else}}no{{/if}}", r, "no");
    expect("{{#unless missing}}absent{{/unless}}", r, "absent");
    expect("{{#each missing}}x{{else}}empty{{/each}}", r, "empty");
    tpl_data_free(d);
}

static void test_conditionals(void **state)
{
    (void)state;
    tpl_data_t *d = tpl_data_new();
    tpl_val_t *r = tpl_data_root(d);
    tpl_set_bool(d, r, "on", true);
    tpl_set_bool(d, r, "off", false);
    tpl_set_str(d, r, "empty", "");
    tpl_set_int(d, r, "zero", 0);
    tpl_set_int(d, r, "n", 42);
    tpl_set_list(d, r, "none");
    tpl_val_t *site = tpl_set_map(d, r, "site");
    tpl_set_str(d, site, "name", "云岭市");
    expect("{{#if on}}1{{/if}}{{#if off}}2{{/if}}{{#if empty}}3{{/if}}{{#if zero}}4{{/if}}"
           "{{#if n}}5{{/if}}{{#if none}}6{{/if}}{{#if site}}7{{/if}}",
           r, "157");
    expect("{{#if off}}a{{else}}b{{/if}}{{#unless on}}c{{else}}d{{/unless}}", r, "bd");
    expect("{{#if site.name}}{{site.name}} {{n}}{{/if}}", r, "云岭市 42");
    tpl_data_free(d);
}

static void test_loops(void **state)
{
    (void)state;
    tpl_data_t *d = tpl_data_new();
    tpl_val_t *r = tpl_data_root(d);
    tpl_set_str(d, r, "sep", ", ");
    tpl_set_str(d, r, "title", "outer");
    tpl_val_t *items = tpl_set_list(d, r, "items");
    const char *names[] = {"甲", "乙", "丙"};
    for (int i = 0; i < 3; i++) {
        tpl_val_t *it = tpl_list_add_map(d, items);
        tpl_set_str(d, it, "name", names[i]);
        if (i == 1)
            tpl_set_str(d, it, "title", "inner");
    }
    /* Names resolve in the item, then outwards; @first/@last/@index describe position. */
    expect("{{#each items}}{{#unless @first}}{{sep}}{{/unless}}{{@index}}:{{name}}/{{title}}"
           "{{#if @last}}.{{/if}}{{/each}}",
           r, "0:甲/outer, 1:乙/inner, 2:丙/outer.");
    tpl_val_t *tags = tpl_set_list(d, r, "tags");
    tpl_list_add_str(d, tags, "a<b");
    tpl_list_add_str(d, tags, "c");
    expect("{{#each tags}}[{{.}}]{{/each}}", r, "[a&lt;b][c]");
    /* Nested loops see their own item first. */
    tpl_val_t *groups = tpl_set_list(d, r, "groups");
    for (int g = 0; g < 2; g++) {
        tpl_val_t *gr = tpl_list_add_map(d, groups);
        tpl_set_int(d, gr, "n", g);
        tpl_val_t *sub = tpl_set_list(d, gr, "sub");
        for (int k = 0; k <= g; k++)
            tpl_set_int(d, tpl_list_add_map(d, sub), "k", k);
    }
    expect("{{#each groups}}<{{n}}:{{#each sub}}{{n}}{{k}}{{/each}}>{{/each}}", r,
           "<0:00><1:1011>");
    tpl_data_free(d);
}

static void test_includes_and_fallback(void **state)
{
    (void)state;
    diag_t dg;
    diag_init(&dg);
    tpl_set_t *base = tpl_set_new(NULL);
    const char *page = "<main>{{> footer.html}}</main>";
    const char *footer = "<footer>{{org}}</footer>";
    assert_int_equal(tpl_set_add(base, "page.html", "base/page.html", page, strlen(page), &dg), 0);
    assert_int_equal(tpl_set_add(base, "footer.html", "base/footer.html", footer, strlen(footer), &dg), 0);
    assert_int_equal(tpl_set_link(base, &dg), 0);
    tpl_set_t *theme = tpl_set_new(base);
    const char *home = "<h1>{{> footer.html}}</h1>";
    assert_int_equal(tpl_set_add(theme, "home.html", "t/home.html", home, strlen(home), &dg), 0);
    assert_int_equal(tpl_set_link(theme, &dg), 0);
    assert_int_equal(dg.errors, 0);

    tpl_data_t *d = tpl_data_new();
    tpl_set_str(d, tpl_data_root(d), "org", "A&B");
    util_buf_t out = {0};
    tpl_render(tpl_set_get(theme, "page.html"), tpl_data_root(d), &out); /* from the fallback */
    tpl_render(tpl_set_get(theme, "home.html"), tpl_data_root(d), &out);
    util_buf_append(&out, "", 1);
    assert_string_equal(out.data, "<main><footer>A&amp;B</footer></main><h1><footer>A&amp;B</footer></h1>");
    assert_null(tpl_set_get(theme, "nope.html"));
    util_buf_free(&out);
    tpl_data_free(d);
    tpl_set_free(theme);
    tpl_set_free(base);
    diag_free(&dg);
}

static void test_errors(void **state)
{
    (void)state;
    char *m;
    m = compile_error("line one\n  {{#if a}} never closed");
    assert_non_null(strstr(m, "themes/x/t.html:2:3:"));
    assert_non_null(strstr(m, "never closed"));
    free(m);
    m = compile_error("{{#each a}}{{/if}}");
    assert_non_null(strstr(m, "t.html:1:12:"));
    free(m);
    m = compile_error("ok {{ unclosed");
    assert_non_null(strstr(m, "t.html:1:4:"));
    free(m);
    m = compile_error("中文{{ bad name! }}");
    assert_non_null(strstr(m, "t.html:1:3:")); /* columns count characters */
    free(m);
    m = compile_error("{{/each}}");
    assert_non_null(strstr(m, "never opened"));
    free(m);
    m = compile_error("{{> missing.html }}");
    assert_non_null(strstr(m, "no template 'missing.html'"));
    free(m);
    m = compile_error("{{#wat x}}{{/wat}}");
    assert_non_null(strstr(m, "unknown block"));
    free(m);
    m = compile_error("{{else}}");
    assert_non_null(strstr(m, "outside a block"));
    free(m);

    /* An include cycle is a link error, not an endless render. */
    diag_t d;
    diag_init(&d);
    tpl_set_t *s = tpl_set_new(NULL);
    assert_int_equal(tpl_set_add(s, "a", "a.html", "A{{> b}}", 8, &d), 0);
    assert_int_equal(tpl_set_add(s, "b", "b.html", "B{{> a}}", 8, &d), 0);
    assert_int_equal(tpl_set_link(s, &d), -1);
    assert_non_null(strstr(d.items[0].text, "include cycle"));
    tpl_set_free(s);
    diag_free(&d);
}

static void test_text_only_and_braces(void **state)
{
    (void)state;
    tpl_data_t *d = tpl_data_new();
    /* CSS braces are text: only a double brace opens a tag. */
    expect("body { color: #222 } .a{margin:0}", tpl_data_root(d), "body { color: #222 } .a{margin:0}");
    expect("{{! a comment }}x", tpl_data_root(d), "x");
    expect("", tpl_data_root(d), "");
    tpl_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_conditionals),
        cmocka_unit_test(test_loops),
        cmocka_unit_test(test_includes_and_fallback),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_text_only_and_braces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
