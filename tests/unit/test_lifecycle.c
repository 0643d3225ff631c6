/* tests/unit/test_lifecycle.c: the pure parts of the lifecycle module (closed-site path
 * map, preview tokens with their expiry, suspension end time, notices) and the store's
 * lifecycle keys (live generation, the site's redirects, meta prefix clearing). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lifecycle.h"
#include "redirect.h"
#include "registration.h"
#include "store.h"
#include "store_keys.h"

static void expect_path(const lifecycle_conf_t *st, const char *rel, const char *want, bool abs)
{
    util_buf_t b = {0};
    bool absolute = !abs;
    lifecycle_closed_path(st, rel, strlen(rel), &b, &absolute);
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, want);
    assert_int_equal(absolute, abs);
    util_buf_free(&b);
}

static void test_closed_path_map(void **state)
{
    lifecycle_path_map_t map[] = {
        {"/about.html", "/intro/"},
        {"/news/", "/xinwen/"},
        {"/news/old/", "https://archive.example.cn/old/"},
        {"/gone/", "/"},
        {"/one/", "/single.html"},
    };
    lifecycle_conf_t st = {.state = LIFECYCLE_CLOSED, .paths = map, .npaths = 5};
    expect_path(&st, "/about.html", "/intro/", false);
    expect_path(&st, "/news/", "/xinwen/", false);
    expect_path(&st, "/news/2026/a.html", "/xinwen/2026/a.html", false);
    expect_path(&st, "/news/old/b.html", "https://archive.example.cn/old/b.html", true);
    expect_path(&st, "/gone/x/y.html", "/", false);
    expect_path(&st, "/one/z.html", "/single.html", false);
    expect_path(&st, "/other.html", "/", false);
    expect_path(&st, "/", "/", false);
    expect_path(&st, "/newsroom.html", "/", false); /* a prefix of the name, not a folder */
    /* the rest appended to an absolute URL is percent-encoded; a site path is encoded whole
     * by the caller */
    expect_path(&st, "/news/old/a b\"<>#?中.html",
                "https://archive.example.cn/old/a%20b%22%3C%3E%23%3F%E4%B8%AD.html", true);
    expect_path(&st, "/news/a b.html", "/xinwen/a b.html", false);
}

static void test_preview_token(void **state)
{
    char key[32], tok[LIFECYCLE_TOKEN_MAX + 1], tok2[LIFECYCLE_TOKEN_MAX + 1];
    memset(key, 'k', sizeof key);
    assert_true(lifecycle_preview_token(key, sizeof key, "edu", "v2", 1900000000, tok));
    /* HMAC-SHA256(k*32, "edu@v2@1900000000"), first 16 bytes in hex (Python's hmac) */
    assert_string_equal(tok, "1900000000.a633a7203fab99bbb18fafe2555d1f2f");
    int64_t exp = 0;
    size_t n = strlen(tok);
    assert_true(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", tok, n, 1899999999, &exp));
    assert_int_equal(exp, 1900000000);
    /* expired, another generation or site, another secret, altered, malformed */
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", tok, n, 1900000000, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v3", tok, n, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edux", "v2", tok, n, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", tok, n - 1, 0, NULL));
    memcpy(tok2, tok, n + 1);
    tok2[0] = '2'; /* a later expiry under the same MAC */
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", tok2, n, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2",
                                            "a633a7203fab99bbb18fafe2555d1f2f", 32, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2",
                                            "01900000000.a633a7203fab99bbb18fafe2555d1f2f", 44, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", ".", 1, 0, NULL));
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", "", 0, 0, NULL));
    key[0] = 'x';
    assert_false(lifecycle_preview_token_ok(key, sizeof key, "edu", "v2", tok, n, 0, NULL));
    assert_true(lifecycle_preview_token(key, sizeof key, "edu", "v2", 1900000000, tok2));
    assert_string_not_equal(tok, tok2);
    assert_false(lifecycle_preview_token(key, sizeof key, "edu", "v2", 0, tok2));
}

static void test_until_time(void **state)
{
    /* 2027-03-01 00:00 +08:00 == 2027-02-28 16:00 UTC */
    assert_int_equal(lifecycle_until_time("2027-03-01"), 1803830400);
    assert_int_equal(lifecycle_until_time("2027-02-30"), (time_t)-1);
    assert_int_equal(lifecycle_until_time(NULL), (time_t)-1);
}

