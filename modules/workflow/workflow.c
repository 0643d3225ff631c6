/* modules/workflow/workflow.c: the workflow's transitions (create, update, attach, detach,
 * submit, approve, reject, unpublish), who may do each, and the checks on what an editor
 * gives. Each runs in a child of the caller's write transaction (workflow.h). */
#include "workflow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article_link.h"
#include "content_columns.h"
#include "markdown.h"
#include "message_text.h"
#include "workflow_personal.h"

/* Stands in for the reviewer while a draft's fields are checked with the article rules
 * (article_check_field wants a reviewer and a 保密审查): not an account name, so never the
 * editor's. */
#define PENDING_REVIEW "待审"

static const workflow_limits_t default_limits = {WORKFLOW_ATTACHMENT_BYTES,
                                                 WORKFLOW_ATTACHMENTS_BYTES};

__attribute__((format(printf, 4, 5))) static workflow_rc_t
refuse(workflow_err_t *e, workflow_rc_t rc, const char *field, const char *fmt, ...)
{
    e->rc = rc;
    e->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

static workflow_rc_t store_failed(workflow_err_t *e, int rc)
{
    return refuse(e, WORKFLOW_ESTORE, NULL, "the store failed: %s", store_strerror(rc));
}

int workflow_http_status(workflow_rc_t rc)
{
    switch (rc) {
    case WORKFLOW_OK: return 200;
    case WORKFLOW_EINVAL: return 400;
    case WORKFLOW_EDENIED: return 403;
    case WORKFLOW_ENOTFOUND: return 404;
    case WORKFLOW_ECONFLICT: return 409;
    case WORKFLOW_ETOOLARGE: return 413;
    default: return 500;
    }
}

/* ------------------------------------------------------------------ one act */

/* A transition's frame: its child transaction and the acting account, read in it. */
typedef struct act {
    const workflow_ctx_t *x;
    store_txn_t *w;
    account_t acct;
    workflow_draft_t d;
} act_t;

static workflow_rc_t act_begin(const workflow_ctx_t *x, act_t *a, workflow_err_t *e)
{
    *e = (workflow_err_t){0};
    memset(a, 0, sizeof *a);
    a->x = x;
    int rc;
    a->w = store_write_child(x->w, &rc);
    if (!a->w)
        return store_failed(e, rc);
    rc = x->who ? account_get(a->w, x->who, &a->acct) : STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND)
        return refuse(e, WORKFLOW_EDENIED, NULL, "no account '%s'", x->who ? x->who : "");
    if (rc != STORE_OK)
        return store_failed(e, rc);
    if (a->acct.disabled)
        return refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' is disabled", a->acct.name);
    return WORKFLOW_OK;
}

/* Commits the child on success (folding it into the caller's transaction), else aborts
 * it: a refused act leaves nothing. */
static workflow_rc_t act_end(act_t *a, workflow_rc_t rc, workflow_err_t *e)
{
    if (a->w) {
        if (rc == WORKFLOW_OK) {
            int src = store_commit(a->w);
            if (src != STORE_OK)
                rc = store_failed(e, src);
        } else {
            store_abort(a->w);
        }
    }
    account_password_wipe(a->acct.hash, sizeof a->acct.hash);
    workflow_draft_free(&a->d);
    e->rc = rc;
    return rc;
}

static bool may(const act_t *a, account_role_kind_t want, const char *site)
{
    return account_may(&a->acct, want, a->x->conf, site);
}

/* Reads draft `id` into a->d: 404 when there is none. */
static workflow_rc_t load(act_t *a, const char *id, workflow_err_t *e)
{
    int rc = workflow_draft_get(a->w, id ? id : "", &a->d);
    if (rc == STORE_NOTFOUND)
        return refuse(e, WORKFLOW_ENOTFOUND, NULL, "no draft '%s'", id ? id : "");
    return rc == STORE_OK ? WORKFLOW_OK : store_failed(e, rc);
}

/* Its editor, while still an editor of the site, or a site_admin of the site. */
static bool may_write(const act_t *a)
{
    return (strcmp(a->acct.name, a->d.editor) == 0 &&
            may(a, ACCOUNT_ROLE_EDITOR, workflow_draft_home(&a->d))) ||
           may(a, ACCOUNT_ROLE_SITE_ADMIN, a->d.site);
}

static workflow_rc_t check_writable(act_t *a, workflow_err_t *e)
{
    if (!may_write(a))
        return refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' may not change draft %s of "
                      "site '%s' (its editor or a site_admin may)", a->acct.name, a->d.id,
                      a->d.site);
    if (a->d.state != WORKFLOW_DRAFT && a->d.state != WORKFLOW_REJECTED)
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s is %s: only a draft or a rejected "
                      "one can be changed", a->d.id, workflow_state_name(a->d.state));
    if (workflow_draft_is_offer(&a->d))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s is an offer (报送): it is never "
                      "changed; offer the article again", a->d.id);
    return WORKFLOW_OK;
}

/* A reviewer of the site who did not write it: neither its editor nor whoever saved it
 * last (a site_admin who edited someone's draft does not approve their own text). */
