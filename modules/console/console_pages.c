/* modules/console/console_pages.c: the routes of the console's pages (console_pages.h),
 * the sign-in page, "my sites", the stylesheet, and what the draft pages share. */
#include "console_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "care.h"
#include "console_api.h"
#include "theme.h"
#include "workflow.h"
#include "workflow_personal.h"

static bool path_is(const request_t *r, const char *p)
{
    size_t n = strlen(p);
    return r->path_len == n && memcmp(r->path, p, n) == 0;
}

/* "/drafts/7" with prefix "/drafts/": the rest ("7") if it is one segment of at most
 * WORKFLOW_ID_MAX bytes (workflow_read checks it is a draft id), else false. */
static bool tail_of(const request_t *r, const char *prefix, const char *suffix,
                    char out[static WORKFLOW_ID_MAX + 1])
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    if (r->path_len <= pl + sl || memcmp(r->path, prefix, pl) != 0 ||
        memcmp(r->path + r->path_len - sl, suffix, sl) != 0)
        return false;
    size_t n = r->path_len - pl - sl;
    if (n > WORKFLOW_ID_MAX || memchr(r->path + pl, '/', n))
        return false;
    memcpy(out, r->path + pl, n);
    out[n] = '\0';
    return true;
}

/* /console.css, and /console-care.css after it in the 适老化 mode (console_care.css). */
static void page_stylesheet(request_t *r, const char *name)
{
    const conf_t *c = r->snap->conf;
    const tpl_t *t = c->themes ? tpl_set_get(theme_for_site(c->themes, NULL), name) : NULL;
    if (!t) {
        response_error(r, 404, "no stylesheet");
        return;
    }
    util_buf_t out = {0};
    tpl_data_t *d = tpl_data_new();
    tpl_render(t, tpl_data_root(d), &out);
    tpl_data_free(d);
    r->not_public = true;
    response_begin(r, 200);
    response_header(r, "Content-Type", "text/css; charset=utf-8", 23);
    response_header(r, "X-Content-Type-Options", "nosniff", 7);
    response_end_headers(r, out.len);
    response_body(r, out.data, out.len, true);
    util_buf_free(&out);
}

static void page_login(request_t *r)
{
    /* Signed in already (a bookmark, the back button): the console's home instead. */
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    int status;
    const char *why;
    if (console_session_find(r, &s, &a, key, &status, &why) == STORE_OK) {
        account_password_wipe(a.hash, sizeof a.hash);
        response_redirect(r, 303, "/", 1);
        return;
    }
    console_page_t p;
    console_page_begin(&p, "登录", NULL, NULL);
    console_page_finish(r, &p, 200, "console_login.html");
}

/* My sites: every site where the account holds a role, with the roles in Chinese. */
static void page_sites(request_t *r, const console_session_t *s, const account_t *a)
{
    static const struct {
        account_role_kind_t kind;
        const char *label;
    } kinds[] = {{ACCOUNT_ROLE_EDITOR, "编辑"},
                 {ACCOUNT_ROLE_REVIEWER, "审核"},
                 {ACCOUNT_ROLE_REPLIER, "答复"},
                 {ACCOUNT_ROLE_SITE_ADMIN, "站点管理"}};
    const conf_t *c = r->snap->conf;
    console_page_t p;
    console_page_begin(&p, "我的站点", s, a);
    tpl_val_t *list = tpl_set_list(p.d, p.root, "sites");
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *site = &c->sites[i];
        tpl_val_t *m = NULL, *roles = NULL;
        bool editor = false, replier = false, admin = false;
        for (size_t k = 0; k < UTIL_ARRAY_LEN(kinds); k++) {
            if (!account_may(a, kinds[k].kind, c, site->id))
                continue;
            if (!m) {
                m = tpl_list_add_map(p.d, list);
                tpl_set_str(p.d, m, "id", site->id);
                tpl_set_str(p.d, m, "name", site->name);
                const router_site_t *rs = router_site(r->snap->router, site->id);
                if (rs && rs->canon_host) {
                    char *home = util_asprintf("http://%s%s", rs->canon_host, rs->canon_prefix);
                    tpl_set_str(p.d, m, "home", home);
                    free(home);
                }
                roles = tpl_set_list(p.d, m, "roles");
            }
            tpl_list_add_str(p.d, roles, kinds[k].label);
            editor |= kinds[k].kind == ACCOUNT_ROLE_EDITOR;
            replier |= kinds[k].kind == ACCOUNT_ROLE_REPLIER;
            admin |= kinds[k].kind == ACCOUNT_ROLE_SITE_ADMIN;
        }
        if (m) {
            tpl_set_bool(p.d, m, "editor", editor);
            tpl_set_bool(p.d, m, "replier", replier); /* the messages page */
            tpl_set_bool(p.d, m, "admin", admin);     /* the audit page */
        }
    }
    console_page_finish(r, &p, 200, "console_sites.html");
}

const char *console_page_state_label(int state)
{
    static const char *const labels[] = {"草稿", "待审核", "已退回", "已发布", "定时发布"};
    _Static_assert(UTIL_ARRAY_LEN(labels) == WORKFLOW_STATE_COUNT, "a label for each state");
    return (unsigned)state < UTIL_ARRAY_LEN(labels) ? labels[state] : "";
}

