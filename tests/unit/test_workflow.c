/* tests/unit/test_workflow.c: the publishing workflow (modules/workflow/) against a real
 * temporary store and the repo's demo configuration (conf/jiyue.yaml: edu, health, the
 * county anning and its township hexi): every transition and its refusals (roles, another
 * site's editor, ROLE:SITE/\* over a township, self-review, the 保密审查 confirmation,
 * states, reasons, disabled accounts), approval publishing exactly what `jiyuectl publish`
 * (article_publish) writes, with the account names in the trail, the bounds on fields and
 * attachments, and transactions aborted half-way leaving nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "accounts.h"
#include "article.h"
#include "content_keys.h"
#include "diag.h"
#include "markdown.h"
#include "rec.h"
#include "testutil.h"
#include "workflow.h"
#include "workflow_personal.h"

typedef struct fixture {
    testutil_store_t *st;
    conf_t *c;
    int64_t now;
    workflow_err_t e; /* the last refusal */
    workflow_limits_t lim;
    bool use_lim;
} fixture_t;

static void add_account(store_t *s, const char *name, bool disabled, const char *r1,
                        const char *r2)
{
    account_t a = {0};
    snprintf(a.name, sizeof a.name, "%s", name);
    a.disabled = disabled;
    const char *texts[] = {r1, r2};
    for (size_t i = 0; i < 2; i++) {
        if (!texts[i])
            continue;
        char err[128];
        assert_true(account_role_parse(texts[i], &a.roles[a.nroles], err, sizeof err));
        a.nroles++;
    }
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(account_put(w, &a), STORE_OK);
    assert_int_equal(store_commit(w), STORE_OK);
}