static workflow_rc_t check_reviewer(act_t *a, bool scheduled_ok, workflow_err_t *e)
{
    if (!may(a, ACCOUNT_ROLE_REVIEWER, a->d.site))
        return refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' is not a reviewer of site '%s'",
                      a->acct.name, a->d.site);
    /* A reviewer of the site, but this draft is theirs: a conflict with the draft, not a
     * missing role (409, as approving a draft in the wrong state). */
    if (strcmp(a->acct.name, a->d.editor) == 0 || strcmp(a->acct.name, a->d.last_by) == 0)
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "self-review refused: account '%s' wrote draft "
                      "%s; another reviewer of site '%s' must review it", a->acct.name, a->d.id,
                      a->d.site);
    if (a->d.state != WORKFLOW_SUBMITTED && !(scheduled_ok && a->d.state == WORKFLOW_SCHEDULED))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s is %s: only a submitted draft is "
                      "reviewed", a->d.id, workflow_state_name(a->d.state));
    return WORKFLOW_OK;
}

static workflow_rc_t trail(act_t *a, const char *action, const char *note, workflow_err_t *e)
{
    uint64_t seq;
    int rc = article_audit_append(a->w, a->x->now, action, a->d.site, a->d.column, a->d.id,
                                  a->acct.name, a->d.title, note ? note : "", &seq);
    return rc == STORE_OK ? WORKFLOW_OK : store_failed(e, rc);
}

static workflow_rc_t save(act_t *a, workflow_err_t *e)
{
    int rc = workflow_draft_put(a->w, &a->d);
    return rc == STORE_OK ? WORKFLOW_OK : store_failed(e, rc);
}

static workflow_rc_t set_index(act_t *a, workflow_index_t which, bool add, workflow_err_t *e)
{
    int rc = workflow_index_set(a->w, which, &a->d, add);
    return rc == STORE_OK ? WORKFLOW_OK : store_failed(e, rc);
}

static workflow_rc_t due(act_t *a, bool add, workflow_err_t *e)
{
    int rc = workflow_due_set(a->w, &a->d, add);
    return rc == STORE_OK ? WORKFLOW_OK : store_failed(e, rc);
}

/* ------------------------------------------------------------------ the fields */

static bool empty(const char *s)
{
    return !s || !*s;
}

/* Valid UTF-8 without control characters (but line breaks and tabs when `lines`), at most
 * `max` characters. */
static workflow_rc_t text(workflow_err_t *e, const char *field, const char *s, size_t max,
                          bool lines)
{
    size_t chars = 0;
    if (empty(s))
        return WORKFLOW_OK;
    if (!message_text_ok(s, strlen(s), lines, &chars))
        return refuse(e, WORKFLOW_EINVAL, field, "%s is not valid UTF-8 text (or holds control "
                      "characters)", field);
    if (chars > max)
        return refuse(e, WORKFLOW_EINVAL, field, "%s has %zu characters: at most %zu", field,
                      chars, max);
    return WORKFLOW_OK;
}

/* Bounds first, then the article rules (article_check_field: the column's type, the
 * disclosure attribute, the date), so a draft holds nothing `jiyuectl publish` refuses. */
static workflow_rc_t check_fields(const act_t *a, const char *site, const char *column,
                                  const char *article, const workflow_fields_t *f,
                                  workflow_err_t *e)
{
    workflow_rc_t rc;
    if ((rc = text(e, "title", f->title, WORKFLOW_TITLE_MAX, false)) ||
        (rc = text(e, "source", f->source, WORKFLOW_SOURCE_MAX, false)) ||
        (rc = text(e, "author", f->author, WORKFLOW_AUTHOR_MAX, false)))
        return rc;
    if (empty(f->title))
        return refuse(e, WORKFLOW_EINVAL, "title", "missing title");
    size_t blen = f->body ? strlen(f->body) : 0;
    if (blen > WORKFLOW_BODY_MAX)
        return refuse(e, WORKFLOW_EINVAL, "body", "body has %zu bytes: at most %u", blen,
                      WORKFLOW_BODY_MAX);
    if (blen && !message_text_ok(f->body, blen, true, NULL))
        return refuse(e, WORKFLOW_EINVAL, "body", "body is not valid UTF-8 text (or holds "
                      "control characters)");
    if (f->date && strlen(f->date) > WORKFLOW_DATE_MAX)
        return refuse(e, WORKFLOW_EINVAL, "date", "date is longer than %d bytes",
                      WORKFLOW_DATE_MAX);
    if (f->disclosure && strlen(f->disclosure) > 64)
        return refuse(e, WORKFLOW_EINVAL, "disclosure", "unknown disclosure");
    if (f->scheduled < 0 || f->scheduled > WORKFLOW_SCHEDULED_MAX)
        return refuse(e, WORKFLOW_EINVAL, "scheduled", "scheduled is not a time before 10000");
    article_meta_t m = {
        .site = (char *)site, .column = (char *)column, .id = (char *)article,
        .title = (char *)f->title, .source = (char *)f->source, .author = (char *)f->author,
        .publisher = (char *)a->acct.name, .reviewer = PENDING_REVIEW,
        .disclosure = empty(f->disclosure) ? NULL : (char *)f->disclosure,
        .secrecy_by = PENDING_REVIEW, .secrecy_date = "2000-01-01",
        .date = empty(f->date) ? NULL : (char *)f->date, .secrecy_given = true,
        .doc_no = empty(f->doc_no) ? NULL : (char *)f->doc_no,
        .issuer = empty(f->issuer) ? NULL : (char *)f->issuer,
        .written = empty(f->written) ? NULL : (char *)f->written,
        .topic = empty(f->topic) ? NULL : (char *)f->topic,
        .index_no = empty(f->index_no) ? NULL : (char *)f->index_no,
    };
    char why[256];
    const char *field = NULL;
    if (article_check_field(a->x->conf, &m, why, sizeof why, &field))
        return refuse(e, WORKFLOW_EINVAL, field, "%s", why);
    return WORKFLOW_OK;
}

