/* modules/workflow/workflow.h: the publishing workflow by identity (issue 15): an editor
 * writes a draft and submits it; a reviewer of that site who is not its editor approves it
 * with the 保密审查 confirmation, which publishes it through the content module's own
 * publish (article_publish_txn: the code `jiyuectl publish` runs), or rejects it with a
 * reason the editor sees; a site_admin or reviewer takes an article down with a reason
 * (article_unpublish_txn: `jiyuectl unpublish`'s code).
 *
 * modules/workflow/ is a library folder, not a module in modules_list: no request handler,
 * no configuration keys, no reload report. The console and its JSON API (a later slice)
 * call it from the writer thread; `jiyuectl drafts` reads it. Its parts: workflow.c (the
 * transitions and their permissions, this header), workflow_draft.c (the draft record, its
 * bounds, its attachments and indexes: the store's key families are listed in
 * workflow_draft.h).
 *
 * States and who may move a draft (account_may, modules/accounts/account_role.h, decides
 * every "may" against the configuration in force; a disabled account may nothing):
 *   create            editor of the site                         -> draft
 *   update, attach,   its editor (still editor of the site) or a  draft, rejected -> same
 *   detach            site_admin of the site
 *   submit            its editor                                 draft, rejected -> submitted
 *   approve           a reviewer of the site who is neither its  submitted -> published
 *                     editor nor the account that saved it last  (scheduled, when its
 *                     (else ECONFLICT: self-review), with         time is ahead; then
 *                     secrecy_review confirmed                    workflow_publish_due)
 *   reject            the same reviewer rule, with a reason      submitted, scheduled ->
 *                                                                rejected
 *   unpublish         a reviewer or site_admin of the site, with a reason (any article)
 * The article gets publisher = the editor's account name, reviewer and secrecy_review.by =
 * the approving account's name, secrecy_review.date = the day of approval. A draft made
 * with `article` set is a new revision of that published article (ARTICLE_UPDATE); other
 * drafts publish as "<YYYYMMDD>-<draft id>" (UTC+8, the day the draft was made).
 *
 * Every transition runs inside the caller's write transaction (one transaction for the
 * whole act, the approval's publication included), in a child transaction of its own: on
 * any error nothing of it stays in the caller's transaction, which the caller may still
 * commit or abort. Every transition that succeeds appends a record to the content
 * module's accountability trail naming the account (action draft-create, draft-update,
 * draft-submit, draft-approve, draft-reject; the publication's own publish/update record
 * and unpublish's record as `jiyuectl` writes them). */
#ifndef JIYUE_WORKFLOW_H
#define JIYUE_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "workflow_draft.h"

/* What a refusal means, for the API's status line (workflow_http_status). */
typedef enum {
    WORKFLOW_OK = 0,
    WORKFLOW_EINVAL,    /* 400: a field is missing, malformed or out of bounds (err.field) */
    WORKFLOW_EDENIED,   /* 403: the account may not do this (roles, disabled) */
    WORKFLOW_ENOTFOUND, /* 404: no such draft, site or article */
    WORKFLOW_ECONFLICT, /* 409: not in a state that allows it, self-review, or the article says no */
    WORKFLOW_ETOOLARGE, /* 413: an attachment over the size or count limit */
    WORKFLOW_ESTORE     /* 500: the store failed */
} workflow_rc_t;

typedef struct workflow_err {
    workflow_rc_t rc;
    const char *field; /* for WORKFLOW_EINVAL: the field named ("title", "reason"...) */
    char msg[320];     /* one line, safe to show the account (no secret in it) */
} workflow_err_t;

/* 200, 400, 403, 404, 409, 413 or 500. */
int workflow_http_status(workflow_rc_t rc);

/* Byte limits on attachments; the console sets them from its configuration. */
typedef struct workflow_limits {
    size_t attachment_bytes;  /* one file (default WORKFLOW_ATTACHMENT_BYTES) */
    size_t attachments_bytes; /* all of one draft (default WORKFLOW_ATTACHMENTS_BYTES) */
} workflow_limits_t;

