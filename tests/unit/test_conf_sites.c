/* tests/unit/test_conf_sites.c: conf_load_sites (core/conf.c), the load that jiyuectl publish
 * uses: only the named sites and their parents, each from the file named by its id, and
 * NULL (so that the caller reads the whole folder) whenever that is not certain: a file
 * missing or declaring another id, an id that is not a slug (never read as a path), an
 * error in a file read. A broken or duplicate file it does not read does not stop it, while
 * conf_load still refuses the same tree. */
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
#include "util.h"

static const char *SERVER = "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n";

#define REG(n)                                                                                  \
    "registration:\n  site_code: \"53990000" n "\"\n  icp: 滇ICP备" n "号\n  police: 滇公网安备 " n \
    "号\n  organizer: 单位" n "\n  contact: 办公室 0871-6100" n "\n"

static const char *PORTAL = "id: portal\nname: 门户\nkind: portal\nmount:\n  hosts: [www.t.gov.cn]\n"
                            REG("01") "columns:\n  - {id: news, name: 要闻, type: dynamic}\n";
#define DEPT(id, parent, path, n)                                                          \
    "id: " id "\nname: 部门" n "\nkind: department\nparent: " parent "\nmount:\n  path: " path \
    "\n" REG(n) "columns:\n  - {id: news, name: 要闻, type: dynamic}\n"

typedef struct tfile {
    const char *name; /* relative to the tree's folder */
    const char *text;
} tfile_t;

typedef struct tree {
    char dir[64];
    char conf[128];
    const tfile_t *files;
} tree_t;

/* Writes jiyue.yaml and `files` (names relative to the tree: "sites/a.yaml") in /tmp. */
static void tree_make(tree_t *t, const tfile_t *files)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/jiyue-confsites-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    char path[256];
    snprintf(path, sizeof path, "%s/sites", t->dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(t->conf, sizeof t->conf, "%s/jiyue.yaml", t->dir);
    FILE *f = fopen(t->conf, "w");
    assert_non_null(f);
    fputs(SERVER, f);
    fclose(f);
    t->files = files;
    for (size_t i = 0; files[i].name; i++) {
        snprintf(path, sizeof path, "%s/%s", t->dir, files[i].name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(files[i].text, f);
        fclose(f);
    }
}

static void tree_remove(tree_t *t)
{
    char path[256];
    for (size_t i = 0; t->files[i].name; i++) {
        snprintf(path, sizeof path, "%s/%s", t->dir, t->files[i].name);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sites", t->dir);
    rmdir(path);
    unlink(t->conf);
    rmdir(t->dir);
}

static conf_t *load_ids(tree_t *t, const char *const *ids, size_t n, diag_t *d)
{
    diag_init(d);
    return conf_load_sites(t->conf, -1, CONF_LOAD_NO_THEMES | CONF_LOAD_NO_TLS, ids, n, d);
}

static bool diag_has(const diag_t *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].text, needle))
            return true;
    return false;
}

/* The site, its parents up to the portal, nothing else; a broken file and a second file
 * with the same id elsewhere in the folder are not read (conf_load refuses the tree). */