static char *dup0(const char *s)
{
    return util_strdup(s ? s : "");
}

/* Replaces the draft's editable fields with f's. */
static void set_fields(workflow_draft_t *d, const workflow_fields_t *f)
{
    char **dst[] = {&d->title,  &d->body,   &d->source,  &d->author,
                    &d->disclosure, &d->date, &d->doc_no, &d->issuer,
                    &d->written, &d->topic, &d->index_no};
    const char *src[] = {f->title,  f->body,   f->source,  f->author,
                         f->disclosure, f->date, f->doc_no, f->issuer,
                         f->written, f->topic, f->index_no};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(dst); i++) {
        free(*dst[i]);
        *dst[i] = dup0(src[i]);
    }
    d->scheduled = f->scheduled;
}

/* ------------------------------------------------------------------ transitions */

workflow_rc_t workflow_create(const workflow_ctx_t *x, const workflow_fields_t *f,
                              char id[static WORKFLOW_ID_MAX + 1], workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc)
        return act_end(&a, rc, e);
    if (empty(f->site) || !conf_site_find(x->conf, f->site))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "site", "unknown site '%s'",
                                  f->site ? f->site : ""), e);
    if (!may(&a, ACCOUNT_ROLE_EDITOR, f->site))
        return act_end(&a, refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' is not an editor of "
                                  "site '%s'", a.acct.name, f->site), e);
    if (empty(f->column))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "column", "missing column"), e);
    bool update = !empty(f->article);
    if (update && !article_id_ok(f->article))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "article", "'%s' is not an article id",
                                  f->article), e);
    if ((rc = check_fields(&a, f->site, f->column, update ? f->article : NULL, f, e)))
        return act_end(&a, rc, e);
    if (update && !article_exists(a.w, f->site, f->column, f->article))
        return act_end(&a, refuse(e, WORKFLOW_ENOTFOUND, "article", "no published article "
                                  "%s/%s/%s.html to revise", f->site, f->column, f->article), e);
    int src = workflow_draft_next_id(a.w, a.d.id);
    if (src != STORE_OK)
        return act_end(&a, store_failed(e, src), e);
    char day[11];
    article_format_day(x->now, day);
    a.d.site = util_strdup(f->site);
    a.d.column = util_strdup(f->column);
    a.d.article = update ? util_strdup(f->article)
                         : util_asprintf("%.4s%.2s%.2s-%s", day, day + 5, day + 8, a.d.id);
    a.d.update = update;
    a.d.reason = util_strdup("");
    set_fields(&a.d, f);
    a.d.state = WORKFLOW_DRAFT;
    snprintf(a.d.editor, sizeof a.d.editor, "%s", a.acct.name);
    snprintf(a.d.last_by, sizeof a.d.last_by, "%s", a.acct.name);
    a.d.created = a.d.updated = x->now;
    if ((rc = save(&a, e)) || (rc = set_index(&a, WORKFLOW_INDEX_MINE, true, e)) ||
        (rc = set_index(&a, WORKFLOW_INDEX_SITE, true, e)) ||
        (rc = trail(&a, "draft-create", update ? "revision" : "", e)))
        return act_end(&a, rc, e);
    memcpy(id, a.d.id, sizeof a.d.id);
    return act_end(&a, WORKFLOW_OK, e);
}

/* The draft saved by a->acct: one more edit. */
static void touched(act_t *a)
{
    a->d.edits++;
    a->d.updated = a->x->now;
    snprintf(a->d.last_by, sizeof a->d.last_by, "%s", a->acct.name);
}

workflow_rc_t workflow_update(const workflow_ctx_t *x, const char *id, const workflow_fields_t *f,
                              workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)) || (rc = check_writable(&a, e)) ||
        (rc = check_fields(&a, a.d.site, a.d.column, a.d.article, f, e)))
        return act_end(&a, rc, e);
    set_fields(&a.d, f);
    touched(&a);
    if ((rc = save(&a, e)) || (rc = trail(&a, "draft-update", "", e)))
        return act_end(&a, rc, e);
    return act_end(&a, WORKFLOW_OK, e);
}

workflow_rc_t workflow_attach(const workflow_ctx_t *x, const char *id, const char *name,
                              const void *data, size_t len, workflow_err_t *e)
{
    const workflow_limits_t *lim = x->limits ? x->limits : &default_limits;
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)) || (rc = check_writable(&a, e)))
        return act_end(&a, rc, e);
    if (empty(name) || !article_attachment_name_ok(name) ||
        !message_text_ok(name, strlen(name), false, NULL))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "attachments", "attachment name '%.64s' "
                                  "cannot be used in a URL (1 to %d bytes of UTF-8, no leading "
                                  "'.', no '/', '\\', '?', '#' or '%%')", name ? name : "",
                                  ARTICLE_ATTACHMENT_NAME_MAX), e);
    if (len > lim->attachment_bytes)
        return act_end(&a, refuse(e, WORKFLOW_ETOOLARGE, "attachments", "attachment '%s' has "
                                  "%zu bytes: at most %zu", name, len, lim->attachment_bytes), e);
    size_t slot = a.d.natt, others = 0;
    for (size_t i = 0; i < a.d.natt; i++) {
        if (strcmp(a.d.att[i].name, name) == 0)
            slot = i; /* replaced */
        else
            others += (size_t)a.d.att[i].size;
    }
    if (slot == WORKFLOW_ATTACHMENTS_MAX)
        return act_end(&a, refuse(e, WORKFLOW_ETOOLARGE, "attachments", "draft %s has %d "
                                  "attachments already: at most %d", a.d.id,
                                  WORKFLOW_ATTACHMENTS_MAX, WORKFLOW_ATTACHMENTS_MAX), e);
    if (others + len > lim->attachments_bytes)
        return act_end(&a, refuse(e, WORKFLOW_ETOOLARGE, "attachments", "the attachments of "
                                  "draft %s would have %zu bytes: at most %zu", a.d.id,
                                  others + len, lim->attachments_bytes), e);
    int src = workflow_attachment_put(a.w, a.d.id, name, data, len);
    if (src != STORE_OK)
        return act_end(&a, store_failed(e, src), e);
    snprintf(a.d.att[slot].name, sizeof a.d.att[slot].name, "%s", name);
    a.d.att[slot].size = len;
    if (slot == a.d.natt)
        a.d.natt++;
    touched(&a);
    char note[ARTICLE_ATTACHMENT_NAME_MAX + 32];
    snprintf(note, sizeof note, "attachment %s", name);
    if ((rc = save(&a, e)) || (rc = trail(&a, "draft-update", note, e)))
        return act_end(&a, rc, e);
    return act_end(&a, WORKFLOW_OK, e);
}