static int setup(void **state)
{
    if (testutil_store_setup(state, "/tmp/jiyue-workflow-XXXXXX", NULL) != 0)
        return -1;
    fixture_t *f = util_calloc(1, sizeof *f);
    f->st = *state;
    diag_t d;
    diag_init(&d);
    int64_t today;
    util_parse_date("2026-12-01", &today);
    f->c = conf_load("conf/jiyue.yaml", today, &d);
    if (!f->c)
        diag_print(&d, stderr);
    diag_free(&d);
    if (!f->c)
        return -1;
    article_parse_time("2026-12-05 10:00", &f->now);
    store_t *s = f->st->s;
    add_account(s, "ed.edu", false, "editor:edu", NULL);
    add_account(s, "ed2.edu", false, "editor:edu", NULL);
    add_account(s, "rev.edu", false, "reviewer:edu", NULL);
    add_account(s, "both.edu", false, "editor:edu", "reviewer:edu");
    add_account(s, "admin.edu", false, "site_admin:edu", NULL);
    add_account(s, "reply.edu", false, "replier:edu", NULL);
    add_account(s, "off.edu", true, "reviewer:edu", "editor:edu");
    add_account(s, "ed.health", false, "editor:health", NULL);
    add_account(s, "rev.health", false, "reviewer:health", NULL);
    add_account(s, "ed.hexi", false, "editor:hexi", NULL);
    add_account(s, "rev.anning", false, "reviewer:anning/*", NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    conf_free(f->c);
    void *st = f->st;
    free(f);
    return testutil_store_teardown(&st);
}

/* ------------------------------------------------------------------ one act per transaction */

static store_txn_t *begin(fixture_t *f)
{
    int rc;
    store_txn_t *w = store_write_begin(f->st->s, &rc);
    assert_non_null(w);
    return w;
}

static workflow_ctx_t ctx(fixture_t *f, store_txn_t *w, const char *who)
{
    return (workflow_ctx_t){w, f->c, who, f->now, f->use_lim ? &f->lim : NULL};
}

/* Each runs the act in a transaction of its own and commits it even after a refusal:
 * what a refused act wrote would then show. */
static void finish(store_txn_t *w, workflow_rc_t rc, const workflow_err_t *e)
{
    (void)rc;
    (void)e;
    assert_int_equal(store_commit(w), STORE_OK);
}

static workflow_fields_t fields(const char *site, const char *title)
{
    return (workflow_fields_t){.site = site, .column = "news", .title = title,
                               .body = "# 标题\n\n正文 *强调*。\n", .source = "市教育局",
                               .author = "李华", .disclosure = ARTICLE_DISCLOSE_ACTIVE};
}

static workflow_rc_t create_as(fixture_t *f, const char *who, const workflow_fields_t *fl,
                               char id[WORKFLOW_ID_MAX + 1])
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    char tmp[WORKFLOW_ID_MAX + 1] = "";
    workflow_rc_t rc = workflow_create(&x, fl, id ? id : tmp, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

static workflow_rc_t update_as(fixture_t *f, const char *who, const char *id,
                               const workflow_fields_t *fl)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    workflow_rc_t rc = workflow_update(&x, id, fl, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

static workflow_rc_t submit_as(fixture_t *f, const char *who, const char *id)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    workflow_rc_t rc = workflow_submit(&x, id, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

static workflow_rc_t approve_as(fixture_t *f, const char *who, const char *id, bool secrecy,
                                char **url)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    char *u = NULL;
    workflow_rc_t rc = workflow_approve(&x, id, &(workflow_approval_t){.secrecy_review = secrecy}, &u, &f->e);
    finish(w, rc, &f->e);
    if (rc != WORKFLOW_OK)
        assert_null(u);
    if (url)
        *url = u;
    else
        free(u);
    return rc;
}

static workflow_rc_t reject_as(fixture_t *f, const char *who, const char *id, const char *reason)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    workflow_rc_t rc = workflow_reject(&x, id, reason, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

static workflow_rc_t unpublish_as(fixture_t *f, const char *who, const char *site,
                                  const char *col, const char *art, const char *reason)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    workflow_rc_t rc = workflow_unpublish(&x, site, col, art, reason, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

static workflow_rc_t attach_as(fixture_t *f, const char *who, const char *id, const char *name,
                               const void *data, size_t len)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, who);
    workflow_rc_t rc = workflow_attach(&x, id, name, data, len, &f->e);
    finish(w, rc, &f->e);
    return rc;
}

/* The draft as stored (read as `who`: the permission rule of workflow_read). */
static workflow_rc_t read_as(fixture_t *f, const char *who, const char *id, workflow_draft_t *d)
{
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    workflow_err_t e;
    workflow_rc_t rc = workflow_read(t, f->c, who, id, d, &e);
    store_txn_free(t);
    return rc;
}

static workflow_draft_t draft(fixture_t *f, const char *id)
{
    workflow_draft_t d;
    assert_int_equal(read_as(f, "rev.edu", id, &d) == WORKFLOW_OK ||
                         read_as(f, "rev.anning", id, &d) == WORKFLOW_OK,
                     1);
    return d;
}

static void expect(const fixture_t *f, const char *what, workflow_rc_t rc, workflow_rc_t code,
                   const char *field)
{
    if (rc != code)
        fail_msg("%s: %d, expected %d (%s)", what, rc, code, f->e.msg);
    if (field && (!f->e.field || strcmp(f->e.field, field) != 0))
        fail_msg("%s: field %s, expected %s (%s)", what, f->e.field ? f->e.field : "-", field,
                 f->e.msg);
}
#define EXPECT(call, code, fld) expect(f, #call, (call), (code), (fld))
#define OK(call) EXPECT(call, WORKFLOW_OK, (const char *)NULL)

/* ------------------------------------------------------------------ listings and the trail */

typedef struct list {
    char ids[32][WORKFLOW_ID_MAX + 1];
    size_t n;
} list_t;

static int list_cb(void *ud, const workflow_draft_t *d)
{
    list_t *l = ud;
    if (l->n < 32)
        snprintf(l->ids[l->n++], WORKFLOW_ID_MAX + 1, "%s", d->id);
    return 0;
}

static list_t list(fixture_t *f, workflow_index_t which, const char *owner)
{
    list_t l = {0};
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    assert_int_equal(workflow_each(t, which, owner, list_cb, &l), 0);
    store_txn_free(t);
    return l;
}

typedef struct trail {
    char rec[40][200];
    size_t n;
} trail_t;

static int trail_cb(void *ud, const article_audit_t *a)
{
    trail_t *t = ud;
    if (t->n < 40)
        snprintf(t->rec[t->n++], sizeof t->rec[0], "%s %s/%s/%s r%u by %s rev %s: %s", a->action,
                 a->site, a->column, a->id, a->revision, a->who, a->reviewer, a->note);
    return 0;
}

static trail_t trail_of(store_t *s, const char *site)
{
    trail_t tr = {0};
    store_txn_t *t = store_read_txn_new(s);
    assert_int_equal(store_read_renew(t), 0);
    assert_int_equal(article_history_each(t, site, trail_cb, &tr), 0);
    store_txn_free(t);
    return tr;
}

/* ------------------------------------------------------------------ tests */

static void test_status_codes(void **state)
{
    (void)state;
    assert_int_equal(workflow_http_status(WORKFLOW_OK), 200);
    assert_int_equal(workflow_http_status(WORKFLOW_EINVAL), 400);
    assert_int_equal(workflow_http_status(WORKFLOW_EDENIED), 403);
    assert_int_equal(workflow_http_status(WORKFLOW_ENOTFOUND), 404);
    assert_int_equal(workflow_http_status(WORKFLOW_ECONFLICT), 409);
    assert_int_equal(workflow_http_status(WORKFLOW_ETOOLARGE), 413);
    assert_int_equal(workflow_http_status(WORKFLOW_ESTORE), 500);
    assert_true(workflow_id_ok("1"));
    assert_true(workflow_id_ok("18446744073709551615"));
    assert_false(workflow_id_ok("18446744073709551616"));
    assert_false(workflow_id_ok("01"));
    assert_false(workflow_id_ok(""));
    assert_false(workflow_id_ok("1a"));
    assert_false(workflow_id_ok("../1"));
}

static void test_create_and_read(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "期末考试安排");
    fl.date = "2026-12-04 09:30";
    fl.scheduled = 0;
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    assert_string_equal(id, "1");
    workflow_draft_t d;
    assert_int_equal(read_as(f, "ed.edu", id, &d), WORKFLOW_OK);
    assert_string_equal(d.site, "edu");
    assert_string_equal(d.column, "news");
    assert_string_equal(d.article, "20261205-1");
    assert_false(d.update);
    assert_string_equal(d.title, "期末考试安排");
    assert_string_equal(d.body, fl.body);
    assert_string_equal(d.source, "市教育局");
    assert_string_equal(d.author, "李华");
    assert_string_equal(d.disclosure, ARTICLE_DISCLOSE_ACTIVE);
    assert_string_equal(d.date, "2026-12-04 09:30");
    assert_int_equal(d.state, WORKFLOW_DRAFT);
    assert_string_equal(d.editor, "ed.edu");
    assert_string_equal(d.last_by, "ed.edu");
    assert_string_equal(d.reviewer, "");
    assert_int_equal(d.created, f->now);
    workflow_draft_free(&d);

    /* who may read it: its editor and the site's reviewers, nobody else */
    assert_int_equal(read_as(f, "rev.edu", id, &d), WORKFLOW_OK);
    workflow_draft_free(&d);
    assert_int_equal(read_as(f, "admin.edu", id, &d), WORKFLOW_OK);
    workflow_draft_free(&d);
    assert_int_equal(read_as(f, "ed.health", id, &d), WORKFLOW_EDENIED);
    assert_int_equal(read_as(f, "rev.health", id, &d), WORKFLOW_EDENIED);
    assert_int_equal(read_as(f, "ed2.edu", id, &d), WORKFLOW_EDENIED);
    assert_int_equal(read_as(f, "off.edu", id, &d), WORKFLOW_EDENIED);
    assert_int_equal(read_as(f, "nobody", id, &d), WORKFLOW_EDENIED);
    assert_int_equal(read_as(f, "ed.edu", "2", &d), WORKFLOW_ENOTFOUND);

    /* the indexes: my drafts, the site's, none awaiting review */
    OK(create_as(f, "ed.edu", &fl, id));
    assert_string_equal(id, "2");
    list_t l = list(f, WORKFLOW_INDEX_MINE, "ed.edu");
    assert_int_equal(l.n, 2);
    assert_string_equal(l.ids[0], "2"); /* newest first */
    assert_string_equal(l.ids[1], "1");
    assert_int_equal(list(f, WORKFLOW_INDEX_MINE, "ed2.edu").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_SITE, "edu").n, 2);
    assert_int_equal(list(f, WORKFLOW_INDEX_SITE, "health").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);

    trail_t tr = trail_of(f->st->s, "edu");
    assert_int_equal(tr.n, 2);
    assert_string_equal(tr.rec[0], "draft-create edu/news/1 r0 by ed.edu rev : ");
}

static void test_create_refusals(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "标题");
    EXPECT(create_as(f, "reply.edu", &fl, NULL), WORKFLOW_EDENIED, NULL);   /* wrong role */
    EXPECT(create_as(f, "rev.edu", &fl, NULL), WORKFLOW_EDENIED, NULL);     /* a reviewer only */
    EXPECT(create_as(f, "ed.health", &fl, NULL), WORKFLOW_EDENIED, NULL);   /* another site's */
    EXPECT(create_as(f, "rev.anning", &fl, NULL), WORKFLOW_EDENIED, NULL);
    EXPECT(create_as(f, "off.edu", &fl, NULL), WORKFLOW_EDENIED, NULL);     /* disabled */
    EXPECT(create_as(f, "nobody", &fl, NULL), WORKFLOW_EDENIED, NULL);
    EXPECT(create_as(f, NULL, &fl, NULL), WORKFLOW_EDENIED, NULL);

    workflow_fields_t b = fl;
    b.site = "nosuch";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "site");
    b = fl;
    b.column = "mailbox"; /* an interaction column holds no articles */
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "column");
    b.column = "nosuch";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "column");
    b.column = NULL;
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "column");
    b = fl;
    b.title = "";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "title");
    b.title = "a\x01";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "title");
    b.title = "\xff\xfe";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "title");
    b.title = "two\nlines";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "title");
    b = fl;
    b.disclosure = ARTICLE_DISCLOSE_WITHHELD;
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "disclosure");
    b.disclosure = NULL;
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "disclosure");
    b = fl;
    b.date = "yesterday";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "date");
    b.date = "2026-12-04 09:30:00+08:00 and much more text";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "date");
    b = fl;
    b.scheduled = -1;
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "scheduled");
    b.scheduled = INT64_MAX; /* would overflow when shown in UTC+8 */
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "scheduled");
    b = fl;
    b.article = "Bad_Id";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_EINVAL, "article");
    b.article = "not-published";
    EXPECT(create_as(f, "ed.edu", &b, NULL), WORKFLOW_ENOTFOUND, "article");

    /* nothing of any refusal was written: no draft, no counter, no trail record */
    assert_int_equal(list(f, WORKFLOW_INDEX_SITE, "edu").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_MINE, "ed.edu").n, 0);
    assert_int_equal(trail_of(f->st->s, NULL).n, 0);
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    assert_string_equal(id, "1");
}

