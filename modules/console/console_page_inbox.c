/* modules/console/console_page_inbox.c: the pages of a site's messages, trail and
 * self-inspection (console_pages.h): /messages?site=SITE&state=open|overdue|all,
 * /history?site=SITE and /audit?site=SITE. Each renders the very answer its API builds
 * (console_messages_json on the worker, as GET /api/messages; the history walk and the
 * audit on the thread pool, as GET /api/history and GET /api/audit, through
 * console_work_submit_page), with the API's permission rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "audit.h"
#include "care.h"
#include "console_audit.h"
#include "console_history.h"
#include "console_messages.h"
#include "console_pages.h"
#include "log.h"

/* The page's site from ?site=: NULL after answering 400 (absent, malformed, unknown). */
static const conf_site_t *page_site(request_t *r)
{
    char id[64];
    const conf_site_t *site = console_page_query(r, "site", id, sizeof id)
                                  ? conf_site_find(r->snap->conf, id)
                                  : NULL;
    if (!site)
        console_page_error(r, 400, "no such site", "site", "/", 0);
    return site;
}

static const char *str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

/* o's key into m, "" when absent or null: set even then, since a name missing from an
 * {{#each}} item would resolve in the page around it ("title" is the page's). */
static void set_from(console_page_t *p, tpl_val_t *m, const json_t *o, const char *key)
{
    tpl_set_str(p->d, m, key, str(o, key));
}

/* ---- /messages ---- */

static const char *msg_state_label(const char *state)
{
    return strcmp(state, "overdue") == 0 ? "已逾期" : strcmp(state, "open") == 0 ? "待答复" : "已答复";
}

void console_page_messages(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_site_t *site = page_site(r);
    if (!site)
        return;
    const conf_t *c = r->snap->conf;
    if (!account_may(a, ACCOUNT_ROLE_REPLIER, c, site->id)) {
        console_page_error(r, 403, "this account may not answer the messages of this site",
                           "site", "/", 0);
        return;
    }
    char st[16];
    console_msg_want_t want = CONSOLE_MSG_WANT_OPEN;
    if (console_page_query(r, "state", st, sizeof st) && !console_messages_want(st, &want)) {
        console_page_error(r, 400, "must be open, overdue or all", "state", "/", 0);
        return;
    }
    store_txn_t *t = request_store(r);
    json_t *o = NULL;
    if (!t || console_messages_json(t, site, want, 1, (int64_t)time(NULL), &o) != STORE_OK) {
        console_page_error(r, 503, "the messages cannot be read", NULL, "/", 0);
        return;
    }
    console_page_t p;
    console_page_begin(&p, "留言办理", s, a);
    tpl_set_str(p.d, p.root, "site_id", site->id);
    tpl_set_str(p.d, p.root, "site_name", site->name);
    tpl_set_str(p.d, p.root, "state", str(o, "state"));
    tpl_set_bool(p.d, p.root, "want_open", want == CONSOLE_MSG_WANT_OPEN);
    tpl_set_bool(p.d, p.root, "want_overdue", want == CONSOLE_MSG_WANT_OVERDUE);
    tpl_set_bool(p.d, p.root, "want_all", want == CONSOLE_MSG_WANT_ALL);
    json_t *list = json_object_get(o, "messages");
    tpl_set_int(p.d, p.root, "total", json_integer_value(json_object_get(o, "total")));
    tpl_set_bool(p.d, p.root, "more", json_integer_value(json_object_get(o, "total")) >
                                          (json_int_t)json_array_size(list));
    tpl_val_t *l = tpl_set_list(p.d, p.root, "messages");
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        tpl_val_t *x = tpl_list_add_map(p.d, l);
        const char *state = str(m, "state");
        tpl_set_str(p.d, x, "code", str(m, "code"));
        tpl_set_str(p.d, x, "subject", *str(m, "subject") ? str(m, "subject") : "（无标题）");
        tpl_set_str(p.d, x, "question", str(m, "question"));
        tpl_set_str(p.d, x, "date", str(m, "date"));
        tpl_set_str(p.d, x, "deadline", str(m, "deadline"));
        tpl_set_str(p.d, x, "state", state);
        tpl_set_str(p.d, x, "state_label", msg_state_label(state));
        tpl_set_bool(p.d, x, "open", strcmp(state, "answered") != 0);
        const json_t *rep = json_object_get(m, "reply");
        if (json_is_object(rep)) {
            tpl_val_t *y = tpl_set_map(p.d, x, "reply");
            tpl_set_str(p.d, y, "by", str(rep, "by"));
            tpl_set_str(p.d, y, "date", str(rep, "date"));
            tpl_set_str(p.d, y, "text", str(rep, "text"));
        }
    }
    json_decref(o);
    console_page_finish(r, &p, 200, "console_messages.html");
}