workflow_rc_t workflow_detach(const workflow_ctx_t *x, const char *id, const char *name,
                              workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)) || (rc = check_writable(&a, e)))
        return act_end(&a, rc, e);
    size_t i = 0;
    while (i < a.d.natt && strcmp(a.d.att[i].name, name ? name : "") != 0)
        i++;
    if (i == a.d.natt)
        return act_end(&a, refuse(e, WORKFLOW_ENOTFOUND, "attachments", "draft %s has no "
                                  "attachment '%.64s'", a.d.id, name ? name : ""), e);
    int src = workflow_attachment_del(a.w, a.d.id, name);
    if (src != STORE_OK)
        return act_end(&a, store_failed(e, src), e);
    memmove(&a.d.att[i], &a.d.att[i + 1], (a.d.natt - i - 1) * sizeof a.d.att[0]);
    a.d.natt--;
    touched(&a);
    char note[ARTICLE_ATTACHMENT_NAME_MAX + 32];
    snprintf(note, sizeof note, "attachment %s removed", name);
    if ((rc = save(&a, e)) || (rc = trail(&a, "draft-update", note, e)))
        return act_end(&a, rc, e);
    return act_end(&a, WORKFLOW_OK, e);
}

workflow_rc_t workflow_submit(const workflow_ctx_t *x, const char *id, workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)))
        return act_end(&a, rc, e);
    if (strcmp(a.acct.name, a.d.editor) != 0 ||
        !may(&a, ACCOUNT_ROLE_EDITOR, workflow_draft_home(&a.d)))
        return act_end(&a, refuse(e, WORKFLOW_EDENIED, NULL, "only draft %s's editor (%s) may "
                                  "submit it", a.d.id, a.d.editor), e);
    if (a.d.state != WORKFLOW_DRAFT && a.d.state != WORKFLOW_REJECTED)
        return act_end(&a, refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s is %s: only a draft or "
                                  "a rejected one is submitted", a.d.id,
                                  workflow_state_name(a.d.state)), e);
    if (workflow_draft_is_offer(&a.d))
        return act_end(&a, refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s is an offer (报送): "
                                  "offer the article again", a.d.id), e);
    a.d.state = WORKFLOW_SUBMITTED;
    a.d.submitted = x->now;
    if ((rc = save(&a, e)) || (rc = set_index(&a, WORKFLOW_INDEX_QUEUE, true, e)) ||
        (rc = trail(&a, "draft-submit", "", e)))
        return act_end(&a, rc, e);
    return act_end(&a, WORKFLOW_OK, e);
}

/* The draft's attachments as files to publish: heap copies (a write in the transaction may
 * move what a lookup pointed to). */
static workflow_rc_t load_files(act_t *a, article_file_t *files, void **copies,
                                workflow_err_t *e)
{
    for (size_t i = 0; i < a->d.natt; i++) {
        const void *v;
        size_t len;
        int rc = workflow_attachment_get(a->w, a->d.id, a->d.att[i].name, &v, &len);
        if (rc != STORE_OK)
            return store_failed(e, rc == STORE_NOTFOUND ? STORE_ECORRUPT : rc);
        copies[i] = util_malloc(len ? len : 1);
        memcpy(copies[i], v, len);
        files[i] = (article_file_t){.name = a->d.att[i].name, .data = copies[i], .len = len};
    }
    return WORKFLOW_OK;
}

/* The publication itself: the draft as article meta, checked and published by the content
 * module exactly as `jiyuectl publish` does (article_check, article_future_check,
 * markdown_to_html, article_publish_txn). */
/* A draft's string as a front-matter value: NULL when empty (absent). */
static char *nz(char *s)
{
    return s && *s ? s : NULL;
}

/* The draft as the article's front matter: reviewed (and 保密审查) by a->acct on `day`. */
static article_meta_t meta_of(const act_t *a, const char *day)
{
    const workflow_draft_t *d = &a->d;
    return (article_meta_t){
        .site = d->site, .column = d->column, .id = d->article, .title = d->title,
        .source = d->source, .author = d->author, .publisher = (char *)d->editor,
        .reviewer = (char *)a->acct.name, .disclosure = d->disclosure,
        .secrecy_by = (char *)a->acct.name, .secrecy_date = (char *)day,
        .date = *d->date ? d->date : NULL, .secrecy_given = true,
        .doc_no = nz(d->doc_no), .issuer = nz(d->issuer), .written = nz(d->written),
        .topic = nz(d->topic), .index_no = nz(d->index_no),
    };
}

