/* tests/unit/test_search_index.c: the search index against a real temporary store,
 * maintained by the content module's publish, update and unpublish (article.c calls
 * modules/search in the same transaction): exact hits and their order for small corpora,
 * bigrams and one-character queries, phrase against AND, every filter, both sorts, paging,
 * an absent term, postings blocks that split and shrink, reindex finding no difference
 * after maintenance and finding (and repairing) a damaged index, and a site's purge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "article.h"
#include "search_bulk.h"
#include "search_hot.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_query.h"
#include "search_reindex.h"
#include "testarticle.h"
#include "testutil.h"

#define NOW 1780000000 /* 2026-05-28 */

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-search-XXXXXX", NULL);
}

static store_t *st(void **state)
{
    return ((testutil_store_t *)*state)->s;
}

static void put(void **state, article_op_t op, const char *site, const char *col, const char *id,
                const char *title, const char *body, const char *date)
{
    article_meta_t m;
    testarticle_meta(&m, site, col, id, title, date);
    char err[256];
    if (article_publish(st(state), op, &m, "html", body, strlen(body), NULL, 0, NOW, NULL, err,
                        sizeof err) != 0)
        fail_msg("publish %s/%s/%s: %s", site, col, id, err);
    article_meta_free(&m);
}

static void pub(void **state, const char *site, const char *col, const char *id,
                const char *title, const char *body, const char *date)
{
    put(state, ARTICLE_PUBLISH, site, col, id, title, body, date);
}

static void unpub(void **state, const char *site, const char *col, const char *id)
{
    char err[256];
    if (article_unpublish(st(state), site, col, id, "李华", "test", NOW, NULL, err, sizeof err))
        fail_msg("unpublish: %s", err);
}

/* The hits of a query as "site/column/id ..." and the total. */
typedef struct answer {
    char ids[1024];
    uint64_t total;
    bool capped;
    uint32_t walked, sought; /* search_result_t's: how the joined terms were read */
} answer_t;

static answer_t run(void **state, search_query_t q)
{
    answer_t a = {{0}, 0, false, 0, 0};
    if (!q.page)
        q.page = 1;
    if (!q.now)
        q.now = NOW;
    store_txn_t *t = store_read_txn_new(st(state));
    assert_non_null(t);
    assert_int_equal(store_read_renew(t), 0);
    search_result_t r;
    assert_int_equal(search_run(t, &q, &r), 0);
    for (size_t i = 0; i < r.n; i++) {
        size_t l = strlen(a.ids);
        snprintf(a.ids + l, sizeof a.ids - l, "%s%s/%s/%s", l ? " " : "", r.hits[i].rec.site,
                 r.hits[i].rec.column, r.hits[i].rec.id);
    }
    a.total = r.total;
    a.capped = r.capped;
    a.walked = r.walked;
    a.sought = r.sought;
    store_txn_free(t);
    return a;
}

static answer_t find(void **state, const char *q)
{
    return run(state, (search_query_t){.q = q});
}

static void corpus(void **state)
{
    pub(state, "rsj", "news", "card", "社保卡办理指南", "<p>携带<b>身份证</b>到窗口办理。</p>",
        "2026-03-01 09:00");
    pub(state, "rsj", "notice", "claim", "医保报销须知", "<p>报销须知：社保卡和发票。</p>",
        "2026-04-01 09:00");
    pub(state, "wjw", "news", "flow", "就医流程", "<p>社保报销流程：先挂号。ABC Clinic</p>",
        "2026-02-01 09:00");
}

static void test_bigram_and_one_char(void **state)
{
    corpus(state);
    answer_t a = find(state, "社保");
    assert_int_equal(a.total, 3);
    a = find(state, "社保卡");
    assert_int_equal(a.total, 2);
    a = find(state, "身份证");
    assert_string_equal(a.ids, "rsj/news/card");
    a = find(state, "卡");
    assert_int_equal(a.total, 2);
    a = find(state, "挂");
    assert_string_equal(a.ids, "wjw/news/flow");
    /* ASCII folded, full-width folded */
    assert_string_equal(find(state, "clinic").ids, "wjw/news/flow");
    assert_string_equal(find(state, "ＡＢＣ").ids, "wjw/news/flow");
    /* source is searched */
    assert_int_equal(find(state, "人社局").total, 3);
    /* absent terms, a term absent beside a present one, no term at all */
    assert_int_equal(find(state, "养老").total, 0);
    assert_int_equal(find(state, "社保 养老").total, 0);
    assert_int_equal(find(state, "xyz").total, 0);
    assert_int_equal(find(state, "，。！").total, 0);
    assert_int_equal(find(state, "").total, 0);
}