/* A site with the registration module's slot holding `reg` (the other slots empty). */
static void give_registration(conf_site_t *s, void **slots, size_t nslots, registration_t *reg)
{
    assert_true(modules_count() <= nslots); /* numbers the modules too (module_t.index) */
    for (size_t i = 0; i < nslots && modules_list[i]; i++)
        slots[i] = modules_list[i] == &module_registration ? reg : NULL;
    s->mod = slots;
}

static void test_notices(void **state)
{
    conf_site_t s = {.id = "old", .name = "旧<局>"};
    lifecycle_conf_t st = {.state = LIFECYCLE_SUSPENDED, .from = "2026-11-01",
                           .until = "2027-03-01", .reason = "整改&升级"};
    registration_t reg = {.contact = "0871-1"};
    void *slots[16];
    assert_true(modules_count() <= 16);
    give_registration(&s, slots, 16, &reg);
    util_buf_t b = {0};
    lifecycle_render_notice(&s, &st, NULL, false, &b);
    util_buf_append(&b, "", 1);
    assert_non_null(strstr(b.data, "网站暂时关停"));
    assert_non_null(strstr(b.data, "2027年3月1日"));
    assert_null(strstr(b.data, "正在恢复"));
    assert_non_null(strstr(b.data, "整改&amp;升级"));
    assert_non_null(strstr(b.data, "旧&lt;局&gt;"));
    assert_null(strstr(b.data, "旧<局>"));
    assert_non_null(strstr(b.data, "0871-1"));
    util_buf_free(&b);
    /* past `until`: being restored, and no date that has gone by */
    b = (util_buf_t){0};
    lifecycle_render_notice(&s, &st, NULL, true, &b);
    util_buf_append(&b, "", 1);
    assert_non_null(strstr(b.data, "正在恢复"));
    assert_non_null(strstr(b.data, "2026年11月1日")); /* since when */
    assert_null(strstr(b.data, "2027年3月1日"));
    assert_null(strstr(b.data, "预计"));
    util_buf_free(&b);

    conf_site_t target = {.id = "health", .name = "卫健委"};
    router_site_t rt = {.site = &target, .canon_host = "www.example.cn", .canon_prefix = "/health/",
                        .canon_prefix_len = 8};
    st = (lifecycle_conf_t){.state = LIFECYCLE_CLOSED, .date = "2026-10-31", .migrate_to = "health"};
    b = (util_buf_t){0};
    lifecycle_render_notice(&s, &st, &rt, false, &b);
    util_buf_append(&b, "", 1);
    assert_non_null(strstr(b.data, "网站已关停"));
    assert_non_null(strstr(b.data, "2026年10月31日"));
    assert_non_null(strstr(b.data, "<a href=\"//www.example.cn/health/\">卫健委</a>"));
    util_buf_free(&b);
}

static int count_meta(void *ud, const char *key, size_t klen, const void *v, size_t len)
{
    (*(int *)ud)++;
    return 0;
}

