/* modules/console/console_drafts.c: the drafts API (console_drafts.h). Reads answer from
 * the worker's read transaction; every change is a writer job (core/writer.h) that calls
 * one workflow transition, which re-reads the account and checks its roles inside the
 * write transaction, so a role removed or an account disabled a moment ago counts. Input
 * comes only through console_body_json and the field helpers; answers only through
 * console_reply and console_error (so a page's form gets its 303 the same way). */
#include "console_drafts.h"

#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "console.h"
#include "console_api.h"
#include "form.h"
#include "log.h"
#include "worker.h"
#include "workflow_personal.h"
#include "writer.h"

typedef enum {
    OP_CREATE, OP_UPDATE, OP_SUBMIT, OP_APPROVE, OP_REJECT, OP_UNPUBLISH, OP_ATTACH, OP_DETACH,
    OP_OFFER
} op_t;

/* An uploaded file, copied out of the request's body (which is gone once deferred). */
typedef struct job_file {
    char name[CONSOLE_MULTIPART_FILENAME_MAX + 1];
    char *data;
    size_t len;
} job_file_t;

/* The fields of a draft an editor writes, as the API names them. */
static const char *const draft_fields[] = {"site",   "column",     "article", "title",
                                           "body",   "source",     "author",  "disclosure",
                                           "date",   "scheduled",  "doc_no",  "issuer",
                                           "written", "topic",     "index_no", NULL};

typedef struct draft_job {
    request_deferred_t *d;
    op_t op;
    const conf_t *conf; /* the request's snapshot, pinned while it is deferred */
    char who[ACCOUNT_NAME_MAX + 1];
    char id[WORKFLOW_ID_MAX + 1];
    json_t *body; /* owns the strings f and the others point to */
    workflow_fields_t f;
    workflow_approval_t approval;
    const char *reason, *site, *column, *article, *to_site, *to_column;
    char name[ARTICLE_ATTACHMENT_NAME_MAX + 1]; /* detach: the attachment's name */
    job_file_t *files; /* create and attach: stored with the draft, all or none */
    size_t nfiles;
    /* the outcome */
    workflow_rc_t wrc;
    workflow_err_t e;
    char newid[WORKFLOW_ID_MAX + 1];
    char *url;
    bool scheduled; /* approve: it waits for its time (at) */
    int64_t at;
} draft_job_t;

static void job_free(draft_job_t *j)
{
    for (size_t i = 0; i < j->nfiles; i++)
        free(j->files[i].data);
    free(j->files);
    json_decref(j->body);
    free(j->url);
    free(j);
}

/* ------------------------------------------------------------------ answers */

static json_t *minute_or_null(int64_t t)
{
    if (t <= 0)
        return json_null();
    char buf[17];
    article_format_minute(t, buf);
    return json_string(buf);
}

