/* modules/console/console_page_review.c: /review/ID, a draft as its reviewer weighs it:
 * what it is, its page exactly as readers will see it (/review/ID/preview, framed), what
 * changed against the published revision when it revises an article, and the approve
 * (with the 保密审查 checkbox) and reject (with a reason) forms, which post to
 * /api/drafts/ID/approve and /reject with ?next=/drafts/ID.
 *
 * The preview is the content module's own article rendering (content_preview.h) over the
 * article the approval would store: the draft's fields, its Markdown rendered as
 * publication renders it, the editor as publisher, the account looking as reviewer and
 * 保密审查 (whoever approves is named there), the time it would carry. It is served with a
 * policy of its own: a CSP sandbox (no script runs, a unique origin), its inline style
 * only, framed by the console alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "console_diff.h"
#include "console_pages.h"
#include "content_columns.h"
#include "content_preview.h"
#include "log.h"
#include "markdown.h"
#include "workflow.h"

#define PREVIEW_CSP                                                                          \
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "        \
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

/* The draft for this account, or answers (404/403 as the API, 503) and returns false. */
static bool read_draft(request_t *r, const account_t *a, const char *id, workflow_draft_t *d,
                       bool page)
{
    store_txn_t *t = request_store(r);
    workflow_err_t e;
    workflow_rc_t rc = t ? workflow_read(t, r->snap->conf, a->name, id, d, &e) : WORKFLOW_ESTORE;
    if (rc == WORKFLOW_OK)
        return true;
    const char *msg = t ? e.msg : "the store cannot be read";
    if (page)
        console_page_error(r, workflow_http_status(rc), msg, NULL, "/drafts", 0);
    else
        response_error(r, workflow_http_status(rc), msg);
    return false;
}

/* Whether account a may decide on d (the workflow decides again on the act): a reviewer
 * of its site who neither wrote it nor saved it last. A submitted draft is approved or
 * rejected; a scheduled one (approved ahead of its time) may still be called off. */
static bool may_decide(const account_t *a, const workflow_draft_t *d, const conf_t *c)
{
    return (d->state == WORKFLOW_SUBMITTED || d->state == WORKFLOW_SCHEDULED) &&
           strcmp(d->editor, a->name) != 0 && strcmp(d->last_by, a->name) != 0 &&
           account_may(a, ACCOUNT_ROLE_REVIEWER, c, d->site);
}

typedef struct diff_out {
    console_page_t *p;
    tpl_val_t *list;
    size_t changed;
} diff_out_t;

static void diff_line(void *ud, console_diff_op_t op, const char *line, size_t len)
{
    diff_out_t *o = ud;
    static const char *const ops[] = {"same", "del", "add"};
    tpl_val_t *m = tpl_list_add_map(o->p->d, o->list);
    tpl_set_str(o->p->d, m, "op", ops[op]);
    tpl_set_strn(o->p->d, m, "text", line, len);
    o->changed += op != CONSOLE_DIFF_SAME;
}

/* What the draft changes against the article it revises: title and body text. */
static void add_changes(console_page_t *p, store_txn_t *t, const workflow_draft_t *d)
{
    article_t old;
    tpl_val_t *ch = tpl_set_map(p->d, p->root, "changes");
    if (article_get(t, d->site, d->column, d->article, &old) != STORE_OK) {
        tpl_set_bool(p->d, ch, "gone", true); /* unpublished meanwhile: approval will say */
        return;
    }
    tpl_set_int(p->d, ch, "revision", old.revision);
    if (strcmp(old.title, d->title) != 0) {
        tpl_set_str(p->d, ch, "old_title", old.title);
        tpl_set_str(p->d, ch, "new_title", d->title);
    }
    /* a policy document's header: each key the revision changes (an empty index_no keeps
     * the article's, so it is no change) */
    const char *hdr[][4] = {{"doc_no", "发文字号", old.doc_no, d->doc_no},
                            {"issuer", "发文机关", old.issuer, d->issuer},
                            {"written", "成文日期", old.written, d->written},
                            {"topic", "主题分类", old.topic, d->topic},
                            {"index_no", "索引号", old.index_no, d->index_no}};
    tpl_val_t *keys = tpl_set_list(p->d, ch, "header");
    for (size_t i = 0; i < UTIL_ARRAY_LEN(hdr); i++) {
        const char *was = hdr[i][2] ? hdr[i][2] : "", *now = hdr[i][3] ? hdr[i][3] : "";
        if (strcmp(was, now) == 0 || (i == 4 && !*now))
            continue;
        tpl_val_t *k = tpl_list_add_map(p->d, keys);
        tpl_set_str(p->d, k, "key", hdr[i][0]);
        tpl_set_str(p->d, k, "label", hdr[i][1]);
        tpl_set_str(p->d, k, "old", was);
        tpl_set_str(p->d, k, "new", now);
    }
    char *html = markdown_to_html(d->body, strlen(d->body));
    char *before = console_diff_text(old.body, old.body_len);
    char *after = console_diff_text(html, strlen(html));
    diff_out_t o = {p, tpl_set_list(p->d, ch, "lines"), 0};
    console_diff_lines(before, strlen(before), after, strlen(after), diff_line, &o);
    tpl_set_bool(p->d, ch, "body_changed", o.changed > 0);
    free(html);
    free(before);
    free(after);
}