/* Whether the draft could be published at `when` as reviewed on `day`: the article rules,
 * a date not ahead of that time, and an index_no (索引号) free for it. */
static workflow_rc_t check_publishable(const act_t *a, const char *day, int64_t when,
                                       workflow_err_t *e)
{
    article_meta_t m = meta_of(a, day);
    char why[512];
    if (article_check(a->x->conf, &m, why, sizeof why) ||
        article_future_check(&m, when, why, sizeof why))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "draft %s cannot be published: %s", a->d.id,
                      why);
    /* an explicit 索引号 another article of the site holds, or a changed one on a revision:
     * a conflict the reviewer cannot fix by trying again (409 naming it; the draft stays) */
    int irc = article_index_no_check(a->w, &m, why, sizeof why);
    if (irc > 0)
        return refuse(e, WORKFLOW_ECONFLICT, "index_no", "draft %s cannot be published: %s",
                      a->d.id, why);
    if (irc < 0)
        return store_failed(e, irc);
    return WORKFLOW_OK;
}

/* `day`: the day of the 保密审查 (the approval's; for a scheduled draft, not the day it
 * goes live). */
static workflow_rc_t publish(act_t *a, const char *day, article_result_t *res,
                             workflow_err_t *e)
{
    workflow_draft_t *d = &a->d;
    article_meta_t m = meta_of(a, day);
    char why[512];
    workflow_rc_t crc = check_publishable(a, day, a->x->now, e);
    if (crc)
        return crc;
    bool exists = article_exists(a->w, d->site, d->column, d->article);
    if (exists != d->update)
        return refuse(e, WORKFLOW_ECONFLICT, NULL, exists ? "%s/%s/%s.html is already published"
                      : "%s/%s/%s.html is no longer published: there is nothing to revise",
                      d->site, d->column, d->article);
    article_meta_prepare(a->x->conf, &m); /* a policy column's 索引号 */
    article_file_t files[WORKFLOW_ATTACHMENTS_MAX];
    void *copies[WORKFLOW_ATTACHMENTS_MAX] = {0};
    workflow_rc_t rc = load_files(a, files, copies, e);
    char *html = rc ? NULL : markdown_to_html(d->body, strlen(d->body));
    if (!rc && article_publish_txn(a->w, d->update ? ARTICLE_UPDATE : ARTICLE_PUBLISH, &m,
                                   "markdown", html, strlen(html), files, d->natt, a->x->now,
                                   res, why, sizeof why) != 0)
        rc = refuse(e, WORKFLOW_ESTORE, NULL, "publishing draft %s failed: %s", d->id, why);
    for (size_t i = 0; i < d->natt; i++)
        free(copies[i]);
    free(html);
    free(m.site_code);
    /* The files now live with the article (one copy): the draft keeps their names. */
    for (size_t i = 0; !rc && i < d->natt; i++) {
        int src = workflow_attachment_del(a->w, d->id, d->att[i].name);
        if (src != STORE_OK)
            rc = store_failed(e, src);
    }
    return rc;
}

/* An accepted offer: the listing of its article in the draft's column (article_link.h),
 * published by the offering account, reviewed by a->acct. Refused (409) when the article
 * is no longer published or is listed there already. */
static workflow_rc_t publish_listing(act_t *a, const char *day, article_result_t *res,
                                     workflow_err_t *e)
{
    workflow_draft_t *d = &a->d;
    if (!article_exists(a->w, d->of_site, d->of_column, d->of_id))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "the offered article %s/%s/%s.html is no "
                      "longer published", d->of_site, d->of_column, d->of_id);
    if (article_link_listed(a->w, d->of_site, d->of_column, d->of_id, d->site, d->column))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "%s/%s/%s.html is already listed in %s/%s",
                      d->of_site, d->of_column, d->of_id, d->site, d->column);
    article_meta_t m = meta_of(a, day);
    char why[512];
    if (article_check(a->x->conf, &m, why, sizeof why))
        return refuse(e, WORKFLOW_ECONFLICT, NULL, "offer %s cannot be accepted: %s", d->id, why);
    if (article_link_publish_txn(a->w, &m, d->of_site, d->of_column, d->of_id, a->x->now, res,
                                 why, sizeof why) != 0)
        return refuse(e, WORKFLOW_ESTORE, NULL, "listing offer %s failed: %s", d->id, why);
    return WORKFLOW_OK;
}