static void test_phrase_vs_and(void **state)
{
    corpus(state);
    /* 社保 and 报销 are both in claim (apart) and in flow (together) */
    answer_t a = run(state, (search_query_t){.q = "社保 报销", .sort = SEARCH_SORT_DATE});
    assert_string_equal(a.ids, "rsj/notice/claim wjw/news/flow");
    a = find(state, "\"社保报销\"");
    assert_string_equal(a.ids, "wjw/news/flow");
    a = find(state, "“社保报销”");
    assert_string_equal(a.ids, "wjw/news/flow");
    /* in order only */
    assert_int_equal(find(state, "\"报销社保\"").total, 0);
    /* a phrase across the title is matched in the title */
    assert_string_equal(find(state, "\"医保报销\"").ids, "rsj/notice/claim");
    /* a one-character term inside a phrase is a prefix at its place */
    assert_string_equal(find(state, "\"社 保卡\"").ids, "rsj/news/card rsj/notice/claim");
    assert_int_equal(find(state, "\"社 报销\"").total, 0);
}

static void test_filters(void **state)
{
    corpus(state);
    search_query_t q = {.q = "社保", .sort = SEARCH_SORT_DATE};
    q.site = "rsj";
    assert_string_equal(run(state, q).ids, "rsj/notice/claim rsj/news/card");
    q.site = "nosuch";
    assert_int_equal(run(state, q).total, 0);
    q.site = NULL;
    q.column = "news";
    assert_string_equal(run(state, q).ids, "rsj/news/card wjw/news/flow");
    q.site = "wjw";
    assert_string_equal(run(state, q).ids, "wjw/news/flow");
    q.site = NULL, q.column = "nosuch";
    assert_int_equal(run(state, q).total, 0);
    q.column = NULL;
    q.type = SEARCH_TYPE_ARTICLE;
    assert_int_equal(run(state, q).total, 3);
    q.type = SEARCH_TYPE_PAGE;
    assert_int_equal(run(state, q).total, 0);
    q.type = 0;
    int64_t t;
    article_parse_time("2026-03-01 09:00", &t);
    q.has_from = true, q.from = t; /* inclusive */
    assert_string_equal(run(state, q).ids, "rsj/notice/claim rsj/news/card");
    q.has_to = true, q.to = t;
    assert_string_equal(run(state, q).ids, "rsj/news/card");
    q.has_from = false, q.to = t - 1;
    assert_string_equal(run(state, q).ids, "wjw/news/flow");
}

static void test_sorts(void **state)
{
    /* the same words; in the title of the oldest only */
    pub(state, "a", "c", "old", "公积金提取", "<p>说明</p>", "2025-06-01 08:00");
    pub(state, "a", "c", "mid", "说明", "<p>关于公积金提取的说明</p>", "2025-06-02 08:00");
    pub(state, "a", "c", "new", "说明", "<p>公积金提取 说明</p>", "2025-06-03 08:00");
    answer_t a = run(state, (search_query_t){.q = "公积金提取", .sort = SEARCH_SORT_RELEVANCE});
    assert_string_equal(a.ids, "a/c/old a/c/new a/c/mid");
    a = run(state, (search_query_t){.q = "公积金提取", .sort = SEARCH_SORT_DATE});
    assert_string_equal(a.ids, "a/c/new a/c/mid a/c/old");
    /* recency: the same text, a year apart: the newer first */
    pub(state, "b", "c", "y1", "垃圾分类", "<p>x</p>", "2025-05-01 08:00");
    pub(state, "b", "c", "y2", "垃圾分类", "<p>x</p>", "2026-05-01 08:00");
    a = run(state, (search_query_t){.q = "垃圾分类", .sort = SEARCH_SORT_RELEVANCE});
    assert_string_equal(a.ids, "b/c/y2 b/c/y1");
}

