/* tests/unit/test_search_reindex.c: the whole index rebuilt beside the live one
 * (search_reindex.h) against a real temporary store: with a tiny bound per transaction it
 * equals the maintained index and switches families; readers see the old index whole
 * until the switch and the new one whole after; publishes, updates and unpublishes made
 * between its steps (queued while it walks, written to both once it is in step) are in the
 * index it switches to; a rebuild stopped part way leaves the live index answering and the
 * next one starts over; a second rebuild takes over from the first; a full map leaves the
 * live index and deletes the copy; hot searches and site numbers are kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "article.h"
#include "search_fam.h"
#include "search_hot.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_query.h"
#include "search_reindex.h"
#include "testarticle.h"
#include "testutil.h"

#define NOW 1780000000 /* 2026-05-28 */
#define NDOCS 40

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-reindex-XXXXXX", NULL);
}

static store_t *st(void **state)
{
    return ((testutil_store_t *)*state)->s;
}

static void put(store_t *s, article_op_t op, const char *site, const char *id, const char *title,
                const char *body, const char *date)
{
    article_meta_t m;
    testarticle_meta(&m, site, "news", id, title, date);
    char err[256];
    if (article_publish(s, op, &m, "html", body, strlen(body), NULL, 0, NOW, NULL, err,
                        sizeof err) != 0)
        fail_msg("publish %s/%s: %s", site, id, err);
    article_meta_free(&m);
}

static void unpub(store_t *s, const char *site, const char *id)
{
    char err[256];
    if (article_unpublish(s, site, "news", id, "李华", "test", NOW, NULL, err, sizeof err))
        fail_msg("unpublish: %s", err);
}

/* NDOCS articles over three sites and two years, each holding 公告 and one of three
 * topics. */
static void corpus(void **state)
{
    static const char *const sites[] = {"rsj", "wjw", "jyj"};
    static const char *const topics[] = {"社保卡", "医保报销", "义务教育"};
    for (int i = 0; i < NDOCS; i++) {
        char id[16], title[64], body[128], date[32];
        snprintf(id, sizeof id, "n%02d", i);
        snprintf(title, sizeof title, "%s公告第%d号", topics[i % 3], i);
        snprintf(body, sizeof body, "<p>关于%s的通知，第%d号正文。</p>", topics[i % 3], i);
        snprintf(date, sizeof date, "%d-%02d-%02d 09:00", 2024 + i % 2, 1 + i % 12, 1 + i % 28);
        put(st(state), ARTICLE_PUBLISH, sites[i % 3], id, title, body, date);
    }
}

/* A query's hits "site/id ..." and total in a read transaction of its own (or in t). */
static uint64_t hits_in(store_txn_t *t, const char *q, char *ids, size_t cap)
{
    search_result_t r;
    assert_int_equal(search_run(t, &(search_query_t){.q = q, .page = 1, .now = NOW,
                                                     .sort = SEARCH_SORT_DATE, .full = true},
                                &r), 0);
    ids[0] = '\0';
    for (size_t i = 0; i < r.n; i++)
        snprintf(ids + strlen(ids), cap - strlen(ids), " %s/%s", r.hits[i].rec.site,
                 r.hits[i].rec.id);
    return r.total;
}

static uint64_t hits(store_t *s, const char *q, char *ids, size_t cap)
{
    store_txn_t *t = store_read_txn_new(s);
    assert_non_null(t);
    assert_int_equal(store_read_renew(t), 0);
    uint64_t n = hits_in(t, q, ids, cap);
    store_txn_free(t);
    return n;
}

static int count_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (*(size_t *)ud)++;
    return 0;
}

/* Keys under prefix, and the rebuild's record and the live family. */
static size_t keys(store_t *s, const char *prefix)
{
    store_txn_t *t = store_read_txn_new(s);
    store_read_renew(t);
    size_t n = 0;
    store_content_each(t, prefix, strlen(prefix), count_cb, &n);
    store_txn_free(t);
    return n;
}

static search_build_t build(store_t *s, char *live)
{
    store_txn_t *t = store_read_txn_new(s);
    store_read_renew(t);
    search_build_t b;
    assert_int_equal(search_build_get(t, &b), 0);
    if (live)
        *live = search_fam_live(t)->id;
    store_txn_free(t);
    return b;
}