/* Who acts, where, when. */
typedef struct workflow_ctx {
    store_txn_t *w;       /* the caller's write transaction */
    const conf_t *conf;   /* the configuration in force */
    const char *who;      /* the acting account's name: read in w, so a change committed
                           * before (disabled, roles) counts */
    int64_t now;          /* seconds since the epoch */
    const workflow_limits_t *limits; /* NULL: the defaults */
} workflow_ctx_t;

/* What an editor writes: the front-matter names of `jiyuectl publish`. NULL or "" is
 * empty. site, column and article are read by create only (a draft stays where it was
 * made); update replaces every other field. */
typedef struct workflow_fields {
    const char *site, *column;
    const char *article; /* create: the id of a published article this draft revises */
    const char *title, *body, *source, *author, *disclosure, *date;
    int64_t scheduled; /* 0: none; approval waits until then */
    /* A policy document's header (only in a policy column, checked as `jiyuectl publish`
     * checks them: article_check_field); index_no empty: generated at approval. */
    const char *doc_no, *issuer, *written, *topic, *index_no;
} workflow_fields_t;

/* Each returns WORKFLOW_OK or the refusal (also in e->rc, with e->msg). */
workflow_rc_t workflow_create(const workflow_ctx_t *x, const workflow_fields_t *f,
                              char id[static WORKFLOW_ID_MAX + 1], workflow_err_t *e);
workflow_rc_t workflow_update(const workflow_ctx_t *x, const char *id, const workflow_fields_t *f,
                              workflow_err_t *e);
/* Adds (or replaces, by name) an attachment; the name is a file name article_attachment_
 * name_ok accepts. */
workflow_rc_t workflow_attach(const workflow_ctx_t *x, const char *id, const char *name,
                              const void *data, size_t len, workflow_err_t *e);
workflow_rc_t workflow_detach(const workflow_ctx_t *x, const char *id, const char *name,
                              workflow_err_t *e);
workflow_rc_t workflow_submit(const workflow_ctx_t *x, const char *id, workflow_err_t *e);
/* What a reviewer confirms when approving: the 保密审查 (always required), and that the
 * unmasked ID numbers the draft shows (workflow_personal.h) may be published: required
 * only while it shows any, refused (EINVAL naming personal_data, with the count and a
 * masked sample) without it. Mobile numbers are shown to the reviewer, not asked about:
 * offices publish their contact numbers. */
typedef struct workflow_approval {
    bool secrecy_review;
    bool personal_data;
} workflow_approval_t;

/* On success *url is the article's URL path (article_url_path; heap, free it). */
workflow_rc_t workflow_approve(const workflow_ctx_t *x, const char *id,
                               const workflow_approval_t *how, char **url, workflow_err_t *e);
workflow_rc_t workflow_reject(const workflow_ctx_t *x, const char *id, const char *reason,
                              workflow_err_t *e);
workflow_rc_t workflow_unpublish(const workflow_ctx_t *x, const char *site, const char *column,
                                 const char *article, const char *reason, workflow_err_t *e);

/* 报送: an editor (site_admin, cluster_admin) of `site` offers its published article
 * site/column/id to column to_column of to_site, a site above it (its parent, its
 * parent's parent... the portal is above every site). The offer is a draft of to_site
 * (of_site/of_column/of_id name the article; title, source, author, disclosure and date
 * are the article's), made submitted at once, in to_site's review queue; its editor is
 * the offering account, who sees it among its drafts (and a rejection's reason) while
 * still an editor of `site`. Approving it (workflow_approve: a reviewer of to_site who is
 * not the offering account) publishes a listing of the article in to_column
 * (article_link.h: it links to the original, nothing is copied), as
 * "<YYYYMMDD>-<draft id>"; rejecting it works as for any draft. An offer is never edited
 * or resubmitted: offer again. Refusals: EINVAL naming site, column, id, to_site (not a
 * site above `site`) or to_column (no such column, or one that lists no articles);
 * EDENIED (not an editor of `site`); ENOTFOUND (the article is not published, or is
 * itself a listing); ECONFLICT (the same article is already pending or listed in that
 * column). Trail: draft-offer (who: the offering account, note: the article's URL). */