json_t *console_draft_json(const conf_t *c, const workflow_draft_t *d)
{
    json_t *atts = json_array();
    for (size_t i = 0; i < d->natt; i++)
        json_array_append_new(atts, json_pack("{s:s, s:I}", "name", d->att[i].name, "size",
                                              (json_int_t)d->att[i].size));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:s, s:s,"
        " s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
        "id", d->id, "site", d->site, "column", d->column, "article", d->article, "update",
        d->update, "title", d->title, "body", d->body, "source", d->source, "author", d->author,
        "disclosure", d->disclosure, "date", d->date, "scheduled", minute_or_null(d->scheduled),
        "state", workflow_state_name(d->state), "revision", (json_int_t)d->revision, "edits",
        (json_int_t)d->edits, "editor", d->editor, "last_by", d->last_by, "reviewer",
        d->reviewer, "reason", d->reason, "created", minute_or_null(d->created), "updated",
        minute_or_null(d->updated), "submitted", minute_or_null(d->submitted), "decided",
        minute_or_null(d->decided), "attachments", atts);
    char *url = d->state == WORKFLOW_PUBLISHED ? article_url_path(c, d->site, d->column, d->article)
                                               : NULL;
    json_object_set_new(o, "url", url ? json_string(url) : json_null());
    free(url);
    /* a policy document's header, as given ("" when not: index_no then comes at approval) */
    const char *pol[][2] = {{"doc_no", d->doc_no}, {"issuer", d->issuer},
                            {"written", d->written}, {"topic", d->topic},
                            {"index_no", d->index_no}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pol); i++)
        json_object_set_new(o, pol[i][0], json_string(pol[i][1] ? pol[i][1] : ""));
    /* unmasked ID and mobile numbers in what it would publish (masked samples only): the
     * reviewer's warning; approval asks for personal_data while ids > 0 */
    audit_personal_t pii;
    workflow_personal_scan(d, console_now_ms() / 1000, &pii);
    json_object_set_new(o, "personal_data",
                        json_pack("{s:I, s:I, s:s?, s:s?}", "ids", (json_int_t)pii.ids, "phones",
                                  (json_int_t)pii.phones, "id_sample", pii.ids ? pii.id_sample : NULL,
                                  "phone_sample", pii.phones ? pii.phone_sample : NULL));
    /* an offer (报送): the article offered, and where it is read */
    json_t *of = json_null();
    if (workflow_draft_is_offer(d)) {
        char *ou = article_url_path(c, d->of_site, d->of_column, d->of_id);
        of = json_pack("{s:s, s:s, s:s, s:s?}", "site", d->of_site, "column", d->of_column, "id",
                       d->of_id, "url", ou);
        free(ou);
    }
    json_object_set_new(o, "offer", of);
    return o;
}

static void respond_job(request_t *r, void *ud)
{
    draft_job_t *j = ud;
    if (j->wrc != WORKFLOW_OK) {
        int st = workflow_http_status(j->wrc);
        if (st >= 500)
            log_error("console: drafts: %s", j->e.msg);
        console_error(r, st, st >= 500 ? "the store failed; try again" : j->e.msg, j->e.field);
        return;
    }
    switch (j->op) {
    case OP_CREATE:
    case OP_OFFER:
        console_reply(r, 201, json_pack("{s:s}", "id", j->newid), NULL, 0);
        break;
    case OP_APPROVE:
        /* published now, or at its scheduled time (then "state" and "scheduled" say so) */
        console_reply(r, 200,
                      j->scheduled ? json_pack("{s:s, s:s, s:o}", "url", j->url ? j->url : "",
                                               "state", "scheduled", "scheduled",
                                               minute_or_null(j->at))
                                   : json_pack("{s:s}", "url", j->url ? j->url : ""),
                      NULL, 0);
        break;
    case OP_ATTACH: {
        json_t *arr = json_array();
        for (size_t i = 0; i < j->nfiles; i++)
            json_array_append_new(arr, json_pack("{s:s, s:I}", "name", j->files[i].name, "size",
                                                 (json_int_t)j->files[i].len));
        console_reply(r, 200, json_pack("{s:o}", "attachments", arr), NULL, 0);
        break;
    }
    default:
        console_reply(r, 200, json_pack("{s:b}", "ok", 1), NULL, 0);
        break;
    }
}

static void respond_failed(request_t *r, void *ud)
{
    (void)ud;
    console_error(r, 503, "the change could not be written; try again", NULL);
}

/* ------------------------------------------------------------------ the writer */