/* Nothing of family id is left but "xn"'s shared numbers, and no rebuild is recorded. */
static void family_gone(store_t *s, char id)
{
    const char *fam[] = {"p/", "f/", "d/", "a/"};
    for (size_t i = 0; i < 4; i++) {
        char k[8];
        snprintf(k, sizeof k, "%c%s", id, fam[i]);
        assert_int_equal(keys(s, k), 0);
    }
    assert_int_equal(keys(s, SEARCH_KEY_QUEUE), 0);
    assert_int_equal(build(s, NULL).phase, SEARCH_BUILD_NONE);
    if (id == 'y') {
        assert_int_equal(keys(s, "yn"), 0);
    } else {
        store_txn_t *t = store_read_txn_new(s);
        store_read_renew(t);
        uint64_t docs, len;
        search_counters(t, &search_fams[0], &docs, &len);
        assert_int_equal(docs, 0);
        assert_int_equal(len, 0);
        store_txn_free(t);
    }
}

/* Family `live` serves, and nothing is left of the other (family_gone). */
static void only_family(store_t *s, char live)
{
    char got;
    build(s, &got);
    assert_int_equal(got, live);
    family_gone(s, live == 'x' ? 'y' : 'x');
}

/* The walk goes oldest document first (each transaction's postings then follow a term's
 * list rather than fall among it): after its first one-document transaction the family
 * being filled holds the oldest article. */
typedef struct first {
    store_t *s;
    bool seen;
} first_t;

static int first_doc_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    search_docrec_t r;
    assert_int_equal(search_doc_decode(val, vlen, &r), 0);
    assert_string_equal(r.id, "n00"); /* 2024-01-01, the oldest */
    return 1;
}

static void first_cb(void *ud, long step)
{
    (void)step;
    first_t *x = ud;
    if (x->seen || build(x->s, NULL).phase != SEARCH_BUILD_WALK || keys(x->s, "yd/") == 0)
        return;
    assert_int_equal(keys(x->s, "yd/"), 1);
    store_txn_t *t = store_read_txn_new(x->s);
    store_read_renew(t);
    assert_int_equal(store_content_each(t, "yd/", 3, first_doc_cb, NULL), 1);
    store_txn_free(t);
    x->seen = true;
}

static void test_tiny_steps_equal_and_switch(void **state)
{
    corpus(state);
    store_t *s = st(state);
    store_txn_t *w;
    int rc;
    /* what is not derived from the content: a hot search, the site numbers */
    assert_non_null(w = store_write_begin(s, &rc));
    assert_int_equal(search_hot_add(w, "rsj", search_hot_day(NOW), "社保", 7), 0);
    assert_int_equal(store_commit(w), 0);
    uint32_t before[3], after[3];
    static const char *const sites[] = {"rsj", "wjw", "jyj"};
    store_txn_t *t = store_read_txn_new(s);
    store_read_renew(t);
    for (int i = 0; i < 3; i++)
        assert_int_equal(search_site_number(t, sites[i], &before[i]), 0);
    store_txn_free(t);
    char a[512], b[512];
    uint64_t n1 = hits(s, "公告", a, sizeof a);
    assert_int_equal(n1, NDOCS);

    search_reindex_report_t rep;
    first_t fx = {s, false};
    search_rebuild_opt_t o = {.step_docs = 1, .drop_keys = 5, .between = first_cb, .ud = &fx};
    assert_int_equal(search_rebuild(s, NULL, &o, &rep), 0);
    assert_true(fx.seen);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, NDOCS);
    assert_int_equal(rep.removed, NDOCS);
    /* one document a transaction: the walk alone took NDOCS of them */
    assert_true(rep.steps > NDOCS + 3);
    only_family(s, 'y');
    assert_int_equal(hits(s, "公告", b, sizeof b), n1);
    assert_string_equal(a, b);
    assert_int_equal(hits(s, "医保报销", b, sizeof b), 13);

    /* and back, with the default bounds: one walk transaction */
    assert_int_equal(search_rebuild(s, NULL, NULL, &rep), 0);
    assert_true(rep.equal);
    only_family(s, 'x');
    assert_int_equal(hits(s, "公告", b, sizeof b), n1);
    assert_string_equal(a, b);

    t = store_read_txn_new(s);
    store_read_renew(t);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(search_site_number(t, sites[i], &after[i]), 0);
        assert_int_equal(after[i], before[i]);
    }
    const char *top[SEARCH_HOT_SHOW];
    assert_int_equal(search_hot_top(t, "rsj", NOW, top), 1);
    assert_string_equal(top[0], "社保");
    store_txn_free(t);
    assert_int_equal(keys(s, SEARCH_KEY_HOT), 1);
}