workflow_rc_t workflow_approve(const workflow_ctx_t *x, const char *id,
                               const workflow_approval_t *how, char **url, workflow_err_t *e)
{
    *url = NULL;
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)) || (rc = check_reviewer(&a, false, e)))
        return act_end(&a, rc, e);
    if (!how->secrecy_review)
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "secrecy_review", "approval needs the "
                                  "保密审查 confirmation (secrecy_review: true)"), e);
    audit_personal_t pii;
    workflow_personal_scan(&a.d, x->now, &pii);
    if (pii.ids && !how->personal_data)
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "personal_data", "the draft shows %zu "
                                  "unmasked ID number(s) (%s): mask them (e.g. "
                                  "530102********1234), or confirm that they may be published "
                                  "(personal_data: true)", pii.ids, pii.id_sample), e);
    char day[11];
    article_format_day(x->now, day);
    char *path = article_url_path(x->conf, a.d.site, a.d.column, a.d.article);
    char note[400];
    /* the trail names a confirmed publication of ID numbers: who approved it is there */
    snprintf(note, sizeof note, "%s%s", path ? path : "",
             pii.ids ? " (unmasked ID numbers confirmed by the reviewer)" : "");
    if (a.d.scheduled > x->now) {
        /* Approved ahead of its time: it waits (wt/) and workflow_publish_due publishes it
         * then, as reviewed now. What can be checked now is: a draft that could never be
         * published is refused while its reviewer is here to hear it. */
        if ((rc = check_publishable(&a, day, a.d.scheduled, e))) {
            free(path);
            return act_end(&a, rc, e);
        }
        a.d.state = WORKFLOW_SCHEDULED;
        char when[17];
        article_format_minute(a.d.scheduled, when);
        snprintf(note, sizeof note, "scheduled %s %s%s", when, path ? path : "",
                 pii.ids ? " (unmasked ID numbers confirmed by the reviewer)" : "");
    } else {
        article_result_t res;
        if ((rc = workflow_draft_is_offer(&a.d) ? publish_listing(&a, day, &res, e)
                                                : publish(&a, day, &res, e))) {
            free(path);
            return act_end(&a, rc, e);
        }
        a.d.state = WORKFLOW_PUBLISHED;
        a.d.revision = res.revision;
    }
    snprintf(a.d.reviewer, sizeof a.d.reviewer, "%s", a.acct.name);
    a.d.decided = x->now;
    if ((rc = save(&a, e)) || (rc = set_index(&a, WORKFLOW_INDEX_QUEUE, false, e)) ||
        (a.d.state == WORKFLOW_SCHEDULED && (rc = due(&a, true, e))) ||
        (rc = trail(&a, "draft-approve", note, e))) {
        free(path);
        return act_end(&a, rc, e);
    }
    rc = act_end(&a, WORKFLOW_OK, e);
    if (rc == WORKFLOW_OK)
        *url = path;
    else
        free(path);
    return rc;
}

/* A reason: not blank, bounded, one paragraph of text. */
static workflow_rc_t check_reason(const char *reason, workflow_err_t *e)
{
    bool blank = true;
    for (const char *p = reason; p && *p && blank; p++)
        blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
    if (blank)
        return refuse(e, WORKFLOW_EINVAL, "reason", "a reason is required");
    return text(e, "reason", reason, WORKFLOW_REASON_MAX, true);
}

workflow_rc_t workflow_reject(const workflow_ctx_t *x, const char *id, const char *reason,
                              workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc || (rc = load(&a, id, e)) || (rc = check_reviewer(&a, true, e)) ||
        (rc = check_reason(reason, e)))
        return act_end(&a, rc, e);
    /* a scheduled draft called off before its time is never published */
    if (a.d.state == WORKFLOW_SCHEDULED && (rc = due(&a, false, e)))
        return act_end(&a, rc, e);
    a.d.state = WORKFLOW_REJECTED;
    snprintf(a.d.reviewer, sizeof a.d.reviewer, "%s", a.acct.name);
    free(a.d.reason);
    a.d.reason = util_strdup(reason);
    a.d.decided = x->now;
    if ((rc = save(&a, e)) || (rc = set_index(&a, WORKFLOW_INDEX_QUEUE, false, e)) ||
        (rc = trail(&a, "draft-reject", reason, e)))
        return act_end(&a, rc, e);
    return act_end(&a, WORKFLOW_OK, e);
}

workflow_rc_t workflow_unpublish(const workflow_ctx_t *x, const char *site, const char *column,
                                 const char *article, const char *reason, workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc)
        return act_end(&a, rc, e);
    if (empty(site) || !conf_site_find(x->conf, site))
        return act_end(&a, refuse(e, WORKFLOW_ENOTFOUND, "site", "unknown site '%s'",
                                  site ? site : ""), e);
    /* reviewer: a site_admin (and a cluster_admin) counts as one */
    if (!may(&a, ACCOUNT_ROLE_REVIEWER, site))
        return act_end(&a, refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' is neither a "
                                  "reviewer nor a site_admin of site '%s'", a.acct.name, site), e);
    if ((rc = check_reason(reason, e)))
        return act_end(&a, rc, e);
    if (empty(column) || empty(article) || !article_exists(a.w, site, column, article))
        return act_end(&a, refuse(e, WORKFLOW_ENOTFOUND, NULL, "no published article "
                                  "%s/%s/%s.html", site, column ? column : "",
                                  article ? article : ""), e);
    char why[512];
    if (article_unpublish_txn(a.w, site, column, article, a.acct.name, reason, x->now, NULL, why,
                              sizeof why) != 0)
        return act_end(&a, refuse(e, WORKFLOW_ESTORE, NULL, "unpublishing failed: %s", why), e);
    return act_end(&a, WORKFLOW_OK, e);
}

/* ------------------------------------------------------------------ 报送 */

bool workflow_site_above(const conf_t *c, const char *above, const char *site)
{
    const conf_site_t *s = conf_site_find(c, site ? site : "");
    const conf_site_t *up = conf_site_find(c, above ? above : "");
    if (!s || !up || s == up)
        return false;
    if (up->kind == SITE_PORTAL)
        return true;
    for (const conf_site_t *p = s->parent; p; p = p->parent)
        if (p == up)
            return true;
    return false;
}

typedef struct pending {
    const char *site, *column, *id, *to_column;
    bool found;
} pending_t;

static int pending_cb(void *ud, const workflow_draft_t *d)
{
    pending_t *p = ud;
    if (workflow_draft_is_offer(d) && d->state == WORKFLOW_SUBMITTED &&
        strcmp(d->column, p->to_column) == 0 && strcmp(d->of_site, p->site) == 0 &&
        strcmp(d->of_column, p->column) == 0 && strcmp(d->of_id, p->id) == 0) {
        p->found = true;
        return 1;
    }
    return 0;
}