static int apply_job(store_txn_t *t, void *ud)
{
    draft_job_t *j = ud;
    /* a batch may run a job again (another job of it failed): start clean */
    free(j->url);
    j->url = NULL;
    j->newid[0] = '\0';
    workflow_ctx_t x = {.w = t, .conf = j->conf, .who = j->who, .now = console_now_ms() / 1000};
    workflow_err_t *e = &j->e;
    switch (j->op) {
    case OP_CREATE: j->wrc = workflow_create(&x, &j->f, j->newid, e); break;
    case OP_UPDATE: j->wrc = workflow_update(&x, j->id, &j->f, e); break;
    case OP_SUBMIT: j->wrc = workflow_submit(&x, j->id, e); break;
    case OP_APPROVE:
        j->wrc = workflow_approve(&x, j->id, &j->approval, &j->url, e);
        if (j->wrc == WORKFLOW_OK) {
            workflow_draft_t d;
            if (workflow_draft_get(t, j->id, &d) == STORE_OK) {
                j->scheduled = d.state == WORKFLOW_SCHEDULED;
                j->at = d.scheduled;
                workflow_draft_free(&d);
            }
        }
        break;
    case OP_REJECT: j->wrc = workflow_reject(&x, j->id, j->reason, e); break;
    case OP_UNPUBLISH:
        j->wrc = workflow_unpublish(&x, j->site, j->column, j->article, j->reason, e);
        break;
    case OP_ATTACH: j->wrc = WORKFLOW_OK; break;
    case OP_DETACH: j->wrc = workflow_detach(&x, j->id, j->name, e); break;
    case OP_OFFER:
        j->wrc = workflow_offer(&x, j->site, j->column, j->article, j->to_site, j->to_column,
                                j->newid, e);
        break;
    }
    const char *id = j->op == OP_CREATE ? j->newid : j->id;
    for (size_t i = 0; j->wrc == WORKFLOW_OK && i < j->nfiles; i++)
        j->wrc = workflow_attach(&x, id, j->files[i].name, j->files[i].data, j->files[i].len, e);
    /* A refusal of one transition left nothing in t (its child transaction was aborted);
     * a refused file after a draft was made or other files stored undoes the whole job
     * (the writer rolls back a job whose apply fails): all or nothing. */
    return j->wrc != WORKFLOW_OK && j->nfiles ? STORE_EIO : 0;
}

static void job_done(int rc, void *ud)
{
    draft_job_t *j = ud;
    /* a refusal is answered as such, whether or not it rolled the job back */
    request_resume(j->d, rc == 0 || j->wrc != WORKFLOW_OK ? respond_job : respond_failed, j);
    job_free(j);
}

/* Hands j to the writer and defers r: MODULE_DONE either way (503 when no writer runs). */
static module_result_t submit(request_t *r, draft_job_t *j, const char *who)
{
    snprintf(j->who, sizeof j->who, "%s", who);
    j->conf = r->snap->conf;
    writer_job_t wj = {.apply = apply_job, .done = job_done, .ud = j, .worker = r->worker};
    if (writer_submit(&wj) != 0) {
        job_free(j);
        console_error(r, 503, "nothing can be written now", NULL);
        return MODULE_DONE;
    }
    j->d = request_defer(r);
    return MODULE_DONE;
}

/* ------------------------------------------------------------------ input */

/* The draft's fields of body o into f (pointers into o). False after answering 400. */
static bool read_fields(request_t *r, const json_t *o, workflow_fields_t *f)
{
    const char *sched = NULL;
    if (!console_fields_known(r, o, draft_fields) ||
        !console_field_opt(r, o, "site", &f->site) ||
        !console_field_opt(r, o, "column", &f->column) ||
        !console_field_opt(r, o, "article", &f->article) ||
        !console_field_opt(r, o, "title", &f->title) ||
        !console_field_opt(r, o, "body", &f->body) ||
        !console_field_opt(r, o, "source", &f->source) ||
        !console_field_opt(r, o, "author", &f->author) ||
        !console_field_opt(r, o, "disclosure", &f->disclosure) ||
        !console_field_opt(r, o, "date", &f->date) ||
        !console_field_opt(r, o, "scheduled", &sched) ||
        !console_field_opt(r, o, "doc_no", &f->doc_no) ||
        !console_field_opt(r, o, "issuer", &f->issuer) ||
        !console_field_opt(r, o, "written", &f->written) ||
        !console_field_opt(r, o, "topic", &f->topic) ||
        !console_field_opt(r, o, "index_no", &f->index_no))
        return false;
    f->scheduled = 0;
    if (sched && *sched &&
        (strlen(sched) > WORKFLOW_DATE_MAX || article_parse_time(sched, &f->scheduled) != 0)) {
        console_error(r, 400, "not a time (YYYY-MM-DD HH:mm, UTC+8)", "scheduled");
        return false;
    }
    return true;
}