/* Every step: a fresh reader finds the old index's answer or the new one's, never a part;
 * a reader opened while the rebuild was complete but before the switch keeps the old. */
typedef struct watch {
    store_t *s;
    const char *old_ids, *new_ids;
    uint64_t old_n, new_n;
    store_txn_t *before; /* opened in phase SYNC */
    long checked;
} watch_t;

static void watch_cb(void *ud, long step)
{
    (void)step;
    watch_t *x = ud;
    char ids[512];
    uint64_t n = hits(x->s, "幽灵 公告", ids, sizeof ids);
    assert_true((n == x->old_n && strcmp(ids, x->old_ids) == 0) ||
                (n == x->new_n && strcmp(ids, x->new_ids) == 0));
    n = hits(x->s, "社保卡", ids, sizeof ids);
    assert_int_equal(n, 14);
    x->checked++;
    if (!x->before && build(x->s, NULL).phase == SEARCH_BUILD_SYNC) {
        x->before = store_read_txn_new(x->s);
        assert_int_equal(store_read_renew(x->before), 0);
    }
}

static void test_readers_see_one_whole_index(void **state)
{
    corpus(state);
    store_t *s = st(state);
    /* a document of no article (a damaged index): the old index finds it, the new not */
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_int_equal(search_index_article(w, "rsj", "news", "ghost", "幽灵公告", NULL,
                                          "<p>无</p>", 10, NULL, NOW, 999), 0);
    assert_int_equal(store_commit(w), 0);
    char old_ids[512];
    uint64_t old_n = hits(s, "幽灵 公告", old_ids, sizeof old_ids);
    assert_int_equal(old_n, 1);
    watch_t x = {s, old_ids, "", old_n, 0, NULL, 0};
    search_reindex_report_t rep;
    search_rebuild_opt_t o = {.step_docs = 3, .drop_keys = 7, .between = watch_cb, .ud = &x};
    assert_int_equal(search_rebuild(s, NULL, &o, &rep), 0);
    assert_false(rep.equal);
    assert_int_equal(rep.removed, NDOCS + 1);
    assert_int_equal(rep.indexed, NDOCS);
    assert_int_equal(x.checked, rep.steps);
    /* the reader from before the switch: the old index, whole */
    assert_non_null(x.before);
    char ids[512];
    assert_int_equal(hits_in(x.before, "幽灵 公告", ids, sizeof ids), 1);
    assert_string_equal(ids, old_ids);
    assert_int_equal(hits_in(x.before, "社保卡", ids, sizeof ids), 14);
    store_txn_free(x.before);
    /* one after it: the new */
    assert_int_equal(hits(s, "幽灵 公告", ids, sizeof ids), 0);
    assert_int_equal(hits(s, "社保卡", ids, sizeof ids), 14);
    family_gone(s, 'x');
}

/* Changes between steps: an old-dated and a new-dated publish and an update while the
 * walk is early (queued), an unpublish of a walked article and a publish once in step. */
typedef struct writer {
    store_t *s;
    bool walk_done, sync_done;
    long walk_step;
} writer_t;