static void test_paging_and_blocks(void **state)
{
    /* 300 documents of one term (blocks split at SEARCH_BLOCK_MAX), published out of date
     * order */
    char id[16], date[32];
    for (int i = 0; i < 300; i++) {
        int k = (i * 7) % 300;
        snprintf(id, sizeof id, "n%03d", k);
        snprintf(date, sizeof date, "2025-%02d-%02d %02d:%02d", 1 + k / 28 % 12, 1 + k % 28,
                 k % 24, k % 60);
        pub(state, "s", "c", id, "公告", "<p>正文</p>", date);
    }
    search_query_t q = {.q = "公告", .sort = SEARCH_SORT_DATE};
    answer_t a = run(state, q);
    /* date order stops once the page is full: the rest is counted from the blocks' headers
     * (one term, every posting a match: the estimate is exact here), and marked capped */
    assert_int_equal(a.total, 300);
    assert_true(a.capped);
    q.full = true;
    a = run(state, q);
    assert_int_equal(a.total, 300);
    assert_false(a.capped);
    q.full = false;
    char seen[300] = {0};
    char prev[32] = "";
    for (unsigned p = 1; p <= 30; p++) {
        q.page = p;
        a = run(state, q);
        char *save, *tok = strtok_r(a.ids, " ", &save);
        int n = 0;
        for (; tok; tok = strtok_r(NULL, " ", &save), n++) {
            int k = atoi(tok + strlen("s/c/n"));
            assert_int_equal(seen[k], 0);
            seen[k] = 1;
            (void)prev;
        }
        assert_int_equal(n, 10);
    }
    q.page = 31;
    a = run(state, q);
    assert_int_equal(a.total, 300);
    assert_false(a.capped); /* the page needed them all */
    assert_string_equal(a.ids, "");
    /* the newest is k=299 or the latest date; check date order on page 1 */
    q.page = 1;
    store_txn_t *t = store_read_txn_new(st(state));
    store_read_renew(t);
    search_result_t r;
    assert_int_equal(search_run(t, &(search_query_t){.q = "公告", .sort = SEARCH_SORT_DATE,
                                                      .page = 1, .now = NOW}, &r), 0);
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.hits[i - 1].rec.pubtime >= r.hits[i].rec.pubtime);
    store_txn_free(t);
    /* the bounds: postings read (whole blocks: the first block or two fit in 200), phrase
     * checks */
    a = run(state, (search_query_t){.q = "公告", .sort = SEARCH_SORT_DATE, .max_postings = 200,
                                    .full = true});
    assert_true(a.capped);
    assert_true(a.total > 0 && a.total <= 200);
    /* stopping early, the bound still holds: page 25 needs 250 postings */
    a = run(state, (search_query_t){.q = "公告", .sort = SEARCH_SORT_DATE, .max_postings = 200,
                                    .page = 25});
    assert_true(a.capped);
    assert_true(a.total > 0 && a.total <= 200);
    assert_string_equal(a.ids, "");
    /* two terms under a bound the first alone would use up: the first gets its share, the
     * second reads what covers the first's newest documents, so the newest are found */
    a = run(state, (search_query_t){.q = "公告 正文", .sort = SEARCH_SORT_DATE, .max_postings = 250,
                                    .full = true});
    assert_true(a.capped);
    assert_true(a.total >= 50 && a.total <= 125);
    assert_int_equal(strlen(a.ids) > 0, 1);
    /* three terms (a phrase of two bigrams and a word): each gets a third */
    a = run(state, (search_query_t){.q = "公告 正文 \"公 告\"", .max_postings = 390});
    assert_true(a.capped);
    assert_true(a.total > 0);
    a = run(state, (search_query_t){.q = "\"公 告\"", .max_verify = 25});
    assert_true(a.capped);
    assert_int_equal(a.total, 25);
    a = run(state, (search_query_t){.q = "\"公 告\""});
    assert_false(a.capped);
    assert_int_equal(a.total, 300);
    /* remove a third of them */
    for (int k = 0; k < 300; k += 3) {
        snprintf(id, sizeof id, "n%03d", k);
        unpub(state, "s", "c", id);
    }
    assert_int_equal(find(state, "公告").total, 200);
    assert_int_equal(find(state, "正文").total, 200);
}

/* Date order that stops early against the same query evaluated whole (q.full): the same
 * hits on every page, with every filter; the same total when not capped, and an estimate
 * near it when capped. 1,200 articles of words drawn from a small vocabulary, so common
 * terms span many blocks and rare combinations few. */
static unsigned lcg(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7FFF;
}

