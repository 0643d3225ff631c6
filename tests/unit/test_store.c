/* tests/unit/test_store.c: the LMDB store (core/store.c) in a temporary folder: records,
 * ETags, prefix isolation between sites, transactions (renew, abort, full map), errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "testutil.h"
#include "util.h"

typedef testutil_store_t fixture_t;

static int setup(void **state)
{
    /* A subfolder that does not exist yet: store_open must create it. */
    return testutil_store_setup(state, "/tmp/jiyue-store-XXXXXX", "db");
}

static int teardown(void **state)
{
    return testutil_store_teardown(state);
}

static void put_page(store_t *s, const char *site, const char *path, const char *body)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(store_page_put(w, site, path, "text/html; charset=utf-8", body,
                                    strlen(body), NULL, 0, 1000),
                     0);
    assert_int_equal(store_commit(w), 0);
}

static int get_page(store_t *s, const char *site, const char *path, store_page_t *out,
                    char *body_copy, size_t cap)
{
    store_txn_t *r = store_read_txn_new(s);
    assert_non_null(r);
    assert_int_equal(store_read_renew(r), 0);
    int rc = store_page_get(r, site, path, strlen(path), out);
    if (rc == 0 && body_copy) {
        assert_true(out->body_len < cap);
        memcpy(body_copy, out->body, out->body_len);
        body_copy[out->body_len] = '\0';
    }
    store_read_reset(r);
    store_txn_free(r);
    return rc;
}

static void test_round_trip(void **state)
{
    fixture_t *f = *state;
    static const char body[] = "<html><body>hello 你好</body></html>";
    static const uint8_t gz[] = {0x1f, 0x8b, 8, 0, 1, 2, 3};
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_non_null(w);
    assert_int_equal(rc, 0);
    assert_int_equal(store_page_put(w, "edu", "/news/index.html", "text/html; charset=utf-8",
                                    body, strlen(body), gz, sizeof gz, 1700000000),
                     0);
    assert_int_equal(store_page_put(w, "edu", "/logo.png", "image/png", "PNG", 3, NULL, 0,
                                    -5),
                     0);
    assert_int_equal(store_commit(w), 0);

    store_txn_t *r = store_read_txn_new(f->s);
    assert_non_null(r);
    assert_int_equal(store_read_renew(r), 0);
    store_page_t p;
    assert_int_equal(store_page_get(r, "edu", "/news/index.html", 16, &p), 0);
    assert_int_equal(p.content_type_len, strlen("text/html; charset=utf-8"));
    assert_memory_equal(p.content_type, "text/html; charset=utf-8", p.content_type_len);
    assert_int_equal(p.body_len, strlen(body));
    assert_memory_equal(p.body, body, p.body_len);
    assert_non_null(p.gzip);
    assert_int_equal(p.gzip_len, sizeof gz);
    assert_memory_equal(p.gzip, gz, sizeof gz);
    assert_int_equal(p.mtime, 1700000000);
    assert_int_equal(strlen(p.etag), 18);
    assert_true(p.etag[0] == '"' && p.etag[17] == '"');

    assert_int_equal(store_page_get(r, "edu", "/logo.png", 9, &p), 0);
    assert_null(p.gzip);
    assert_int_equal(p.gzip_len, 0);
    assert_int_equal(p.mtime, -5);
    assert_memory_equal(p.body, "PNG", 3);
    /* path_len is honoured: "/logo.pngXYZ" cut at 9 bytes is "/logo.png". */
    assert_int_equal(store_page_get(r, "edu", "/logo.pngXYZ", 9, &p), 0);

    assert_int_equal(store_page_get(r, "edu", "/missing.html", 13, &p), STORE_NOTFOUND);
    assert_int_equal(store_page_get(r, "other", "/logo.png", 9, &p), STORE_NOTFOUND);
    store_read_reset(r);
    store_txn_free(r);
}