workflow_rc_t workflow_offer(const workflow_ctx_t *x, const char *site, const char *column,
                             const char *id, const char *to_site, const char *to_column,
                             char newid[static WORKFLOW_ID_MAX + 1], workflow_err_t *e)
{
    act_t a;
    workflow_rc_t rc = act_begin(x, &a, e);
    if (rc)
        return act_end(&a, rc, e);
    if (empty(site) || !conf_site_find(x->conf, site))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "site", "unknown site '%.64s'",
                                  site ? site : ""), e);
    if (!may(&a, ACCOUNT_ROLE_EDITOR, site))
        return act_end(&a, refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' is not an editor of "
                                  "site '%s'", a.acct.name, site), e);
    const conf_site_t *from = conf_site_find(x->conf, site);
    if (empty(column) || !conf_column_find(from, column))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "column", "site '%s' has no column "
                                  "'%.64s'", site, column ? column : ""), e);
    if (empty(id) || !article_id_ok(id))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "id", "'%.64s' is not an article id",
                                  id ? id : ""), e);
    if (empty(to_site) || !conf_site_find(x->conf, to_site))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "to_site", "unknown site '%.64s'",
                                  to_site ? to_site : ""), e);
    if (!workflow_site_above(x->conf, to_site, site))
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "to_site", "site '%s' is not above site "
                                  "'%s' (its parent, its parent's parent... or the portal)",
                                  to_site, site), e);
    const conf_site_t *to = conf_site_find(x->conf, to_site);
    const conf_column_t *tc = empty(to_column) ? NULL : conf_column_find(to, to_column);
    if (!tc || tc->type == COLUMN_STATIC || tc->type == COLUMN_INTERACTION)
        return act_end(&a, refuse(e, WORKFLOW_EINVAL, "to_column", "site '%s' has no column "
                                  "'%.64s' that lists articles", to_site,
                                  to_column ? to_column : ""), e);
    article_t art;
    int src = article_get(a.w, site, column, id, &art);
    if (src == STORE_NOTFOUND || (src == STORE_OK && article_is_link(&art)))
        return act_end(&a, refuse(e, WORKFLOW_ENOTFOUND, NULL, "no published article "
                                  "%s/%s/%s.html of site '%s'", site, column, id, site), e);
    if (src != STORE_OK)
        return act_end(&a, store_failed(e, src), e);
    /* copies: the record's memory is not ours once the transaction writes */
    a.d.title = util_strdup(art.title);
    a.d.source = util_strdup(*art.source ? art.source : from->name);
    a.d.author = util_strdup(art.author);
    a.d.disclosure = util_strdup(art.disclosure);
    char iso[26];
    article_format_rfc3339(art.pubtime, iso);
    a.d.date = util_strdup(iso);
    if (article_link_listed(a.w, site, column, id, to_site, to_column))
        return act_end(&a, refuse(e, WORKFLOW_ECONFLICT, NULL, "%s/%s/%s.html is already "
                                  "listed in %s/%s", site, column, id, to_site, to_column), e);
    pending_t pd = {site, column, id, to_column, false};
    src = workflow_each(a.w, WORKFLOW_INDEX_QUEUE, to_site, pending_cb, &pd);
    if (src < 0)
        return act_end(&a, store_failed(e, src), e);
    if (pd.found)
        return act_end(&a, refuse(e, WORKFLOW_ECONFLICT, NULL, "%s/%s/%s.html is already "
                                  "offered to %s/%s and awaits review", site, column, id,
                                  to_site, to_column), e);
    if ((src = workflow_draft_next_id(a.w, a.d.id)) != STORE_OK)
        return act_end(&a, store_failed(e, src), e);
    char day[11];
    article_format_day(x->now, day);
    a.d.site = util_strdup(to_site);
    a.d.column = util_strdup(to_column);
    a.d.article = util_asprintf("%.4s%.2s%.2s-%s", day, day + 5, day + 8, a.d.id);
    a.d.body = util_strdup("");
    a.d.reason = util_strdup("");
    a.d.of_site = util_strdup(site);
    a.d.of_column = util_strdup(column);
    a.d.of_id = util_strdup(id);
    a.d.state = WORKFLOW_SUBMITTED;
    snprintf(a.d.editor, sizeof a.d.editor, "%s", a.acct.name);
    snprintf(a.d.last_by, sizeof a.d.last_by, "%s", a.acct.name);
    a.d.created = a.d.updated = a.d.submitted = x->now;
    char *path = article_url_path(x->conf, site, column, id);
    rc = save(&a, e);
    if (!rc && !(rc = set_index(&a, WORKFLOW_INDEX_MINE, true, e)) &&
        !(rc = set_index(&a, WORKFLOW_INDEX_SITE, true, e)) &&
        !(rc = set_index(&a, WORKFLOW_INDEX_QUEUE, true, e)))
        rc = trail(&a, "draft-offer", path ? path : "", e);
    free(path);
    if (rc)
        return act_end(&a, rc, e);
    memcpy(newid, a.d.id, sizeof a.d.id);
    return act_end(&a, WORKFLOW_OK, e);
}