static void test_date_early_stop_matches_full(void **state)
{
    static const char *words[] = {"社保", "公积金", "医保", "教育", "交通", "政务服务",
                                  "乡村振兴", "养老", "就业", "住房", "环境", "卫生"};
    static const char *sites[] = {"a", "b", "c"}, *cols[] = {"news", "notice", "policy"};
    uint32_t seed = 12345;
    for (int i = 0; i < 1200; i++) {
        char id[16], date[32], title[128], body[1024];
        snprintf(id, sizeof id, "d%04d", i);
        int day = (int)(lcg(&seed) % 1000);
        snprintf(date, sizeof date, "%04d-%02d-%02d %02d:%02d", 2023 + day / 336,
                 1 + day / 28 % 12, 1 + day % 28, (int)(lcg(&seed) % 24), (int)(lcg(&seed) % 60));
        /* Zipf-like: word k drawn about 1/(k+1) as often */
        size_t bl = (size_t)snprintf(body, sizeof body, "<p>");
        for (int w = 0; w < 8; w++) {
            unsigned r = lcg(&seed) % 1000, k = 0;
            while (k < 11 && r >= 1000 / (k + 2))
                k++;
            bl += (size_t)snprintf(body + bl, sizeof body - bl, "%s，", words[k]);
        }
        snprintf(body + bl, sizeof body - bl, "</p>");
        snprintf(title, sizeof title, "%s%s通知", words[lcg(&seed) % 12], words[lcg(&seed) % 12]);
        pub(state, sites[lcg(&seed) % 3], cols[lcg(&seed) % 3], id, title, body, date);
    }
    static const char *queries[] = {"社保", "公积金 社保", "养老 卫生 环境", "\"社保，公积金\"",
                                    "\"卫生，环境\" 通知", "政务服务 住房", "就业"};
    int64_t from = 1704067200 /* 2024-01-01 */, to = 1735689599 /* 2024-12-31 */;
    int capped_seen = 0, exact_seen = 0;
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
        for (int f = 0; f < 6; f++) {
            for (unsigned page = 1; page <= 12; page += (page < 3 ? 1 : 4)) {
                search_query_t q = {.q = queries[qi], .sort = SEARCH_SORT_DATE, .page = page};
                if (f == 1)
                    q.site = "b";
                if (f == 2)
                    q.column = "notice", q.site = "c";
                if (f == 3)
                    q.has_from = true, q.from = from;
                if (f == 4)
                    q.has_from = q.has_to = true, q.from = from, q.to = to, q.type = SEARCH_TYPE_ARTICLE;
                if (f == 5)
                    q.has_to = true, q.to = to;
                answer_t early = run(state, q);
                q.full = true;
                answer_t whole = run(state, q);
                if (strcmp(early.ids, whole.ids) != 0)
                    fail_msg("%s filter %d page %u: %s != %s", queries[qi], f, page, early.ids,
                             whole.ids);
                assert_false(whole.capped);
                if (!early.capped) {
                    assert_int_equal(early.total, whole.total);
                    exact_seen++;
                } else {
                    /* an estimate: within a factor of two of the count here */
                    if (early.total * 2 < whole.total || early.total > whole.total * 2)
                        fail_msg("%s filter %d page %u: estimate %llu for %llu", queries[qi], f,
                                 page, (unsigned long long)early.total,
                                 (unsigned long long)whole.total);
                    capped_seen++;
                }
            }
        }
    }
    /* both ways of ending were exercised */
    assert_true(capped_seen > 20);
    assert_true(exact_seen > 20);
    /* a type no document has, dates in the future, before every document */
    answer_t a = run(state, (search_query_t){.q = "社保", .sort = SEARCH_SORT_DATE,
                                             .type = SEARCH_TYPE_PAGE});
    assert_int_equal(a.total, 0);
    assert_false(a.capped);
    a = run(state, (search_query_t){.q = "社保", .sort = SEARCH_SORT_DATE, .has_from = true,
                                    .from = 1893456000});
    assert_int_equal(a.total, 0);
    a = run(state, (search_query_t){.q = "社保", .sort = SEARCH_SORT_DATE, .has_to = true,
                                    .to = 1000000000});
    assert_int_equal(a.total, 0);
}

/* Bulk mode with removals (an import's pages): the same index as one change at a time,
 * whatever the order of removals, additions, re-additions of the same document and
 * flushes in between. */
static int page_put(store_txn_t *w, int i, int version)
{
    static const char *words[] = {"停水", "通知", "社保", "公积金", "道路", "施工", "招生", "医保"};
    char ref[32], title[64], text[256];
    snprintf(ref, sizeof ref, "news/p%03d.html", i);
    snprintf(title, sizeof title, "%s%s", words[i % 8], words[(i / 8 + version) % 8]);
    snprintf(text, sizeof text, "%s，%s，%s。第%d版", words[(i * 3 + version) % 8],
             words[(i * 5) % 8], words[(i + 2 * version) % 8], version);
    search_doc_t d = {.type = SEARCH_TYPE_PAGE, .site = "edu", .column = "news", .ref = ref,
                      .id = ref, .title = title, .text = text, .text_len = strlen(text),
                      .pubtime = NOW - 86400 * (i % 50), .seq = (uint64_t)i};
    return search_index_put(w, &d);
}