static void writer_cb(void *ud, long step)
{
    writer_t *x = ud;
    search_build_t b = build(x->s, NULL);
    if (b.phase == SEARCH_BUILD_WALK && !x->walk_done && step >= x->walk_step) {
        x->walk_done = true;
        put(x->s, ARTICLE_PUBLISH, "rsj", "old", "旧日期补发公告", "<p>补发</p>",
            "2023-01-01 09:00");
        put(x->s, ARTICLE_PUBLISH, "wjw", "new", "最新发布公告", "<p>最新</p>",
            "2026-05-01 09:00");
        put(x->s, ARTICLE_UPDATE, "rsj", "n00", "社保卡换发公告", "<p>换发</p>", NULL);
        unpub(x->s, "wjw", "n01");  /* among the first walked: oldest dates */
        unpub(x->s, "jyj", "n38"); /* among the last */
        /* still queued: the family being filled has none of them yet */
        assert_true(keys(x->s, SEARCH_KEY_QUEUE) >= 5);
    }
    if (b.phase == SEARCH_BUILD_SYNC && !x->sync_done) {
        x->sync_done = true;
        put(x->s, ARTICLE_PUBLISH, "jyj", "sync", "同步阶段公告", "<p>同步</p>",
            "2025-06-01 09:00");
        unpub(x->s, "rsj", "n03");
    }
}

static void test_writes_between_steps_kept(void **state)
{
    corpus(state);
    store_t *s = st(state);
    writer_t x = {s, false, false, 6};
    search_reindex_report_t rep;
    search_rebuild_opt_t o = {.step_docs = 2, .between = writer_cb, .ud = &x};
    assert_int_equal(search_rebuild(s, NULL, &o, &rep), 0);
    assert_true(x.walk_done && x.sync_done);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, NDOCS + 3 - 3);
    char ids[512];
    assert_int_equal(hits(s, "补发", ids, sizeof ids), 1);
    assert_string_equal(ids, " rsj/old");
    assert_int_equal(hits(s, "最新发布", ids, sizeof ids), 1);
    assert_int_equal(hits(s, "换发", ids, sizeof ids), 1);
    assert_int_equal(hits(s, "同步阶段", ids, sizeof ids), 1);
    assert_int_equal(hits(s, "第1号正文", ids, sizeof ids), 0);
    assert_int_equal(hits(s, "第38号正文", ids, sizeof ids), 0);
    assert_int_equal(hits(s, "第3号正文", ids, sizeof ids), 0);
    assert_int_equal(hits(s, "公告", ids, sizeof ids), NDOCS);
    /* and a rebuild now finds nothing to change */
    assert_int_equal(search_rebuild(s, NULL, NULL, &rep), 0);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, NDOCS);
}

static void test_interrupted_then_started_over(void **state)
{
    corpus(state);
    store_t *s = st(state);
    char a[512], b[512];
    uint64_t n = hits(s, "公告", a, sizeof a);
    search_reindex_report_t rep;
    search_rebuild_opt_t o = {.step_docs = 4, .stop_after = 5};
    assert_int_equal(search_rebuild(s, NULL, &o, &rep), SEARCH_REBUILD_STOPPED);
    char live;
    assert_int_equal(build(s, &live).phase, SEARCH_BUILD_WALK);
    assert_int_equal(live, 'x');
    assert_true(keys(s, "yd/") > 0 && keys(s, "yd/") < NDOCS); /* part of a copy */
    /* the live index answers, and a publish meanwhile is indexed and queued */
    assert_int_equal(hits(s, "公告", b, sizeof b), n);
    assert_string_equal(a, b);
    put(s, ARTICLE_PUBLISH, "rsj", "late", "迟到的公告", "<p>迟到</p>", "2024-02-02 09:00");
    assert_int_equal(hits(s, "迟到", b, sizeof b), 1);
    assert_int_equal(keys(s, SEARCH_KEY_QUEUE), 1);
    /* the next rebuild deletes the part, starts over and succeeds */
    assert_int_equal(search_rebuild(s, NULL, &(search_rebuild_opt_t){.step_docs = 4}, &rep), 0);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, NDOCS + 1);
    only_family(s, 'y');
    assert_int_equal(hits(s, "迟到", b, sizeof b), 1);
}

/* A second rebuild started between the first's steps takes over; the first stops. */
typedef struct second {
    store_t *s;
    int rc;
    bool ran;
} second_t;

static void second_cb(void *ud, long step)
{
    second_t *x = ud;
    if (step == 4 && !x->ran) {
        x->ran = true;
        search_reindex_report_t rep;
        x->rc = search_rebuild(x->s, NULL, &(search_rebuild_opt_t){.step_docs = 5}, &rep);
        assert_true(rep.equal);
    }
}