workflow_rc_t workflow_read(store_txn_t *t, const conf_t *c, const char *who, const char *id,
                            workflow_draft_t *out, workflow_err_t *e)
{
    *e = (workflow_err_t){0};
    account_t acct = {0};
    int rc = account_get(t, who ? who : "", &acct);
    account_password_wipe(acct.hash, sizeof acct.hash);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && acct.disabled))
        return refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' may not read drafts",
                      who ? who : "");
    if (rc != STORE_OK)
        return store_failed(e, rc);
    rc = workflow_draft_get(t, id ? id : "", out);
    if (rc == STORE_NOTFOUND)
        return refuse(e, WORKFLOW_ENOTFOUND, NULL, "no draft '%s'", id ? id : "");
    if (rc != STORE_OK)
        return store_failed(e, rc);
    bool own = strcmp(acct.name, out->editor) == 0 &&
               account_may(&acct, ACCOUNT_ROLE_EDITOR, c, workflow_draft_home(out));
    if (!own && !account_may(&acct, ACCOUNT_ROLE_REVIEWER, c, out->site)) {
        refuse(e, WORKFLOW_EDENIED, NULL, "account '%s' may not read draft %s of site '%s'",
               acct.name, out->id, out->site);
        workflow_draft_free(out);
        return WORKFLOW_EDENIED;
    }
    return WORKFLOW_OK;
}

/* ------------------------------------------------------------------ the schedule */

/* Draft d's publication at its time, as its approving account (who must still be a
 * reviewer of the site) reviewed it on the day of approval. */
static workflow_rc_t publish_scheduled(const workflow_ctx_t *x0, const workflow_draft_t *d,
                                       workflow_err_t *e)
{
    workflow_ctx_t x = *x0;
    x.who = d->reviewer;
    act_t a;
    workflow_rc_t rc = act_begin(&x, &a, e);
    if (rc || (rc = load(&a, d->id, e)))
        return act_end(&a, rc, e);
    if (!may(&a, ACCOUNT_ROLE_REVIEWER, a.d.site))
        return act_end(&a, refuse(e, WORKFLOW_EDENIED, NULL, "account '%s', who approved it, "
                                  "is no longer a reviewer of site '%s'", a.acct.name,
                                  a.d.site), e);
    char day[11];
    article_format_day(a.d.decided, day);
    article_result_t res;
    if ((rc = publish(&a, day, &res, e)))
        return act_end(&a, rc, e);
    a.d.state = WORKFLOW_PUBLISHED;
    a.d.revision = res.revision;
    char *path = article_url_path(x.conf, a.d.site, a.d.column, a.d.article);
    if (!(rc = save(&a, e)) && !(rc = due(&a, false, e)))
        rc = trail(&a, "draft-publish", path, e);
    free(path);
    return act_end(&a, rc, e);
}

/* A scheduled draft that can no longer be published goes back to its editor, rejected
 * with the reason (no account acts: the trail names its approver, action
 * draft-unschedule). */
static workflow_rc_t call_off(const workflow_ctx_t *x, const char *id, const char *why,
                              workflow_err_t *e)
{
    int src;
    store_txn_t *w = store_write_child(x->w, &src);
    if (!w)
        return store_failed(e, src);
    workflow_draft_t d;
    src = workflow_draft_get(w, id, &d);
    if (src == STORE_OK) {
        d.state = WORKFLOW_REJECTED;
        free(d.reason);
        d.reason = util_asprintf("the scheduled publication failed: %s", why);
        uint64_t seq;
        if ((src = workflow_draft_put(w, &d)) == STORE_OK &&
            (src = workflow_due_set(w, &d, false)) == STORE_OK)
            src = article_audit_append(w, x->now, "draft-unschedule", d.site, d.column, d.id,
                                       d.reviewer, d.title, d.reason, &seq);
        workflow_draft_free(&d);
    }
    if (src != STORE_OK) {
        store_abort(w);
        return store_failed(e, src);
    }
    src = store_commit(w);
    return src == STORE_OK ? WORKFLOW_OK : store_failed(e, src);
}

workflow_rc_t workflow_publish_due(const workflow_ctx_t *x, size_t max, size_t *published,
                                   workflow_err_t *e)
{
    *e = (workflow_err_t){0};
    *published = 0;
    workflow_due_t due_at[WORKFLOW_DUE_BATCH];
    if (max == 0 || max > WORKFLOW_DUE_BATCH)
        max = WORKFLOW_DUE_BATCH;
    size_t n = 0;
    int src = workflow_due_list(x->w, x->now, due_at, max, &n);
    if (src != STORE_OK)
        return store_failed(e, src);
    for (size_t i = 0; i < n; i++) {
        workflow_draft_t d;
        src = workflow_draft_get(x->w, due_at[i].id, &d);
        if (src == STORE_OK && d.state == WORKFLOW_SCHEDULED && d.scheduled <= x->now) {
            workflow_err_t pe;
            workflow_rc_t rc = publish_scheduled(x, &d, &pe);
            if (rc == WORKFLOW_OK)
                (*published)++;
            else if (rc != WORKFLOW_ESTORE)
                rc = call_off(x, d.id, pe.msg, e);
            else
                *e = pe;
            workflow_draft_free(&d);
            if (rc == WORKFLOW_ESTORE)
                return rc;
            continue;
        }
        if (src == STORE_OK)
            workflow_draft_free(&d);
        else if (src != STORE_NOTFOUND && src != STORE_ECORRUPT)
            return store_failed(e, src);
        /* an entry whose draft is gone, unreadable or no longer scheduled: removed, so it
         * is looked at once */
        src = store_content_del(x->w, due_at[i].key, due_at[i].klen);
        if (src != STORE_OK && src != STORE_NOTFOUND)
            return store_failed(e, src);
    }
    return WORKFLOW_OK;
}