/* ---- what the pool-built pages share ---- */

static void pool_page(console_work_page_t *pg, const request_t *r, const console_session_t *s,
                      const account_t *a, const conf_site_t *site, console_work_render_fn render)
{
    memset(pg, 0, sizeof *pg);
    pg->render = render;
    pg->care = care_mode(r);
    snprintf(pg->user, sizeof pg->user, "%s", a->name);
    snprintf(pg->csrf, sizeof pg->csrf, "%s", s->csrf);
    snprintf(pg->site, sizeof pg->site, "%s", site->id);
}

/* Starts a pool-built page: false (after answering the error page) without an answer. */
static bool pool_begin(request_t *r, console_page_t *p, const char *title, int status,
                       const json_t *answer, const console_work_page_t *pg)
{
    if (!answer) {
        console_page_error(r, status, status == 503 ? "busy or the store cannot be read now: try again"
                                                    : "the page cannot be prepared",
                           NULL, "/", status == 503 ? 1 : 0);
        return false;
    }
    console_page_begin(p, title, NULL, NULL);
    p->care = pg->care;
    tpl_set_str(p->d, p->root, "user", pg->user);
    tpl_set_str(p->d, p->root, "csrf", pg->csrf);
    tpl_set_str(p->d, p->root, "site_id", pg->site);
    const conf_site_t *site = conf_site_find(r->snap->conf, pg->site);
    tpl_set_str(p->d, p->root, "site_name", site ? site->name : pg->site);
    return true;
}

/* ---- /history ---- */

static const char *action_label(const char *action)
{
    static const char *const labels[][2] = {
        {"publish", "发布"},          {"update", "更新"},           {"unpublish", "撤稿"},
        {"spam", "标为垃圾留言"},     {"draft-submit", "提交审核"}, {"draft-approve", "审核通过"},
        {"draft-reject", "退回"},     {"draft-create", "新建稿件"}, {"draft-update", "修改稿件"},
        {"draft-publish", "定时发布"}, {"draft-offer", "报送"},
    };
    for (size_t i = 0; i < UTIL_ARRAY_LEN(labels); i++)
        if (strcmp(labels[i][0], action) == 0)
            return labels[i][1];
    return action;
}

