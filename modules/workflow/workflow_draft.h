/* modules/workflow/workflow_draft.h: the draft record of the publishing workflow, its
 * bounds, its keys and indexes in the store (the family list is in workflow.h), and the
 * field checks every save runs. The transitions that move a draft between its states are
 * in workflow.h; this file only reads and writes records, so that the transitions, the
 * console's listings, `jiyuectl drafts` and `jiyuectl purge` share one layout.
 *
 * Draft record (the value of wd/<id>), core/rec.h's layout, magic "JYWD" v1:
 *   str id, str site, str column, str article (the article id it publishes as), u8 update
 *   (a new revision of a published article), str title, str body (Markdown), str source,
 *   str author, str disclosure, str date, i64 scheduled (0: none), u8 state, str editor,
 *   str last_by (the account that saved the content last), str reviewer (who approved or
 *   rejected it last, "" before), str reason (the last rejection's), i64 created, i64
 *   updated, i64 submitted, i64 decided, u32 edits (saves after the first), u32 revision
 *   (the article's revision it became; 0 until published), u32 attachments, then per
 *   attachment: str name, u64 size.
 * Version 2 (written since 报送) appends str of_site, str of_column, str of_id: for an
 * offer (workflow_offer), the published article offered; "" for any other draft (a v1
 * record reads so).
 * Version 3 (written since the console takes the policy keys) appends str doc_no, str
 * issuer, str written, str topic, str index_no: a policy document's header as the editor
 * gave it (front-matter names, article.h); "" when not given (a v1 or v2 record reads so).
 * A record that does not decode to exactly this is STORE_ECORRUPT.
 *
 * Keys, in the store's "content" database (workflow_draft.c builds them; <id> is decimal
 * digits and site ids and account names hold no '/', so every "<x>/" prefix is exact):
 *   wd/<id>                 the draft record
 *   wa/<id>/<name>          one attachment's bytes (its name and size are in the record)
 *   we/<editor>/<rank>      every draft an account wrote ("my drafts"), newest first,
 *                           value <id>
 *   wq/<site>/<seq>         the drafts of a site awaiting review, oldest first, value <id>;
 *                           an entry lives from submit to approve or reject
 *   ws/<site>/<rank>        every draft of a site, newest first, value <id>
 *   wn/seq                  the last draft sequence number handed out (u64)
 *   wt/<time>/<seq>         the scheduled drafts (state scheduled), soonest first, value
 *                           <id>; <time> is 16 hex digits of the scheduled time (seconds);
 *                           an entry lives from approval to publication or calling off
 * <seq> is 16 hex digits of the draft's sequence number (its id), <rank> 16 hex digits of
 * (UINT64_MAX - it). Listing a queue or an account's drafts reads only its prefix.
 * A draft belongs to its site: `jiyuectl purge SITE` deletes them (workflow_purge_site);
 * the trail records of its transitions stay (modules/content/content_keys.h's h/). */
#ifndef JIYUE_WORKFLOW_DRAFT_H
#define JIYUE_WORKFLOW_DRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accounts.h"
#include "article.h"
#include "conf.h"
#include "store.h"

#define WORKFLOW_KEY_DRAFT "wd/"
#define WORKFLOW_KEY_ATTACHMENT "wa/"
#define WORKFLOW_KEY_MINE "we/"
#define WORKFLOW_KEY_QUEUE "wq/"
#define WORKFLOW_KEY_SITE "ws/"
#define WORKFLOW_KEY_SEQ "wn/seq"
#define WORKFLOW_KEY_DUE "wt/"

/* Bounds on what an editor gives (characters are Unicode code points). */
#define WORKFLOW_TITLE_MAX 200        /* characters */
#define WORKFLOW_BODY_MAX (1u << 20)  /* bytes of Markdown */
#define WORKFLOW_SOURCE_MAX 100       /* characters */
#define WORKFLOW_AUTHOR_MAX 100       /* characters */
#define WORKFLOW_DATE_MAX 32          /* bytes ("2026-11-20 09:30+08:00") */
#define WORKFLOW_REASON_MAX 1000      /* characters of a rejection or unpublish reason */
#define WORKFLOW_SCHEDULED_MAX 253402300799 /* 9999-12-31 23:59:59 UTC: the latest schedule */
#define WORKFLOW_ATTACHMENTS_MAX 20   /* files per draft */
/* Default byte limits of attachments (workflow_limits_t): one file, and all of a draft's. */
#define WORKFLOW_ATTACHMENT_BYTES (20u << 20)
#define WORKFLOW_ATTACHMENTS_BYTES (50u << 20)
/* A draft id: the decimal sequence number, 1 to 20 digits. */
#define WORKFLOW_ID_MAX 20

typedef enum {
    WORKFLOW_DRAFT = 0, /* being written by its editor */
    WORKFLOW_SUBMITTED, /* awaiting review; its editor can no longer change it */
    WORKFLOW_REJECTED,  /* sent back with a reason; its editor may change and resubmit it */
    WORKFLOW_PUBLISHED, /* approved: the article (or its new revision) is live */
    WORKFLOW_SCHEDULED, /* approved before its scheduled time: published when it comes
                         * (workflow_publish_due); a reviewer may still call it off */
    WORKFLOW_STATE_COUNT
} workflow_state_t;