static int page_del(store_txn_t *w, int i)
{
    char ref[32];
    snprintf(ref, sizeof ref, "news/p%03d.html", i);
    return search_index_del(w, "edu", SEARCH_TYPE_PAGE, ref);
}

static void bulk_ops(store_txn_t *w, bool bulk)
{
    if (bulk)
        assert_int_equal(search_bulk_begin(w), 0);
    for (int i = 0; i < 300; i += 3) /* removals of stored documents */
        assert_int_equal(page_del(w, i), 0);
    for (int i = 1; i < 300; i += 3) /* replaced: removal, then the new version */
        assert_int_equal(page_put(w, i, 1), 0);
    if (bulk)
        assert_int_equal(search_bulk_flush(w), 0);
    for (int i = 300; i < 420; i++) /* new ones */
        assert_int_equal(page_put(w, i, 0), 0);
    for (int i = 300; i < 420; i += 4) /* added in this batch, then removed */
        assert_int_equal(page_del(w, i), 0);
    for (int i = 0; i < 60; i += 3) /* removed before the flush, back with the same number */
        assert_int_equal(page_put(w, i, 2), 0);
    for (int i = 301; i < 340; i += 4) /* added in this batch, replaced */
        assert_int_equal(page_put(w, i, 3), 0);
    assert_int_equal(page_del(w, 999), 0); /* never there */
    if (bulk)
        assert_int_equal(search_bulk_end(w, true), 0);
}

/* A rare term among very common ones (a relevance query, the default): the common terms
 * are read only for the rare term's candidates, their blocks sought by key (the gap of
 * blocks between the two clusters is passed by a seek), and each candidate counts once
 * against the bound. Under a bound the old reading (every entry of every block holding a
 * candidate counted) ran out of, the query is evaluated whole: the same total and hits as
 * with no practical bound, and not capped. */
static void test_rare_term_among_common(void **state)
{
    char id[16], date[32], body[64];
    for (int k = 0; k < 1500; k++) {
        snprintf(id, sizeof id, "n%04d", k);
        snprintf(date, sizeof date, "20%02d-%02d-%02d %02d:%02d", 20 + k / 336, 1 + k / 28 % 12,
                 1 + k % 28, k % 24, k % 60);
        /* ten spread over the older half (a block each), then a gap of several blocks,
         * and the newest ten */
        bool rare = (k < 750 && k % 75 == 0) || k >= 1490;
        snprintf(body, sizeof body, "<p>正文%s</p>", rare ? " 稀有" : "");
        pub(state, "s", "c", id, "公告", body, date);
    }
    const char *qs[] = {"稀有 公告 正文", "\"公告\" 稀有 正文"};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        for (unsigned page = 1; page <= 3; page++) {
            answer_t whole = run(state, (search_query_t){.q = qs[i], .page = page,
                                                         .max_postings = 100000000});
            answer_t a = run(state, (search_query_t){.q = qs[i], .page = page,
                                                     .max_postings = 300});
            assert_int_equal(whole.total, 20);
            assert_false(whole.capped);
            assert_int_equal(a.total, 20);
            assert_false(a.capped);
            assert_string_equal(a.ids, whole.ids);
            a = run(state, (search_query_t){.q = qs[i], .page = page, .max_postings = 300,
                                            .sort = SEARCH_SORT_DATE, .full = true});
            assert_int_equal(a.total, 20);
            assert_false(a.capped);
        }
    }
    /* date order: the newest ten, then the older ones */
    answer_t a = run(state, (search_query_t){.q = "稀有 公告 正文", .max_postings = 300,
                                             .sort = SEARCH_SORT_DATE, .full = true});
    assert_string_equal(a.ids, "s/c/n1499 s/c/n1498 s/c/n1497 s/c/n1496 s/c/n1495 s/c/n1494 "
                               "s/c/n1493 s/c/n1492 s/c/n1491 s/c/n1490");
    a = run(state, (search_query_t){.q = "稀有 公告 正文", .max_postings = 300, .page = 2,
                                    .sort = SEARCH_SORT_DATE, .full = true});
    assert_string_equal(a.ids, "s/c/n0675 s/c/n0600 s/c/n0525 s/c/n0450 s/c/n0375 s/c/n0300 "
                               "s/c/n0225 s/c/n0150 s/c/n0075 s/c/n0000");
    /* the same, stopping early (the other terms sought for each run's candidates) */
    a = run(state, (search_query_t){.q = "稀有 公告 正文", .max_postings = 300, .page = 2,
                                    .sort = SEARCH_SORT_DATE});
    assert_int_equal(a.total, 20);
    assert_false(a.capped);
    assert_string_equal(a.ids, "s/c/n0675 s/c/n0600 s/c/n0525 s/c/n0450 s/c/n0375 s/c/n0300 "
                               "s/c/n0225 s/c/n0150 s/c/n0075 s/c/n0000");
    /* a query of common terms only still stops at the bound */
    a = run(state, (search_query_t){.q = "公告 正文", .max_postings = 300});
    assert_true(a.capped);
    assert_true(a.total > 0 && a.total <= 150);
}