static void render_history(request_t *r, int status, const json_t *o, const console_work_page_t *pg)
{
    console_page_t p;
    if (!pool_begin(r, &p, "发布记录", status, o, pg))
        return;
    const json_t *recs = json_object_get(o, "records");
    tpl_set_int(p.d, p.root, "total", json_integer_value(json_object_get(o, "total")));
    tpl_set_int(p.d, p.root, "max", CONSOLE_HISTORY_LIMIT);
    tpl_set_bool(p.d, p.root, "more", json_integer_value(json_object_get(o, "total")) >
                                          (json_int_t)json_array_size(recs));
    tpl_val_t *l = tpl_set_list(p.d, p.root, "records");
    /* 报送 is offered on the publications of a site with a site above it, to its editors */
    const conf_t *c = r->snap->conf;
    const conf_site_t *here = conf_site_find(c, pg->site);
    account_t acct = {0};
    store_txn_t *t = request_store(r);
    bool offers = here && here->kind != SITE_PORTAL && t &&
                  account_get(t, pg->user, &acct) == STORE_OK && !acct.disabled &&
                  account_may(&acct, ACCOUNT_ROLE_EDITOR, c, here->id);
    if (t)
        account_password_wipe(acct.hash, sizeof acct.hash);
    size_t i;
    const json_t *x;
    json_array_foreach(recs, i, x)
    {
        tpl_val_t *m = tpl_list_add_map(p.d, l);
        tpl_set_int(p.d, m, "seq", json_integer_value(json_object_get(x, "seq")));
        tpl_set_str(p.d, m, "time", str(x, "time"));
        tpl_set_str(p.d, m, "action", str(x, "action"));
        tpl_set_str(p.d, m, "action_label", action_label(str(x, "action")));
        set_from(&p, m, x, "title");
        set_from(&p, m, x, "column");
        set_from(&p, m, x, "id");
        set_from(&p, m, x, "publisher");
        set_from(&p, m, x, "reviewer");
        set_from(&p, m, x, "secrecy_review");
        set_from(&p, m, x, "by");
        const char *reason = str(x, "reason");
        tpl_set_str(p.d, m, "reason", *reason ? reason : str(x, "note"));
        const char *act = str(x, "action");
        if (offers && (strcmp(act, "publish") == 0 || strcmp(act, "update") == 0) &&
            strcmp(str(x, "site"), here->id) == 0 && article_id_ok(str(x, "id"))) {
            char *u = util_asprintf("/offer?site=%s&column=%s&id=%s", here->id,
                                    str(x, "column"), str(x, "id"));
            tpl_set_str(p.d, m, "offer_url", u);
            free(u);
        } else {
            tpl_set_str(p.d, m, "offer_url", "");
        }
    }
    console_page_finish(r, &p, 200, "console_history.html");
}

void console_page_history(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_site_t *site = page_site(r);
    if (!site)
        return;
    const conf_t *c = r->snap->conf;
    bool codes = false;
    if (!console_history_may(a, c, site, &codes)) {
        console_page_error(r, 403, "this account has no role on this site", "site", "/", 0);
        return;
    }
    console_work_page_t pg;
    pool_page(&pg, r, s, a, site, render_history);
    console_history_submit(r, site->id, CONSOLE_HISTORY_LIMIT,
                           account_may(a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, NULL), codes, &pg);
}

/* ---- /audit ---- */

static const char *severity_label(const char *sev)
{
    static const audit_sev_t all[] = {AUDIT_VETO, AUDIT_DEDUCT, AUDIT_INFO};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(all); i++)
        if (strcmp(audit_sev_name(all[i]), sev) == 0)
            return audit_sev_name_zh(all[i]);
    return sev;
}

static void render_audit(request_t *r, int status, const json_t *o, const console_work_page_t *pg)
{
    console_page_t p;
    if (!pool_begin(r, &p, "自查报告", status, o, pg))
        return;
    tpl_set_str(p.d, p.root, "at", str(o, "at"));
    const json_t *site = json_array_get(json_object_get(o, "sites"), 0);
    tpl_set_str(p.d, p.root, "status_name", str(site, "status_name"));
    tpl_set_bool(p.d, p.root, "fail", strcmp(str(site, "verdict"), "fail") == 0);
    tpl_val_t *l = tpl_set_list(p.d, p.root, "findings");
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(site, "findings"), i, f)
    {
        tpl_val_t *m = tpl_list_add_map(p.d, l);
        tpl_set_str(p.d, m, "rule", str(f, "rule"));
        tpl_set_str(p.d, m, "severity", str(f, "severity"));
        tpl_set_str(p.d, m, "severity_label", severity_label(str(f, "severity")));
        const char *zh = str(f, "detail_zh");
        tpl_set_str(p.d, m, "detail", *zh ? zh : str(f, "detail"));
        set_from(&p, m, f, "url");
    }
    console_page_finish(r, &p, 200, "console_audit.html");
}

void console_page_audit(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_site_t *site = page_site(r);
    if (!site)
        return;
    console_work_page_t pg;
    pool_page(&pg, r, s, a, site, render_audit);
    if (!console_audit_submit(r, a, site, &pg))
        console_page_error(r, 403,
                           "this account may not audit this site (site_admin or cluster_admin)",
                           "site", "/", 0);
}