static void test_store_lifecycle_keys(void **state)
{
    char key[STORE_KEY_MAX + 1];
    assert_int_equal(store_key_redirect(key, "edu", "/show.asp", 9, "id=12", 5), 24);
    assert_string_equal(key, "redir/edu/show.asp?id=12");
    assert_int_equal(store_key_redirect(key, "edu@v2", "/a", 2, NULL, 0), 14);
    assert_string_equal(key, "redir/edu@v2/a");
    assert_int_equal(store_key_redirect(key, "e/du", "/a", 2, NULL, 0), 0);
    assert_int_equal(store_key_redirect(key, "edu", "a", 1, NULL, 0), 0);
    assert_int_equal(store_key_meta_site(key, STORE_META_LIVE, "edu"), 8);
    assert_string_equal(key, "live/edu");

    char dir[] = "/tmp/jiyue-lc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    store_options_t opt = {.map_size = 8 << 20, .create = true};
    store_t *s = store_open(dir, &opt, NULL);
    assert_non_null(s);
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    char ns[64];
    assert_int_equal(store_site_live(w, "edu", ns, sizeof ns), 0);
    assert_string_equal(ns, "edu"); /* never promoted: the base namespace */
    assert_int_equal(store_meta_put(w, "live/edu", "v2", 2), 0);
    assert_int_equal(store_site_live(w, "edu", ns, sizeof ns), 0);
    assert_string_equal(ns, "edu@v2");
    assert_int_equal(store_site_live(w, "edu", ns, 5), STORE_EKEY);
    assert_int_equal(store_meta_put(w, "live/edu", "", 0), 0);
    assert_int_equal(store_site_live(w, "edu", ns, sizeof ns), 0);
    assert_string_equal(ns, "edu");
    /* clearing one namespace's redirects leaves its neighbours' */
    assert_int_equal(store_meta_put(w, "redir/edu/a", "/b", 2), 0);
    assert_int_equal(store_meta_put(w, "redir/edu/c?x=1", "/d", 2), 0);
    assert_int_equal(store_meta_put(w, "redir/edu2/a", "/b", 2), 0);
    assert_int_equal(store_meta_put(w, "redir/edu@v2/a", "/b", 2), 0);
    int n = 0;
    assert_int_equal(store_meta_each(w, "redir/edu/", count_meta, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_meta_clear_prefix(w, "redir/edu/"), 2);
    n = 0;
    assert_int_equal(store_meta_each(w, "redir/", count_meta, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_meta_del(w, "redir/edu2/a"), 0);
    assert_int_equal(store_meta_del(w, "redir/edu2/a"), STORE_NOTFOUND);
    assert_int_equal(store_commit(w), 0);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static int collect_redirect(void *ud, const char *gen, size_t gen_len, const char *old,
                            size_t old_len, const char *to, size_t to_len)
{
    util_buf_printf(ud, "%.*s|%.*s|%.*s\n", (int)gen_len, gen ? gen : "", (int)old_len, old,
                    (int)to_len, to);
    return 0;
}

static void test_redirect_store(void **state)
{
    char dir[] = "/tmp/jiyue-rd-XXXXXX";
    assert_non_null(mkdtemp(dir));
    store_options_t opt = {.map_size = 8 << 20, .create = true};
    store_t *s = store_open(dir, &opt, NULL);
    assert_non_null(s);
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(store_meta_put(w, "redir/edu/show.asp?id=12", "/s12.html", 9), 0);
    assert_int_equal(store_meta_put(w, "redir/edu/empty.html", "", 0), 0);
    assert_int_equal(store_meta_put(w, "redir/edu@v2/old.html", "/new.html", 9), 0);
    assert_int_equal(store_meta_put(w, "redir/edu@v2/show.asp?id=12", "/v2.html", 8), 0);
    assert_int_equal(store_meta_put(w, "redir/edu2/show.asp?id=12", "/other", 6), 0);
    const void *v;
    size_t len;
    /* the site's redirect answers in every generation */
    const char *nss[] = {"edu", "edu@v2", "edu@v3"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(redirect_lookup(w, nss[i], "/show.asp", 9, "id=12", 5, &v, &len), 0);
        assert_int_equal(len, 9);
        assert_memory_equal(v, "/s12.html", 9);
    }
    /* an older store's generation redirect: only while that generation is served */
    assert_int_equal(redirect_lookup(w, "edu@v2", "/old.html", 9, NULL, 0, &v, &len), 0);
    assert_memory_equal(v, "/new.html", 9);
    assert_int_equal(redirect_lookup(w, "edu", "/old.html", 9, NULL, 0, &v, &len), STORE_NOTFOUND);
    assert_int_equal(redirect_lookup(w, "edu@v3", "/old.html", 9, NULL, 0, &v, &len), STORE_NOTFOUND);
    assert_int_equal(redirect_lookup(w, "edu", "/empty.html", 11, NULL, 0, &v, &len), STORE_NOTFOUND);
    assert_int_equal(redirect_lookup(w, "edu", "/show.asp", 9, NULL, 0, &v, &len), STORE_NOTFOUND);
    util_buf_t b = {0};
    assert_int_equal(redirect_each(w, "edu", collect_redirect, &b), 0);
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, "|/show.asp?id=12|/s12.html\n"
                                "v2|/old.html|/new.html\n"
                                "v2|/show.asp?id=12|/v2.html\n");
    b.len = 0;
    assert_int_equal(redirect_each(w, "nothing", collect_redirect, &b), 0);
    assert_int_equal(b.len, 0);
    util_buf_free(&b);
    store_abort(w);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_path_map),
        cmocka_unit_test(test_preview_token),
        cmocka_unit_test(test_until_time),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_store_lifecycle_keys),
        cmocka_unit_test(test_redirect_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
