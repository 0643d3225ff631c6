/* tests/unit/test_valcache.c: remembered page lookups (core/valcache.c through
 * store_page_get) answer only within the snapshot they were made in: a commit, a page
 * removed or added, or another store opened at the same place is never answered from
 * memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"
#include "valcache.h"

static void put_page(store_t *s, const char *path, const char *body)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(store_page_put(w, "site", path, "text/html", body, strlen(body), NULL, 0, 1), 0);
    assert_int_equal(store_commit(w), 0);
}

static void del_page(store_t *s, const char *path)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(store_page_del(w, "site", path), 0);
    assert_int_equal(store_commit(w), 0);
}

/* The body store_page_get gives for path in a fresh snapshot, or NULL when absent. */
static char *get_body(store_txn_t *r, const char *path)
{
    static char buf[256];
    assert_int_equal(store_read_renew(r), 0);
    store_page_t p;
    int rc = store_page_get(r, "site", path, strlen(path), &p);
    char *out = NULL;
    if (rc == STORE_OK) {
        snprintf(buf, sizeof buf, "%.*s", (int)p.body_len, (const char *)p.body);
        out = buf;
    } else {
        assert_int_equal(rc, STORE_NOTFOUND);
    }
    store_read_reset(r);
    return out;
}

static uint64_t hits(void)
{
    uint64_t h, m;
    valcache_counts(&h, &m);
    return h;
}

static void remembered_within_a_snapshot_only(void **state)
{
    testutil_store_t *f = *state;
    put_page(f->s, "/a.html", "first");
    store_txn_t *r = store_read_txn_new(f->s);
    assert_string_equal(get_body(r, "/a.html"), "first");
    uint64_t h0 = hits();
    assert_string_equal(get_body(r, "/a.html"), "first"); /* same snapshot: from memory */
    assert_int_equal(hits(), h0 + 1);

    put_page(f->s, "/a.html", "second");
    assert_string_equal(get_body(r, "/a.html"), "second");
    assert_string_equal(get_body(r, "/a.html"), "second");

    del_page(f->s, "/a.html");
    assert_null(get_body(r, "/a.html"));
    uint64_t h1 = hits();
    assert_null(get_body(r, "/a.html")); /* "not found" is remembered too */
    assert_int_equal(hits(), h1 + 1);
    put_page(f->s, "/a.html", "back");
    assert_string_equal(get_body(r, "/a.html"), "back");
    store_txn_free(r);
}

/* A store closed and another opened in its place starts its transaction ids again: its
 * lookups must not meet the first one's entries. */
static void another_store_at_the_same_place(void **state)
{
    testutil_store_t *f = *state;
    put_page(f->s, "/b.html", "old store");
    store_txn_t *r = store_read_txn_new(f->s);
    assert_string_equal(get_body(r, "/b.html"), "old store");
    assert_string_equal(get_body(r, "/b.html"), "old store");
    store_txn_free(r);
    store_close(f->s);
    testutil_rm_dir(f->dir);
    f->s = testutil_open(f->dir, 16u << 20, false);
    assert_non_null(f->s);
    r = store_read_txn_new(f->s);
    assert_null(get_body(r, "/b.html"));
    put_page(f->s, "/b.html", "new store");
    assert_string_equal(get_body(r, "/b.html"), "new store");
    store_txn_free(r);
}

/* Write transactions see their own uncommitted changes, never a remembered value. */
static void write_transactions_look_up_afresh(void **state)
{
    testutil_store_t *f = *state;
    put_page(f->s, "/c.html", "committed");
    store_txn_t *r = store_read_txn_new(f->s);
    assert_string_equal(get_body(r, "/c.html"), "committed");
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(store_page_put(w, "site", "/c.html", "text/html", "pending", 7, NULL, 0, 1), 0);
    store_page_t p;
    assert_int_equal(store_page_get(w, "site", "/c.html", 7, &p), 0);
    assert_int_equal(p.body_len, 7);
    assert_memory_equal(p.body, "pending", 7);
    store_abort(w);
    assert_string_equal(get_body(r, "/c.html"), "committed");
    store_txn_free(r);
}

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-valcache-XXXXXX", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(remembered_within_a_snapshot_only, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(another_store_at_the_same_place, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(write_transactions_look_up_afresh, setup,
                                        testutil_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
