/* tests/unit/test_theme.c: loading themes (core/theme.c) over the default theme built into
 * the binaries: a configuration without any themes folder gets every template; files in
 * <themes>/default/ replace built-in ones one by one (and the built-in templates that
 * include them use the replacement); a theme a site names must exist; a broken file is
 * an error at its own path. Each case builds its folder under /tmp and removes it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "content.h"
#include "theme.h"
#include "util.h"

typedef struct tree {
    char dir[64];
    conf_t conf;
    conf_site_t site;
    diag_t d;
} tree_t;

static int setup(void **state)
{
    tree_t *t = util_calloc(1, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/jiyue-theme-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    t->conf.dir = t->dir;
    t->conf.file = "jiyue.yaml";
    t->site.id = "edu";
    t->site.name = "测试局";
    t->site.pos = (conf_pos_t){"sites/edu.yaml", 1, 1};
    t->conf.sites = &t->site;
    t->conf.nsites = 1;
    diag_init(&t->d);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tree_t *t = *state;
    char *cmd = util_asprintf("rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    diag_free(&t->d);
    free(t);
    return 0;
}

static void put(const tree_t *t, const char *rel, const char *text)
{
    char *p = util_asprintf("%s/%s", t->dir, rel);
    for (char *s = strchr(p + strlen(t->dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

/* The rendering of template `name` of the site's theme over an empty data tree. */
static char *render(const theme_set_t *ts, const conf_site_t *s, const char *name)
{
    const tpl_t *tp = tpl_set_get(theme_for_site(ts, s), name);
    assert_non_null(tp);
    tpl_data_t *d = tpl_data_new();
    util_buf_t out = {0};
    tpl_render(tp, tpl_data_root(d), &out);
    tpl_data_free(d);
    util_buf_append(&out, "", 1);
    return out.data;
}

static bool has_diag(const diag_t *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].text, needle))
            return true;
    return false;
}

static void test_no_folder_uses_built_in(void **state)
{
    tree_t *t = *state;
    theme_set_t *ts = theme_set_load(&t->conf, &t->d);
    if (!ts)
        diag_print(&t->d, stderr);
    assert_non_null(ts);
    assert_int_equal(t->d.errors, 0);
    static const char *const required[] = CONTENT_TEMPLATES;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(required); i++)
        assert_non_null(tpl_set_get(theme_for_site(ts, &t->site), required[i]));
    char *article = render(ts, &t->site, "article.html");
    assert_non_null(strstr(article, "我为政府网站找错")); /* the built-in footer */
    free(article);
    theme_set_free(ts);
}

static void test_folder_overrides_files(void **state)
{
    tree_t *t = *state;
    put(t, "themes/default/footer.html", "<footer>OWN-FOOTER</footer>\n");
    theme_set_t *ts = theme_set_load(&t->conf, &t->d);
    assert_non_null(ts);
    char *article = render(ts, &t->site, "article.html");
    assert_non_null(strstr(article, "OWN-FOOTER"));
    assert_null(strstr(article, "我为政府网站找错"));
    free(article);
    theme_set_free(ts);
}

static void test_named_theme_falls_back_to_merged_default(void **state)
{
    tree_t *t = *state;
    put(t, "themes/default/footer.html", "<footer>OWN-FOOTER</footer>\n");
    put(t, "themes/classic/header.html", "<header>CLASSIC</header>\n");
    t->site.theme = "classic";
    theme_set_t *ts = theme_set_load(&t->conf, &t->d);
    assert_non_null(ts);
    char *footer = render(ts, &t->site, "footer.html");
    assert_string_equal(footer, "<footer>OWN-FOOTER</footer>\n");
    free(footer);
    char *header = render(ts, &t->site, "header.html");
    assert_string_equal(header, "<header>CLASSIC</header>\n");
    free(header);
    theme_set_free(ts);
}

static void test_named_theme_missing_is_an_error(void **state)
{
    tree_t *t = *state;
    t->site.theme = "classic";
    assert_null(theme_set_load(&t->conf, &t->d));
    assert_true(has_diag(&t->d, "theme 'classic' not found"));
}

static void test_broken_override_names_its_file(void **state)
{
    tree_t *t = *state;
    put(t, "themes/default/article.html", "<h1>\n  {{#if article.title}}</h1>\n");
    assert_null(theme_set_load(&t->conf, &t->d));
    char *where = util_asprintf("%s/themes/default/article.html:2:3:", t->dir);
    assert_true(has_diag(&t->d, where));
    free(where);
}

static void test_named_folder_missing_is_an_error(void **state)
{
    tree_t *t = *state;
    t->conf.themes_dir = util_asprintf("%s/nowhere", t->dir);
    assert_null(theme_set_load(&t->conf, &t->d));
    assert_true(has_diag(&t->d, "themes folder"));
    free(t->conf.themes_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_folder_uses_built_in, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_overrides_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_theme_falls_back_to_merged_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_theme_missing_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_override_names_its_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_named_folder_missing_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