/* The session and, for a change, its guards: false after answering. */
static bool signed_in(request_t *r, bool write, account_t *a)
{
    console_session_t s;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, a, key) != STORE_OK)
        return false;
    account_password_wipe(a->hash, sizeof a->hash);
    return !write || console_guard_write(r, &s);
}

/* Query parameter `name` of r, decoded, into buf: 1, 0 when absent, -1 when too long or
 * malformed. */
static int query_param(const request_t *r, const char *name, char *buf, size_t cap)
{
    if (!r->query)
        return 0;
    const char *p = r->query, *end = r->query + r->query_len, *k, *v;
    size_t kl, vl;
    while (form_next_field(&p, end, &k, &kl, &v, &vl)) {
        if (kl != strlen(name) || memcmp(k, name, kl) != 0)
            continue;
        size_t n = 0;
        char *val = v ? form_decode(v, vl, &n) : util_strdup("");
        bool ok = val && n < cap && !memchr(val, '\0', n);
        if (ok)
            memcpy(buf, val, n + 1);
        free(val);
        return ok ? 1 : -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ handlers */

static module_result_t list(request_t *r)
{
    account_t a;
    if (!signed_in(r, false, &a))
        return MODULE_DONE;
    char site[64] = "", view[16] = "mine";
    if (query_param(r, "site", site, sizeof site) < 0) {
        console_error(r, 400, "unknown site", "site");
        return MODULE_DONE;
    }
    if (query_param(r, "view", view, sizeof view) < 0)
        view[0] = '\0';
    workflow_view_t v;
    if (strcmp(view, "mine") == 0)
        v = WORKFLOW_VIEW_MINE;
    else if (strcmp(view, "queue") == 0)
        v = WORKFLOW_VIEW_QUEUE;
    else {
        console_error(r, 400, "must be mine or queue", "view");
        return MODULE_DONE;
    }
    workflow_list_t l;
    workflow_err_t e;
    store_txn_t *t = request_store(r);
    workflow_rc_t rc = t ? workflow_list(t, r->snap->conf, a.name, v, site, 0, &l, &e)
                         : WORKFLOW_ESTORE;
    if (rc != WORKFLOW_OK) {
        int st = workflow_http_status(rc);
        console_error(r, st, st >= 500 ? "the store cannot be read" : e.msg, e.field);
        return MODULE_DONE;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const workflow_item_t *it = &l.item[i];
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", it->id, "site",
                           it->site, "column", it->column, "title", it->title, "state",
                           workflow_state_name(it->state), "editor", it->editor, "updated",
                           minute_or_null(it->updated), "submitted",
                           minute_or_null(it->submitted), "scheduled",
                           minute_or_null(it->scheduled)));
        if (*it->of_site) /* an offer (报送): from which site */
            json_object_set_new(json_array_get(arr, json_array_size(arr) - 1), "offer_from",
                                json_string(it->of_site));
    }
    bool more = l.more;
    workflow_list_free(&l);
    console_reply(r, 200, json_pack("{s:o, s:b}", "drafts", arr, "more", more), NULL, 0);
    return MODULE_DONE;
}

/* The uploaded files of r, all in `attachments` parts, copied into j. False after
 * answering 400. */
static bool take_files(request_t *r, draft_job_t *j, console_multipart_t *m)
{
    if (!m)
        return true;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->part[i].name, "attachments") != 0) {
            console_error(r, 400, "files go in `attachments` parts", m->part[i].name);
            return false;
        }
    j->files = util_calloc(m->n, sizeof *j->files);
    for (size_t i = 0; i < m->n; i++) {
        job_file_t *f = &j->files[j->nfiles++];
        memcpy(f->name, m->part[i].filename, sizeof f->name);
        f->len = m->part[i].len;
        f->data = util_malloc(f->len ? f->len : 1);
        memcpy(f->data, m->part[i].data, f->len);
    }
    return true;
}