/* Walk or seek per joined term (search_query.c: join_walks): 3,000 documents hold 公告; 常见
 * is in every third (dense: nearly every block of 公告 holds one of its candidates), 稀有
 * in two of them 2,000 apart (sparse: many blocks between the two). The dense join walks,
 * the sparse one seeks (the counters say which), and either reading imposed on every term
 * gives the same hits, totals and caps as the choice, in both sorts, on several pages and
 * under a bound that caps the dense query. */
static void test_join_walk_or_seek(void **state)
{
    /* the corpus sits on the two sides of SEARCH_WALK_GAP */
    assert_true(2ull * SEARCH_BLOCK_MAX * SEARCH_WALK_GAP < 3000);
    assert_true(1000ull * SEARCH_BLOCK_MAX * SEARCH_WALK_GAP >= 3000);
    int src;
    store_txn_t *w = store_write_begin(st(state), &src);
    assert_non_null(w);
    assert_int_equal(search_bulk_begin(w), 0);
    for (int i = 0; i < 3000; i++) {
        char ref[32], text[64];
        snprintf(ref, sizeof ref, "news/j%04d.html", i);
        snprintf(text, sizeof text, "公告正文%s%s", i % 3 == 0 ? "，常见" : "",
                 i == 7 || i == 2007 ? "，稀有" : "");
        search_doc_t d = {.type = SEARCH_TYPE_PAGE, .site = "edu", .column = "news", .ref = ref,
                          .id = ref, .title = "标题", .text = text, .text_len = strlen(text),
                          .pubtime = NOW - 3600 * (3000 - i), .seq = (uint64_t)i};
        assert_int_equal(search_index_put(w, &d), 0);
    }
    assert_int_equal(search_bulk_end(w, true), 0);
    assert_int_equal(store_commit(w), 0);

    answer_t a = run(state, (search_query_t){.q = "常见 公告"});
    assert_int_equal(a.total, 1000);
    assert_int_equal(a.walked, 1);
    assert_int_equal(a.sought, 0);
    a = run(state, (search_query_t){.q = "常见 公告", .sort = SEARCH_SORT_DATE});
    assert_true(a.walked >= 1);
    assert_int_equal(a.sought, 0);
    a = run(state, (search_query_t){.q = "稀有 公告"});
    assert_int_equal(a.total, 2);
    assert_string_equal(a.ids, "edu/news/news/j2007.html edu/news/news/j0007.html");
    assert_int_equal(a.walked, 0);
    assert_int_equal(a.sought, 1);

    const char *qs[] = {"常见 公告", "稀有 公告", "公告 常见 正文", "\"公告正文\" 常见"};
    const size_t bounds[] = {0, 900};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
        for (size_t b = 0; b < 2; b++)
            for (unsigned page = 1; page <= 3; page++)
                for (int sort = 0; sort < 3; sort++) {
                    search_query_t q = {.q = qs[i], .page = page, .max_postings = bounds[b],
                                        .sort = sort ? SEARCH_SORT_DATE : SEARCH_SORT_RELEVANCE,
                                        .full = sort == 2};
                    answer_t c = run(state, q);
                    q.join = SEARCH_JOIN_WALK;
                    answer_t wk = run(state, q);
                    q.join = SEARCH_JOIN_SEEK;
                    answer_t sk = run(state, q);
                    assert_int_equal(wk.sought, 0);
                    assert_int_equal(sk.walked, 0);
                    assert_int_equal(wk.walked, sk.sought);
                    assert_string_equal(wk.ids, c.ids);
                    assert_string_equal(sk.ids, c.ids);
                    assert_int_equal(wk.total, c.total);
                    assert_int_equal(sk.total, c.total);
                    assert_int_equal(wk.capped, c.capped);
                    assert_int_equal(sk.capped, c.capped);
                }
    /* the bound caps the dense query (so the comparison above covers a capped join) */
    assert_true(run(state, (search_query_t){.q = "常见 公告", .max_postings = 900}).capped);
}