static void test_named_and_parents(void **state)
{
    (void)state;
    const tfile_t files[] = {
        {"sites/portal.yaml", PORTAL},
        {"sites/edu.yaml", DEPT("edu", "portal", "/edu/", "02")},
        {"sites/school.yaml", DEPT("school", "edu", "/s1/", "03")},
        {"sites/other.yaml", DEPT("other", "portal", "/other/", "04")},
        {"sites/broken.yaml", "id: broken\nname: [unclosed\n"},
        {"sites/copy.yaml", DEPT("school", "edu", "/s2/", "05")},
        {NULL, NULL}};
    tree_t t;
    tree_make(&t, files);
    diag_t d;
    const char *ids[] = {"school"};
    conf_t *c = load_ids(&t, ids, 1, &d);
    assert_non_null(c);
    assert_true(c->partial);
    assert_int_equal(c->nsites, 3); /* sorted by id */
    assert_string_equal(c->sites[0].id, "edu");
    assert_string_equal(c->sites[1].id, "portal");
    assert_string_equal(c->sites[2].id, "school");
    const conf_site_t *s = conf_site_find(c, "school");
    assert_non_null(s->parent);
    assert_string_equal(s->parent->id, "edu");
    assert_ptr_equal(s->parent->parent, c->portal);
    assert_null(conf_site_find(c, "other"));
    conf_free(c);
    diag_free(&d);

    /* two sites at once share their parents */
    const char *two[] = {"other", "school", "other"};
    c = load_ids(&t, two, 3, &d);
    assert_non_null(c);
    assert_int_equal(c->nsites, 4);
    conf_free(c);
    diag_free(&d);

    /* the whole folder still refuses both the broken file and the duplicate id */
    diag_init(&d);
    c = conf_load(t.conf, -1, &d);
    assert_null(c);
    assert_true(diag_has(&d, "broken.yaml"));
    assert_true(diag_has(&d, "duplicate site id 'school'"));
    diag_free(&d);
    tree_remove(&t);
}

/* NULL whenever the files named by id are not certainly the sites: the caller then reads
 * the whole folder. */
static void test_not_certain(void **state)
{
    (void)state;
    const tfile_t files[] = {
        {"sites/portal.yaml", PORTAL},
        /* a file whose name is not its id */
        {"sites/10-edu.yaml", DEPT("edu", "portal", "/edu/", "02")},
        {"sites/edu.yaml", DEPT("jiaoyu", "portal", "/jy/", "03")},
        /* its parent is in a file named otherwise */
        {"sites/kid.yaml", DEPT("kid", "edu", "/k/", "04")},
        /* an error in the site's own file */
        {"sites/bad.yaml", DEPT("bad", "portal", "/bad/", "05") "  - {id: news, name: 又, type: dynamic}\n"},
        /* an error across the files read: the portal's host claimed again */
        {"sites/clash.yaml", "id: clash\nname: 重\nkind: department\nparent: portal\nmount:\n"
                             "  hosts: [www.t.gov.cn]\n" REG("09")},
        /* its mount path clashes with 10-edu.yaml's, which a load for twin does not read */
        {"sites/twin.yaml", DEPT("twin", "portal", "/edu/", "06")},
        /* a loop of parents */
        {"sites/la.yaml", DEPT("la", "lb", "/la/", "07")},
        {"sites/lb.yaml", DEPT("lb", "la", "/lb/", "08")},
        /* outside the sites folder: a site id never reaches it */
        {"out.yaml", "id: [broken-outside\n"},
        {NULL, NULL}};
    tree_t t;
    tree_make(&t, files);
    diag_t d;
    static const char *const cases[][2] = {
        {"edu", "declares id 'jiaoyu'"},
        {"kid", "declares id 'jiaoyu'"},
        {"nosuch", "nosuch.yaml"},
        {"bad", "bad.yaml"},
        {"clash", "host 'www.t.gov.cn' is already claimed"},
        {"la", "loop"},
        {"../out", "'../out' is not a site id"},
        {"", "'' is not a site id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *ids[] = {cases[i][0]};
        conf_t *c = load_ids(&t, ids, 1, &d);
        if (c)
            fail_msg("conf_load_sites accepted '%s'", cases[i][0]);
        if (!diag_has(&d, cases[i][1])) {
            diag_print(&d, stderr);
            fail_msg("'%s': no diagnostic with '%s'", cases[i][0], cases[i][1]);
        }
        /* nothing outside the folder was opened */
        assert_false(diag_has(&d, "out.yaml"));
        diag_free(&d);
    }
    /* the mount path clash between twin.yaml and 10-edu.yaml: the latter is not read for
     * twin, so that clash is the whole load's to report */
    const char *ids[] = {"twin"};
    conf_t *c = load_ids(&t, ids, 1, &d);
    assert_non_null(c);
    conf_free(c);
    diag_free(&d);
    tree_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_and_parents),
        cmocka_unit_test(test_not_certain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