void console_page_draft_summary(console_page_t *p, tpl_val_t *m, const workflow_draft_t *d,
                                const conf_t *c)
{
    const conf_site_t *site = conf_site_find(c, d->site);
    const conf_column_t *col = site ? conf_column_find(site, d->column) : NULL;
    tpl_set_str(p->d, m, "id", d->id);
    tpl_set_str(p->d, m, "site", site ? site->name : d->site);
    tpl_set_str(p->d, m, "site_id", d->site);
    tpl_set_str(p->d, m, "column", col ? col->name : d->column);
    tpl_set_str(p->d, m, "title", *d->title ? d->title : "（无标题）");
    tpl_set_str(p->d, m, "state", console_page_state_label(d->state));
    tpl_set_str(p->d, m, "state_name", workflow_state_name(d->state));
    tpl_set_str(p->d, m, "editor", d->editor);
    char minute[17];
    article_format_minute(d->updated, minute);
    tpl_set_str(p->d, m, "updated", minute);
    tpl_set_bool(p->d, m, "update", d->update);
    if (*d->reason && d->state == WORKFLOW_REJECTED)
        tpl_set_str(p->d, m, "reason", d->reason);
    if (*d->reviewer)
        tpl_set_str(p->d, m, "reviewer", d->reviewer);
    if (workflow_draft_is_offer(d)) {
        /* 报送: what is offered, from which site (the editor is who offered it) */
        const conf_site_t *from = conf_site_find(c, d->of_site);
        tpl_val_t *o = tpl_set_map(p->d, m, "offer");
        tpl_set_str(p->d, o, "site", from ? from->name : d->of_site);
        tpl_set_str(p->d, o, "site_id", d->of_site);
        tpl_set_str(p->d, o, "column", d->of_column);
        tpl_set_str(p->d, o, "id", d->of_id);
        char *url = article_url_path(c, d->of_site, d->of_column, d->of_id);
        tpl_set_str(p->d, o, "url", url);
        free(url);
    }
}

module_result_t console_pages_handle(request_t *r)
{
    r->not_public = true;
    if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD) {
        response_begin(r, 405);
        response_header(r, "Allow", "GET, HEAD", 9);
        response_end_headers(r, 0);
        return MODULE_DONE;
    }
    if (path_is(r, "/console.css") || path_is(r, "/console-care.css")) {
        page_stylesheet(r, r->path_len == 12 ? "console.css" : "console_care.css");
        return MODULE_DONE;
    }
    if (path_is(r, "/care")) { /* the 适老化 switch: a display preference, signed in or not */
        care_switch(r, "/", 1);
        return MODULE_DONE;
    }
    if (path_is(r, "/login")) {
        page_login(r);
        return MODULE_DONE;
    }
    char id[WORKFLOW_ID_MAX + 1];
    enum {
        P_SITES,
        P_DRAFTS,
        P_NEW,
        P_EDIT,
        P_REVIEW,
        P_PREVIEW,
        P_MESSAGES,
        P_HISTORY,
        P_AUDIT,
        P_OFFER,
        P_NONE
    } which = P_NONE;
    if (path_is(r, "/"))
        which = P_SITES;
    else if (path_is(r, "/messages"))
        which = P_MESSAGES;
    else if (path_is(r, "/history"))
        which = P_HISTORY;
    else if (path_is(r, "/audit"))
        which = P_AUDIT;
    else if (path_is(r, "/offer"))
        which = P_OFFER;
    else if (path_is(r, "/drafts"))
        which = P_DRAFTS;
    else if (path_is(r, "/drafts/new"))
        which = P_NEW;
    else if (tail_of(r, "/review/", "/preview", id))
        which = P_PREVIEW;
    else if (tail_of(r, "/drafts/", "", id))
        which = P_EDIT;
    else if (tail_of(r, "/review/", "", id))
        which = P_REVIEW;
    if (which == P_NONE) {
        console_page_error(r, 404, "没有这个页面", NULL, "/", 0);
        return MODULE_DONE;
    }
    console_session_t s;
    account_t a;
    if (console_page_session(r, &s, &a) != STORE_OK)
        return MODULE_DONE;
    switch (which) {
    case P_SITES:
        page_sites(r, &s, &a);
        break;
    case P_DRAFTS:
        console_page_drafts(r, &s, &a);
        break;
    case P_NEW:
        console_page_editor(r, &s, &a, NULL);
        break;
    case P_EDIT:
        console_page_editor(r, &s, &a, id);
        break;
    case P_REVIEW:
        console_page_review(r, &s, &a, id);
        break;
    case P_MESSAGES:
        console_page_messages(r, &s, &a);
        break;
    case P_HISTORY:
        console_page_history(r, &s, &a);
        break;
    case P_AUDIT:
        console_page_audit(r, &s, &a);
        break;
    case P_OFFER:
        console_page_offer(r, &s, &a);
        break;
    case P_PREVIEW:
    default:
        console_page_preview(r, &a, id);
        break;
    }
    account_password_wipe(a.hash, sizeof a.hash);
    return MODULE_DONE;
}

void console_page_personal(console_page_t *p, const workflow_draft_t *d)
{
    audit_personal_t pii;
    workflow_personal_scan(d, (int64_t)time(NULL), &pii);
    if (!pii.ids && !pii.phones)
        return;
    tpl_val_t *m = tpl_set_map(p->d, p->root, "personal");
    tpl_set_int(p->d, m, "ids", (long long)pii.ids);
    tpl_set_int(p->d, m, "phones", (long long)pii.phones);
    tpl_set_str(p->d, m, "id_sample", pii.id_sample);
    tpl_set_str(p->d, m, "phone_sample", pii.phone_sample);
}
