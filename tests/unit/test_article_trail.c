/* tests/unit/test_article_trail.c: the accountability trail's numbering
 * (modules/content/article.c): dense 1, 2, 3... in the cluster's listing and in each
 * site's, trail records no longer taking article sequence numbers, and a store written
 * before the trail had its own counter (records at h/ keys with gaps, no n/trail) read
 * densely and appended to in order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "article.h"
#include "rec.h"
#include "testutil.h"

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-trail-XXXXXX", NULL);
}

static store_t *st(void **state)
{
    return ((testutil_store_t *)*state)->s;
}

static void meta(article_meta_t *m, const char *site, const char *id)
{
    *m = (article_meta_t){0};
    m->site = util_strdup(site);
    m->column = util_strdup("news");
    m->id = util_strdup(id);
    m->title = util_strdup("标题");
    m->publisher = util_strdup("李华");
    m->reviewer = util_strdup("王强");
    m->disclosure = util_strdup(ARTICLE_DISCLOSE_ACTIVE);
    m->secrecy_by = util_strdup("赵敏");
    m->secrecy_date = util_strdup("2026-08-31");
    m->secrecy_given = true;
}

static void publish(void **state, const char *site, const char *id, article_op_t op,
                    article_result_t *res)
{
    article_meta_t m;
    meta(&m, site, id);
    char err[256];
    if (article_publish(st(state), op, &m, "markdown", "<p>x</p>", 8, NULL, 0, 1700000000, res,
                        err, sizeof err) != 0)
        fail_msg("publish %s/%s: %s", site, id, err);
    article_meta_free(&m);
}

typedef struct seen {
    uint64_t seq[16];
    char what[16][48];
    size_t n;
} seen_t;

static int collect(void *ud, const article_audit_t *a)
{
    seen_t *s = ud;
    if (s->n < 16) {
        s->seq[s->n] = a->seq;
        snprintf(s->what[s->n], sizeof s->what[0], "%s %s/%s", a->action, a->site, a->id);
        s->n++;
    }
    return 0;
}

static seen_t history(void **state, const char *site)
{
    seen_t s = {0};
    store_txn_t *t = store_read_txn_new(st(state));
    assert_non_null(t);
    assert_int_equal(store_read_renew(t), 0);
    assert_int_equal(article_history_each(t, site, collect, &s), 0);
    store_txn_free(t);
    return s;
}

static void expect_dense(const seen_t *s, size_t n)
{
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++)
        if (s->seq[i] != i + 1)
            fail_msg("record %zu (%s) numbered %llu", i, s->what[i],
                     (unsigned long long)s->seq[i]);
}

static void test_dense_numbers(void **state)
{
    article_result_t r1, r2, r3, r4;
    publish(state, "edu", "a", ARTICLE_PUBLISH, &r1);
    publish(state, "xian", "b", ARTICLE_PUBLISH, &r2);
    publish(state, "edu", "a", ARTICLE_UPDATE, &r3);
    publish(state, "edu", "c", ARTICLE_PUBLISH, &r4);
    char err[256];
    article_result_t r5;
    assert_int_equal(article_unpublish(st(state), "xian", "news", "b", "李华", "过期", 1700000100,
                                       &r5, err, sizeof err), 0);
    /* Articles and trail records count separately: neither skips a number. */
    assert_int_equal(r1.seq, 1);
    assert_int_equal(r2.seq, 2);
    assert_int_equal(r4.seq, 3);
    assert_int_equal(r1.audit_seq, 1);
    assert_int_equal(r2.audit_seq, 2);
    assert_int_equal(r3.audit_seq, 3);
    assert_int_equal(r4.audit_seq, 4);
    assert_int_equal(r5.audit_seq, 5);

    seen_t all = history(state, NULL);
    expect_dense(&all, 5);
    assert_string_equal(all.what[4], "unpublish xian/b");
    seen_t edu = history(state, "edu");
    expect_dense(&edu, 3);
    assert_string_equal(edu.what[0], "publish edu/a");
    assert_string_equal(edu.what[1], "update edu/a");
    assert_string_equal(edu.what[2], "publish edu/c");
    seen_t xian = history(state, "xian");
    expect_dense(&xian, 2);
}

/* A trail record as jiyue wrote it before the trail had its own counter. */
static void put_old_record(store_txn_t *w, uint64_t key_seq, const char *site, const char *id)
{
    util_buf_t b = {0};
    rec_put_head(&b, "JYAU", 1);
    rec_put_n(&b, 1600000000, 8);
    rec_put_n(&b, 1, 4);
    const char *strs[] = {"publish", site, "news", id, "李华", "王强", "旧", "主动公开"};
    for (size_t i = 0; i < 8; i++)
        rec_put_str(&b, strs[i]);
    char k[32];
    int n = snprintf(k, sizeof k, "h/%016llx", (unsigned long long)key_seq);
    assert_int_equal(store_content_put(w, k, (size_t)n, b.data, b.len), 0);
    util_buf_free(&b);
}

static void test_old_store_reads_dense_and_appends_in_order(void **state)
{
    /* Old layout: one counter for both, so the records sit at h/2, h/4, h/6 and n/seq is 6. */
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_non_null(w);
    put_old_record(w, 2, "edu", "old1");
    put_old_record(w, 4, "edu", "old2");
    put_old_record(w, 6, "xian", "old3");
    util_buf_t b = {0};
    rec_put_n(&b, 6, 8);
    assert_int_equal(store_content_put(w, "n/seq", 5, b.data, b.len), 0);
    util_buf_free(&b);
    assert_int_equal(store_commit(w), 0);

    seen_t all = history(state, NULL);
    expect_dense(&all, 3);
    article_result_t r;
    publish(state, "edu", "new1", ARTICLE_PUBLISH, &r);
    assert_int_equal(r.seq, 7);        /* articles go on from n/seq */
    assert_int_equal(r.audit_seq, 7);  /* the trail starts after its last record */
    publish(state, "edu", "new2", ARTICLE_PUBLISH, &r);
    assert_int_equal(r.seq, 8);
    assert_int_equal(r.audit_seq, 8);
    all = history(state, NULL);
    expect_dense(&all, 5);
    assert_string_equal(all.what[3], "publish edu/new1"); /* after the old ones, in order */
    assert_string_equal(all.what[4], "publish edu/new2");
    seen_t edu = history(state, "edu");
    expect_dense(&edu, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dense_numbers, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_old_store_reads_dense_and_appends_in_order, setup,
                                        testutil_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