static void test_etag(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_non_null(w);
    assert_int_equal(store_page_put(w, "a", "/x", "text/plain", "same", 4, NULL, 0, 1), 0);
    assert_int_equal(store_page_put(w, "b", "/y", "text/css", "same", 4, NULL, 0, 99), 0);
    assert_int_equal(store_page_put(w, "a", "/z", "text/plain", "samf", 4, NULL, 0, 1), 0);
    assert_int_equal(store_page_put(w, "a", "/empty", "text/plain", "", 0, NULL, 0, 1), 0);
    assert_int_equal(store_commit(w), 0);

    store_page_t p;
    char x[24], y[24], z[24];
    assert_int_equal(get_page(f->s, "a", "/x", &p, NULL, 0), 0);
    strcpy(x, p.etag);
    assert_int_equal(get_page(f->s, "b", "/y", &p, NULL, 0), 0);
    strcpy(y, p.etag);
    assert_int_equal(get_page(f->s, "a", "/z", &p, NULL, 0), 0);
    strcpy(z, p.etag);
    assert_string_equal(x, y); /* the body alone decides: path, type and mtime do not */
    assert_string_not_equal(x, z);
    /* SHA-256("") begins e3b0c44298fc1c14. */
    assert_int_equal(get_page(f->s, "a", "/empty", &p, NULL, 0), 0);
    assert_string_equal(p.etag, "\"e3b0c44298fc1c14\"");
    assert_int_equal(p.body_len, 0);
}

typedef struct collect {
    char paths[16][64];
    int n;
    int stop_after;
} collect_t;

static int collect_fn(void *ud, const char *path, size_t path_len, const store_page_t *page)
{
    collect_t *c = ud;
    assert_true(path_len < 64 && c->n < 16);
    memcpy(c->paths[c->n], path, path_len);
    c->paths[c->n][path_len] = '\0';
    c->n++;
    assert_int_equal(page->body_len, strlen("body"));
    if (c->stop_after && c->n == c->stop_after)
        return 42;
    return 0;
}

