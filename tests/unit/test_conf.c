/* tests/unit/test_conf.c: the YAML DOM (core/yaml.c) and the configuration validator
 * (core/conf*.c): a valid tree read field by field, every rule's error at its exact
 * FILE:LINE:COL, errors in many files reported together, hostile files refused, and the
 * repo's own demo cluster loading cleanly. Fixture trees are in tests/unit/fixtures/conf/
 * (paths relative to the repo root, where `make unit` runs); small rule cases build a
 * throw-away tree in /tmp so that the line numbers sit next to the assertions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testcert.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "content_columns.h"
#include "interaction_conf.h"
#include "lifecycle.h"
#include "registration.h"
#include "util.h"
#include "yaml.h"

#define FIX "tests/unit/fixtures/conf/"

static int64_t day(const char *s)
{
    int64_t d = 0;
    assert_int_equal(util_parse_date(s, &d), 0);
    return d;
}

static const char *find_diag(const diag_t *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].text, needle))
            return d->items[i].text;
    return NULL;
}

/* Fails showing every diagnostic when none contains `needle`. */
static void expect(const diag_t *d, const char *needle)
{
    if (find_diag(d, needle))
        return;
    fprintf(stderr, "expected a diagnostic containing: %s\ngot %zu:\n", needle, d->count);
    diag_print(d, stderr);
    fail_msg("missing diagnostic: %s", needle);
}

/* ---- throw-away trees ---- */

typedef struct tfile {
    const char *name; /* under sites/ */
    const char *text;
} tfile_t;

static const char *SERVER = "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n";

#define REG(n)                                                                                  \
    "registration:\n  site_code: \"53990000" n "\"\n  icp: 滇ICP备" n "号\n  police: 滇公网安备 " n \
    "号\n  organizer: 单位" n "\n  contact: 办公室 0871-6100" n "\n"

/* lines 1-5 of the portal; registration follows */
static const char *PORTAL = "id: portal\nname: 门户\nkind: portal\nmount:\n  hosts: [www.t.gov.cn]\n" REG("01");

/* conf_load_opt()'s flags for load_tree(): 0 but in test_load_opt */
static unsigned load_flags;

/* Writes server + sites/ files into a fresh /tmp folder, loads it and removes it again.
 * `server` NULL means SERVER. */