/* A request that may carry files (multipart) and becomes one writer job: POST /api/drafts
 * (op OP_CREATE: the draft's fields, files in `attachments` parts) and POST
 * /api/drafts/ID/attachments (OP_ATTACH, id: files only, at least one, and only as
 * multipart/form-data). */
static module_result_t upload_job(request_t *r, op_t op, const char *id)
{
    account_t a;
    if (!signed_in(r, true, &a))
        return MODULE_DONE;
    const http1_header_t *ct = request_header(r, "Content-Type");
    if (op == OP_ATTACH &&
        (!ct || !form_media_type_is(ct->value.p, ct->value.len, "multipart/form-data"))) {
        console_error(r, 415, "attachments are uploaded as multipart/form-data", NULL);
        return MODULE_DONE;
    }
    console_multipart_t *m = NULL;
    json_t *o = console_body_upload(r, &m);
    if (!o)
        return MODULE_DONE;
    draft_job_t *j = util_calloc(1, sizeof *j);
    j->body = o;
    j->op = op;
    if (id)
        snprintf(j->id, sizeof j->id, "%s", id);
    static const char *const none[] = {NULL};
    bool ok = (op == OP_CREATE ? read_fields(r, o, &j->f) : console_fields_known(r, o, none)) &&
              take_files(r, j, m);
    free(m);
    if (ok && op == OP_ATTACH && j->nfiles == 0) {
        console_error(r, 400, "no file in the upload", "attachments");
        ok = false;
    }
    if (!ok) {
        job_free(j);
        return MODULE_DONE;
    }
    return submit(r, j, a.name);
}

static module_result_t read_one(request_t *r, const char *id)
{
    account_t a;
    if (!signed_in(r, false, &a))
        return MODULE_DONE;
    store_txn_t *t = request_store(r);
    workflow_draft_t d;
    workflow_err_t e;
    workflow_rc_t rc = t ? workflow_read(t, r->snap->conf, a.name, id, &d, &e) : WORKFLOW_ESTORE;
    if (rc != WORKFLOW_OK) {
        int st = workflow_http_status(rc);
        console_error(r, st, st >= 500 ? "the store cannot be read" : e.msg, e.field);
        return MODULE_DONE;
    }
    json_t *o = console_draft_json(r->snap->conf, &d);
    /* a published policy document: the 索引号 it was given (generated when left empty) */
    article_t art;
    if (d.state == WORKFLOW_PUBLISHED && !*d.index_no && !workflow_draft_is_offer(&d) &&
        article_get(t, d.site, d.column, d.article, &art) == STORE_OK && art.index_no &&
        *art.index_no)
        json_object_set_new(o, "index_no", json_string(art.index_no));
    workflow_draft_free(&d);
    console_reply(r, 200, o, NULL, 0);
    return MODULE_DONE;
}

/* The start of a request whose fields come as a JSON (or form) body: the signed-in
 * account in *a and a job for op holding the body; NULL once the request is answered
 * (401/403, or 400 for a body that is not an object). */
static draft_job_t *body_job(request_t *r, op_t op, account_t *a)
{
    if (!signed_in(r, true, a))
        return NULL;
    json_t *o = console_body_json(r);
    if (!o)
        return NULL;
    draft_job_t *j = util_calloc(1, sizeof *j);
    j->op = op;
    j->body = o;
    return j;
}