static void test_field_bounds(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", NULL);
    util_buf_t t = {0};
    for (int i = 0; i < WORKFLOW_TITLE_MAX; i++)
        util_buf_appends(&t, "字");
    fl.title = t.data;
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id)); /* 200 characters (600 bytes) */
    util_buf_appends(&t, "a");
    fl.title = t.data;
    EXPECT(create_as(f, "ed.edu", &fl, NULL), WORKFLOW_EINVAL, "title");
    EXPECT(update_as(f, "ed.edu", id, &fl), WORKFLOW_EINVAL, "title");
    util_buf_free(&t);

    fl = fields("edu", "标题");
    char *big = util_malloc(WORKFLOW_BODY_MAX + 2);
    memset(big, 'x', WORKFLOW_BODY_MAX + 1);
    big[WORKFLOW_BODY_MAX + 1] = '\0';
    fl.body = big;
    EXPECT(create_as(f, "ed.edu", &fl, NULL), WORKFLOW_EINVAL, "body");
    big[WORKFLOW_BODY_MAX] = '\0'; /* exactly the limit */
    OK(update_as(f, "ed.edu", id, &fl));
    free(big);
    fl.body = "text\x7f";
    EXPECT(update_as(f, "ed.edu", id, &fl), WORKFLOW_EINVAL, "body");

    fl = fields("edu", "标题");
    char src[WORKFLOW_SOURCE_MAX + 2];
    memset(src, 's', sizeof src - 1);
    src[sizeof src - 1] = '\0';
    fl.source = src;
    EXPECT(update_as(f, "ed.edu", id, &fl), WORKFLOW_EINVAL, "source");
    fl.source = NULL;
    fl.author = src;
    EXPECT(update_as(f, "ed.edu", id, &fl), WORKFLOW_EINVAL, "author");
    src[WORKFLOW_SOURCE_MAX] = '\0';
    OK(update_as(f, "ed.edu", id, &fl));
}

static void test_update_and_submit(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "初稿");
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    workflow_fields_t v2 = fields("health", "二稿"); /* site is not changed by an update */
    v2.column = "nosuch";
    EXPECT(update_as(f, "ed2.edu", id, &v2), WORKFLOW_EDENIED, NULL); /* another editor */
    EXPECT(update_as(f, "ed.health", id, &v2), WORKFLOW_EDENIED, NULL);
    EXPECT(update_as(f, "rev.edu", id, &v2), WORKFLOW_EDENIED, NULL);
    EXPECT(update_as(f, "off.edu", id, &v2), WORKFLOW_EDENIED, NULL);
    EXPECT(update_as(f, "ed.edu", "99", &v2), WORKFLOW_ENOTFOUND, NULL);
    EXPECT(update_as(f, "ed.edu", "x/../1", &v2), WORKFLOW_ENOTFOUND, NULL);
    OK(update_as(f, "ed.edu", id, &v2));
    workflow_draft_t d = draft(f, id);
    assert_string_equal(d.title, "二稿");
    assert_string_equal(d.site, "edu");
    assert_string_equal(d.column, "news");
    assert_int_equal(d.edits, 1);
    workflow_draft_free(&d);
    /* a site_admin may change it: the draft remembers who saved it last */
    v2.title = "管理员改稿";
    OK(update_as(f, "admin.edu", id, &v2));
    d = draft(f, id);
    assert_string_equal(d.last_by, "admin.edu");
    assert_string_equal(d.editor, "ed.edu");
    workflow_draft_free(&d);

    /* submit: its editor only */
    EXPECT(submit_as(f, "admin.edu", id), WORKFLOW_EDENIED, NULL);
    EXPECT(submit_as(f, "ed2.edu", id), WORKFLOW_EDENIED, NULL);
    EXPECT(submit_as(f, "ed.edu", "99"), WORKFLOW_ENOTFOUND, NULL);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);
    OK(submit_as(f, "ed.edu", id));
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    assert_int_equal(d.submitted, f->now);
    workflow_draft_free(&d);
    list_t q = list(f, WORKFLOW_INDEX_QUEUE, "edu");
    assert_int_equal(q.n, 1);
    assert_string_equal(q.ids[0], id);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "health").n, 0);

    /* after submit: no more changes, no second submit */
    EXPECT(update_as(f, "ed.edu", id, &v2), WORKFLOW_ECONFLICT, NULL);
    EXPECT(update_as(f, "admin.edu", id, &v2), WORKFLOW_ECONFLICT, NULL);
    EXPECT(submit_as(f, "ed.edu", id), WORKFLOW_ECONFLICT, NULL);
    EXPECT(attach_as(f, "ed.edu", id, "a.txt", "x", 1), WORKFLOW_ECONFLICT, NULL);
    trail_t tr = trail_of(f->st->s, "edu");
    assert_int_equal(tr.n, 4);
    assert_string_equal(tr.rec[2], "draft-update edu/news/1 r0 by admin.edu rev : ");
    assert_string_equal(tr.rec[3], "draft-submit edu/news/1 r0 by ed.edu rev : ");
}

/* Drafts 1 (by ed.edu) submitted, with an attachment. */
static void submitted_draft(fixture_t *f, const char *site, const char *editor, char *id)
{
    workflow_fields_t fl = fields(site, "关于寒假安排的通知");
    OK(create_as(f, editor, &fl, id));
    OK(attach_as(f, editor, id, "安排.txt", "寒假\n", 7));
    OK(submit_as(f, editor, id));
}

typedef struct kv {
    char *k[64], *v[64];
    size_t vl[64];
    size_t n;
} kv_t;

static int kv_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    kv_t *kv = ud;
    assert_true(kv->n < 64);
    kv->k[kv->n] = util_strndup(key, klen);
    kv->v[kv->n] = util_malloc(vlen + 1);
    memcpy(kv->v[kv->n], val, vlen);
    kv->vl[kv->n++] = vlen;
    return 0;
}

static int page_cb(void *ud, const char *path, size_t path_len, const store_page_t *p)
{
    kv_t *kv = ud;
    assert_true(kv->n < 64);
    kv->k[kv->n] = util_strndup(path, path_len);
    kv->v[kv->n] = util_malloc(p->body_len + 1);
    memcpy(kv->v[kv->n], p->body, p->body_len);
    kv->vl[kv->n++] = p->body_len;
    return 0;
}

/* What the article API writes (every family but the trail's, and the attachment pages). */
static kv_t article_keys(store_t *s)
{
    kv_t kv = {0};
    store_txn_t *t = store_read_txn_new(s);
    assert_int_equal(store_read_renew(t), 0);
    const char *fam[] = {CONTENT_KEY_ARTICLE, CONTENT_KEY_INDEX, CONTENT_KEY_GLOBAL,
                         CONTENT_KEY_COUNT, CONTENT_KEY_VERSION, CONTENT_KEY_SEQ};
    for (size_t i = 0; i < sizeof fam / sizeof *fam; i++)
        assert_int_equal(store_content_each(t, fam[i], strlen(fam[i]), kv_cb, &kv), 0);
    assert_int_equal(store_page_each(t, "edu" CONTENT_ATT_NS_SUFFIX, page_cb, &kv), 0);
    store_txn_free(t);
    return kv;
}

static void kv_free(kv_t *kv)
{
    for (size_t i = 0; i < kv->n; i++) {
        free(kv->k[i]);
        free(kv->v[i]);
    }
}

