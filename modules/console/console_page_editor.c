/* modules/console/console_page_editor.c: /drafts/new and /drafts/ID: the editor. A new
 * draft's form posts to /api/drafts?next=/drafts/{id} (the answer's id fills {id}); a
 * draft's form posts its changes to /api/drafts/ID, its submit button to
 * /api/drafts/ID/submit, and its upload form (multipart) to /api/drafts/ID/attachments,
 * each with ?next=/drafts/ID. The fields are the API's (the front-matter names). A draft
 * that may not be changed (submitted, published, or read by a reviewer) is shown
 * read-only, with a link to its review page for a reviewer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "console_pages.h"
#include "content_columns.h"
#include "log.h"
#include "url.h"
#include "workflow.h"

/* The columns of a site an editor may write into: every column that lists articles. */
static void add_columns(console_page_t *p, const conf_site_t *site, const char *current)
{
    tpl_val_t *cols = tpl_set_list(p->d, p->root, "columns");
    for (size_t i = 0; i < site->ncolumns; i++) {
        const conf_column_t *c = &site->columns[i];
        if (c->type == COLUMN_STATIC || c->type == COLUMN_INTERACTION)
            continue; /* they list no articles */
        tpl_val_t *m = tpl_list_add_map(p->d, cols);
        tpl_set_str(p->d, m, "id", c->id);
        tpl_set_str(p->d, m, "name", c->name);
        tpl_set_bool(p->d, m, "selected", current && strcmp(current, c->id) == 0);
    }
}

static void add_disclosures(console_page_t *p, const char *current)
{
    static const char *const values[] = {ARTICLE_DISCLOSE_ACTIVE, ARTICLE_DISCLOSE_ON_REQUEST};
    tpl_val_t *list = tpl_set_list(p->d, p->root, "disclosures");
    for (size_t i = 0; i < UTIL_ARRAY_LEN(values); i++) {
        tpl_val_t *m = tpl_list_add_map(p->d, list);
        tpl_set_str(p->d, m, "value", values[i]);
        tpl_set_bool(p->d, m, "selected", current && strcmp(current, values[i]) == 0);
    }
}

/* /drafts/new[?site=ID]: the form, or the choice of site when the account writes for
 * several and named none. */
static void page_new(request_t *r, const console_session_t *s, const account_t *a)
{
    const conf_t *c = r->snap->conf;
    char want[64];
    bool named = console_page_query(r, "site", want, sizeof want);
    const conf_site_t *site = NULL;
    size_t n = 0;
    console_page_t p;
    console_page_begin(&p, "新建稿件", s, a);
    tpl_val_t *choices = tpl_set_list(p.d, p.root, "choices");
    for (size_t i = 0; i < c->nsites; i++) {
        if (!account_may(a, ACCOUNT_ROLE_EDITOR, c, c->sites[i].id))
            continue;
        n++;
        tpl_val_t *m = tpl_list_add_map(p.d, choices);
        tpl_set_str(p.d, m, "id", c->sites[i].id);
        tpl_set_str(p.d, m, "name", c->sites[i].name);
        if (named ? strcmp(want, c->sites[i].id) == 0 : n == 1)
            site = &c->sites[i];
    }
    if (named && !site) {
        tpl_data_free(p.d);
        console_page_error(r, 403, "you may not write drafts for this site", "site", "/drafts",
                           0);
        return;
    }
    if (n == 0) {
        tpl_data_free(p.d);
        console_page_error(r, 403, "you are an editor of no site", NULL, "/", 0);
        return;
    }
    if (!named && n > 1) {
        tpl_set_bool(p.d, p.root, "choose", true);
        console_page_finish(r, &p, 200, "console_editor.html");
        return;
    }
    tpl_val_t *d = tpl_set_map(p.d, p.root, "draft");
    tpl_set_str(p.d, d, "site_id", site->id);
    tpl_set_str(p.d, d, "site", site->name);
    tpl_set_bool(p.d, p.root, "editable", true);
    tpl_set_bool(p.d, p.root, "new", true);
    add_columns(&p, site, NULL);
    add_disclosures(&p, ARTICLE_DISCLOSE_ACTIVE);
    /* the column is chosen in the same form: without script the policy fields show, with
     * a note that only a policy column takes them */
    tpl_set_bool(p.d, p.root, "policy_fields", true);
    tpl_set_bool(p.d, p.root, "policy_note", true);
    console_page_finish(r, &p, 200, "console_editor.html");
}