/* A policy column's draft: its header fields as the reviewer approves them (an empty
 * 索引号 is generated at approval). */
static void add_policy(console_page_t *p, tpl_val_t *m, const workflow_draft_t *d,
                       const conf_t *c)
{
    const conf_site_t *site = conf_site_find(c, d->site);
    const conf_column_t *col = site ? conf_column_find(site, d->column) : NULL;
    if (!col || col->type != COLUMN_POLICY || workflow_draft_is_offer(d))
        return;
    tpl_val_t *pm = tpl_set_map(p->d, m, "policy");
    const char *pol[][2] = {{"doc_no", d->doc_no}, {"issuer", d->issuer},
                            {"written", d->written}, {"topic", d->topic},
                            {"index_no", d->index_no}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pol); i++)
        tpl_set_str(p->d, pm, pol[i][0], pol[i][1]);
}

void console_page_review(request_t *r, const console_session_t *s, const account_t *a,
                         const char *id)
{
    const conf_t *c = r->snap->conf;
    workflow_draft_t d;
    if (!read_draft(r, a, id, &d, true))
        return;
    console_page_t p;
    console_page_begin(&p, "审核稿件", s, a);
    tpl_val_t *m = tpl_set_map(p.d, p.root, "draft");
    console_page_draft_summary(&p, m, &d, c);
    if (d.submitted) {
        char minute[17];
        article_format_minute(d.submitted, minute);
        tpl_set_str(p.d, m, "submitted", minute);
    }
    bool decide = may_decide(a, &d, c);
    tpl_set_bool(p.d, p.root, "decide", decide);
    tpl_set_bool(p.d, p.root, "approve", decide && d.state == WORKFLOW_SUBMITTED);
    if (d.state == WORKFLOW_SCHEDULED && d.scheduled) {
        char when[17];
        article_format_minute(d.scheduled, when);
        tpl_set_str(p.d, m, "scheduled", when);
    }
    if (d.update)
        add_changes(&p, request_store(r), &d);
    add_policy(&p, m, &d, c);
    console_page_personal(&p, &d);
    workflow_draft_free(&d);
    console_page_finish(r, &p, 200, "console_review.html");
}

void console_page_preview(request_t *r, const account_t *a, const char *id)
{
    workflow_draft_t d;
    if (!read_draft(r, a, id, &d, false))
        return;
    int64_t now = (int64_t)time(NULL);
    char day[11];
    article_format_day(now, day);
    char *html = markdown_to_html(d.body, strlen(d.body));
    util_buf_t names = {0};
    for (size_t i = 0; i < d.natt; i++)
        util_buf_printf(&names, "%s%s", i ? "\n" : "", d.att[i].name);
    util_buf_append(&names, "", 1);
    article_t art = {
        .site = d.site, .column = d.column, .id = d.article, .title = d.title,
        .source = d.source, .author = d.author, .publisher = d.editor, .reviewer = a->name,
        .disclosure = d.disclosure, .secrecy_by = a->name, .secrecy_date = day,
        .format = "markdown", .body = html, .body_len = strlen(html),
        .attachments = names.data, .pubtime = now, .updated = now, .revision = 1,
        .doc_no = d.doc_no, .issuer = d.issuer, .written = d.written, .topic = d.topic,
        .index_no = d.index_no,
    };
    /* A revision keeps its first publication's time, as the publication will. */
    article_t old;
    if (workflow_draft_is_offer(&d)) {
        /* an offer: the original as readers see it now (its listing copies nothing) */
        if (article_get(request_store(r), d.of_site, d.of_column, d.of_id, &old) != STORE_OK) {
            free(html);
            util_buf_free(&names);
            workflow_draft_free(&d);
            response_error(r, 404, "the offered article is no longer published");
            return;
        }
        art = old;
    } else if (d.update &&
               article_get(request_store(r), d.site, d.column, d.article, &old) == STORE_OK) {
        art.pubtime = old.pubtime;
        art.revision = old.revision + 1;
        if (!*d.index_no)
            art.index_no = old.index_no; /* a revision keeps its 索引号 */
    }
    if (*d.date && !workflow_draft_is_offer(&d))
        article_parse_time(d.date, &art.pubtime);
    util_buf_t out = {0};
    int rc = content_preview(r, &art, &out);
    free(html);
    util_buf_free(&names);
    workflow_draft_free(&d);
    if (rc != 0) {
        util_buf_free(&out);
        response_error(r, rc < 0 ? 503 : 404, "the draft's site or column is gone");
        return;
    }
    r->not_public = true;
    response_begin(r, 200);
    response_header(r, "Content-Type", "text/html; charset=utf-8", 24);
    response_header(r, "Content-Security-Policy", PREVIEW_CSP, sizeof PREVIEW_CSP - 1);
    response_header(r, "X-Frame-Options", "SAMEORIGIN", 10);
    response_header(r, "X-Content-Type-Options", "nosniff", 7);
    response_header(r, "Referrer-Policy", "no-referrer", 11);
    response_end_headers(r, out.len);
    response_body(r, out.data, out.len, true);
    util_buf_free(&out);
}