static module_result_t update(request_t *r, const char *id)
{
    account_t a;
    draft_job_t *j = body_job(r, OP_UPDATE, &a);
    if (!j)
        return MODULE_DONE;
    json_t *o = j->body;
    snprintf(j->id, sizeof j->id, "%s", id);
    if (!read_fields(r, o, &j->f)) {
        job_free(j);
        return MODULE_DONE;
    }
    /* A draft stays where it was made: the same site, column and article may be sent back
     * (a page's form does), another is refused rather than ignored. They never change, so
     * the worker's read is as good as the writer's. Compared only for an account that may
     * read the draft: to anyone else a 400 here would tell the draft's site (the writer
     * answers them 403). */
    workflow_draft_t d;
    workflow_err_t e;
    store_txn_t *t = request_store(r);
    if (t && workflow_read(t, r->snap->conf, a.name, id, &d, &e) == WORKFLOW_OK) {
        const char *names[] = {"site", "column", "article"};
        const char *given[] = {j->f.site, j->f.column, j->f.article};
        const char *have[] = {d.site, d.column, d.article};
        for (size_t i = 0; i < 3; i++)
            if (given[i] && *given[i] && strcmp(given[i], have[i]) != 0) {
                workflow_draft_free(&d);
                job_free(j);
                console_error(r, 400, "a draft cannot move: this field cannot change", names[i]);
                return MODULE_DONE;
            }
        workflow_draft_free(&d);
    }
    return submit(r, j, a.name);
}

static module_result_t act(request_t *r, const char *id, op_t op)
{
    account_t a;
    if (!signed_in(r, true, &a))
        return MODULE_DONE;
    draft_job_t *j = util_calloc(1, sizeof *j);
    j->op = op;
    snprintf(j->id, sizeof j->id, "%s", id);
    if (op != OP_SUBMIT) {
        /* submit takes no fields (a page's form may still post its csrf) */
        json_t *o = console_body_json(r);
        if (!o) {
            job_free(j);
            return MODULE_DONE;
        }
        j->body = o;
        static const char *const approve_fields[] = {"secrecy_review", "personal_data", NULL};
        static const char *const reject_fields[] = {"reason", NULL};
        static const char *const unpublish_fields[] = {"site", "column", "id", "reason", NULL};
        const char *const *known = op == OP_APPROVE  ? approve_fields
                                   : op == OP_REJECT ? reject_fields
                                                     : unpublish_fields;
        bool ok = console_fields_known(r, o, known);
        if (ok && op == OP_APPROVE) {
            j->approval.secrecy_review = console_field_bool(o, "secrecy_review");
            j->approval.personal_data = console_field_bool(o, "personal_data");
        } else if (ok) {
            ok = console_field_opt(r, o, "reason", &j->reason);
            if (ok && op == OP_UNPUBLISH)
                ok = console_field_opt(r, o, "site", &j->site) &&
                     console_field_opt(r, o, "column", &j->column) &&
                     console_field_opt(r, o, "id", &j->article);
        }
        if (!ok) {
            job_free(j);
            return MODULE_DONE;
        }
    }
    return submit(r, j, a.name);
}

/* DELETE /api/drafts/ID/attachments/NAME, or its form's POST .../NAME/delete (a page's
 * form cannot send DELETE). NAME is the decoded path's last segment. Takes no fields (a
 * form posts only its csrf). */
static module_result_t detach(request_t *r, const char *id, const char *rest, size_t len)
{
    static const char del[] = "/delete";
    size_t dl = sizeof del - 1;
    bool form = len > dl && memcmp(rest + len - dl, del, dl) == 0;
    if (form)
        len -= dl;
    if (memchr(rest, '/', len)) {
        console_error(r, 404, "no such API", NULL);
        return MODULE_DONE;
    }
    if (form ? r->method != HTTP_M_POST : r->method != HTTP_M_DELETE)
        return console_method_not_allowed(r, form ? "POST" : "DELETE");
    account_t a;
    if (!signed_in(r, true, &a))
        return MODULE_DONE;
    if (len == 0 || len > ARTICLE_ATTACHMENT_NAME_MAX || memchr(rest, '\0', len)) {
        console_error(r, 404, "no such attachment", "attachments");
        return MODULE_DONE;
    }
    draft_job_t *j = util_calloc(1, sizeof *j);
    j->op = OP_DETACH;
    snprintf(j->id, sizeof j->id, "%s", id);
    memcpy(j->name, rest, len);
    j->name[len] = '\0';
    return submit(r, j, a.name);
}

