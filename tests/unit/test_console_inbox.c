/* tests/unit/test_console_inbox.c: the pure parts of the console's messages, history and
 * audit API: the strict query reader (console_query.c), the order of the message list
 * (console_messages.c), the reply text rule shared with `jiyuectl reply` and the overdue
 * rule (modules/interaction), store text made safe for JSON (modules/common), and the
 * history's JSON after a publication approved through the workflow library (the account
 * names as publisher, reviewer and secrecy_review), against a temporary store and the
 * repo's demo configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accounts.h"
#include "article.h"
#include "audit_json.h"
#include "console_history.h"
#include "console_messages.h"
#include "console_query.h"
#include "diag.h"
#include "json_common.h"
#include "message.h"
#include "testutil.h"
#include "workflow.h"

static const char *const NAMES[] = {"site", "state", "page"};

static const char *parse(const char *q, const char **vals, char *buf, size_t cap,
                         char *badname)
{
    const char *bad = NULL;
    size_t badlen = 0;
    const char *why = console_query_parse(q, strlen(q), NAMES, 3, vals, buf, cap, &bad, &badlen);
    badname[0] = '\0';
    if (why) {
        assert_non_null(bad);
        memcpy(badname, bad, badlen);
        badname[badlen] = '\0';
    }
    return why;
}

static void test_query_parse(void **state)
{
    (void)state;
    const char *v[3];
    char buf[128], bad[64];
    assert_null(parse("site=edu&state=open", v, buf, sizeof buf, bad));
    assert_string_equal(v[0], "edu");
    assert_string_equal(v[1], "open");
    assert_null(v[2]);
    /* decoding: %XX and '+', empty pieces ignored, a key without '=' is an empty value */
    assert_null(parse("site=e%64u&&page=1+2&state", v, buf, sizeof buf, bad));
    assert_string_equal(v[0], "edu");
    assert_string_equal(v[2], "1 2");
    assert_string_equal(v[1], "");
    assert_null(parse("", v, buf, sizeof buf, bad));
    assert_null(v[0]);
    /* refusals name the parameter */
    assert_string_equal(parse("site=a&site=b", v, buf, sizeof buf, bad), "given twice");
    assert_string_equal(bad, "site");
    assert_string_equal(parse("site=a&stat=open", v, buf, sizeof buf, bad), "unknown parameter");
    assert_string_equal(bad, "stat");
    assert_string_equal(parse("site=%zz", v, buf, sizeof buf, bad), "not well encoded");
    assert_string_equal(bad, "site");
    assert_string_equal(parse("site=%4", v, buf, sizeof buf, bad), "not well encoded");
    assert_string_equal(parse("site=a%00b", v, buf, sizeof buf, bad), "not well encoded");
    assert_string_equal(parse("page=%0a", v, buf, sizeof buf, bad), "not well encoded");
    assert_string_equal(bad, "page");
    assert_string_equal(parse("=x", v, buf, sizeof buf, bad), "unknown parameter");
    /* the buffer bound holds: len + n + 1 bytes always suffice, fewer are refused */
    const char *q = "site=abcdef";
    char small[4];
    assert_non_null(parse(q, v, small, sizeof small, bad));
    char exact[16];
    assert_null(parse(q, v, exact, strlen(q) + 3 + 1, bad));
    assert_string_equal(v[0], "abcdef");
}

static void entry(console_msg_entry_t *e, const char *code, int64_t created,
                  console_msg_state_t st)
{
    memset(e, 0, sizeof *e);
    strcpy(e->code, code);
    e->created = created;
    e->state = st;
}