void console_page_editor(request_t *r, const console_session_t *s, const account_t *a,
                         const char *id)
{
    if (!id) {
        page_new(r, s, a);
        return;
    }
    const conf_t *c = r->snap->conf;
    store_txn_t *t = request_store(r);
    workflow_draft_t d;
    workflow_err_t e;
    workflow_rc_t rc = t ? workflow_read(t, c, a->name, id, &d, &e) : WORKFLOW_ESTORE;
    if (rc != WORKFLOW_OK) {
        console_page_error(r, workflow_http_status(rc), t ? e.msg : "the store cannot be read",
                           NULL, "/drafts", 0);
        return;
    }
    console_page_t p;
    console_page_begin(&p, *d.title ? d.title : "稿件", s, a);
    tpl_val_t *m = tpl_set_map(p.d, p.root, "draft");
    console_page_draft_summary(&p, m, &d, c);
    console_page_personal(&p, &d);
    tpl_set_str(p.d, m, "title", d.title); /* the field's value, not the placeholder */
    tpl_set_str(p.d, m, "body", d.body);
    tpl_set_str(p.d, m, "source", d.source);
    tpl_set_str(p.d, m, "author", d.author);
    tpl_set_str(p.d, m, "date", d.date);
    const char *pol[][2] = {{"doc_no", d.doc_no}, {"issuer", d.issuer}, {"written", d.written},
                            {"topic", d.topic}, {"index_no", d.index_no}};
    bool any = false;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pol); i++) {
        tpl_set_str(p.d, m, pol[i][0], pol[i][1]);
        any = any || *pol[i][1];
    }
    /* a draft's column is fixed: the policy fields show in a policy column (or when a
     * draft holds them, which only a policy column's can) */
    const conf_site_t *dsite = conf_site_find(c, d.site);
    const conf_column_t *dcol = dsite ? conf_column_find(dsite, d.column) : NULL;
    tpl_set_bool(p.d, p.root, "policy_fields",
                 any || (dcol && dcol->type == COLUMN_POLICY && !workflow_draft_is_offer(&d)));
    if (d.scheduled) {
        char when[17];
        article_format_minute(d.scheduled, when);
        tpl_set_str(p.d, m, "scheduled", when);
    }
    /* an offer (报送) is never edited: offered again instead */
    bool open = (d.state == WORKFLOW_DRAFT || d.state == WORKFLOW_REJECTED) &&
                !workflow_draft_is_offer(&d);
    bool own = strcmp(d.editor, a->name) == 0 &&
               account_may(a, ACCOUNT_ROLE_EDITOR, c, workflow_draft_home(&d));
    bool admin = account_may(a, ACCOUNT_ROLE_SITE_ADMIN, c, d.site);
    tpl_set_bool(p.d, p.root, "editable", open && (own || admin));
    tpl_set_bool(p.d, p.root, "submittable", open && own);
    tpl_set_bool(p.d, p.root, "reviewable", d.state == WORKFLOW_SUBMITTED &&
                                                strcmp(d.editor, a->name) != 0 &&
                                                account_may(a, ACCOUNT_ROLE_REVIEWER, c, d.site));
    if (d.state == WORKFLOW_PUBLISHED) {
        char *url = article_url_path(c, d.site, d.column, d.article);
        tpl_set_str(p.d, m, "url", url);
        free(url);
    }
    const conf_site_t *site = conf_site_find(c, d.site);
    if (site)
        add_columns(&p, site, d.column);
    add_disclosures(&p, d.disclosure);
    tpl_val_t *atts = tpl_set_list(p.d, m, "attachments");
    for (size_t i = 0; i < d.natt; i++) {
        tpl_val_t *f = tpl_list_add_map(p.d, atts);
        tpl_set_str(p.d, f, "name", d.att[i].name);
        tpl_set_int(p.d, f, "size", (long long)d.att[i].size);
        /* the name as a path segment of its 删除 form's action */
        util_buf_t u = {0};
        url_append_path(&u, d.att[i].name, strlen(d.att[i].name));
        util_buf_append(&u, "", 1);
        tpl_set_str(p.d, f, "url_name", u.data);
        util_buf_free(&u);
    }
    workflow_draft_free(&d);
    console_page_finish(r, &p, 200, "console_editor.html");
}