static void test_bulk_removals_match_one_at_a_time(void **state)
{
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_non_null(w);
    for (int i = 0; i < 300; i++)
        assert_int_equal(page_put(w, i, 0), 0);
    assert_int_equal(store_commit(w), 0);
    unsigned char one[32], bulk[32];
    char ids_one[1024], ids_bulk[1024];
    uint64_t total_one = 0, total_bulk = 0;
    for (int b = 0; b < 2; b++) {
        w = store_write_begin(st(state), &rc);
        assert_non_null(w);
        bulk_ops(w, b == 1);
        assert_int_equal(search_index_digest(w, search_fam_live(w), NULL, b ? bulk : one, NULL), 0);
        search_result_t r;
        assert_int_equal(search_run(w, &(search_query_t){.q = "社保 通知", .sort = SEARCH_SORT_DATE,
                                                          .page = 2, .now = NOW, .full = true},
                                    &r), 0);
        char *ids = b ? ids_bulk : ids_one;
        ids[0] = '\0';
        for (size_t i = 0; i < r.n; i++)
            snprintf(ids + strlen(ids), 1024 - strlen(ids), " %s", r.hits[i].rec.id);
        *(b ? &total_bulk : &total_one) = r.total;
        store_abort(w);
    }
    assert_memory_equal(one, bulk, 32);
    assert_string_equal(ids_one, ids_bulk);
    assert_int_equal(total_one, total_bulk);
    assert_true(total_one > 10);
}

/* A site's reindex (one transaction), or the whole index's rebuild beside the live one. */
static search_reindex_report_t reindex(void **state, const char *site)
{
    search_reindex_report_t rep;
    if (!site) {
        assert_int_equal(search_rebuild(st(state), NULL, NULL, &rep), 0);
        return rep;
    }
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_non_null(w);
    assert_int_equal(search_reindex(w, site, NULL, &rep), 0);
    assert_int_equal(store_commit(w), 0);
    return rep;
}

static void test_update_unpublish_reindex(void **state)
{
    corpus(state);
    put(state, ARTICLE_UPDATE, "rsj", "news", "card", "居民身份证换领", "<p>换领须知</p>", NULL);
    assert_int_equal(find(state, "办理指南").total, 0);
    assert_string_equal(find(state, "换领").ids, "rsj/news/card");
    unpub(state, "wjw", "news", "flow");
    assert_int_equal(find(state, "挂号").total, 0);
    assert_int_equal(find(state, "社保").total, 1);
    search_reindex_report_t rep = reindex(state, NULL);
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, 2);
    assert_int_equal(rep.removed, 2);
    rep = reindex(state, "rsj");
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, 2);
    rep = reindex(state, "wjw");
    assert_true(rep.equal);
    assert_int_equal(rep.indexed, 0);
}

static int first_key(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    memcpy(ud, key, klen);
    ((char *)ud)[klen] = '\0';
    return 1;
}

static void test_damage_found_and_repaired(void **state)
{
    corpus(state);
    int rc;
    /* a posting list lost */
    char k[600];
    store_txn_t *w = store_write_begin(st(state), &rc);
    const char *pk = "xp/身份/";
    assert_int_equal(store_content_each(w, pk, strlen(pk), first_key, k), 1);
    assert_int_equal(store_content_del(w, k, strlen(k)), 0);
    assert_int_equal(store_commit(w), 0);
    assert_int_equal(find(state, "身份证").total, 0);
    search_reindex_report_t rep = reindex(state, "rsj");
    assert_false(rep.equal);
    assert_string_equal(find(state, "身份证").ids, "rsj/news/card");
    assert_true(reindex(state, "rsj").equal);
    assert_true(reindex(state, NULL).equal);

    /* an article's document gone, and a document of an unpublished article left over */
    w = store_write_begin(st(state), &rc);
    assert_int_equal(search_unindex_article(w, "wjw", "news", "flow"), 0);
    assert_int_equal(search_index_article(w, "wjw", "news", "ghost", "幽灵文章", NULL,
                                          "<p>未发布</p>", 16, NULL, NOW, 99), 0);
    assert_int_equal(store_commit(w), 0);
    assert_string_equal(find(state, "幽灵").ids, "wjw/news/ghost");
    rep = reindex(state, NULL);
    assert_false(rep.equal);
    assert_int_equal(rep.indexed, 3);
    assert_int_equal(find(state, "幽灵").total, 0);
    assert_string_equal(find(state, "挂号").ids, "wjw/news/flow");
    assert_true(reindex(state, NULL).equal);

    /* a df count wrong: found by the whole-cluster rebuild */
    w = store_write_begin(st(state), &rc);
    char fk[32];
    snprintf(fk, sizeof fk, "%s社保", search_fam_live(w)->df);
    assert_int_equal(store_content_put(w, fk, strlen(fk), "\x09\0\0\0", 4), 0);
    assert_int_equal(store_commit(w), 0);
    assert_false(reindex(state, NULL).equal);
    assert_true(reindex(state, NULL).equal);
}