static void test_messages_order(void **state)
{
    (void)state;
    console_msg_entry_t e[7];
    entry(&e[0], "answered-old", 100, CONSOLE_MSG_ANSWERED);
    entry(&e[1], "open-new", 900, CONSOLE_MSG_OPEN);
    entry(&e[2], "overdue-new", 300, CONSOLE_MSG_OVERDUE);
    entry(&e[3], "answered-new", 800, CONSOLE_MSG_ANSWERED);
    entry(&e[4], "open-old", 700, CONSOLE_MSG_OPEN);
    entry(&e[5], "overdue-old", 200, CONSOLE_MSG_OVERDUE);
    entry(&e[6], "overdue-b", 200, CONSOLE_MSG_OVERDUE);
    console_messages_order(e, 7);
    static const char *const want[] = {"overdue-b",  "overdue-old",  "overdue-new",
                                       "open-old",   "open-new",     "answered-new",
                                       "answered-old"};
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(e[i].code, want[i]);
    console_messages_order(e, 0); /* nothing to do, no crash */
}

static void test_reply_text_rule(void **state)
{
    (void)state;
    char t1[] = "已办理。\r\n\t \n";
    size_t n = strlen(t1);
    assert_null(message_reply_text_check(t1, &n));
    assert_string_equal(t1, "已办理。");
    assert_int_equal(n, strlen("已办理。"));
    char t2[] = " \n";
    n = strlen(t2);
    assert_string_equal(message_reply_text_check(t2, &n), "is empty: a reply needs text");
    char t3[] = "a\x01b";
    n = 3;
    assert_non_null(message_reply_text_check(t3, &n));
    char t4[] = "a\xff";
    n = 2;
    assert_non_null(message_reply_text_check(t4, &n));
    /* characters, not bytes: 20000 Chinese characters (60000 bytes) pass, 20001 do not */
    size_t len = 3 * (MESSAGE_REPLY_MAX + 1);
    char *big = malloc(len + 1);
    for (size_t i = 0; i < len; i += 3)
        memcpy(big + i, "字", 3);
    big[len] = '\0';
    n = len;
    assert_string_equal(message_reply_text_check(big, &n), "is longer than 20000 characters");
    n = len - 3;
    big[n] = '\0';
    assert_null(message_reply_text_check(big, &n));
    free(big);
    /* a citizen's ID number quoted back: refused, the number never in the reason; masked,
     * or a mobile number (offices publish theirs), it is taken */
    char t5[] = "您的身份证号 11010519491231002X 已登记。";
    n = strlen(t5);
    const char *why = message_reply_text_check(t5, &n);
    assert_non_null(why);
    assert_non_null(strstr(why, "unmasked ID card number"));
    assert_null(strstr(why, "11010519491231002X"));
    char t6[] = "您的身份证号 110105********002X 已登记，咨询电话 13812345678。";
    n = strlen(t6);
    assert_null(message_reply_text_check(t6, &n));
}

static void test_overdue_rule(void **state)
{
    (void)state;
    conf_site_t site = {0}; /* not made by conf_load: interaction's defaults (15 days) */
    site.id = "edu";
    message_t m = {0};
    m.created = 1000000;
    assert_int_equal(message_deadline(&site, m.created), 1000000 + 15 * MESSAGE_DAY);
    int64_t due = message_deadline(&site, m.created);
    assert_false(message_overdue(&site, &m, due));
    assert_true(message_overdue(&site, &m, due + 1));
    m.nreplies = 1;
    assert_false(message_overdue(&site, &m, due + 1)); /* answered */
    m.nreplies = 0;
    m.spam_time = 5;
    assert_false(message_overdue(&site, &m, due + 1)); /* spam has no clock */
}

static void expect_json(json_t *j, const char *want)
{
    assert_non_null(j);
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
}