static void test_approve_publishes(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1];
    submitted_draft(f, "edu", "ed.edu", id);

    char *url = NULL;
    EXPECT(approve_as(f, "ed.edu", id, true, NULL), WORKFLOW_EDENIED, NULL);    /* not a reviewer */
    EXPECT(approve_as(f, "ed.health", id, true, NULL), WORKFLOW_EDENIED, NULL);
    EXPECT(approve_as(f, "rev.health", id, true, NULL), WORKFLOW_EDENIED, NULL); /* other site */
    EXPECT(approve_as(f, "reply.edu", id, true, NULL), WORKFLOW_EDENIED, NULL);
    EXPECT(approve_as(f, "off.edu", id, true, NULL), WORKFLOW_EDENIED, NULL);   /* disabled */
    EXPECT(approve_as(f, "rev.anning", id, true, NULL), WORKFLOW_EDENIED, NULL); /* not its tree */
    EXPECT(approve_as(f, "rev.edu", id, false, NULL), WORKFLOW_EINVAL, "secrecy_review");
    EXPECT(approve_as(f, "rev.edu", "99", true, NULL), WORKFLOW_ENOTFOUND, NULL);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    assert_false(article_exists(t, "edu", "news", "20261205-1"));
    store_txn_free(t);

    OK(approve_as(f, "rev.edu", id, true, &url));
    assert_string_equal(url, "/edu/news/20261205-1.html");
    free(url);
    EXPECT(approve_as(f, "admin.edu", id, true, NULL), WORKFLOW_ECONFLICT, NULL); /* once */
    EXPECT(reject_as(f, "admin.edu", id, "晚了"), WORKFLOW_ECONFLICT, NULL);

    workflow_draft_t d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_PUBLISHED);
    assert_string_equal(d.reviewer, "rev.edu");
    assert_int_equal(d.revision, 1);
    assert_int_equal(d.decided, f->now);
    assert_int_equal(d.natt, 1);
    workflow_draft_free(&d);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);
    /* the attachment moved to the article: one copy */
    t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    const void *v;
    size_t len;
    assert_int_equal(workflow_attachment_get(t, id, "安排.txt", &v, &len), STORE_NOTFOUND);
    article_t a;
    assert_int_equal(article_get(t, "edu", "news", "20261205-1", &a), 0);
    assert_string_equal(a.publisher, "ed.edu");
    assert_string_equal(a.reviewer, "rev.edu");
    assert_string_equal(a.secrecy_by, "rev.edu");
    assert_string_equal(a.secrecy_date, "2026-12-05");
    assert_string_equal(a.title, "关于寒假安排的通知");
    assert_string_equal(a.format, "markdown");
    assert_string_equal(a.attachments, "安排.txt");
    char *html = markdown_to_html(fields("edu", "").body, strlen(fields("edu", "").body));
    assert_string_equal(a.body, html);
    free(html);
    store_txn_free(t);

    /* the trail: the publication as jiyuectl writes it, with the account names */
    trail_t tr = trail_of(f->st->s, "edu");
    assert_int_equal(tr.n, 5);
    assert_string_equal(tr.rec[0], "draft-create edu/news/1 r0 by ed.edu rev : ");
    assert_string_equal(tr.rec[1], "draft-update edu/news/1 r0 by ed.edu rev : attachment 安排.txt");
    assert_string_equal(tr.rec[2], "draft-submit edu/news/1 r0 by ed.edu rev : ");
    assert_string_equal(tr.rec[3], "publish edu/news/20261205-1 r1 by ed.edu rev rev.edu: "
                                   ARTICLE_DISCLOSE_ACTIVE);
    assert_string_equal(tr.rec[4], "draft-approve edu/news/1 r0 by rev.edu rev : "
                                   "/edu/news/20261205-1.html");

    /* the same article through `jiyuectl publish`'s function, in a store of its own: the
     * same keys with the same bytes */
    testutil_store_t *other;
    void *o = NULL;
    assert_int_equal(testutil_store_setup(&o, "/tmp/jiyue-workflow-XXXXXX", NULL), 0);
    other = o;
    article_meta_t m = {0};
    m.site = util_strdup("edu");
    m.column = util_strdup("news");
    m.id = util_strdup("20261205-1");
    m.title = util_strdup("关于寒假安排的通知");
    m.source = util_strdup("市教育局");
    m.author = util_strdup("李华");
    m.publisher = util_strdup("ed.edu");
    m.reviewer = util_strdup("rev.edu");
    m.disclosure = util_strdup(ARTICLE_DISCLOSE_ACTIVE);
    m.secrecy_by = util_strdup("rev.edu");
    m.secrecy_date = util_strdup("2026-12-05");
    m.secrecy_given = true;
    char why[256];
    assert_null(article_check(f->c, &m, why, sizeof why));
    const char *body = fields("edu", "").body;
    html = markdown_to_html(body, strlen(body));
    article_file_t file = {"安排.txt", "寒假\n", 7};
    article_result_t res;
    assert_int_equal(article_publish(other->s, ARTICLE_PUBLISH, &m, "markdown", html,
                                     strlen(html), &file, 1, f->now, &res, why, sizeof why), 0);
    free(html);
    article_meta_free(&m);
    kv_t mine = article_keys(f->st->s), theirs = article_keys(other->s);
    assert_int_equal(mine.n, theirs.n);
    assert_true(mine.n >= 7); /* a/ i/ g/ c/ v/edu v/ n/seq and the attachment */
    for (size_t i = 0; i < mine.n; i++) {
        assert_string_equal(mine.k[i], theirs.k[i]);
        assert_int_equal(mine.vl[i], theirs.vl[i]);
        assert_memory_equal(mine.v[i], theirs.v[i], mine.vl[i]);
    }
    kv_free(&mine);
    kv_free(&theirs);
    trail_t tt = trail_of(other->s, "edu");
    assert_int_equal(tt.n, 1);
    assert_string_equal(tt.rec[0], tr.rec[3]);
    testutil_store_teardown(&o);
}

/* Unmasked ID numbers in what a draft would publish: approval asks for the personal_data
 * confirmation, names the count and a masked sample (never the number), and the trail
 * says it was confirmed; a masked ID or a mobile number alone asks for nothing more. */
static void test_approve_personal_data(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1], masked[WORKFLOW_ID_MAX + 1];
    workflow_fields_t fl = fields("edu", "关于助学金发放的公示");
    fl.body = "# 公示\n\n张三，身份证号 11010519491231002X，联系电话 13812345678。\n";
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    workflow_fields_t ml = fields("edu", "关于助学金发放的公示（脱敏）");
    ml.body = "# 公示\n\n张三，身份证号 110105********002X，联系电话 13812345678。\n";
    OK(create_as(f, "ed.edu", &ml, masked));
    OK(submit_as(f, "ed.edu", masked));

    workflow_draft_t d = draft(f, id);
    audit_personal_t pii;
    workflow_personal_scan(&d, f->now, &pii);
    assert_int_equal(pii.ids, 1);
    assert_int_equal(pii.phones, 1);
    assert_string_equal(pii.id_sample, "110105********002X");
    workflow_draft_free(&d);

    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_EINVAL, "personal_data");
    assert_non_null(strstr(f->e.msg, "1 unmasked ID number(s) (110105********002X)"));
    assert_null(strstr(f->e.msg, "11010519491231002X"));
    d = draft(f, id); /* nothing published */
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    workflow_draft_free(&d);

    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, "rev.edu");
    char *url = NULL;
    workflow_rc_t rc = workflow_approve(
        &x, id, &(workflow_approval_t){.secrecy_review = true, .personal_data = true}, &url, &f->e);
    finish(w, rc, &f->e);
    OK(rc);
    free(url);
    OK(approve_as(f, "rev.edu", masked, true, NULL)); /* masked: nothing more to confirm */

    trail_t tr = trail_of(f->st->s, "edu");
    size_t confirmed = 0;
    for (size_t i = 0; i < tr.n; i++)
        confirmed += strstr(tr.rec[i], "unmasked ID numbers confirmed by the reviewer") != NULL;
    assert_int_equal(confirmed, 1);
}