static void test_purge_site(void **state)
{
    corpus(state);
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    long n = 0;
    assert_int_equal(search_index_clear(w, "rsj", true, &n), 0);
    assert_int_equal(store_commit(w), 0);
    assert_int_equal(n, 2);
    assert_string_equal(find(state, "社保").ids, "wjw/news/flow");
    assert_int_equal(find(state, "报销须知").total, 0);
    store_txn_t *t = store_read_txn_new(st(state));
    store_read_renew(t);
    uint32_t num;
    assert_int_equal(search_site_number(t, "rsj", &num), STORE_NOTFOUND);
    assert_int_equal(search_site_number(t, "wjw", &num), 0);
    uint64_t docs, len;
    search_counters(t, search_fam_live(t), &docs, &len);
    assert_int_equal(docs, 1);
    store_txn_free(t);
}

/* Hot searches in the store (search_hot.c): counts summed over the last 7 days, most
 * searched first, at most SEARCH_HOT_DAY_TERMS a day (a newcomer replaces the least
 * searched only when it was searched more), days past the week dropped, purge. */
static void hot_add(void **state, const char *site, int64_t t, const char *term, uint32_t n)
{
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_non_null(w);
    assert_int_equal(search_hot_add(w, site, search_hot_day(t), term, n), 0);
    assert_int_equal(store_commit(w), 0);
}

static const char *hot_list(void **state, const char *site, int64_t now)
{
    static char out[1024];
    store_txn_t *t = store_read_txn_new(st(state));
    store_read_renew(t);
    const char *top[SEARCH_HOT_SHOW];
    size_t n = search_hot_top(t, site, now, top);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "," : "", top[i]);
    store_txn_free(t);
    return out;
}

static void test_hot_store(void **state)
{
    const int64_t day = 86400;
    hot_add(state, "rsj", NOW, "社保卡", 3);
    hot_add(state, "rsj", NOW - day, "社保卡", 2);
    hot_add(state, "rsj", NOW - day, "医保", 4);
    hot_add(state, "rsj", NOW - 6 * day, "公积金", 1);
    hot_add(state, "rsj", NOW - 7 * day, "养老", 50);   /* eight days ago: not shown */
    hot_add(state, "wjw", NOW, "疫苗", 9);              /* another site's */
    assert_string_equal(hot_list(state, "rsj", NOW), "社保卡,医保,公积金");
    assert_string_equal(hot_list(state, "wjw", NOW), "疫苗");
    /* the day bound: 100 terms once each, then one searched once more is not let in, one
     * searched twice in a batch replaces one of the least searched */
    for (int i = 0; i < SEARCH_HOT_DAY_TERMS; i++) {
        char t[16];
        snprintf(t, sizeof t, "t%03d", i);
        hot_add(state, "jyj", NOW, t, 1);
    }
    hot_add(state, "jyj", NOW, "once", 1);
    hot_add(state, "jyj", NOW, "twice", 2);
    /* (the least searched that went: the first of them in byte order, t000) */
    assert_string_equal(hot_list(state, "jyj", NOW),
                        "twice,t001,t002,t003,t004,t005,t006,t007,t008,t009");
    const void *v;
    size_t len;
    char k[64];
    snprintf(k, sizeof k, SEARCH_KEY_HOT "jyj/%08u", search_hot_day(NOW));
    store_txn_t *t = store_read_txn_new(st(state));
    store_read_renew(t);
    assert_int_equal(store_content_get(t, k, strlen(k), &v, &len), 0);
    assert_int_equal(((const unsigned char *)v)[6] | ((const unsigned char *)v)[7] << 8,
                     SEARCH_HOT_DAY_TERMS);
    assert_null(memmem(v, len, "once", 4));
    store_txn_free(t);
    /* purge: a site's days go, the others' stay */
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_int_equal(search_hot_purge(w, "rsj"), 0);
    assert_int_equal(store_commit(w), 0);
    assert_string_equal(hot_list(state, "rsj", NOW + 1), "");
    assert_string_equal(hot_list(state, "wjw", NOW + 1), "疫苗");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bigram_and_one_char, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_phrase_vs_and, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_sorts, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_paging_and_blocks, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_date_early_stop_matches_full, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_rare_term_among_common, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_join_walk_or_seek, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_removals_match_one_at_a_time, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_update_unpublish_reindex, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_damage_found_and_repaired, setup,
                                        testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_purge_site, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_hot_store, setup, testutil_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