static void test_json_text(void **state)
{
    (void)state;
    expect_json(json_common_text(NULL), "null");
    expect_json(json_common_text("留言 \"a\"\n"), "\"留言 \\\"a\\\"\\n\"");
    /* invalid sequences (a lone continuation, an overlong '/', a cut-off character) each
     * become U+FFFD, the valid text around them stays */
    expect_json(json_common_text("a\x80z"), "\"a\xEF\xBF\xBDz\"");
    expect_json(json_common_text("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_json(json_common_text("ok\xE5\xAD"), "\"ok\xEF\xBF\xBD\xEF\xBF\xBD\"");
    expect_json(json_common_textn("a\0b", 3), "\"a\xEF\xBF\xBD" "b\"");
}

/* The audit's JSON (audit_json.c, shared by jiyuectl audit and GET /api/audit): the field
 * order of the documented shape, a finding without a page as null, and a detail quoting
 * bytes that are not UTF-8 still valid JSON. */
static void test_audit_json(void **state)
{
    (void)state;
    conf_site_t cs = {0}; /* not made by conf_load: lifecycle's default, active */
    cs.id = "edu";
    cs.name = "教育局";
    audit_site_t site = {0};
    site.conf = &cs;
    audit_finding_t f[2] = {
        {AUDIT_LINK_BROKEN, AUDIT_DEDUCT, "link to /a\xff\"b", NULL, "http://x/edu/p.html"},
        {AUDIT_NO_INTERACTION, AUDIT_VETO, "none", "没有", NULL},
    };
    site.f = f;
    site.nf = 2;
    audit_t a = {0};
    strcpy(a.at_day, "2026-12-05");
    a.sites = &site;
    a.nsites = 1;
    json_t *j = audit_report_json(&a);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_string_equal(
        text, "{\"at\":\"2026-12-05\",\"sites\":[{\"id\":\"edu\",\"name\":\"教育局\","
              "\"status\":\"active\",\"status_name\":\"正常运行\",\"verdict\":\"fail\","
              "\"findings\":[{\"rule\":\"link-broken\",\"severity\":\"deduct\","
              "\"detail\":\"link to /a\xEF\xBF\xBD\\\"b\",\"detail_zh\":\"link to "
              "/a\xEF\xBF\xBD\\\"b\",\"url\":\"http://x/edu/p.html\"},{\"rule\":"
              "\"no-interaction\",\"severity\":\"veto\",\"detail\":\"none\",\"detail_zh\":"
              "\"没有\",\"url\":null}]}]}");
    free(text);
    json_decref(j);
}

/* ---- the history after an approval through the workflow ---- */

static void put_account(store_t *s, const char *name, const char *role)
{
    account_t a = {0};
    snprintf(a.name, sizeof a.name, "%s", name);
    char err[128];
    assert_true(account_role_parse(role, &a.roles[0], err, sizeof err));
    a.nroles = 1;
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    assert_int_equal(account_put(w, &a), STORE_OK);
    assert_int_equal(store_commit(w), STORE_OK);
}

static void act(store_t *s, const conf_t *c, const char *who, int64_t now,
                workflow_rc_t (*fn)(const workflow_ctx_t *, char *, void *), char *id, void *arg)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    workflow_ctx_t x = {w, c, who, now, NULL};
    assert_int_equal(fn(&x, id, arg), WORKFLOW_OK);
    assert_int_equal(store_commit(w), STORE_OK);
}

static workflow_rc_t do_create(const workflow_ctx_t *x, char *id, void *arg)
{
    (void)arg;
    workflow_fields_t f = {.site = "edu", .column = "news", .title = "开学通知", .body = "正文。\n",
                           .source = "市教育局", .author = "李华",
                           .disclosure = ARTICLE_DISCLOSE_ACTIVE};
    workflow_err_t e;
    return workflow_create(x, &f, id, &e);
}

static workflow_rc_t do_submit(const workflow_ctx_t *x, char *id, void *arg)
{
    (void)arg;
    workflow_err_t e;
    return workflow_submit(x, id, &e);
}

static workflow_rc_t do_approve(const workflow_ctx_t *x, char *id, void *arg)
{
    (void)arg;
    workflow_err_t e;
    char *url = NULL;
    workflow_rc_t rc = workflow_approve(x, id, &(workflow_approval_t){.secrecy_review = true}, &url, &e);
    free(url);
    return rc;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    return json_is_null(v) ? NULL : json_string_value(v);
}