/* "draft", "submitted", "rejected", "published", "scheduled". */
const char *workflow_state_name(workflow_state_t s);

typedef struct workflow_attachment {
    char name[ARTICLE_ATTACHMENT_NAME_MAX + 1];
    uint64_t size;
} workflow_attachment_t;

/* A decoded draft: every string is a heap copy ("" when empty), freed by
 * workflow_draft_free, so it outlives the transaction and later writes in it. */
typedef struct workflow_draft {
    char id[WORKFLOW_ID_MAX + 1];
    char *site, *column, *article;
    bool update;
    char *title, *body, *source, *author, *disclosure, *date;
    int64_t scheduled;
    workflow_state_t state;
    char editor[ACCOUNT_NAME_MAX + 1], last_by[ACCOUNT_NAME_MAX + 1];
    char reviewer[ACCOUNT_NAME_MAX + 1];
    char *reason;
    int64_t created, updated, submitted, decided;
    uint32_t edits, revision;
    size_t natt;
    workflow_attachment_t att[WORKFLOW_ATTACHMENTS_MAX];
    /* An offer (报送): the article offered (site, column, id); "" otherwise. The offer's
     * own site and column are where it would be listed, its editor the offering account. */
    char *of_site, *of_column, *of_id;
    /* A policy document's header (policy columns only; "" when not given): 发文字号,
     * 发文机关, 成文日期, 主题分类, 索引号 (generated at approval when empty). */
    char *doc_no, *issuer, *written, *topic, *index_no;
} workflow_draft_t;

/* Whether d is an offer of another site's article. */
bool workflow_draft_is_offer(const workflow_draft_t *d);
/* The site whose editors own d: the offered article's for an offer, else d's own. */
const char *workflow_draft_home(const workflow_draft_t *d);

void workflow_draft_free(workflow_draft_t *d);

/* Whether `id` is a draft id (1-20 decimal digits, no leading zero, within u64). */
bool workflow_id_ok(const char *id);

/* The record's bytes (appended to b) and back; decode returns STORE_OK or STORE_ECORRUPT
 * (out freed and zeroed then), whatever the bytes. */
void workflow_draft_encode(const workflow_draft_t *d, util_buf_t *b);
int workflow_draft_decode(const void *data, size_t len, workflow_draft_t *out);

/* STORE_OK, STORE_NOTFOUND (also for an id workflow_id_ok refuses) or another STORE_E*. */
int workflow_draft_get(store_txn_t *t, const char *id, workflow_draft_t *out);
/* Writes the record (wd/<id>) only; the indexes are the transitions' (workflow.c). */
int workflow_draft_put(store_txn_t *w, const workflow_draft_t *d);
/* Hands out the next draft id (wn/seq) into id. */
int workflow_draft_next_id(store_txn_t *w, char id[static WORKFLOW_ID_MAX + 1]);

/* The indexes (we/, wq/, ws/): puts (add) or deletes the entry of draft d. */
typedef enum { WORKFLOW_INDEX_MINE, WORKFLOW_INDEX_QUEUE, WORKFLOW_INDEX_SITE } workflow_index_t;
int workflow_index_set(store_txn_t *w, workflow_index_t which, const workflow_draft_t *d, bool add);

/* Calls fn for each draft of an index (MINE: `owner` is an account name, newest first;
 * QUEUE: a site id, oldest submitted first; SITE: a site id, newest first); stops when fn
 * returns non-zero and returns that value. An entry whose record is missing is skipped; a
 * record that does not decode stops the walk with STORE_ECORRUPT. */
typedef int (*workflow_fn)(void *ud, const workflow_draft_t *d);
int workflow_each(store_txn_t *t, workflow_index_t which, const char *owner, workflow_fn fn,
                  void *ud);

/* The scheduled index (wt/): puts or deletes the entry of draft d (at d->scheduled). */
int workflow_due_set(store_txn_t *w, const workflow_draft_t *d, bool add);
/* The entries of wt/ due at `now` (scheduled <= now), soonest first, at most max: their
 * keys (for a stale entry's removal) and draft ids. Returns 0 or a STORE_E* code. */
typedef struct workflow_due {
    char key[64];
    size_t klen;
    char id[WORKFLOW_ID_MAX + 1];
} workflow_due_t;
int workflow_due_list(store_txn_t *t, int64_t now, workflow_due_t *out, size_t max, size_t *n);

/* An attachment's bytes (wa/<id>/<name>): pointers into the store, valid until the next
 * write in the transaction or its end. */
int workflow_attachment_get(store_txn_t *t, const char *id, const char *name, const void **data,
                            size_t *len);
int workflow_attachment_put(store_txn_t *w, const char *id, const char *name, const void *data,
                            size_t len);
int workflow_attachment_del(store_txn_t *w, const char *id, const char *name);

/* Deletes every draft of a site (records, attachments, the three indexes) for `jiyuectl
 * purge`; adds how many drafts to *count. Returns 0 or a STORE_E* code. */
int workflow_purge_site(store_txn_t *w, const char *site, long *count);

#endif