static void test_self_review_and_subtree(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1];
    /* an account that is editor and reviewer of the site cannot approve its own draft */
    submitted_draft(f, "edu", "both.edu", id);
    EXPECT(approve_as(f, "both.edu", id, true, NULL), WORKFLOW_ECONFLICT, NULL);
    assert_non_null(strstr(f->e.msg, "self-review"));
    EXPECT(reject_as(f, "both.edu", id, "自己退回"), WORKFLOW_ECONFLICT, NULL);
    OK(approve_as(f, "rev.edu", id, true, NULL));

    /* a site_admin who rewrote someone's draft does not approve it either */
    workflow_fields_t fl = fields("edu", "二号");
    char id2[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id2));
    OK(update_as(f, "admin.edu", id2, &fl));
    OK(submit_as(f, "ed.edu", id2));
    EXPECT(approve_as(f, "admin.edu", id2, true, NULL), WORKFLOW_ECONFLICT, NULL);
    OK(approve_as(f, "both.edu", id2, true, NULL)); /* not its writer: may */

    /* reviewer:anning/\* reviews the township hexi; hexi's editor cannot touch edu */
    char id3[WORKFLOW_ID_MAX + 1];
    submitted_draft(f, "hexi", "ed.hexi", id3);
    EXPECT(approve_as(f, "rev.edu", id3, true, NULL), WORKFLOW_EDENIED, NULL);
    char *url = NULL;
    OK(approve_as(f, "rev.anning", id3, true, &url));
    assert_string_equal(url, "/anning/hexi/news/20261205-3.html");
    free(url);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    article_t a;
    assert_int_equal(article_get(t, "hexi", "news", "20261205-3", &a), 0);
    assert_string_equal(a.publisher, "ed.hexi");
    assert_string_equal(a.reviewer, "rev.anning");
    store_txn_free(t);
    workflow_fields_t hx = fields("edu", "越权");
    EXPECT(create_as(f, "ed.hexi", &hx, NULL), WORKFLOW_EDENIED, NULL);
}

static void test_reject(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1];
    submitted_draft(f, "edu", "ed.edu", id);
    EXPECT(reject_as(f, "ed.edu", id, "不行"), WORKFLOW_EDENIED, NULL);
    EXPECT(reject_as(f, "rev.health", id, "不行"), WORKFLOW_EDENIED, NULL);
    EXPECT(reject_as(f, "rev.edu", id, NULL), WORKFLOW_EINVAL, "reason");
    EXPECT(reject_as(f, "rev.edu", id, ""), WORKFLOW_EINVAL, "reason");
    EXPECT(reject_as(f, "rev.edu", id, " \n\t"), WORKFLOW_EINVAL, "reason");
    char long_reason[WORKFLOW_REASON_MAX + 2];
    memset(long_reason, 'r', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    EXPECT(reject_as(f, "rev.edu", id, long_reason), WORKFLOW_EINVAL, "reason");
    workflow_draft_t d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    workflow_draft_free(&d);

    OK(reject_as(f, "rev.edu", id, "来源写错了，请改为市教育局办公室"));
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_REJECTED);
    assert_string_equal(d.reason, "来源写错了，请改为市教育局办公室");
    assert_string_equal(d.reviewer, "rev.edu");
    workflow_draft_free(&d);
    /* back to its editor, who sees the reason, changes it and submits it again */
    assert_int_equal(read_as(f, "ed.edu", id, &d), WORKFLOW_OK);
    assert_string_equal(d.reason, "来源写错了，请改为市教育局办公室");
    workflow_draft_free(&d);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);
    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_ECONFLICT, NULL);
    workflow_fields_t fl = fields("edu", "改后");
    fl.source = "市教育局办公室";
    OK(update_as(f, "ed.edu", id, &fl));
    OK(submit_as(f, "ed.edu", id));
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 1);
    OK(approve_as(f, "rev.edu", id, true, NULL));
    trail_t tr = trail_of(f->st->s, "edu");
    assert_string_equal(tr.rec[3], "draft-reject edu/news/1 r0 by rev.edu rev : "
                                   "来源写错了，请改为市教育局办公室");
}

static void test_revision_and_unpublish(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1];
    submitted_draft(f, "edu", "ed.edu", id);
    OK(approve_as(f, "rev.edu", id, true, NULL));

    /* an update of the published article: a new revision the same way */
    workflow_fields_t fl = fields("edu", "关于寒假安排的补充通知");
    fl.article = "20261205-1";
    char id2[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed2.edu", &fl, id2));
    OK(submit_as(f, "ed2.edu", id2));
    char *url = NULL;
    OK(approve_as(f, "admin.edu", id2, true, &url));
    assert_string_equal(url, "/edu/news/20261205-1.html");
    free(url);
    workflow_draft_t d = draft(f, id2);
    assert_true(d.update);
    assert_int_equal(d.revision, 2);
    workflow_draft_free(&d);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    article_t a;
    assert_int_equal(article_get(t, "edu", "news", "20261205-1", &a), 0);
    assert_int_equal(a.revision, 2);
    assert_string_equal(a.title, "关于寒假安排的补充通知");
    assert_string_equal(a.publisher, "ed2.edu");
    assert_string_equal(a.reviewer, "admin.edu");
    assert_int_equal(article_column_count(t, "edu", "news"), 1);
    store_txn_free(t);

    /* unpublish: a reviewer or site_admin of the site, with a reason */
    EXPECT(unpublish_as(f, "ed.edu", "edu", "news", "20261205-1", "撤"), WORKFLOW_EDENIED, NULL);
    EXPECT(unpublish_as(f, "rev.health", "edu", "news", "20261205-1", "撤"), WORKFLOW_EDENIED,
           NULL);
    EXPECT(unpublish_as(f, "reply.edu", "edu", "news", "20261205-1", "撤"), WORKFLOW_EDENIED,
           NULL);
    EXPECT(unpublish_as(f, "off.edu", "edu", "news", "20261205-1", "撤"), WORKFLOW_EDENIED, NULL);
    EXPECT(unpublish_as(f, "admin.edu", "edu", "news", "20261205-1", ""), WORKFLOW_EINVAL,
           "reason");
    EXPECT(unpublish_as(f, "admin.edu", "edu", "news", "nosuch", "撤"), WORKFLOW_ENOTFOUND, NULL);
    EXPECT(unpublish_as(f, "admin.edu", "nosuch", "news", "x", "撤"), WORKFLOW_ENOTFOUND, NULL);
    OK(unpublish_as(f, "rev.edu", "edu", "news", "20261205-1", "信息有误，撤下更正"));
    t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    assert_false(article_exists(t, "edu", "news", "20261205-1"));
    assert_int_equal(article_column_count(t, "edu", "news"), 0);
    store_txn_free(t);
    trail_t tr = trail_of(f->st->s, "edu");
    assert_string_equal(tr.rec[tr.n - 1], "unpublish edu/news/20261205-1 r2 by rev.edu rev "
                                          "admin.edu: 信息有误，撤下更正");
    /* a revision of an article no longer published cannot be approved */
    EXPECT(create_as(f, "ed.edu", &fl, NULL), WORKFLOW_ENOTFOUND, "article");
}