static conf_t *load_tree(diag_t *d, int64_t today, const char *server, const tfile_t *files)
{
    char dir[] = "/tmp/jiyue-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/sites", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/jiyue.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(server ? server : SERVER, f);
    fclose(f);
    for (size_t i = 0; files && files[i].name; i++) {
        snprintf(path, sizeof path, "%s/sites/%s", dir, files[i].name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(files[i].text, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/jiyue.yaml", dir);
    conf_t *c = conf_load_opt(path, today, load_flags, d);
    for (size_t i = 0; files && files[i].name; i++) {
        snprintf(path, sizeof path, "%s/sites/%s", dir, files[i].name);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sites", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/jiyue.yaml", dir);
    unlink(path);
    rmdir(dir);
    return c;
}

/* Loads a tree expected to fail; returns the diagnostics for inspection. */
static void load_fail(diag_t *d, const char *server, const tfile_t *files)
{
    diag_init(d);
    conf_t *c = load_tree(d, day("2026-03-01"), server, files);
    if (c) {
        conf_free(c);
        fail_msg("conf_load accepted a tree with an error");
    }
    assert_true(d->errors > 0);
}

/* ---- the management listener (admin:) ---- */

static void test_admin_listener(void **state)
{
    diag_t d;
    diag_init(&d);
    const tfile_t files[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    /* admin: before listen: the public listeners still come first */
    conf_t *c = load_tree(&d, day("2026-03-01"),
                          "admin:\n  listen: [\"127.0.0.1:8444\", \"[::1]:8444\"]\n"
                          "  allow: [\"10.0.0.0/8\"]\n  session_idle: 1s\n  max_upload: 64KiB\n"
                          "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n", files);
    if (!c)
        diag_print(&d, stderr);
    assert_non_null(c);
    assert_int_equal(c->nlisten, 3);
    assert_false(c->listen[0].admin);
    assert_int_equal(c->listen[0].port, 8080);
    assert_true(c->listen[1].admin && c->listen[2].admin);
    assert_string_equal(c->listen[2].address, "[::1]:8444");
    assert_int_equal(c->admin_pos.line, 2);
    assert_int_equal(c->nadmin_allow, 1);
    assert_int_equal(c->admin_max_upload, 64 * 1024); /* core's key: conn.c applies it */
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.9.8.7", &in.sin_addr);
    assert_true(conf_nets_match(c->admin_allow, c->nadmin_allow, (struct sockaddr *)&in));
    inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
    assert_false(conf_nets_match(c->admin_allow, c->nadmin_allow, (struct sockaddr *)&in));
    conf_free(c);
    diag_free(&d);

    /* without allow: loopback only */
    diag_init(&d);
    c = load_tree(&d, day("2026-03-01"),
                  "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n"
                  "admin: {listen: [\"127.0.0.1:8444\"]}\n", files);
    assert_non_null(c);
    assert_int_equal(c->admin_max_upload, 20 * 1024 * 1024); /* the default */
    assert_true(conf_nets_match(c->admin_allow, c->nadmin_allow, (struct sockaddr *)&in));
    inet_pton(AF_INET, "10.9.8.7", &in.sin_addr);
    assert_false(conf_nets_match(c->admin_allow, c->nadmin_allow, (struct sockaddr *)&in));
    conf_free(c);
    diag_free(&d);

    /* plain off loopback, a public address, unknown and missing keys */
    load_fail(&d, "listen: [\"127.0.0.1:8080\", \"0.0.0.0:9000\"]\nstore: store\nsites: sites\n"
                  "admin:\n  listen:\n    - \"10.0.0.1:8444\"\n    - \"127.0.0.1:8080\"\n"
                  "    - \"127.0.0.1:9000\"\n    - {address: \"[::]:8445\", tls: true}\n"
                  "  alow: []\n", files);
    expect(&d, ":6:7: admin.listen '10.0.0.1:8444' is not a loopback address: the management "
               "listener must use TLS there");
    expect(&d, ":7:7: admin.listen address '127.0.0.1:8080' is the same address and port as "
               "the public listener '127.0.0.1:8080'");
    expect(&d, ":8:7: admin.listen address '127.0.0.1:9000' is the same address and port as "
               "the public listener '0.0.0.0:9000'");
    expect(&d, "no default certificate");
    expect(&d, ":10:3: unknown key 'alow' in 'admin'; did you mean 'allow'?");
    diag_free(&d);

    load_fail(&d, "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n"
                  "admin:\n  listen: [\"127.0.0.1:8444\"]\n  max_upload: 2GiB\n", files);
    expect(&d, ":6:15: 'admin.max_upload' is 2147483648 bytes; at most 1GiB");
    diag_free(&d);
}

/* ---- the valid fixture ---- */

static void test_valid_tree(void **state)
{
    diag_t d;
    diag_init(&d);
    conf_t *c = conf_load(FIX "valid/jiyue.yaml", day("2026-03-01"), &d);
    if (!c)
        diag_print(&d, stderr);
    assert_non_null(c);
    assert_int_equal(d.errors, 0);
    /* the two files in sites/ that are not NAME.yaml are not read, and said so */
    expect(&d, "valid/sites/draft.yaml.bak:1:1: warning: not read: site files are NAME.yaml");
    expect(&d, "valid/sites/notes.txt:1:1: warning: not read: site files are NAME.yaml");
    assert_int_equal(d.warnings, 2);

    assert_string_equal(c->dir, FIX "valid");
    assert_int_equal(c->nlisten, 5);
    assert_string_equal(c->listen[0].host, "127.0.0.1");
    assert_int_equal(c->listen[0].port, 8080);
    assert_false(c->listen[0].tls);
    assert_int_equal(c->listen[0].pos.line, 3);
    assert_int_equal(c->listen[0].pos.col, 5);
    assert_string_equal(c->listen[1].host, "::1");
    assert_string_equal(c->listen[1].address, "[::1]:8443");
    assert_int_equal(c->listen[1].port, 8443);
    assert_string_equal(c->listen[2].host, "0.0.0.0");
    assert_int_equal(c->listen[2].port, 8081);
    assert_string_equal(c->listen[3].host, "0.0.0.0");
    assert_int_equal(c->listen[3].port, 8082);
    assert_string_equal(c->listen[4].host, "::");
    assert_int_equal(c->listen[4].port, 8444);
    assert_true(c->listen[4].tls);

    assert_int_equal(c->workers, 3);
    assert_string_equal(c->store, FIX "valid/../var/store");
    assert_int_equal(c->store_map_size, 2ull << 30);
    assert_string_equal(c->sites_dir, FIX "valid/sites");
    assert_string_equal(c->pid_file, FIX "valid/run/jiyue.pid");
    assert_string_equal(c->access_log, "off");
    assert_string_equal(c->error_log, "/var/log/jiyue/error.log");
    assert_string_equal(c->user, "www-data");
    assert_int_equal(c->limits.header_timeout_ms, 5000);
    assert_int_equal(c->limits.keepalive_timeout_ms, 500);
    assert_int_equal(c->limits.body_timeout_ms, 60000);
    assert_int_equal(c->limits.send_timeout_ms, 90000);
    assert_int_equal(c->limits.shutdown_timeout_ms, 2000);
    assert_int_equal(c->limits.max_header_bytes, 32 * 1024);
    assert_int_equal(c->limits.max_request_line, 4 * 1024);
    assert_int_equal(c->limits.max_body_bytes, 2 * 1024 * 1024);
    assert_int_equal(c->limits.max_connections, 500);
    assert_int_equal(c->limits.max_headers, 50);
    assert_string_equal(c->tls.cert, FIX "valid/tls/server.crt");
    assert_string_equal(c->tls.key, FIX "valid/tls/server.key");

    /* dotfiles, *.txt and *.yaml.bak are not site files */
    assert_int_equal(c->nsites, 5);
    const char *ids[] = {"a", "b", "c", "d", "portal"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(c->sites[i].id, ids[i]);

    const conf_site_t *p = conf_site_find(c, "portal");
    assert_ptr_equal(p, c->portal);
    assert_int_equal(p->kind, SITE_PORTAL);
    assert_null(p->parent);
    assert_null(p->mount_path);
    assert_int_equal(p->nhosts, 2);
    assert_string_equal(p->hosts[0], "www.example.gov.cn"); /* lower-cased */
    assert_string_equal(p->aliases[0], "old.example.gov.cn");
    assert_string_equal(registration_of(p)->site_code, "5399000001");
    assert_string_equal(registration_of(p)->icp, "滇ICP备05000001号-1");
    assert_string_equal(registration_of(p)->contact, "示例市人民政府办公室 0871-61000001");
    assert_int_equal(lifecycle_conf(p)->state, LIFECYCLE_ACTIVE);
    /* the modules' keys are in their slots */
    assert_non_null(module_site_conf(p, &module_lifecycle));
    assert_non_null(module_site_conf(p, &module_registration));
    assert_string_equal(p->tls.cert, FIX "valid/tls/portal.crt"); /* relative to the server file */
    assert_string_equal(p->theme, "classic");
    assert_string_equal(p->file, FIX "valid/sites/portal.yaml");

    const conf_site_t *a = conf_site_find(c, "a");
    assert_non_null(a);
    assert_ptr_equal(a->parent, p);
    assert_string_equal(a->mount_path, "/a/");
    assert_int_equal(a->ncolumns, 3);
    const conf_column_t *col = conf_column_find(a, "news");
    assert_non_null(col);
    assert_string_equal(col->name, "教育动态");
    assert_int_equal(col->type, COLUMN_DYNAMIC);
    assert_string_equal(col->description, "全市教育新闻");
    assert_string_equal(col->keywords, "教育, 学校");
    assert_string_equal(conf_column_find(a, "policy")->keywords, "政策");
    assert_int_equal(conf_column_find(a, "mailbox")->type, COLUMN_INTERACTION);
    assert_null(conf_column_find(a, "nope"));

    const conf_site_t *b = conf_site_find(c, "b");
    assert_int_equal(lifecycle_conf(b)->state, LIFECYCLE_SUSPENDED);
    assert_string_equal(lifecycle_conf(b)->from, "2026-01-01");
    assert_string_equal(lifecycle_conf(b)->until, "2026-07-03");
    assert_string_equal(lifecycle_conf(b)->reason, "网站整改");

    const conf_site_t *cs = conf_site_find(c, "c");
    assert_int_equal(lifecycle_conf(cs)->state, LIFECYCLE_CLOSED);
    assert_string_equal(lifecycle_conf(cs)->migrate_to, "a");
    assert_string_equal(lifecycle_conf(cs)->date, "2025-12-31");
    assert_int_equal(lifecycle_conf(cs)->npaths, 2);
    assert_string_equal(lifecycle_conf(cs)->paths[0].from, "/old/list.html");
    assert_string_equal(lifecycle_conf(cs)->paths[0].to, "/a/news/");
    assert_string_equal(lifecycle_conf(cs)->paths[1].to, "https://example.org/x");

    const conf_site_t *ds = conf_site_find(c, "d");
    assert_int_equal(ds->kind, SITE_VILLAGE);
    assert_ptr_equal(ds->parent, a);
    assert_int_equal(lifecycle_conf(ds)->state, LIFECYCLE_REDESIGN);
    assert_string_equal(lifecycle_conf(ds)->generation, "v2");
    assert_string_equal(lifecycle_conf(ds)->preview_host, "v2.example.gov.cn");

    assert_null(conf_site_find(c, "zzz"));
    assert_null(conf_site_find(c, "0"));
    assert_string_equal(conf_kind_name(SITE_TOWNSHIP), "township");
    assert_string_equal(lifecycle_state_name(LIFECYCLE_CLOSED), "closed");
    assert_string_equal(content_column_type_name(COLUMN_PERSONNEL), "personnel");
    conf_free(c);
    diag_free(&d);
}

static void test_defaults(void **state)
{
    diag_t d;
    diag_init(&d);
    tfile_t files[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    conf_t *c = load_tree(&d, day("2026-03-01"), NULL, files);
    assert_non_null(c);
    assert_int_equal(c->workers, 1);
    assert_int_equal(c->store_map_size, 1ull << 30);
    assert_int_equal(c->limits.header_timeout_ms, 10000);
    assert_int_equal(c->limits.keepalive_timeout_ms, 75000);
    assert_int_equal(c->limits.body_timeout_ms, 30000);
    assert_int_equal(c->limits.send_timeout_ms, 60000);
    assert_int_equal(c->limits.shutdown_timeout_ms, 10000);
    assert_int_equal(c->limits.max_header_bytes, 16384);
    assert_int_equal(c->limits.max_request_line, 8192);
    assert_int_equal(c->limits.max_body_bytes, 1048576);
    assert_int_equal(c->limits.max_connections, 10000);
    assert_int_equal(c->limits.max_headers, 100);
    assert_null(c->error_log);
    assert_null(c->access_log);
    assert_null(c->pid_file);
    assert_null(c->tls.cert);
    assert_int_equal(c->nsites, 1);
    conf_free(c);
    diag_free(&d);
}

static void test_workers_auto(void **state)
{
    diag_t d;
    diag_init(&d);
    tfile_t files[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    conf_t *c = load_tree(&d, 0, "listen: [\"127.0.0.1:1\"]\nworkers: auto\nstore: s\nsites: sites\n", files);
    assert_non_null(c);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(c->workers, n < 1 ? 1 : n);
    conf_free(c);
    diag_free(&d);
}

/* ---- the error fixture: every file's errors in one run ---- */

static void test_errors_everywhere(void **state)
{
    diag_t d;
    diag_init(&d);
    conf_t *c = conf_load(FIX "errors/jiyue.yaml", day("2026-03-01"), &d);
    assert_null(c);
    const char *want[] = {
        "errors/jiyue.yaml:2:5: listen address '127.0.0.1:99999': the port must be",
        "errors/jiyue.yaml:3:5: listen address 'localhost:80': not an IPv4 address",
        "errors/jiyue.yaml:4:10: 'workers' must be a positive integer or 'auto', not a list",
        "errors/jiyue.yaml:7:1: unknown key 'colour'",
        "errors/jiyue.yaml:9:19: 'limits.header_timeout' must be a duration",
        "errors/jiyue.yaml:10:19: 'limits.max_body_bytes' must be a size",
        "errors/jiyue.yaml:11:20: 'limits.max_connections' must be a positive integer",
        "sites/a.yaml:3:7: unknown kind 'agency'",
        "sites/a.yaml:8:1: unknown key 'colour'",
        "sites/b.yaml:4:9: parent 'nobody' does not exist",
        "sites/b.yaml:6:11: host 'shared.err.gov.cn' is already claimed by site 'a' (" FIX "errors/sites/a.yaml:7)",
        "sites/c.yaml:3:1: tab character used for indentation",
        "sites/d.yaml:5:1: duplicate key 'name' (first at line 2)",
        "sites/e.yaml:3:1: YAML syntax error: found unexpected end of stream",
        "sites/f.yaml:1:1: invalid UTF-8 (byte 0x89)",
        "sites/g.yaml:2:1: NUL byte",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        expect(&d, want[i]);
    assert_int_equal(d.errors, sizeof want / sizeof *want);
    diag_free(&d);
}

/* ---- the YAML DOM alone ---- */

static void test_yaml_dom(void **state)
{
    diag_t d;
    diag_init(&d);
    const char *text = "a: 1\nlist:\n  - x\n  - 'y'\nmap: {k: v}\nnull1: ~\nempty:\n";
    yaml_dom_t *doc = yaml_dom_load_string("mem.yaml", text, strlen(text), &d);
    assert_non_null(doc);
    assert_int_equal(d.count, 0);
    assert_int_equal(doc->root->kind, YAML_DOM_MAPPING);
    assert_int_equal(doc->root->npairs, 5);
    const yaml_dom_node_t *l = yaml_dom_get(doc->root, "list");
    assert_int_equal(l->kind, YAML_DOM_SEQUENCE);
    assert_int_equal(l->nitems, 2);
    assert_int_equal(l->items[1]->line, 4);
    assert_int_equal(l->items[1]->col, 5);
    assert_false(l->items[1]->plain);
    assert_true(l->items[0]->plain);
    assert_string_equal(yaml_dom_get(yaml_dom_get(doc->root, "map"), "k")->str, "v");
    assert_true(yaml_dom_is_null(yaml_dom_get(doc->root, "null1")));
    assert_true(yaml_dom_is_null(yaml_dom_get(doc->root, "empty")));
    assert_false(yaml_dom_is_null(yaml_dom_get(doc->root, "a")));
    assert_null(yaml_dom_get(doc->root, "missing"));
    yaml_dom_free(doc);
    diag_free(&d);
}

static void dom_fails(const char *text, size_t len, const char *needle)
{
    diag_t d;
    diag_init(&d);
    yaml_dom_t *doc = yaml_dom_load_string("t.yaml", text, len, &d);
    yaml_dom_free(doc);
    assert_true(d.errors > 0);
    expect(&d, needle);
    diag_free(&d);
}

static void test_yaml_refusals(void **state)
{
    const char *anchors = "a: &x [1, 2]\nb: *x\n";
    dom_fails(anchors, strlen(anchors), "t.yaml:1:4: anchors (&x) are not allowed");
    dom_fails(anchors, strlen(anchors), "t.yaml:2:4: aliases (*x) are not allowed");
    const char *two = "a: 1\n---\nb: 2\n";
    dom_fails(two, strlen(two), "t.yaml:2:1: a second YAML document");
    dom_fails("", 0, "t.yaml:1:1: empty file");
    dom_fails("# only a comment\n", 17, "t.yaml:1:1: empty file");
    const char *tag = "a: !!binary aGVsbG8=\n";
    dom_fails(tag, strlen(tag), "t.yaml:1:4: explicit tags");
    const char *complex = "? [a, b]\n: c\n";
    dom_fails(complex, strlen(complex), "t.yaml:1:3: a mapping key must be a plain string");
    const char *dup = "a: 1\nb:\n  x: 1\n  x: 2\na: 3\n";
    dom_fails(dup, strlen(dup), "t.yaml:4:3: duplicate key 'x' (first at line 3)");
    dom_fails(dup, strlen(dup), "t.yaml:5:1: duplicate key 'a' (first at line 1)");
    /* past 16 keys the duplicates are found by sorting: same messages, same order */
    char big[1024];
    size_t bl = 0;
    for (int i = 0; i < 30; i++)
        bl += (size_t)snprintf(big + bl, sizeof big - bl, "k%02d: %d\n", i % 20, i);
    dom_fails(big, bl, "t.yaml:21:1: duplicate key 'k00' (first at line 1)");
    dom_fails(big, bl, "t.yaml:30:1: duplicate key 'k09' (first at line 10)");
    diag_t dd;
    diag_init(&dd);
    yaml_dom_t *kept = yaml_dom_load_string("t.yaml", big, bl, &dd);
    assert_int_equal(dd.errors, 10); /* every repeat is reported once... */
    assert_non_null(kept);           /* ...and dropped, the first ones kept in order */
    assert_int_equal(kept->root->npairs, 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(atoi(kept->root->pairs[i].value->str), (int)i);
    yaml_dom_free(kept);
    diag_free(&dd);
    const char *bad = "a: [1, 2\n";
    dom_fails(bad, strlen(bad), "t.yaml:2:1: YAML syntax error: did not find expected ',' or ']'");
    const char *colon = "a: b: c\n";
    dom_fails(colon, strlen(colon), "t.yaml:1:5: YAML syntax error: mapping values are not allowed");
    const char *nul = "a: \"x\\0y\"\n";
    dom_fails(nul, strlen(nul), "t.yaml:1:4: a string must not contain a NUL");
    const char overlong[] = "a: \xc0\xaf\n";
    dom_fails(overlong, sizeof overlong - 1, "t.yaml:1:4: invalid UTF-8 (byte 0xc0)");
    const char ctrl[] = "a: \x01\n";
    dom_fails(ctrl, sizeof ctrl - 1, "t.yaml:1:4: control characters are not allowed");

    /* deep nesting is refused before it can cost anything */
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    dom_fails(deep, sizeof deep, "nested deeper than 64 levels");

    /* a valid multibyte text keeps columns counted in characters */
    diag_t d;
    diag_init(&d);
    const char *cn = "名称: 教育局\nb: x\n";
    yaml_dom_t *doc = yaml_dom_load_string("t.yaml", cn, strlen(cn), &d);
    assert_non_null(doc);
    assert_int_equal(doc->root->pairs[0].value->col, 5);
    yaml_dom_free(doc);
    diag_free(&d);
}

static void test_yaml_files(void **state)
{
    diag_t d;
    diag_init(&d);
    assert_null(yaml_dom_load_file(FIX "errors/sites/c.yaml", &d));
    expect(&d, "c.yaml:3:1: tab character used for indentation (YAML indents with spaces only)");
    assert_null(yaml_dom_load_file(FIX "errors/sites/e.yaml", &d));
    expect(&d, "e.yaml:3:1: YAML syntax error: found unexpected end of stream (while scanning a "
               "quoted scalar at line 2, column 7); the file ends here");
    assert_null(yaml_dom_load_file(FIX "errors/sites/f.yaml", &d));
    expect(&d, "f.yaml:1:1: invalid UTF-8 (byte 0x89): a binary file");
    assert_null(yaml_dom_load_file(FIX "errors/sites/g.yaml", &d));
    expect(&d, "g.yaml:2:1: NUL byte: this looks like a binary file");
    assert_null(yaml_dom_load_file(FIX "no-such-file.yaml", &d));
    expect(&d, "no-such-file.yaml:1:1: cannot open: No such file or directory");
    assert_null(yaml_dom_load_file(FIX "errors/sites", &d));
    expect(&d, "errors/sites:1:1: is a folder");
    diag_free(&d);
}

static void test_yaml_too_large(void **state)
{
    char path[] = "/tmp/jiyue-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    /* a sparse 50 MB file: refused from its size alone, so the test costs nothing */
    assert_int_equal(ftruncate(fd, 50 * 1024 * 1024), 0);
    close(fd);
    diag_t d;
    diag_init(&d);
    uint64_t t0 = util_now_ms();
    assert_null(yaml_dom_load_file(path, &d));
    assert_true(util_now_ms() - t0 < 1000);
    expect(&d, "file too large (52428800 bytes; the limit is 1 MiB)");

    /* just over the limit, with real text in it */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 1024 * 1024 / 16 + 1; i++)
        fputs("# padding line\n", f);
    fclose(f);
    assert_null(yaml_dom_load_file(path, &d));
    assert_int_equal(d.errors, 2);

    /* and just under it loads */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("a: 1\n", f);
    for (int i = 0; i < 1024 * 1024 / 16 - 1; i++)
        fputs("# padding line\n", f);
    fclose(f);
    yaml_dom_t *doc = yaml_dom_load_file(path, &d);
    assert_non_null(doc);
    assert_int_equal(d.errors, 2);
    yaml_dom_free(doc);
    unlink(path);
    diag_free(&d);
}

/* ---- single rules, in throw-away trees ---- */

static const char *SUSP_FMT = "id: s\nname: 停\nkind: department\nparent: portal\nmount:\n  path: /s/\n"
                              "status:\n  state: suspended\n  from: 2026-01-01\n  until: %s\n  reason: 整改\n";

static void test_suspension_limit(void **state)
{
    char text[512];
    diag_t d;
    /* 2026-01-01 + 184 days */
    snprintf(text, sizeof text, SUSP_FMT, "2026-07-04");
    tfile_t files[] = {{"portal.yaml", PORTAL}, {"s.yaml", text}, {NULL, NULL}};
    load_fail(&d, NULL, files);
    expect(&d, "s.yaml:10:10: suspension longer than 183 days (184 days)");
    assert_int_equal(d.errors, 1);
    diag_free(&d);

    snprintf(text, sizeof text, SUSP_FMT, "2026-07-03");
    diag_init(&d);
    conf_t *c = load_tree(&d, day("2026-03-01"), NULL, files);
    assert_non_null(c);
    assert_int_equal(d.count, 0);
    assert_string_equal(lifecycle_conf(conf_site_find(c, "s"))->until, "2026-07-03");
    conf_free(c);
    diag_free(&d);

    /* overdue: a warning, not an error */
    diag_init(&d);
    c = load_tree(&d, day("2026-07-10"), NULL, files);
    assert_non_null(c);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 1);
    expect(&d, "s.yaml:10:10: warning: suspension overdue since 2026-07-03");
    conf_free(c);
    diag_free(&d);

    snprintf(text, sizeof text, SUSP_FMT, "2025-12-01");
    load_fail(&d, NULL, files);
    expect(&d, "s.yaml:10:10: status.until 2025-12-01 is before status.from 2026-01-01");
    diag_free(&d);

    snprintf(text, sizeof text, SUSP_FMT, "2026-02-30");
    load_fail(&d, NULL, files);
    expect(&d, "s.yaml:10:10: 'status.until' must be a date (YYYY-MM-DD), not '2026-02-30'");
    diag_free(&d);

    const char *noreason = "id: s\nname: 停\nkind: department\nparent: portal\nmount:\n  path: /s/\n"
                           "status:\n  state: suspended\n  from: 2026-01-01\n";
    tfile_t f2[] = {{"portal.yaml", PORTAL}, {"s.yaml", noreason}, {NULL, NULL}};
    load_fail(&d, NULL, f2);
    expect(&d, "s.yaml:8:3: a suspended site needs 'status.until'");
    expect(&d, "s.yaml:8:3: a suspended site needs 'status.reason'");
    diag_free(&d);
}

static void test_closed(void **state)
{
    diag_t d;
    const char *nomig = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                        "status:\n  state: closed\n  date: 2026-01-01\n";
    tfile_t f1[] = {{"portal.yaml", PORTAL}, {"old.yaml", nomig}, {NULL, NULL}};
    load_fail(&d, NULL, f1);
    expect(&d, "old.yaml:8:3: a closed site needs 'status.migrate_to'");
    assert_int_equal(d.errors, 1);
    diag_free(&d);

    const char *self = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                       "status:\n  state: closed\n  date: 2026-01-01\n  migrate_to: old\n";
    tfile_t f2[] = {{"portal.yaml", PORTAL}, {"old.yaml", self}, {NULL, NULL}};
    load_fail(&d, NULL, f2);
    expect(&d, "old.yaml:10:15: status.migrate_to names the closed site itself");
    diag_free(&d);

    const char *gone = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                       "status:\n  state: closed\n  date: 2026-01-01\n  migrate_to: nowhere\n";
    tfile_t f3[] = {{"portal.yaml", PORTAL}, {"old.yaml", gone}, {NULL, NULL}};
    load_fail(&d, NULL, f3);
    expect(&d, "old.yaml:10:15: status.migrate_to 'nowhere' is not a site in this cluster");
    diag_free(&d);

    const char *junk = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                       "status:\n  state: closed\n  date: 2026-01-01\n  migrate_to: ftp://x\n"
                       "  from: 2026-01-01\n";
    tfile_t f4[] = {{"portal.yaml", PORTAL}, {"old.yaml", junk}, {NULL, NULL}};
    load_fail(&d, NULL, f4);
    expect(&d, "old.yaml:10:15: status.migrate_to 'ftp://x' must be a site id or an absolute http(s) URL");
    expect(&d, "old.yaml:11:3: 'status.from' does not apply to a site in state closed");
    diag_free(&d);

    /* to a URL: fine, and a closed site needs no registration */
    const char *url = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                      "status:\n  state: closed\n  date: 2026-01-01\n  migrate_to: https://new.example.cn/\n";
    tfile_t f5[] = {{"portal.yaml", PORTAL}, {"old.yaml", url}, {NULL, NULL}};
    diag_init(&d);
    conf_t *c = load_tree(&d, 0, NULL, f5);
    assert_non_null(c);
    assert_string_equal(lifecycle_conf(conf_site_find(c, "old"))->migrate_to, "https://new.example.cn/");
    conf_free(c);
    diag_free(&d);

    const char *scalar = "id: old\nname: 旧\nkind: department\nparent: portal\nmount:\n  path: /old/\n"
                         "status: closed\n";
    tfile_t f6[] = {{"portal.yaml", PORTAL}, {"old.yaml", scalar}, {NULL, NULL}};
    load_fail(&d, NULL, f6);
    expect(&d, "old.yaml:7:9: status 'closed' needs its details");
    diag_free(&d);
}

static void test_registration_required(void **state)
{
    diag_t d;
    const char *noicp = "id: a\nname: A\nkind: department\nparent: portal\nmount:\n  path: /a/\n"
                        "registration:\n  site_code: \"5399000002\"\n  police: x\n";
    tfile_t f[] = {{"portal.yaml", PORTAL}, {"a.yaml", noicp}, {NULL, NULL}};
    load_fail(&d, NULL, f);
    expect(&d, "a.yaml:8:3: active site needs registration.icp (ICP备案号)");
    expect(&d, "a.yaml:8:3: active site needs registration.organizer (主办单位)");
    expect(&d, "a.yaml:8:3: active site needs registration.contact (联系方式)");
    assert_int_equal(d.errors, 3);
    diag_free(&d);

    const char *none = "id: a\nname: A\nkind: department\nparent: portal\nmount:\n  path: /a/\n"
                       "status:\n  state: redesign\n  generation: g2\n";
    tfile_t f2[] = {{"portal.yaml", PORTAL}, {"a.yaml", none}, {NULL, NULL}};
    load_fail(&d, NULL, f2);
    expect(&d, "a.yaml:1:5: redesign site needs registration.site_code (网站标识码)");
    expect(&d, "a.yaml:1:5: redesign site needs registration.police (公安备案号)");
    expect(&d, "a.yaml:1:5: redesign site needs registration.contact (联系方式)");
    assert_int_equal(d.errors, 5);
    diag_free(&d);

    const char *code = "id: a\nname: A\nkind: department\nparent: portal\nmount:\n  path: /a/\n" REG("02")
                       "status: active\n";
    char bad[512];
    snprintf(bad, sizeof bad, "%s", code);
    char *q = strstr(bad, "5399000002");
    memcpy(q, "53990-0002", 10);
    tfile_t f3[] = {{"portal.yaml", PORTAL}, {"a.yaml", bad}, {NULL, NULL}};
    load_fail(&d, NULL, f3);
    expect(&d, "a.yaml:8:14: registration.site_code '53990-0002' must be 10 letters or digits");
    diag_free(&d);
}

static void test_cluster_rules(void **state)
{
    diag_t d;
    /* duplicate ids, a second portal, hosts claimed twice */
    const char *p2 = "id: portal\nname: 门户2\nkind: portal\nmount:\n  hosts: [www.t.gov.cn, x.t.gov.cn, x.t.gov.cn]\n" REG("09");
    tfile_t f1[] = {{"portal.yaml", PORTAL}, {"z.yaml", p2}, {NULL, NULL}};
    load_fail(&d, NULL, f1);
    expect(&d, "z.yaml:1:5: duplicate site id 'portal' (also in ");
    expect(&d, "portal.yaml:1)");
    expect(&d, "z.yaml:3:7: a second portal: there is exactly one, 'portal'");
    expect(&d, "z.yaml:5:11: host 'www.t.gov.cn' is already claimed by site 'portal' (");
    expect(&d, "z.yaml:5:37: host 'x.t.gov.cn' is listed twice in this site (first at line 5)");
    assert_int_equal(d.errors, 4);
    diag_free(&d);

    /* no portal at all */
    const char *lone = "id: a\nname: A\nkind: department\nparent: b\nmount:\n  path: /a/\n" REG("02");
    const char *lone2 = "id: b\nname: B\nkind: county\nparent: a\nmount:\n  path: /b/\n" REG("03");
    tfile_t f2[] = {{"a.yaml", lone}, {"b.yaml", lone2}, {NULL, NULL}};
    load_fail(&d, NULL, f2);
    expect(&d, "jiyue.yaml:3:8: no site of kind portal in ");
    expect(&d, "a.yaml:4:9: parents form a loop: a -> b -> a");
    assert_int_equal(d.errors, 2);
    diag_free(&d);

    /* portal shape; unreachable subsite; two siblings on one path; self-parent */
    const char *badportal = "id: portal\nname: 门户\nkind: portal\nparent: x\nmount:\n  path: /p/\n" REG("01");
    const char *nowhere = "id: a\nname: A\nkind: department\nparent: portal\n" REG("02");
    const char *s1 = "id: b\nname: B\nkind: department\nparent: portal\nmount:\n  path: /same/\n" REG("03");
    const char *s2 = "id: c\nname: C\nkind: department\nparent: portal\nmount:\n  path: /same/\n" REG("04");
    const char *selfp = "id: e\nname: E\nkind: township\nparent: e\nmount:\n  path: /e/\n" REG("05");
    tfile_t f3[] = {{"portal.yaml", badportal}, {"a.yaml", nowhere}, {"b.yaml", s1}, {"c.yaml", s2},
                    {"e.yaml", selfp}, {NULL, NULL}};
    load_fail(&d, NULL, f3);
    expect(&d, "portal.yaml:4:9: the portal has no parent");
    expect(&d, "portal.yaml:6:3: the portal needs at least one host (mount.hosts)");
    expect(&d, "portal.yaml:6:9: the portal has no mount path");
    expect(&d, "a.yaml:1:5: site 'a' is unreachable: give it mount.path and/or mount.hosts");
    expect(&d, "c.yaml:6:9: mount path '/same/' under 'portal' is already used by site 'b' (");
    expect(&d, "e.yaml:4:9: parents form a loop: e -> e");
    expect(&d, "portal.yaml:4:9: parent 'x' does not exist");
    assert_int_equal(d.errors, 7);
    diag_free(&d);
}

static void test_site_schema(void **state)
{
    diag_t d;
    const char *s = "id: Bad_Id\nname: \"\"\nkind: department\nmount:\n  path: /a//b/\n"
                    "  hosts: [\"x.cn:8080\", \"-a.cn\"]\n  aliases: www.x.cn\n"
                    "columns:\n  - id: news\n    name: 新闻\n    type: blog\n  - id: news\n    name: 又\n"
                    "    type: notice\n    extra: 1\ntheme: [a]\n";
    tfile_t f[] = {{"portal.yaml", PORTAL}, {"a.yaml", s}, {NULL, NULL}};
    load_fail(&d, NULL, f);
    expect(&d, "a.yaml:1:5: site id 'Bad_Id' is not a slug");
    expect(&d, "a.yaml:2:7: 'name' is empty");
    expect(&d, "a.yaml:5:9: mount path '/a//b/' must not contain '//'");
    expect(&d, "a.yaml:6:11: mount.hosts 'x.cn:8080': a host name must not include a port");
    expect(&d, "a.yaml:6:24: mount.hosts '-a.cn': host name label starts or ends with '-'");
    expect(&d, "a.yaml:7:12: 'mount.aliases' must be a list of strings, not a scalar");
    expect(&d, "a.yaml:11:11: unknown column type 'blog' (expected dynamic, notice, policy, personnel, plan, "
                "interaction, static, interpretation or topic)");
    expect(&d, "a.yaml:12:9: duplicate column id 'news' (first at line 9)");
    expect(&d, "a.yaml:15:5: unknown key 'extra' in 'columns'");
    expect(&d, "a.yaml:16:8: 'theme' must be a string, not a list");
    expect(&d, "a.yaml:1:1: missing required key 'parent'");
    assert_int_equal(d.errors, 11);
    diag_free(&d);

    const char *paths[] = {"/", "a/", "/a", "/A/", "/a/../", "/a.b/"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        char text[512];
        snprintf(text, sizeof text, "id: a\nname: A\nkind: department\nparent: portal\nmount:\n  path: \"%s\"\n" REG("02"),
                 paths[i]);
        tfile_t f2[] = {{"portal.yaml", PORTAL}, {"a.yaml", text}, {NULL, NULL}};
        load_fail(&d, NULL, f2);
        expect(&d, "a.yaml:6:9: mount path '");
        diag_free(&d);
    }

    const char *st = "id: a\nname: A\nkind: department\nparent: portal\nmount:\n  path: /a/\n" REG("02")
                     "status:\n  state: redesign\n  generation: Not A Slug\n  preview_host: a.cn:1\n  colour: x\n";
    tfile_t f3[] = {{"portal.yaml", PORTAL}, {"a.yaml", st}, {NULL, NULL}};
    load_fail(&d, NULL, f3);
    expect(&d, "a.yaml:15:15: status.generation 'Not A Slug' is not a slug");
    expect(&d, "a.yaml:16:17: status.preview_host 'a.cn:1': a host name must not include a port");
    expect(&d, "a.yaml:17:3: unknown key 'colour' in 'status'");
    assert_int_equal(d.errors, 3);
    diag_free(&d);

    load_fail(&d, NULL, (tfile_t[]){{"portal.yaml", PORTAL}, {"a.yaml", "- just\n- a list\n"}, {NULL, NULL}});
    expect(&d, "a.yaml:1:1: the file must be a mapping");
    diag_free(&d);
}

/* A preview host answers for one site: it may not be any host, alias or preview host of
 * another site, nor a host of its own; the error is at the later claim in file order. */
static void test_preview_host_claims(void **state)
{
#define REDESIGN(id, reg, mount, preview)                                                       \
    "id: " id "\nname: R\nkind: department\nparent: portal\nmount:\n  " mount "\n" REG(reg)      \
    "status:\n  state: redesign\n  generation: v2\n  preview_host: " preview "\n"
    diag_t d;
    tfile_t files[] = {
        {"portal.yaml", "id: portal\nname: 门户\nkind: portal\nmount:\n  hosts: [www.t.gov.cn, "
                        "second.t.gov.cn]\n" REG("01")},
        {"a.yaml", REDESIGN("a", "02", "path: /a/", "www.t.gov.cn")},
        {"b.yaml", REDESIGN("b", "03", "hosts: [b.t.gov.cn]", "b.t.gov.cn")},
        {"y.yaml", REDESIGN("y", "04", "path: /y/", "p.t.gov.cn")},
        {"z.yaml", REDESIGN("z", "05", "path: /z/", "p.t.gov.cn")},
        {"zz.yaml", REDESIGN("zz", "06", "path: /zz/", "second.t.gov.cn")},
        {NULL, NULL},
    };
#undef REDESIGN
    load_fail(&d, NULL, files);
    /* a.yaml comes first: the portal's host is the later claim */
    expect(&d, "portal.yaml:5:11: host 'www.t.gov.cn' is already claimed by site 'a' (");
    expect(&d, "/sites/a.yaml:16)");
    expect(&d, "b.yaml:16:17: host 'b.t.gov.cn' is listed twice in this site (first at line 6)");
    expect(&d, "z.yaml:16:17: host 'p.t.gov.cn' is already claimed by site 'y' (");
    expect(&d, "/sites/y.yaml:16)");
    expect(&d, "zz.yaml:16:17: host 'second.t.gov.cn' is already claimed by site 'portal' (");
    expect(&d, "/sites/portal.yaml:5)");
    assert_int_equal(d.errors, 4);
    diag_free(&d);
}

static void test_server_schema(void **state)
{
    diag_t d;
    tfile_t f[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    load_fail(&d, "listen:\n  - address: \"127.0.0.1:443\"\n    tls: true\n  - \"::1:80\"\n"
                  "  - {address: \"127.0.0.1:443\", tlz: 1}\nstore: s\nsites: sites\n"
                  "limits:\n  max_request_line: 64KiB\n  header_timeout: 0s\n",
              f);
    expect(&d, "jiyue.yaml:3:10: listen '127.0.0.1:443' has tls: true but there is no default certificate");
    expect(&d, "jiyue.yaml:4:5: listen address '::1:80': an IPv6 address needs brackets");
    expect(&d, "jiyue.yaml:5:32: unknown key 'tlz' in a listen entry");
    expect(&d, "jiyue.yaml:5:15: listen address '127.0.0.1:443' is given twice (first at line 2)");
    expect(&d, "jiyue.yaml:10:19: 'limits.header_timeout' must be a duration");
    expect(&d, "jiyue.yaml:9:3: limits.max_request_line (65536) is larger than limits.max_header_bytes (16384)");
    assert_int_equal(d.errors, 6);
    diag_free(&d);

    load_fail(&d, "workers: 0\nlisten: []\ntls:\n  cert: a.pem\n", f);
    expect(&d, "jiyue.yaml:1:10: 'workers' must be a positive integer, not '0'");
    expect(&d, "jiyue.yaml:2:9: 'listen' must be a non-empty list");
    expect(&d, "jiyue.yaml:4:3: missing required key 'key' in 'tls'");
    expect(&d, "jiyue.yaml:1:1: missing required key 'store'");
    expect(&d, "jiyue.yaml:1:1: missing required key 'sites'");
    assert_int_equal(d.errors, 5);
    diag_free(&d);

    load_fail(&d, "listen: [\"127.0.0.1:8080\"]\nstore: s\nsites: nowhere\n", f);
    expect(&d, "jiyue.yaml:3:8: sites folder '");
    expect(&d, "nowhere' cannot be opened: No such file or directory");
    diag_free(&d);

    /* tls given: listen with tls is accepted */
    char cwd[400], server[1200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(server, sizeof server,
             "listen:\n  - {address: \"127.0.0.1:8443\", tls: true}\nstore: s\nsites: sites\n"
             "tls: {cert: %s/" FIX "valid/tls/server.crt, key: %s/" FIX "valid/tls/server.key}\n",
             cwd, cwd);
    diag_init(&d);
    conf_t *c = load_tree(&d, 0, server, f);
    assert_non_null(c);
    assert_true(c->listen[0].tls);
    assert_non_null(c->tls.ctx);
    conf_free(c);
    diag_free(&d);
}

/* The limits that protect the store from citizens' messages: defaults, explicit values, and
 * a reserve that leaves no room. */
static void test_message_limits(void **state)
{
    diag_t d;
    diag_init(&d);
    tfile_t f[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    conf_t *c = load_tree(&d, day("2026-03-01"), NULL, f);
    assert_non_null(c);
    assert_int_equal(c->store_reserve, (1ull << 30) / 8);
    assert_int_equal(interaction_server_conf(c)->message_bytes_per_day, 32ull << 20);
    assert_int_equal(interaction_site_conf(&c->sites[0])->rate_limit, 5);
    assert_int_equal(interaction_site_conf(&c->sites[0])->prefix_multiple, 4);
    assert_int_equal(interaction_site_conf(&c->sites[0])->daily_limit, 200);
    /* the values come from the module's slot that conf_load made, not the defaults */
    assert_non_null(module_site_conf(&c->sites[0], &module_interaction));
    assert_non_null(module_server_conf(c, &module_interaction));
    conf_free(c);
    diag_free(&d);

    char portal[1024];
    snprintf(portal, sizeof portal, "%sinteraction: {rate_limit: 3, prefix_multiple: 2, daily_limit: 10}\n",
             PORTAL);
    tfile_t g[] = {{"portal.yaml", portal}, {NULL, NULL}};
    diag_init(&d);
    c = load_tree(&d, day("2026-03-01"), "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n"
                  "store_map_size: 64MiB\nstore_reserve: 0\nlimits: {message_bytes_per_day: 1MiB}\n", g);
    assert_non_null(c);
    assert_int_equal(c->store_reserve, 0);
    assert_int_equal(interaction_server_conf(c)->message_bytes_per_day, 1u << 20);
    assert_int_equal(interaction_site_conf(&c->sites[0])->rate_limit, 3);
    assert_int_equal(interaction_site_conf(&c->sites[0])->prefix_multiple, 2);
    assert_int_equal(interaction_site_conf(&c->sites[0])->daily_limit, 10);
    conf_free(c);
    diag_free(&d);

    snprintf(portal, sizeof portal, "%sinteraction: {prefix_multiple: 0, daily_limit: many}\n", PORTAL);
    load_fail(&d, "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n"
                  "store_map_size: 64MiB\nstore_reserve: 64MiB\n", g);
    expect(&d, "jiyue.yaml:5:16: store_reserve (67108864) must be smaller than store_map_size (67108864)");
    expect(&d, "'interaction.prefix_multiple' must be a positive integer, not '0'");
    expect(&d, "'interaction.daily_limit' must be a positive integer, not 'many'");
    assert_int_equal(d.errors, 3);
    diag_free(&d);
}

/* limits.max_body_bytes is capped at 1GiB (the connection counts in 32 bits); the slow-body
 * and per-address limits read with their defaults. */
static void test_limits_caps(void **state)
{
    diag_t d;
    tfile_t f[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    load_fail(&d, "listen: [\"127.0.0.1:8080\"]\nstore: s\nsites: sites\nlimits:\n  max_body_bytes: 2GiB\n"
                  "  exempt_addresses: [127.0.0.1, \"::1\", 10.0.0.0/8, \"2001:db8::/129\", localhost]\n"
                  "  accept_burst: 513\n", f);
    expect(&d, "jiyue.yaml:5:19: 'limits.max_body_bytes' is 2147483648 bytes; at most 1GiB (1073741824) is allowed");
    expect(&d, "jiyue.yaml:6:52: limits.exempt_addresses '2001:db8::/129': the prefix length must be 0 to 128");
    expect(&d, "jiyue.yaml:6:70: limits.exempt_addresses 'localhost': not an IPv4 address");
    expect(&d, "jiyue.yaml:7:17: 'limits.accept_burst' is 513; at most 512 is allowed");
    assert_int_equal(d.errors, 4);
    diag_free(&d);

    diag_init(&d);
    conf_t *c = load_tree(&d, 0, "listen: [\"127.0.0.1:8080\"]\nstore: s\nsites: sites\nlimits:\n"
                                 "  max_body_bytes: 1GiB\n  body_deadline: 5s\n"
                                 "  max_connections_per_address: 8\n  exempt_addresses: [127.0.0.1, \"::1\"]\n"
                                 "  accept_burst: 4\n", f);
    assert_non_null(c);
    assert_int_equal(c->limits.accept_burst, 4);
    assert_int_equal(c->limits.max_body_bytes, 1u << 30);
    assert_int_equal(c->limits.body_deadline_ms, 5000);
    assert_int_equal(c->limits.max_connections_per_address, 8);
    assert_int_equal(c->limits.nexempt, 2);
    assert_int_equal(c->limits.exempt[0].prefix, 128);
    assert_int_equal(c->limits.exempt[0].addr[10], 0xff);
    assert_int_equal(c->limits.exempt[0].addr[15], 1);
    assert_int_equal(c->limits.exempt[1].addr[15], 1);
    assert_int_equal(c->limits.exempt[1].addr[10], 0);
    conf_free(c);
    diag_free(&d);

    diag_init(&d);
    c = load_tree(&d, 0, NULL, f);
    assert_non_null(c);
    assert_int_equal(c->limits.body_deadline_ms, 60000);
    assert_int_equal(c->limits.max_connections_per_address, 64);
    assert_int_equal(c->limits.accept_burst, 16);
    assert_int_equal(c->limits.nexempt, 0);
    conf_free(c);
    diag_free(&d);
}

/* A misspelt key gets the nearest known one suggested, and nothing that only follows from
 * the misspelling (a missing 'name', "needs registration.*" for every field). */
static void test_misspelt_keys(void **state)
{
    diag_t d;
    const char *typo = "id: a\nnmae: A\nkind: department\nparent: portal\nmount:\n  path: /a/\n"
                       "regsitration:\n  site_code: \"5399000002\"\n";
    tfile_t f[] = {{"portal.yaml", PORTAL}, {"a.yaml", typo}, {NULL, NULL}};
    load_fail(&d, NULL, f);
    expect(&d, "a.yaml:2:1: unknown key 'nmae'; did you mean 'name'?");
    expect(&d, "a.yaml:7:1: unknown key 'regsitration'; did you mean 'registration'?");
    assert_int_equal(d.errors, 2);
    diag_free(&d);

    const char *nested = "id: a\nname: A\nkind: department\nparnet: portal\nmonut:\n  path: /a/\n"
                         "registration:\n  site_cod: \"5399000002\"\n  icp: x\n  police: y\n"
                         "  organizer: z\n  contact: w\nstatus:\n  state: active\n  untill: 2026-01-01\n";
    tfile_t f2[] = {{"portal.yaml", PORTAL}, {"a.yaml", nested}, {NULL, NULL}};
    load_fail(&d, NULL, f2);
    expect(&d, "a.yaml:4:1: unknown key 'parnet'; did you mean 'parent'?");
    expect(&d, "a.yaml:5:1: unknown key 'monut'; did you mean 'mount'?");
    expect(&d, "a.yaml:8:3: unknown key 'site_cod' in 'registration'; did you mean 'site_code'?");
    expect(&d, "a.yaml:15:3: unknown key 'untill' in 'status'; did you mean 'until'?");
    assert_int_equal(d.errors, 4);
    diag_free(&d);

    /* not a typo of anything: no suggestion */
    load_fail(&d, "listen: [\"127.0.0.1:8080\"]\nstore: s\nsites: sites\ncolour: x\nlimits: {max_body: 1}\n", f2 + 0);
    expect(&d, "jiyue.yaml:4:1: unknown key 'colour'");
    assert_null(find_diag(&d, "did you mean 'colour"));
    assert_null(strstr(find_diag(&d, "unknown key 'colour'"), "did you mean"));
    expect(&d, "unknown key 'max_body' in 'limits'");
    diag_free(&d);
}

/* 网站标识码 and 公安备案号 are one site's each: a second site with either is an error naming
 * the first one's file; a shared ICP number is only a warning. */
static void test_registration_unique(void **state)
{
    diag_t d;
    const char *copy = "id: z\nname: Z\nkind: department\nparent: portal\nmount:\n  path: /z/\n" REG("01");
    tfile_t f[] = {{"portal.yaml", PORTAL}, {"z.yaml", copy}, {NULL, NULL}};
    load_fail(&d, NULL, f);
    expect(&d, "z.yaml:8:14: registration.site_code '5399000001' is already site 'portal''s (");
    expect(&d, "portal.yaml:7): each site has its own");
    expect(&d, "z.yaml:10:11: registration.police '滇公网安备 01号' is already site 'portal''s (");
    expect(&d, "portal.yaml:9): each site has its own");
    expect(&d, "z.yaml:9:8: warning: registration.icp '滇ICP备01号' is also site 'portal''s (");
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.warnings, 1);
    diag_free(&d);

    /* the same ICP number alone loads, with the warning */
    const char *icp = "id: z\nname: Z\nkind: department\nparent: portal\nmount:\n  path: /z/\n"
                      "registration:\n  site_code: \"5399000002\"\n  icp: 滇ICP备01号\n  police: p2\n"
                      "  organizer: o\n  contact: c\n";
    tfile_t f2[] = {{"portal.yaml", PORTAL}, {"z.yaml", icp}, {NULL, NULL}};
    diag_init(&d);
    conf_t *c = load_tree(&d, 0, NULL, f2);
    assert_non_null(c);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 1);
    expect(&d, "z.yaml:9:8: warning: registration.icp '滇ICP备01号' is also site 'portal''s");
    conf_free(c);
    diag_free(&d);
}

/* Certificates are checked by the same validator: missing, expired, not yet valid, a key
 * that does not match; a key readable by others is a warning. */
static void test_certificates(void **state)
{
    const char *dir = FIX "valid/tls/";
    char cwd[400], server[1600];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(testcert_make(FIX "valid/tls/old.crt", FIX "valid/tls/old.key", "old.test", -7200, -3600), 0);
    assert_int_equal(testcert_make(FIX "valid/tls/future.crt", FIX "valid/tls/future.key", "future.test", 3600, 7200), 0);
    assert_int_equal(chmod(FIX "valid/tls/server.key", 0600), 0);
    static const struct {
        const char *cert, *key, *expect;
    } cases[] = {
        {"missing.crt", "server.key", "jiyue.yaml:4:6: tls: certificate"},
        {"old.crt", "old.key", "has expired"},
        {"future.crt", "future.key", "is not valid yet"},
        {"server.crt", "portal.key", "does not match certificate"},
    };
    tfile_t f[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(server, sizeof server,
                 "listen: [\"127.0.0.1:8443\"]\nstore: s\nsites: sites\n"
                 "tls: {cert: %s/%s%s, key: %s/%s%s}\n",
                 cwd, dir, cases[i].cert, cwd, dir, cases[i].key);
        diag_t d;
        diag_init(&d);
        conf_t *c = load_tree(&d, 0, server, f);
        assert_null(c);
        assert_int_equal(d.errors, 1);
        if (!strstr(d.items[0].text, cases[i].expect))
            fail_msg("case %zu: '%s' lacks '%s'", i, d.items[0].text, cases[i].expect);
        diag_free(&d);
    }
    /* world-readable key: loads, with a warning */
    assert_int_equal(chmod(FIX "valid/tls/server.key", 0644), 0);
    snprintf(server, sizeof server,
             "listen: [\"127.0.0.1:8443\"]\nstore: s\nsites: sites\n"
             "tls: {cert: %s/%sserver.crt, key: %s/%sserver.key}\n", cwd, dir, cwd, dir);
    diag_t d;
    diag_init(&d);
    conf_t *c = load_tree(&d, 0, server, f);
    assert_non_null(c);
    assert_int_equal(d.warnings, 1);
    assert_non_null(strstr(d.items[0].text, "readable by other users"));
    conf_free(c);
    diag_free(&d);
    assert_int_equal(chmod(FIX "valid/tls/server.key", 0600), 0);
}

/* conf_load_opt (jiyuectl publish): templates and certificates left out, every other rule
 * still checked, and a template or certificate error left to the server's own load. */
static void test_load_opt(void **state)
{
    (void)state;
    diag_t d;
    diag_init(&d);
    const unsigned flags = CONF_LOAD_NO_THEMES | CONF_LOAD_NO_TLS;
    conf_t *c = conf_load_opt("conf/jiyue.yaml", day("2026-12-01"), flags, &d);
    assert_non_null(c);
    assert_int_equal(d.errors, 0);
    assert_int_equal(c->nsites, 10);
    assert_null(c->themes);
    assert_null(c->tls.ctx);
    assert_non_null(c->portal);
    conf_free(c);
    /* the same files in full: both are there */
    c = conf_load("conf/jiyue.yaml", day("2026-12-01"), &d);
    assert_non_null(c);
    assert_non_null(c->themes);
    assert_non_null(c->tls.ctx);
    conf_free(c);
    diag_free(&d);

    load_flags = flags;
    /* a site error still fails the load, among many sites: a duplicate mount path */
    tfile_t f[] = {{"portal.yaml", PORTAL},
                   {"a.yaml", "id: a\nname: 甲\nkind: department\nparent: portal\nmount:\n  path: /a/\n" REG("02")},
                   {"b.yaml", "id: b\nname: 乙\nkind: department\nparent: portal\nmount:\n  path: /a/\n" REG("03")},
                   {NULL, NULL}};
    load_fail(&d, NULL, f);
    diag_free(&d);
    /* a certificate that does not exist: the server's load refuses it, publish's does not read it */
    char server[600];
    snprintf(server, sizeof server, "listen: [\"127.0.0.1:8443\"]\nstore: s\nsites: sites\n"
             "tls: {cert: /nonexistent/x.crt, key: /nonexistent/x.key}\n");
    tfile_t p[] = {{"portal.yaml", PORTAL}, {NULL, NULL}};
    diag_init(&d);
    c = load_tree(&d, 0, server, p);
    assert_non_null(c);
    assert_null(c->tls.ctx);
    conf_free(c);
    diag_free(&d);
    load_flags = 0;
    load_fail(&d, server, p);
    diag_free(&d);
}

/* The fixtures' certificates are made fresh for each run, never committed. */
static int make_fixture_certs(void **state)
{
    if (testcert_make(FIX "valid/tls/server.crt", FIX "valid/tls/server.key", "www.example.gov.cn", -60, 86400) ||
        testcert_make(FIX "valid/tls/portal.crt", FIX "valid/tls/portal.key", "portal.example.gov.cn", -60, 86400))
        return -1;
    return 0;
}

/* ---- the repo's own demo cluster ---- */

static void test_demo_cluster(void **state)
{
    diag_t d;
    diag_init(&d);
    /* A fixed date: the demo's suspension (longtan) is overdue, a warning, after its end. */
    conf_t *c = conf_load("conf/jiyue.yaml", day("2026-12-01"), &d);
    if (!c || d.count)
        diag_print(&d, stderr);
    assert_non_null(c);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    /* the 7 active sites, and one suspended, one closed, one redesigning (lifecycle) */
    assert_int_equal(c->nsites, 10);
    assert_int_equal(lifecycle_conf(conf_site_find(c, "longtan"))->state, LIFECYCLE_SUSPENDED);
    assert_int_equal(lifecycle_conf(conf_site_find(c, "wsj"))->state, LIFECYCLE_CLOSED);
    assert_string_equal(lifecycle_conf(conf_site_find(c, "wsj"))->migrate_to, "health");
    assert_int_equal(lifecycle_conf(conf_site_find(c, "stj"))->state, LIFECYCLE_REDESIGN);
    assert_int_equal(c->nlisten, 5); /* four public, then the console's (admin:) */
    assert_string_equal(c->listen[1].host, "::1");
    assert_true(c->listen[2].tls);
    assert_false(c->listen[3].admin);
    assert_true(c->listen[4].admin && !c->listen[4].tls);
    assert_int_equal(c->listen[4].port, 8444);
    assert_non_null(c->tls.ctx);
    assert_string_equal(c->portal->id, "portal");
    assert_string_equal(c->portal->hosts[0], "www.yunling.gov.cn");
    const char *ids[] = {"anning", "edu", "fgw", "health", "hexi", "portal", "shuiquan"};
    for (size_t i = 0; i < 7; i++) {
        const conf_site_t *s = conf_site_find(c, ids[i]);
        assert_non_null(s);
        assert_int_equal(lifecycle_conf(s)->state, LIFECYCLE_ACTIVE);
        assert_true(s->ncolumns >= 4 && s->ncolumns <= 7);
        bool interaction = false;
        for (size_t j = 0; j < s->ncolumns; j++)
            interaction |= s->columns[j].type == COLUMN_INTERACTION;
        assert_true(interaction);
    }
    assert_string_equal(conf_site_find(c, "hexi")->parent->id, "anning");
    assert_string_equal(conf_site_find(c, "edu")->aliases[0], "jyj.yunling.gov.cn");
    assert_int_equal(conf_site_find(c, "anning")->kind, SITE_COUNTY);
    conf_free(c);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_tree),
        cmocka_unit_test(test_admin_listener),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_workers_auto),
        cmocka_unit_test(test_errors_everywhere),
        cmocka_unit_test(test_yaml_dom),
        cmocka_unit_test(test_yaml_refusals),
        cmocka_unit_test(test_yaml_files),
        cmocka_unit_test(test_yaml_too_large),
        cmocka_unit_test(test_suspension_limit),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_registration_required),
        cmocka_unit_test(test_cluster_rules),
        cmocka_unit_test(test_site_schema),
        cmocka_unit_test(test_preview_host_claims),
        cmocka_unit_test(test_server_schema),
        cmocka_unit_test(test_message_limits),
        cmocka_unit_test(test_demo_cluster),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_limits_caps),
        cmocka_unit_test(test_misspelt_keys),
        cmocka_unit_test(test_registration_unique),
        cmocka_unit_test(test_load_opt),
    };
    return cmocka_run_group_tests(tests, make_fixture_certs, NULL);
}