workflow_rc_t workflow_offer(const workflow_ctx_t *x, const char *site, const char *column,
                             const char *id, const char *to_site, const char *to_column,
                             char newid[static WORKFLOW_ID_MAX + 1], workflow_err_t *e);
/* Whether `above` is an ancestor of `site` through the parent chain (the portal is every
 * other site's). */
bool workflow_site_above(const conf_t *c, const char *above, const char *site);

/* Reads a draft for account `who` (in any transaction): its editor (still editor of the
 * site) or a reviewer of the site may; 404 before 403, as the API answers. */
workflow_rc_t workflow_read(store_txn_t *t, const conf_t *c, const char *who, const char *id,
                            workflow_draft_t *out, workflow_err_t *e);

/* ---- scheduled publication ---- */
#define WORKFLOW_DUE_BATCH 64 /* most drafts one workflow_publish_due call publishes */

/* Publishes the scheduled drafts whose time has come (x->now; x->who is not used), at
 * most max (0 or more than WORKFLOW_DUE_BATCH: that many), soonest first, each through
 * article_publish_txn in a child of x->w as its approving account reviewed it (the
 * article's reviewer and 保密审查 are that account's, on the day of approval); that
 * account must still be an enabled reviewer of the site. A draft that can no longer be
 * published (its approver gone, the article rules, its article changed meanwhile) is
 * called off: rejected with the reason, so its editor sees why (trail draft-unschedule).
 * A draft rejected before its time has left the schedule and is never published.
 * Idempotent: a published draft leaves the schedule in the same transaction, so a second
 * call (another timer, a restart) finds nothing. *published counts the publications;
 * WORKFLOW_ESTORE stops the walk (the caller aborts and tries again later). */
workflow_rc_t workflow_publish_due(const workflow_ctx_t *x, size_t max, size_t *published,
                                   workflow_err_t *e);

/* ---- the console's lists (workflow_list.c) ---- */
typedef enum {
    WORKFLOW_VIEW_MINE,  /* the drafts the account wrote, newest first */
    WORKFLOW_VIEW_QUEUE, /* submitted drafts on sites the account reviews, newest submitted
                          * first (its own included: it sees them, approving is refused) */
} workflow_view_t;
#define WORKFLOW_LIST_MAX 200 /* most lines of one list */

/* One line of a list: what a list shows of a draft (never its body). */
typedef struct workflow_item {
    char id[WORKFLOW_ID_MAX + 1];
    char *site, *column, *title; /* heap */
    char *of_site;               /* heap: an offer's (报送) origin site, "" for a draft */
    char editor[ACCOUNT_NAME_MAX + 1];
    workflow_state_t state;
    int64_t updated, submitted, scheduled;
} workflow_item_t;

typedef struct workflow_list {
    workflow_item_t *item;
    size_t n, cap;
    bool more; /* there were more than the max asked for */
} workflow_list_t;

/* The list `view` of account `who` (read in t), on one site (site not NULL nor "") or all;
 * at most max lines (0 or over WORKFLOW_LIST_MAX: WORKFLOW_LIST_MAX). Only drafts the
 * account may read (workflow_read's rule) are listed. Refusals: EINVAL "site" (no such
 * site), EDENIED (a site where the account has no role for that view; a disabled or
 * unknown account). Free out with workflow_list_free. */
workflow_rc_t workflow_list(store_txn_t *t, const conf_t *c, const char *who,
                            workflow_view_t view, const char *site, size_t max,
                            workflow_list_t *out, workflow_err_t *e);
void workflow_list_free(workflow_list_t *l);

#endif