static void test_attachment_bounds(void **state)
{
    fixture_t *f = *state;
    f->use_lim = true;
    f->lim = (workflow_limits_t){.attachment_bytes = 10, .attachments_bytes = 25};
    workflow_fields_t fl = fields("edu", "附件");
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    char data[64];
    memset(data, 'd', sizeof data);
    EXPECT(attach_as(f, "ed.edu", id, "a.txt", data, 11), WORKFLOW_ETOOLARGE, "attachments");
    OK(attach_as(f, "ed.edu", id, "a.txt", data, 10));
    OK(attach_as(f, "ed.edu", id, "b.txt", data, 10));
    EXPECT(attach_as(f, "ed.edu", id, "c.txt", data, 10), WORKFLOW_ETOOLARGE, "attachments");
    OK(attach_as(f, "ed.edu", id, "c.txt", data, 5)); /* 25: exactly the total */
    OK(attach_as(f, "ed.edu", id, "a.txt", data, 3)); /* replaced, not added */
    workflow_draft_t d = draft(f, id);
    assert_int_equal(d.natt, 3);
    assert_int_equal(d.att[0].size, 3);
    workflow_draft_free(&d);
    const char *bad[] = {"", ".htaccess", "a/b.txt", "..", "a\\b", "a?b", "a#b", "a%2fb",
                         "a\nb", "\xff.txt"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        EXPECT(attach_as(f, "ed.edu", id, bad[i], data, 1), WORKFLOW_EINVAL, "attachments");
    EXPECT(attach_as(f, "ed2.edu", id, "x.txt", data, 1), WORKFLOW_EDENIED, NULL);
    EXPECT(attach_as(f, "ed.health", id, "x.txt", data, 1), WORKFLOW_EDENIED, NULL);

    /* the count */
    f->lim = (workflow_limits_t){.attachment_bytes = 10, .attachments_bytes = 1000};
    for (int i = 3; i < WORKFLOW_ATTACHMENTS_MAX; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d.txt", i);
        OK(attach_as(f, "ed.edu", id, name, data, 1));
    }
    EXPECT(attach_as(f, "ed.edu", id, "one-more.txt", data, 1), WORKFLOW_ETOOLARGE,
           "attachments");

    /* detach */
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, "ed.edu");
    EXPECT(workflow_detach(&x, id, "nosuch.txt", &f->e), WORKFLOW_ENOTFOUND, "attachments");
    OK(workflow_detach(&x, id, "b.txt", &f->e));
    assert_int_equal(store_commit(w), STORE_OK);
    d = draft(f, id);
    assert_int_equal(d.natt, WORKFLOW_ATTACHMENTS_MAX - 1);
    assert_string_equal(d.att[1].name, "c.txt");
    workflow_draft_free(&d);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    const void *v;
    size_t len;
    assert_int_equal(workflow_attachment_get(t, id, "b.txt", &v, &len), STORE_NOTFOUND);
    assert_int_equal(workflow_attachment_get(t, id, "c.txt", &v, &len), STORE_OK);
    assert_int_equal(len, 5);
    store_txn_free(t);
    f->use_lim = false;
}

/* The writer thread runs a whole act in one transaction: aborted half-way (after create
 * and submit, before commit), nothing of it is in the store; and a refused act inside a
 * transaction leaves the acts before it intact. */
static void test_abort_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    store_txn_t *w = begin(f);
    workflow_ctx_t ed = ctx(f, w, "ed.edu"), rev = ctx(f, w, "rev.edu");
    workflow_fields_t fl = fields("edu", "中途放弃");
    char id[WORKFLOW_ID_MAX + 1], *url = NULL;
    OK(workflow_create(&ed, &fl, id, &f->e));
    OK(workflow_attach(&ed, id, "a.txt", "abc", 3, &f->e));
    OK(workflow_submit(&ed, id, &f->e));
    OK(workflow_approve(&rev, id, &(workflow_approval_t){.secrecy_review = true}, &url, &f->e));
    free(url);
    store_abort(w);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    workflow_draft_t d;
    assert_int_equal(workflow_draft_get(t, "1", &d), STORE_NOTFOUND);
    const void *v;
    size_t len;
    assert_int_equal(store_content_get(t, WORKFLOW_KEY_SEQ, strlen(WORKFLOW_KEY_SEQ), &v, &len),
                     STORE_NOTFOUND);
    assert_false(article_exists(t, "edu", "news", "20261205-1"));
    store_txn_free(t);
    assert_int_equal(list(f, WORKFLOW_INDEX_MINE, "ed.edu").n, 0);
    assert_int_equal(trail_of(f->st->s, NULL).n, 0);

    /* a refusal after good acts: the refused one left nothing, the others stay */
    w = begin(f);
    ed = ctx(f, w, "ed.edu");
    rev = ctx(f, w, "rev.edu");
    OK(workflow_create(&ed, &fl, id, &f->e));
    OK(workflow_submit(&ed, id, &f->e));
    /* the article id is taken by `jiyuectl publish` meanwhile: approval fails at the
     * publication, after the checks */
    article_meta_t m = {0};
    m.site = util_strdup("edu");
    m.column = util_strdup("news");
    m.id = util_strdup("20261205-1");
    m.title = util_strdup("t");
    m.publisher = util_strdup("p");
    m.reviewer = util_strdup("r");
    m.disclosure = util_strdup(ARTICLE_DISCLOSE_ACTIVE);
    m.secrecy_by = util_strdup("r");
    m.secrecy_date = util_strdup("2026-12-01");
    char why[256];
    article_result_t res;
    assert_int_equal(article_publish_txn(w, ARTICLE_PUBLISH, &m, "markdown", "<p>x</p>", 8, NULL,
                                         0, f->now, &res, why, sizeof why), 0);
    article_meta_free(&m);
    EXPECT(workflow_approve(&rev, id, &(workflow_approval_t){.secrecy_review = true}, &url, &f->e), WORKFLOW_ECONFLICT, NULL);
    assert_int_equal(store_commit(w), STORE_OK);
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    workflow_draft_free(&d);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 1);
    trail_t tr = trail_of(f->st->s, "edu");
    assert_int_equal(tr.n, 3); /* create, submit, jiyuectl's publish; no approval */
    assert_string_equal(tr.rec[2], "publish edu/news/20261205-1 r1 by p rev r: "
                                   ARTICLE_DISCLOSE_ACTIVE);
}

static size_t publish_due(fixture_t *f)
{
    store_txn_t *w = begin(f);
    workflow_ctx_t x = ctx(f, w, NULL);
    size_t n = 0;
    OK(workflow_publish_due(&x, 0, &n, &f->e));
    assert_int_equal(store_commit(w), STORE_OK);
    return n;
}

static bool live(fixture_t *f, const char *article)
{
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    bool on = article_exists(t, "edu", "news", article);
    store_txn_free(t);
    return on;
}

static void test_scheduled(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "定时发布");
    fl.scheduled = f->now + 3600;
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    /* approved ahead of its time: it waits, scheduled */
    char *url = NULL;
    OK(approve_as(f, "rev.edu", id, true, &url));
    assert_string_equal(url, "/edu/news/20261205-1.html");
    free(url);
    workflow_draft_t d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SCHEDULED);
    assert_string_equal(workflow_state_name(d.state), "scheduled");
    assert_string_equal(d.reviewer, "rev.edu");
    workflow_draft_free(&d);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);
    assert_false(live(f, "20261205-1"));
    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_ECONFLICT, NULL);
    assert_int_equal(publish_due(f), 0); /* not yet */
    f->now += 3599;
    assert_int_equal(publish_due(f), 0);
    assert_false(live(f, "20261205-1"));
    f->now += 1; /* its time: published, once */
    assert_int_equal(publish_due(f), 1);
    assert_true(live(f, "20261205-1"));
    assert_int_equal(publish_due(f), 0);
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_PUBLISHED);
    assert_int_equal(d.revision, 1);
    workflow_draft_free(&d);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    article_t art;
    assert_int_equal(article_get(t, "edu", "news", "20261205-1", &art), 0);
    assert_string_equal(art.publisher, "ed.edu");
    assert_string_equal(art.reviewer, "rev.edu");
    assert_string_equal(art.secrecy_by, "rev.edu");
    assert_string_equal(art.secrecy_date, "2026-12-05"); /* the day of the review */
    assert_true(art.pubtime == f->now);
    store_txn_free(t);
    trail_t tr = trail_of(f->st->s, "edu");
    assert_string_equal(tr.rec[tr.n - 1], "draft-publish edu/news/1 r0 by rev.edu rev : "
                                          "/edu/news/20261205-1.html");

    /* called off (rejected) before its time: never published */
    fl.title = "撤回的定时稿";
    fl.scheduled = f->now + 600;
    char id2[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id2));
    OK(submit_as(f, "ed.edu", id2));
    OK(approve_as(f, "rev.edu", id2, true, NULL));
    EXPECT(reject_as(f, "both.edu", id2, "不发了"), WORKFLOW_OK, NULL);
    d = draft(f, id2);
    assert_int_equal(d.state, WORKFLOW_REJECTED);
    workflow_draft_free(&d);
    f->now += 601;
    assert_int_equal(publish_due(f), 0);
    assert_false(live(f, "20261205-2"));

    /* its approver lost the role before the time: called off with the reason */
    fl.title = "审核人离岗";
    fl.scheduled = f->now + 60;
    char id3[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id3));
    OK(submit_as(f, "ed.edu", id3));
    OK(approve_as(f, "both.edu", id3, true, NULL));
    add_account(f->st->s, "both.edu", true, "editor:edu", "reviewer:edu"); /* disabled now */
    f->now += 60;
    assert_int_equal(publish_due(f), 0);
    d = draft(f, id3);
    assert_int_equal(d.state, WORKFLOW_REJECTED);
    assert_non_null(strstr(d.reason, "the scheduled publication failed"));
    workflow_draft_free(&d);
    assert_false(live(f, "20261205-3"));
    add_account(f->st->s, "both.edu", false, "editor:edu", "reviewer:edu");

    /* a date ahead of the clock is refused as `jiyuectl publish` refuses it */
    fl.scheduled = 0;
    fl.date = "2026-12-06 10:00";
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_ECONFLICT, NULL);
    assert_non_null(strstr(f->e.msg, "in the future"));
}