static void test_history_after_approval(void **state)
{
    testutil_store_t *st = *state;
    diag_t d;
    diag_init(&d);
    int64_t today;
    util_parse_date("2026-12-01", &today);
    conf_t *c = conf_load("conf/jiyue.yaml", today, &d);
    if (!c)
        diag_print(&d, stderr);
    diag_free(&d);
    assert_non_null(c);
    put_account(st->s, "ed.edu", "editor:edu");
    put_account(st->s, "rev.edu", "reviewer:edu");
    int64_t now;
    article_parse_time("2026-12-05 10:00", &now);
    char id[WORKFLOW_ID_MAX + 1] = "";
    act(st->s, c, "ed.edu", now, do_create, id, NULL);
    act(st->s, c, "ed.edu", now + 60, do_submit, id, NULL);
    act(st->s, c, "rev.edu", now + 120, do_approve, id, NULL);

    store_txn_t *t = store_read_txn_new(st->s);
    assert_int_equal(store_read_renew(t), STORE_OK);
    json_t *o = NULL;
    assert_int_equal(console_history_json(t, "edu", 50, false, false, &o), STORE_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 4);
    json_t *recs = json_object_get(o, "records");
    assert_int_equal(json_array_size(recs), 4);
    /* newest first: the approval's two records, then submit, then create */
    const char *actions[4];
    for (size_t i = 0; i < 4; i++)
        actions[i] = str(json_array_get(recs, i), "action");
    json_t *pub = NULL, *appr = NULL;
    for (size_t i = 0; i < 2; i++) {
        json_t *r = json_array_get(recs, i);
        if (strcmp(str(r, "action"), "publish") == 0)
            pub = r;
        else if (strcmp(str(r, "action"), "draft-approve") == 0)
            appr = r;
    }
    assert_non_null(pub);
    assert_non_null(appr);
    assert_string_equal(actions[2], "draft-submit");
    assert_string_equal(actions[3], "draft-create");
    /* the account names, not names typed into front matter */
    assert_string_equal(str(pub, "kind"), "article");
    assert_string_equal(str(pub, "publisher"), "ed.edu");
    assert_string_equal(str(pub, "reviewer"), "rev.edu");
    assert_string_equal(str(pub, "secrecy_review"), "rev.edu");
    assert_string_equal(str(pub, "site"), "edu");
    assert_int_equal(json_integer_value(json_object_get(pub, "revision")), 1);
    assert_string_equal(str(appr, "kind"), "draft");
    assert_string_equal(str(appr, "by"), "rev.edu");
    assert_string_equal(str(json_array_get(recs, 3), "by"), "ed.edu");
    assert_string_equal(str(json_array_get(recs, 3), "id"), id);
    /* numbered as `jiyuectl history edu` numbers them */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 3), "seq")), 1);
    json_decref(o);

    /* a limit keeps the newest; another site's trail is empty */
    assert_int_equal(console_history_json(t, "edu", 1, false, false, &o), STORE_OK);
    assert_int_equal(json_array_size(json_object_get(o, "records")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 4);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(o, "records"), 0), "seq")),
        4);
    json_decref(o);
    assert_int_equal(console_history_json(t, "health", 50, false, false, &o), STORE_OK);
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 0);
    json_decref(o);
    store_txn_free(t);
    conf_free(c);
}

static int store_setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-inbox-XXXXXX", NULL);
}

static int store_teardown(void **state)
{
    return testutil_store_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_parse),    cmocka_unit_test(test_messages_order),
        cmocka_unit_test(test_reply_text_rule), cmocka_unit_test(test_overdue_rule),
        cmocka_unit_test(test_json_text),       cmocka_unit_test(test_audit_json),
        cmocka_unit_test_setup_teardown(test_history_after_approval, store_setup, store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