/* POST /api/articles/offer {site, column, id, to_site, to_column} -> 201 {id}: the offer's
 * draft in the parent's queue (workflow_offer). */
static module_result_t offer(request_t *r)
{
    account_t a;
    draft_job_t *j = body_job(r, OP_OFFER, &a);
    if (!j)
        return MODULE_DONE;
    json_t *o = j->body;
    static const char *const known[] = {"site", "column", "id", "to_site", "to_column", NULL};
    if (!console_fields_known(r, o, known) || !console_field_opt(r, o, "site", &j->site) ||
        !console_field_opt(r, o, "column", &j->column) ||
        !console_field_opt(r, o, "id", &j->article) ||
        !console_field_opt(r, o, "to_site", &j->to_site) ||
        !console_field_opt(r, o, "to_column", &j->to_column)) {
        job_free(j);
        return MODULE_DONE;
    }
    return submit(r, j, a.name);
}

/* ------------------------------------------------------------------ routes */

static bool path_is(const request_t *r, const char *p)
{
    size_t n = strlen(p);
    return r->path_len == n && memcmp(r->path, p, n) == 0;
}

module_result_t console_drafts_handle(request_t *r)
{
    bool get = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;
    bool post = r->method == HTTP_M_POST;
    if (path_is(r, "/api/articles/offer"))
        return post ? offer(r) : console_method_not_allowed(r, "POST");
    if (path_is(r, "/api/articles/unpublish"))
        return post ? act(r, "", OP_UNPUBLISH) : console_method_not_allowed(r, "POST");
    if (path_is(r, "/api/drafts"))
        return get ? list(r) : post ? upload_job(r, OP_CREATE, NULL) : console_method_not_allowed(r, "GET, HEAD, POST");
    static const char pre[] = "/api/drafts/";
    size_t pl = sizeof pre - 1;
    if (r->path_len <= pl || memcmp(r->path, pre, pl) != 0)
        return MODULE_DECLINED;
    /* /api/drafts/ID or /api/drafts/ID/VERB */
    const char *rest = r->path + pl, *end = r->path + r->path_len;
    const char *slash = memchr(rest, '/', (size_t)(end - rest));
    size_t idlen = (size_t)((slash ? slash : end) - rest);
    char id[WORKFLOW_ID_MAX + 1];
    if (idlen == 0 || idlen > WORKFLOW_ID_MAX) {
        console_error(r, 404, "no such draft", NULL);
        return MODULE_DONE;
    }
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    if (!workflow_id_ok(id)) {
        console_error(r, 404, "no such draft", NULL);
        return MODULE_DONE;
    }
    if (!slash) {
        if (get)
            return read_one(r, id);
        if (r->method == HTTP_M_PUT || post) /* POST: the console's editor (a form cannot PUT) */
            return update(r, id);
        return console_method_not_allowed(r, "GET, HEAD, PUT, POST");
    }
    size_t vl = (size_t)(end - slash - 1);
    const char *verb = slash + 1;
    static const char att[] = "attachments/";
    if (vl > sizeof att - 1 && memcmp(verb, att, sizeof att - 1) == 0)
        return detach(r, id, verb + sizeof att - 1, (size_t)(end - verb) - (sizeof att - 1));
    static const struct {
        const char *name;
        op_t op;
    } verbs[] = {{"submit", OP_SUBMIT},
                 {"approve", OP_APPROVE},
                 {"reject", OP_REJECT},
                 {"attachments", OP_ATTACH}};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(verbs); i++)
        if (vl == strlen(verbs[i].name) && memcmp(verb, verbs[i].name, vl) == 0)
            return !post ? console_method_not_allowed(r, "POST")
                   : verbs[i].op == OP_ATTACH ? upload_job(r, OP_ATTACH, id)
                                              : act(r, id, verbs[i].op);
    console_error(r, 404, "no such API", NULL);
    return MODULE_DONE;
}