static void test_second_rebuild_takes_over(void **state)
{
    corpus(state);
    store_t *s = st(state);
    second_t x = {s, -99, false};
    search_reindex_report_t rep;
    search_rebuild_opt_t o = {.step_docs = 3, .between = second_cb, .ud = &x};
    assert_int_equal(search_rebuild(s, NULL, &o, &rep), SEARCH_REBUILD_TAKEN);
    assert_int_equal(x.rc, 0);
    char ids[512];
    only_family(s, 'y');
    assert_int_equal(hits(s, "公告", ids, sizeof ids), NDOCS);
}

static void test_map_full_keeps_live(void **state)
{
    store_t *s = st(state);
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    uint64_t room0;
    assert_int_equal(store_room(w, &room0), 0);
    store_abort(w);
    /* articles with long bodies: an index of several MiB */
    util_buf_t body = {0};
    for (int i = 0; i < 400; i++)
        util_buf_printf(&body, "<p>第%d段：社会保障卡申领、补换、挂失与医疗保险报销的办理流程。</p>", i);
    for (int i = 0; i < 12; i++) {
        char id[16], date[32];
        snprintf(id, sizeof id, "big%02d", i);
        snprintf(date, sizeof date, "2025-%02d-01 09:00", 1 + i);
        put(s, ARTICLE_PUBLISH, "rsj", id, "长篇公告", body.data, date);
    }
    util_buf_free(&body);
    assert_non_null(w = store_write_begin(s, &rc));
    uint64_t room1;
    assert_int_equal(store_room(w, &room1), 0);
    /* a filler that leaves room for a fifth of what the articles and their index took */
    size_t fill = (size_t)(room1 - (room0 - room1) / 5);
    char *big = util_calloc(1, fill);
    assert_int_equal(store_content_put(w, "zz/filler", 9, big, fill), 0);
    free(big);
    assert_int_equal(store_commit(w), 0);
    char a[512], b[512];
    uint64_t n = hits(s, "社会保障", a, sizeof a);
    assert_int_equal(n, 12);

    search_reindex_report_t rep;
    assert_int_equal(search_rebuild(s, NULL, &(search_rebuild_opt_t){.step_docs = 2}, &rep),
                     STORE_EMAPFULL);
    only_family(s, 'x');
    assert_int_equal(hits(s, "社会保障", b, sizeof b), n);
    assert_string_equal(a, b);
    /* room again: it succeeds */
    assert_non_null(w = store_write_begin(s, &rc));
    assert_int_equal(store_content_del(w, "zz/filler", 9), 0);
    assert_int_equal(store_commit(w), 0);
    assert_int_equal(search_rebuild(s, NULL, NULL, &rep), 0);
    assert_true(rep.equal);
    assert_int_equal(hits(s, "社会保障", b, sizeof b), n);
}

/* Terms with several full blocks of postings: each walk transaction writes full blocks
 * only and carries the newest partial one to the next (search_bulk_flush_carry). */
static void test_full_blocks_carried(void **state)
{
    store_t *s = st(state);
    for (int i = 0; i < 300; i++) {
        char id[16], title[64], date[32];
        snprintf(id, sizeof id, "c%03d", i);
        snprintf(title, sizeof title, "停水通知%d", i);
        snprintf(date, sizeof date, "2025-%02d-%02d %02d:%02d", 1 + i % 12, 1 + i % 28, i % 24,
                 i % 60);
        put(s, ARTICLE_PUBLISH, i % 2 ? "rsj" : "wjw", id, title, "<p>停水通知正文</p>", date);
    }
    char a[512], b[512];
    uint64_t n = hits(s, "停水 正文", a, sizeof a);
    assert_int_equal(n, 300);
    search_reindex_report_t rep;
    assert_int_equal(search_rebuild(s, NULL, &(search_rebuild_opt_t){.step_docs = 7}, &rep), 0);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, 300);
    assert_int_equal(hits(s, "停水 正文", b, sizeof b), n);
    assert_string_equal(a, b);
    /* 300 postings of 停水: two full blocks and one of 44 */
    assert_int_equal(keys(s, "yp/停水/"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tiny_steps_equal_and_switch, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_readers_see_one_whole_index, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_writes_between_steps_kept, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_then_started_over, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_second_rebuild_takes_over, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_map_full_keeps_live, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_full_blocks_carried, setup,
                                        testutil_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
