/* modules/interaction/message.h: citizens' messages (政民互动: 领导信箱, 咨询建言) and the replies that
 * answer them: records, indexes, the reply trail, counters, statistics and the overdue
 * report, in the store's "content" database (key families below). Used by the
 * interaction module (through the writer thread) and by jiyuectl alike, so both keep one
 * layout and one set of rules.
 *
 * A reply is never edited in place: a correction is another reply, and the trail keeps
 * every one in order. The message record carries only what its status needs (how many
 * replies, when the first and the last came).
 *
 * Times are seconds since the epoch, shown and grouped by month in China Standard Time
 * (UTC+8) like articles. */
#ifndef JIYUE_MESSAGE_H
#define JIYUE_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "util.h"

/* The parts defined in their own files, included here so that a caller needs one include. */
#include "message_limit.h"
#include "message_stats.h"
#include "message_text.h"

/* ---- store keys ----
 * Citizens' messages, in the store's "content" database (message.c builds these keys;
 * <code> is a receipt code, 20 of [a-z2-7], so no family below collides with another):
 *   m/<code>                    message record (layout in message.c): site, column, the
 *                               citizen's fields, times, how many replies
 *   mr/<code>/<n>               reply n (8 hex digits, from 1), never rewritten: a
 *                               correction is reply n+1, and the trail keeps both
 *   mi/<site>/<column>/<rank>   every message of a column, value <code>
 *   ma/<site>/<column>/<rank>   answered messages (the public list), value <code>
 *   mc/<site>/<column>          received and answered counts (two u64)
 *   mv/<site>                   version of a site's messages (u64), bumped by every change
 *   mn/seq                      the last message sequence number handed out (u64)
 *   mt/<site>/<address>         send times (i64 each) within the last hour: the rate limit
 *   mt/<site>/<net>/<bits>      the same per network ("203.0.113.0/24", "2001:db8::/64")
 *   mq/<YYYYMMDD>/<site>        messages a site took that day, UTC+8 (u64): daily_limit
 *   mq/<YYYYMMDD>               bytes of messages the cluster took that day (u64)
 *   ms/<site>/<column>/<rank>   messages marked spam (out of mi/ and ma/), value <code>
 *   mp/<site>/<column>/<seq>    an answered, not-spam message's public page number (16 hex
 *                               digits of its sequence number), value <code>
 *                               (message_search.h: kept with its search document)
 * <rank> here is 16 hex digits of (INT64_MAX - time received) then 16 of (UINT64_MAX -
 * sequence number): newest first, within one second too.
 * In "meta": "secret/interaction" = 32 random bytes keying the form tokens. */
#define STORE_META_INTERACTION_SECRET "secret/interaction"

#define MESSAGE_TITLE_MAX 100   /* characters, not bytes */
#define MESSAGE_BODY_MAX 5000
#define MESSAGE_NAME_MAX 32
#define MESSAGE_PHONE_MAX 24
#define MESSAGE_EMAIL_MAX 254
#define MESSAGE_REPLY_MAX 20000
#define MESSAGE_BY_MAX 64

/* A stored message; strings point into the store (valid while the read txn is) and are
 * NUL-terminated. */
typedef struct message {
    const char *site, *column, *code, *title, *body, *name, *phone, *email;
    const char *addr; /* the sender's address, for staff only */
    int64_t created;
    int64_t first_reply, last_reply; /* 0 while unanswered */
    uint64_t seq;
    uint32_t nreplies;
    /* Marked spam (`jiyuectl messages SITE --spam CODE --by NAME`): when and by whom; 0 and
     * "" otherwise. A spam message is in no list, count or statistic but the spam index. */
    int64_t spam_time;
    const char *spam_by;
} message_t;

typedef struct message_reply {
    uint32_t n; /* 1, 2, ... in the trail */
    int64_t time;
    const char *by, *text;
} message_reply_t;

/* What a new message carries (the caller's strings, copied into the record). */
typedef struct message_new {
    const char *site, *column, *title, *body, *name, *phone, *email, *addr;
    int64_t created;
} message_new_t;

/* ---- reading ---- */
int message_get(store_txn_t *t, const char *code, message_t *out);
typedef int (*message_fn)(void *ud, const message_t *m);
/* A column's messages newest first (answered_only: the public list). skip/limit page
 * through; fn returning non-zero stops. Returns 0, fn's value or a STORE_E* code. Messages
 * marked spam are not among them (message_spam_each walks those). */
int message_each(store_txn_t *t, const char *site, const char *column, bool answered_only,
                 size_t skip, size_t limit, message_fn fn, void *ud);
typedef int (*message_reply_fn)(void *ud, const message_reply_t *r);
/* The reply trail, oldest first. */
int message_replies_each(store_txn_t *t, const char *code, message_reply_fn fn, void *ud);
/* The latest reply (the one in force); STORE_NOTFOUND while unanswered. */
int message_reply_latest(store_txn_t *t, const message_t *m, message_reply_t *out);
/* Received and answered messages of a column. */
void message_counts(store_txn_t *t, const char *site, const char *column, uint64_t *received,
                    uint64_t *answered);
/* Bumped by every change to a site's messages (what rendered-page caches key on). */
uint64_t message_version(store_txn_t *t, const char *site);

/* ---- writing (inside a write transaction: the server's writer thread or jiyuectl) ---- */
/* Stores a new message under `code` with its indexes and counters. STORE_EKEY when the
 * code is taken (draw another). */
int message_put(store_txn_t *w, const message_new_t *m, const char *code);
/* Appends a reply to the trail and updates the message's status. *n: its number. */
int message_reply_add(store_txn_t *w, const char *code, const char *by, const char *text,
                      int64_t now, uint32_t *n);
/* Marks a message spam: it leaves the column's lists and counts (public list, statistics,
 * staff listing, the audit's clock) for the spam index, and its record says who marked it
 * and when. Returns 0, 1 when it was already marked (nothing changes), STORE_NOTFOUND, or
 * another STORE_E* code. The caller records the act in the audit trail. */
int message_mark_spam(store_txn_t *w, const char *code, const char *by, int64_t now);
/* A column's messages marked spam, newest received first. */
int message_spam_each(store_txn_t *t, const char *site, const char *column, message_fn fn,
                      void *ud);


#endif