static void test_each_order_and_isolation(void **state)
{
    fixture_t *f = *state;
    /* Inserted out of order, with neighbours whose keys sort right next to "edu/". */
    const char *pages[][2] = {
        {"edu", "/z.html"},   {"edu2", "/a.html"},       {"edu", "/a/b.html"},
        {"edu@v2", "/a.html"}, {"ed", "/u/a.html"},       {"edu", "/a.html"},
        {"edu-x", "/a.html"},  {"edu", "/index.html"},    {"edt", "/zz.html"},
    };
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_non_null(w);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pages); i++)
        assert_int_equal(store_page_put(w, pages[i][0], pages[i][1], "text/html", "body", 4,
                                        NULL, 0, 1),
                         0);
    assert_int_equal(store_commit(w), 0);

    store_txn_t *r = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(r), 0);
    collect_t c = {0};
    assert_int_equal(store_page_each(r, "edu", collect_fn, &c), 0);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.paths[0], "/a.html");
    assert_string_equal(c.paths[1], "/a/b.html");
    assert_string_equal(c.paths[2], "/index.html");
    assert_string_equal(c.paths[3], "/z.html");

    memset(&c, 0, sizeof c);
    assert_int_equal(store_page_each(r, "edu@v2", collect_fn, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.paths[0], "/a.html");

    memset(&c, 0, sizeof c);
    assert_int_equal(store_page_each(r, "ed", collect_fn, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.paths[0], "/u/a.html");

    memset(&c, 0, sizeof c);
    assert_int_equal(store_page_each(r, "nosuch", collect_fn, &c), 0);
    assert_int_equal(c.n, 0);

    /* A non-zero return stops the walk and comes back unchanged. */
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    assert_int_equal(store_page_each(r, "edu", collect_fn, &c), 42);
    assert_int_equal(c.n, 2);

    assert_int_equal(store_page_each(r, "a/b", collect_fn, &c), STORE_EKEY);
    store_read_reset(r);
    store_txn_free(r);
}

static void test_clear_and_delete(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_non_null(w);
    /* Enough pages to span many LMDB leaf pages, so the cursor crosses page boundaries. */
    char path[64], body[200];
    memset(body, 'x', sizeof body);
    for (int i = 0; i < 2000; i++) {
        snprintf(path, sizeof path, "/p/%05d.html", i);
        assert_int_equal(store_page_put(w, "edu", path, "text/html", body, sizeof body, NULL,
                                        0, i),
                         0);
    }
    assert_int_equal(store_page_put(w, "edu2", "/keep.html", "text/html", "k", 1, NULL, 0, 1),
                     0);
    assert_int_equal(store_page_put(w, "edt", "/keep.html", "text/html", "k", 1, NULL, 0, 1),
                     0);
    assert_int_equal(store_page_put(w, "edu@v2", "/keep.html", "text/html", "k", 1, NULL, 0, 1),
                     0);
    assert_int_equal(store_commit(w), 0);

    w = store_write_begin(f->s, &rc);
    assert_non_null(w);
    assert_int_equal(store_page_del(w, "edu", "/p/00007.html"), 0);
    assert_int_equal(store_page_del(w, "edu", "/p/00007.html"), STORE_NOTFOUND);
    assert_int_equal(store_commit(w), 0);
    store_page_t p;
    assert_int_equal(get_page(f->s, "edu", "/p/00007.html", &p, NULL, 0), STORE_NOTFOUND);
    assert_int_equal(get_page(f->s, "edu", "/p/00008.html", &p, NULL, 0), 0);

    w = store_write_begin(f->s, &rc);
    assert_int_equal(store_site_clear(w, "edu"), 1999);
    assert_int_equal(store_site_clear(w, "edu"), 0);
    assert_int_equal(store_commit(w), 0);
    assert_int_equal(get_page(f->s, "edu", "/p/01999.html", &p, NULL, 0), STORE_NOTFOUND);
    assert_int_equal(get_page(f->s, "edu", "/p/00000.html", &p, NULL, 0), STORE_NOTFOUND);
    assert_int_equal(get_page(f->s, "edu2", "/keep.html", &p, NULL, 0), 0);
    assert_int_equal(get_page(f->s, "edt", "/keep.html", &p, NULL, 0), 0);
    assert_int_equal(get_page(f->s, "edu@v2", "/keep.html", &p, NULL, 0), 0);
}

static void test_meta(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(store_meta_put(w, "counter/edu/hits", "\x01\x02\x00\x04", 4), 0);
    assert_int_equal(store_meta_put(w, "secret", "s", 1), 0);
    assert_int_equal(store_meta_put(w, "secret", "t2", 2), 0); /* overwrite */
    assert_int_equal(store_meta_put(w, "", "x", 1), STORE_EKEY);
    assert_int_equal(store_commit(w), 0);

    store_txn_t *r = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(r), 0);
    const void *v;
    size_t len;
    assert_int_equal(store_meta_get(r, "counter/edu/hits", &v, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(v, "\x01\x02\x00\x04", 4);
    assert_int_equal(store_meta_get(r, "secret", &v, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(v, "t2", 2);
    assert_int_equal(store_meta_get(r, "nope", &v, &len), STORE_NOTFOUND);
    /* meta and pages are separate databases. */
    store_page_t p;
    assert_int_equal(store_page_get(r, "secret", "/", 1, &p), STORE_NOTFOUND);
    store_read_reset(r);
    store_txn_free(r);
}

static void test_renew_sees_new_commit(void **state)
{
    fixture_t *f = *state;
    store_txn_t *r = store_read_txn_new(f->s);
    assert_non_null(r);
    store_page_t p;
    assert_int_equal(store_read_renew(r), 0);
    assert_int_equal(store_page_get(r, "gov", "/new.html", 9, &p), STORE_NOTFOUND);

    /* While the snapshot is held, a commit is invisible (MVCC)... */
    put_page(f->s, "gov", "/new.html", "v1");
    assert_int_equal(store_page_get(r, "gov", "/new.html", 9, &p), STORE_NOTFOUND);
    store_read_reset(r);
    /* ...and the next renew sees it. */
    assert_int_equal(store_read_renew(r), 0);
    assert_int_equal(store_page_get(r, "gov", "/new.html", 9, &p), 0);
    assert_memory_equal(p.body, "v1", 2);
    store_read_reset(r);

    put_page(f->s, "gov", "/new.html", "v2");
    /* Renewing an active txn (no reset in between) is tolerated. */
    assert_int_equal(store_read_renew(r), 0);
    assert_int_equal(store_read_renew(r), 0);
    assert_int_equal(store_page_get(r, "gov", "/new.html", 9, &p), 0);
    assert_memory_equal(p.body, "v2", 2);
    store_read_reset(r);
    store_read_reset(r);
    store_txn_free(r);
}

static void test_abort_keeps_old(void **state)
{
    fixture_t *f = *state;
    put_page(f->s, "gov", "/index.html", "old");
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(store_site_clear(w, "gov"), 1);
    assert_int_equal(store_page_put(w, "gov", "/index.html", "text/html", "new", 3, NULL, 0, 2),
                     0);
    assert_int_equal(store_page_put(w, "gov", "/other.html", "text/html", "o", 1, NULL, 0, 2),
                     0);
    store_abort(w);
    store_page_t p;
    char body[16];
    assert_int_equal(get_page(f->s, "gov", "/index.html", &p, body, sizeof body), 0);
    assert_string_equal(body, "old");
    assert_int_equal(get_page(f->s, "gov", "/other.html", &p, NULL, 0), STORE_NOTFOUND);
}

static void test_map_full(void **state)
{
    (void)state;
    char dir[] = "/tmp/jiyue-store-small-XXXXXX";
    assert_non_null(mkdtemp(dir));
    store_t *s = testutil_open(dir, 256u << 10, false);
    assert_non_null(s);
    put_page(s, "gov", "/index.html", "old content");

    /* An import that does not fit: clear then put 1 MiB into a 256 KiB map. */
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(store_site_clear(w, "gov"), 1);
    static char big[16384];
    memset(big, 'b', sizeof big);
    int put_rc = 0;
    char path[32];
    for (int i = 0; i < 64 && put_rc == 0; i++) {
        snprintf(path, sizeof path, "/big%d.html", i);
        put_rc = store_page_put(w, "gov", path, "text/html", big, sizeof big, NULL, 0, 1);
    }
    if (put_rc == 0) {
        put_rc = store_commit(w);
    } else {
        store_abort(w);
    }
    assert_int_equal(put_rc, STORE_EMAPFULL);
    assert_non_null(strstr(store_strerror(put_rc), "store_map_size"));

    /* The old content is whole, and the store still takes writes that fit. */
    store_page_t p;
    char body[32];
    assert_int_equal(get_page(s, "gov", "/index.html", &p, body, sizeof body), 0);
    assert_string_equal(body, "old content");
    assert_int_equal(get_page(s, "gov", "/big0.html", &p, NULL, 0), STORE_NOTFOUND);
    put_page(s, "gov", "/after.html", "fits");
    assert_int_equal(get_page(s, "gov", "/after.html", &p, NULL, 0), 0);
    store_close(s);

    /* Reopening with a smaller configured map adopts the existing, larger one. */
    s = testutil_open(dir, 64u << 10, false);
    assert_non_null(s);
    assert_true(store_map_size(s) >= (256u << 10));
    store_close(s);
    testutil_rm_dir(dir);
}

static void test_bad_keys(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(store_page_put(w, "edu", "no-slash", "text/html", "x", 1, NULL, 0, 1),
                     STORE_EKEY);
    assert_int_equal(store_page_put(w, "ed/u", "/x", "text/html", "x", 1, NULL, 0, 1),
                     STORE_EKEY);
    assert_int_equal(store_page_put(w, "", "/x", "text/html", "x", 1, NULL, 0, 1), STORE_EKEY);
    char longpath[600];
    longpath[0] = '/';
    memset(longpath + 1, 'a', sizeof longpath - 2);
    longpath[sizeof longpath - 1] = '\0';
    assert_int_equal(store_page_put(w, "edu", longpath, "text/html", "x", 1, NULL, 0, 1),
                     STORE_EKEY);
    assert_int_equal(store_site_clear(w, "a/b"), STORE_EKEY);
    store_abort(w);
    store_page_t p;
    assert_int_equal(get_page(f->s, "edu", "", &p, NULL, 0), STORE_EKEY);
    assert_non_null(store_strerror(STORE_EKEY));
}

static void test_read_only(void **state)
{
    fixture_t *f = *state;
    put_page(f->s, "gov", "/ro.html", "ro");
    /* LMDB forbids one process opening an environment twice at once (its POSIX locks are
     * per process), so the writable handle is closed while the read-only one is used. */
    store_close(f->s);
    f->s = NULL;
    store_t *ro = testutil_open(f->dir, 0, true);
    assert_non_null(ro);
    int rc = 0;
    assert_null(store_write_begin(ro, &rc));
    assert_int_equal(rc, STORE_ERDONLY);
    store_page_t p;
    assert_int_equal(get_page(ro, "gov", "/ro.html", &p, NULL, 0), 0);
    store_close(ro);
    f->s = testutil_open(f->dir, 16u << 20, false);
    assert_non_null(f->s);

    /* A read-only open of a store that is not there says what to do. */
    store_options_t opt = {.read_only = true};
    char *err = NULL;
    assert_null(store_open("/tmp/jiyue-store-does-not-exist/x", &opt, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "jiyuectl import"));
    free(err);
    /* An empty folder is not a store either. */
    char dir[] = "/tmp/jiyue-store-empty-XXXXXX";
    assert_non_null(mkdtemp(dir));
    err = NULL;
    assert_null(store_open(dir, &opt, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "jiyuectl import"));
    free(err);
    testutil_rm_dir(dir);
}

/* Finds the record of `needle` (a unique body) in data.mdb and lets `edit` damage it. */
static void damage_record(const char *dir, const char *needle, int field)
{
    char *file = util_asprintf("%s/data.mdb", dir);
    FILE *fp = fopen(file, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = util_malloc((size_t)size);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    unsigned char *hit = memmem(buf, (size_t)size, needle, strlen(needle));
    assert_non_null(hit);
    /* The body follows the 40-byte header and the 9-byte type "text/html". */
    unsigned char *rec = hit - 9 - 40;
    assert_memory_equal(rec, "JYPG", 4);
    if (field == 0)
        rec[4] = 99; /* version */
    else
        rec[16] += 1; /* body length no longer adds up */
    fseek(fp, rec - buf, SEEK_SET);
    assert_int_equal(fwrite(rec, 1, 40, fp), 40);
    fclose(fp);
    free(buf);
    free(file);
}

/* store_content_each_from: the prefix walk started at a key (a seek), stopped by its
 * callback; a start outside the prefix is refused. */
typedef struct keys_seen {
    char s[128];
    int stop_after;
} keys_seen_t;

static int seen_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keys_seen_t *k = ud;
    (void)val;
    (void)vlen;
    size_t l = strlen(k->s);
    snprintf(k->s + l, sizeof k->s - l, "%s%.*s", l ? " " : "", (int)klen, (const char *)key);
    return --k->stop_after == 0 ? 7 : 0;
}

static void test_content_each_from(void **state)
{
    store_t *s = ((fixture_t *)*state)->s;
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    static const char *keys[] = {"k/a", "k/b", "k/c", "l/a", "j/z"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(store_content_put(w, keys[i], 3, "v", 1), 0);
    assert_int_equal(store_commit(w), 0);
    store_txn_t *t = store_read_txn_new(s);
    assert_non_null(t);
    assert_int_equal(store_read_renew(t), 0);
    keys_seen_t k = {"", -1};
    assert_int_equal(store_content_each_from(t, "k/", 2, "k/b", 3, seen_cb, &k), 0);
    assert_string_equal(k.s, "k/b k/c");
    k = (keys_seen_t){"", -1};
    assert_int_equal(store_content_each_from(t, "k/", 2, "k/bb", 4, seen_cb, &k), 0);
    assert_string_equal(k.s, "k/c");
    k = (keys_seen_t){"", -1};
    assert_int_equal(store_content_each_from(t, "k/", 2, "k/", 2, seen_cb, &k), 0);
    assert_string_equal(k.s, "k/a k/b k/c");
    k = (keys_seen_t){"", -1};
    assert_int_equal(store_content_each_from(t, "k/", 2, "k/d", 3, seen_cb, &k), 0);
    assert_string_equal(k.s, "");
    k = (keys_seen_t){"", 1};
    assert_int_equal(store_content_each_from(t, "k/", 2, "k/a", 3, seen_cb, &k), 7);
    assert_string_equal(k.s, "k/a");
    assert_int_equal(store_content_each_from(t, "k/", 2, "j/z", 3, seen_cb, &k), STORE_EKEY);
    assert_int_equal(store_content_each_from(t, "k/", 2, "k", 1, seen_cb, &k), STORE_EKEY);
    store_read_reset(t);
    store_txn_free(t);
}

static void test_corrupt_record(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(store_page_put(w, "gov", "/v.html", "text/html", "UNIQUE-BODY-ONE", 15,
                                    NULL, 0, 1),
                     0);
    assert_int_equal(store_page_put(w, "gov", "/l.html", "text/html", "UNIQUE-BODY-TWO", 15,
                                    NULL, 0, 1),
                     0);
    assert_int_equal(store_commit(w), 0);
    store_close(f->s);
    damage_record(f->dir, "UNIQUE-BODY-ONE", 0);
    damage_record(f->dir, "UNIQUE-BODY-TWO", 1);
    f->s = testutil_open(f->dir, 16u << 20, false);
    assert_non_null(f->s);
    store_page_t p;
    assert_int_equal(get_page(f->s, "gov", "/v.html", &p, NULL, 0), STORE_ECORRUPT);
    assert_int_equal(get_page(f->s, "gov", "/l.html", &p, NULL, 0), STORE_ECORRUPT);
    store_txn_t *r = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(r), 0);
    collect_t c = {0};
    assert_int_equal(store_page_each(r, "gov", collect_fn, &c), STORE_ECORRUPT);
    store_txn_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_etag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_order_and_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clear_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_renew_sees_new_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_keeps_old, setup, teardown),
        cmocka_unit_test(test_map_full),
        cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_each_from, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