/* workflow_list as account `who`: the ids in order, "" joined by ','. */
static workflow_rc_t list_as(fixture_t *f, const char *who, workflow_view_t v, const char *site,
                             size_t max, char *ids, size_t cap, bool *more)
{
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    workflow_list_t l;
    workflow_rc_t rc = workflow_list(t, f->c, who, v, site, max, &l, &f->e);
    ids[0] = '\0';
    if (rc == WORKFLOW_OK) {
        size_t o = 0;
        for (size_t i = 0; i < l.n; i++) {
            assert_null(strchr(l.item[i].title, '\n'));
            o += (size_t)snprintf(ids + o, cap - o, "%s%s", i ? "," : "", l.item[i].id);
        }
        if (more)
            *more = l.more;
        workflow_list_free(&l);
    }
    store_txn_free(t);
    return rc;
}

static void test_list(void **state)
{
    fixture_t *f = *state;
    char a[WORKFLOW_ID_MAX + 1], b[WORKFLOW_ID_MAX + 1], c[WORKFLOW_ID_MAX + 1];
    workflow_fields_t fl = fields("edu", "一");
    OK(create_as(f, "ed.edu", &fl, a));          /* 1: a draft */
    submitted_draft(f, "edu", "ed.edu", b);      /* 2: submitted */
    f->now += 10;
    submitted_draft(f, "edu", "ed2.edu", c);     /* 3: submitted later, another editor */
    workflow_fields_t hl = fields("health", "卫健");
    OK(create_as(f, "ed.health", &hl, NULL));    /* 4 */
    char ids[256];
    bool more = true;
    OK(list_as(f, "ed.edu", WORKFLOW_VIEW_MINE, NULL, 0, ids, sizeof ids, &more));
    assert_string_equal(ids, "2,1"); /* newest first, only mine */
    assert_false(more);
    OK(list_as(f, "ed.edu", WORKFLOW_VIEW_MINE, "edu", 1, ids, sizeof ids, &more));
    assert_string_equal(ids, "2");
    assert_true(more);
    OK(list_as(f, "rev.edu", WORKFLOW_VIEW_QUEUE, NULL, 0, ids, sizeof ids, NULL));
    assert_string_equal(ids, "3,2"); /* newest submitted first */
    OK(list_as(f, "admin.edu", WORKFLOW_VIEW_QUEUE, "edu", 0, ids, sizeof ids, NULL));
    assert_string_equal(ids, "3,2");
    OK(list_as(f, "rev.health", WORKFLOW_VIEW_QUEUE, NULL, 0, ids, sizeof ids, NULL));
    assert_string_equal(ids, "");
    OK(list_as(f, "ed.edu", WORKFLOW_VIEW_QUEUE, NULL, 0, ids, sizeof ids, NULL));
    assert_string_equal(ids, ""); /* no site it reviews */
    /* refusals */
    assert_int_equal(list_as(f, "ed.edu", WORKFLOW_VIEW_QUEUE, "edu", 0, ids, sizeof ids, NULL),
                     WORKFLOW_EDENIED);
    assert_int_equal(list_as(f, "ed.edu", WORKFLOW_VIEW_MINE, "health", 0, ids, sizeof ids, NULL),
                     WORKFLOW_EDENIED);
    assert_int_equal(list_as(f, "rev.health", WORKFLOW_VIEW_QUEUE, "edu", 0, ids, sizeof ids,
                             NULL), WORKFLOW_EDENIED);
    assert_int_equal(list_as(f, "ed.edu", WORKFLOW_VIEW_MINE, "nosuch", 0, ids, sizeof ids, NULL),
                     WORKFLOW_EINVAL);
    assert_string_equal(f->e.field, "site");
    assert_int_equal(list_as(f, "off.edu", WORKFLOW_VIEW_QUEUE, NULL, 0, ids, sizeof ids, NULL),
                     WORKFLOW_EDENIED);
    assert_int_equal(list_as(f, "nobody", WORKFLOW_VIEW_MINE, NULL, 0, ids, sizeof ids, NULL),
                     WORKFLOW_EDENIED);
}

/* An approval into a policy column numbers the document (索引号) as `jiyuectl publish` does:
 * the site's 网站标识码, the year, the site's next serial. */
static void test_approve_policy_numbers(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "关于印发办法的通知");
    fl.column = "policy";
    char id[WORKFLOW_ID_MAX + 1];
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    char *url = NULL;
    OK(approve_as(f, "rev.edu", id, true, &url));
    workflow_draft_t d = draft(f, id);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    article_t a;
    assert_int_equal(article_get(t, "edu", "policy", d.article, &a), 0);
    char want[32], day[11];
    article_format_day(f->now, day);
    snprintf(want, sizeof want, "6210000002-%.4s-00001", day);
    assert_string_equal(a.index_no, want);
    assert_string_equal(a.doc_no, "");
    store_txn_free(t);
    workflow_draft_free(&d);
    free(url);
}

/* The policy keys through a draft: checked as publish checks them, published with the
 * article, an index_no another article holds refused at approval (the draft stays). */
static void test_policy_fields(void **state)
{
    fixture_t *f = *state;
    workflow_fields_t fl = fields("edu", "关于印发办法的通知");
    fl.doc_no = "云教发〔2026〕7号";
    char id[WORKFLOW_ID_MAX + 1];
    EXPECT(create_as(f, "ed.edu", &fl, id), WORKFLOW_EINVAL, "doc_no"); /* not a policy column */
    fl.column = "policy";
    fl.written = "2026-13-01";
    EXPECT(create_as(f, "ed.edu", &fl, id), WORKFLOW_EINVAL, "written");
    fl.written = "2026-11-30";
    fl.issuer = "云南省教育厅";
    fl.topic = "教育";
    fl.index_no = "EDU-2026-7";
    OK(create_as(f, "ed.edu", &fl, id));
    workflow_draft_t d = draft(f, id);
    assert_string_equal(d.doc_no, "云教发〔2026〕7号");
    assert_string_equal(d.index_no, "EDU-2026-7");
    workflow_draft_free(&d);
    OK(submit_as(f, "ed.edu", id));
    char *url = NULL;
    OK(approve_as(f, "rev.edu", id, true, &url));
    free(url);
    d = draft(f, id);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    article_t a;
    assert_int_equal(article_get(t, "edu", "policy", d.article, &a), 0);
    assert_string_equal(a.doc_no, "云教发〔2026〕7号");
    assert_string_equal(a.issuer, "云南省教育厅");
    assert_string_equal(a.written, "2026-11-30");
    assert_string_equal(a.topic, "教育");
    assert_string_equal(a.index_no, "EDU-2026-7");
    store_txn_free(t);
    workflow_draft_free(&d);
    /* a second document with the same 索引号: 409 at approval, still awaiting review */
    fl.doc_no = "云教发〔2026〕8号";
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_ECONFLICT, "index_no");
    assert_non_null(strstr(f->e.msg, "EDU-2026-7"));
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    workflow_draft_free(&d);
    /* scheduled: refused at approval too, not when its time comes */
    fl.scheduled = f->now + 3600;
    OK(create_as(f, "ed.edu", &fl, id));
    OK(submit_as(f, "ed.edu", id));
    EXPECT(approve_as(f, "rev.edu", id, true, NULL), WORKFLOW_ECONFLICT, "index_no");
    d = draft(f, id);
    assert_int_equal(d.state, WORKFLOW_SUBMITTED);
    workflow_draft_free(&d);
}

static void test_purge(void **state)
{
    fixture_t *f = *state;
    char id[WORKFLOW_ID_MAX + 1];
    submitted_draft(f, "edu", "ed.edu", id);
    workflow_fields_t fl = fields("health", "卫健");
    OK(create_as(f, "ed.health", &fl, NULL));
    store_txn_t *w = begin(f);
    long n = 0;
    assert_int_equal(workflow_purge_site(w, "edu", &n), 0);
    assert_int_equal(store_commit(w), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list(f, WORKFLOW_INDEX_SITE, "edu").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_QUEUE, "edu").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_MINE, "ed.edu").n, 0);
    assert_int_equal(list(f, WORKFLOW_INDEX_SITE, "health").n, 1);
    store_txn_t *t = store_read_txn_new(f->st->s);
    assert_int_equal(store_read_renew(t), 0);
    const void *v;
    size_t len;
    assert_int_equal(workflow_attachment_get(t, id, "安排.txt", &v, &len), STORE_NOTFOUND);
    store_txn_free(t);
}

static void test_record_decode(void **state)
{
    (void)state;
    workflow_draft_t d = {0};
    snprintf(d.id, sizeof d.id, "7");
    d.site = util_strdup("edu");
    d.column = util_strdup("news");
    d.article = util_strdup("x");
    d.title = util_strdup("t");
    d.body = util_strdup("b");
    d.source = util_strdup("");
    d.author = util_strdup("");
    d.disclosure = util_strdup(ARTICLE_DISCLOSE_ACTIVE);
    d.date = util_strdup("");
    d.reason = util_strdup("");
    snprintf(d.editor, sizeof d.editor, "ed.edu");
    d.natt = 1;
    snprintf(d.att[0].name, sizeof d.att[0].name, "a.txt");
    d.att[0].size = 3;
    util_buf_t b = {0};
    workflow_draft_encode(&d, &b);
    workflow_draft_t back;
    assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_OK);
    assert_string_equal(back.att[0].name, "a.txt");
    workflow_draft_free(&back);
    /* every truncation and a trailing byte are refused */
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(workflow_draft_decode(b.data, n, &back), STORE_ECORRUPT);
    util_buf_append(&b, "", 1);
    assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_ECORRUPT);
    util_buf_free(&b);
    /* an offer (报送, record version 2) keeps what it offers; an ordinary draft reads "" */
    assert_false(workflow_draft_is_offer(&d));
    d.of_site = util_strdup("zhen");
    d.of_column = util_strdup("news");
    d.of_id = util_strdup("20261205-3");
    workflow_draft_encode(&d, &b);
    assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_OK);
    assert_true(workflow_draft_is_offer(&back));
    assert_string_equal(workflow_draft_home(&back), "zhen");
    assert_string_equal(back.of_column, "news");
    assert_string_equal(back.of_id, "20261205-3");
    workflow_draft_free(&back);
    util_buf_free(&b);
    workflow_draft_free(&d);
}

/* A record of `version` from a v3 one whose appended fields are all "" (each such string
 * is 5 bytes: u32 length 0 and the NUL): the tail cut off, the header's version set. */
static void as_version(util_buf_t *b, uint16_t version, size_t empty_tail)
{
    util_buf_t h = {0};
    rec_put_head(&h, "JYWD", version);
    assert_true(b->len > empty_tail * 5);
    for (size_t i = b->len - empty_tail * 5; i < b->len; i++)
        assert_int_equal(((const unsigned char *)b->data)[i], 0);
    b->len -= empty_tail * 5;
    memcpy(b->data, h.data, h.len);
    util_buf_free(&h);
}

/* Version 3 carries a policy document's header; versions 1 and 2 still read, the header
 * empty. */
static void test_record_versions(void **state)
{
    (void)state;
    workflow_draft_t d = {0};
    snprintf(d.id, sizeof d.id, "9");
    char **strs[] = {&d.site, &d.column, &d.article, &d.title, &d.body, &d.source, &d.author,
                     &d.disclosure, &d.date, &d.reason, &d.of_site, &d.of_column, &d.of_id};
    const char *vals[] = {"edu", "policy", "20261205-9", "关于印发办法的通知", "正文", "", "",
                          ARTICLE_DISCLOSE_ACTIVE, "", "", "", "", ""};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(strs); i++)
        *strs[i] = util_strdup(vals[i]);
    snprintf(d.editor, sizeof d.editor, "ed.edu");
    d.doc_no = util_strdup("云教发〔2026〕7号");
    d.issuer = util_strdup("云南省教育厅");
    d.written = util_strdup("2026-11-30");
    d.topic = util_strdup("教育");
    d.index_no = util_strdup("EDU-2026-7");
    util_buf_t b = {0};
    workflow_draft_encode(&d, &b);
    assert_memory_equal(b.data, "JYWD\x03\x00", 6);
    workflow_draft_t back;
    assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_OK);
    assert_string_equal(back.doc_no, "云教发〔2026〕7号");
    assert_string_equal(back.issuer, "云南省教育厅");
    assert_string_equal(back.written, "2026-11-30");
    assert_string_equal(back.topic, "教育");
    assert_string_equal(back.index_no, "EDU-2026-7");
    assert_string_equal(back.title, "关于印发办法的通知");
    workflow_draft_free(&back);
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(workflow_draft_decode(b.data, n, &back), STORE_ECORRUPT);
    util_buf_free(&b);
    /* the same draft without its header, as versions 2 and 1 wrote it */
    char **pol[] = {&d.doc_no, &d.issuer, &d.written, &d.topic, &d.index_no};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pol); i++) {
        free(*pol[i]);
        *pol[i] = NULL;
    }
    for (uint16_t v = 2; v >= 1; v--) {
        workflow_draft_encode(&d, &b);
        as_version(&b, v, v == 2 ? 5 : 8);
        assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_OK);
        assert_string_equal(back.title, "关于印发办法的通知");
        assert_string_equal(back.column, "policy");
        assert_string_equal(back.of_site, "");
        assert_string_equal(back.doc_no, "");
        assert_string_equal(back.issuer, "");
        assert_string_equal(back.written, "");
        assert_string_equal(back.topic, "");
        assert_string_equal(back.index_no, "");
        workflow_draft_free(&back);
        /* a v2 record with a v3 tail, or v1 with v2's, is not this layout */
        util_buf_append(&b, "\0\0\0\0", 5);
        assert_int_equal(workflow_draft_decode(b.data, b.len, &back), STORE_ECORRUPT);
        util_buf_free(&b);
    }
    workflow_draft_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test_setup_teardown(test_approve_personal_data, setup, teardown),
        cmocka_unit_test(test_record_decode),
        cmocka_unit_test(test_record_versions),
        cmocka_unit_test_setup_teardown(test_create_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_submit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approve_publishes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_review_and_subtree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revision_and_unpublish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attachment_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scheduled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approve_policy_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_fields, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
