/* core/message.h: citizens' messages (政民互动: 领导信箱, 咨询建言) and the replies that
 * answer them: records, indexes, the reply trail, counters, statistics and the overdue
 * report, in the store's "content" database (key families in store_keys.h). Used by the
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

#define MESSAGE_CODE_LEN 20     /* receipt code: 100 random bits in base32 */
#define MESSAGE_TITLE_MAX 100   /* characters, not bytes */
#define MESSAGE_BODY_MAX 5000
#define MESSAGE_NAME_MAX 32
#define MESSAGE_PHONE_MAX 24
#define MESSAGE_EMAIL_MAX 254
#define MESSAGE_REPLY_MAX 20000
#define MESSAGE_BY_MAX 64
#define MESSAGE_TOKEN_TTL 86400 /* a form token is good for a day */
#define MESSAGE_TOKEN_MAX 64
#define MESSAGE_NONCE_LEN 32 /* the form cookie's value: 128 random bits in hex */
#define MESSAGE_SECRET_LEN 32
#define MESSAGE_DAY 86400

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

/* ---- receipt codes ---- */
/* A fresh unguessable code (RAND_bytes) into out. Returns 0, or -1 when the random
 * generator fails. */
int message_code_new(char out[MESSAGE_CODE_LEN + 1]);
bool message_code_ok(const char *s, size_t n);

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

/* ---- submission limits (core/message_limit.c) ---- */
typedef enum message_limit_kind {
    MESSAGE_LIMIT_NONE = 0,
    MESSAGE_LIMIT_ADDRESS,  /* interaction.rate_limit an hour from one address */
    MESSAGE_LIMIT_PREFIX,   /* that times interaction.prefix_multiple from one /24 or /64 */
    MESSAGE_LIMIT_SITE_DAY, /* interaction.daily_limit a day to one site */
    MESSAGE_LIMIT_BUDGET,   /* limits.message_bytes_per_day across the cluster */
    MESSAGE_LIMIT_RESERVE,  /* the store's room is down to store_reserve */
    MESSAGE_LIMIT_KINDS
} message_limit_kind_t;

typedef struct message_limits {
    uint64_t per_address, per_prefix; /* an hour, per site */
    uint64_t per_site_day;            /* a day (UTC+8), per site */
    uint64_t bytes_per_day;           /* a day, the whole cluster */
    uint64_t reserve;                 /* bytes of the store's room citizens never use */
} message_limits_t;

/* The network an address belongs to for the prefix limit: "203.0.113.0/24" (IPv4, also
 * when mapped into IPv6) or "2001:db8:1:2::/64". False when addr is not an address. */
bool message_addr_prefix(const char *addr, char *out, size_t cap);
/* "per-address limit", "store reserve"...: what the error log names. */
const char *message_limit_name(message_limit_kind_t k);
/* Admits one submission of `bytes` from addr to site, or says which limit refuses it.
 * Returns 0 with *fired == MESSAGE_LIMIT_NONE and every count taken (in w, with the
 * message), 0 with *fired set and *retry_after (seconds) when refused (nothing written),
 * or a STORE_E* code. Checked in the order of message_limit_kind_t. */
int message_admit(store_txn_t *w, const char *site, const char *addr,
                  const message_limits_t *l, uint64_t bytes, int64_t now,
                  message_limit_kind_t *fired, int64_t *retry_after);

/* Rate limit per site and address over the last hour, kept in the store so that every
 * worker and a restart see the same count. Returns 0 and records `now` when another
 * message is allowed, 1 when `limit` were already sent within the hour (*retry_after:
 * seconds until one more is allowed), or a STORE_E* code. Limits up to 64 are exact over
 * a sliding hour; higher ones count per clock hour (one small value per address). */
int message_rate_take(store_txn_t *w, const char *site, const char *addr, uint64_t limit,
                      int64_t now, int64_t *retry_after);
/* Drops rate-limit entries older than an hour and daily counts of past days; returns how
 * many or a STORE_E* code. */
long message_rate_sweep(store_txn_t *w, int64_t now);

/* ---- form tokens: HMAC-SHA256(secret, "<site>\n<time>\n<nonce>"), no server-side state.
 * The nonce is the value of the form cookie the form page sets (double submit): a token
 * is good only with the cookie it was made for. ---- */
/* Reads the secret (meta "secret/interaction"); STORE_NOTFOUND before it is made. */
int message_secret_get(store_txn_t *t, uint8_t key[MESSAGE_SECRET_LEN]);
/* Makes the secret when there is none (a write transaction). */
int message_secret_ensure(store_txn_t *w, uint8_t key[MESSAGE_SECRET_LEN]);
/* A fresh cookie value (MESSAGE_NONCE_LEN hex digits); -1 when the generator fails. */
int message_nonce_new(char out[MESSAGE_NONCE_LEN + 1]);
bool message_nonce_ok(const char *s, size_t n);
/* "<time>.<hex mac>" into out (MESSAGE_TOKEN_MAX bytes). */
void message_token_make(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, int64_t now, char out[MESSAGE_TOKEN_MAX]);
enum { MESSAGE_TOKEN_OK = 0, MESSAGE_TOKEN_BAD = -1, MESSAGE_TOKEN_EXPIRED = -2 };
/* BAD also for a token dated more than MESSAGE_TOKEN_SKEW ahead of now (not one we made). */
#define MESSAGE_TOKEN_SKEW 300
int message_token_check(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, const char *tok, size_t len, int64_t now);

/* ---- text ---- */
/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) and no control
 * characters but tab, CR and LF (allow_newlines) ; *chars: code points counted. */
bool message_text_ok(const char *s, size_t n, bool allow_newlines, size_t *chars);
/* Public masking: "张*" (first character, one '*' per other), "138****5678" (first 3 and
 * last 4 kept when there are at least 8, else all but the last 2 hidden). */
void message_mask_name(util_buf_t *out, const char *name);
void message_mask_phone(util_buf_t *out, const char *phone);
/* Days a reply took, rounded up (a reply within the first day took 1). */
unsigned message_days(int64_t from, int64_t to);

/* ---- statistics (受理反馈统计) ---- */
typedef struct message_stat {
    unsigned received, answered, in_time, overdue;
    double days_sum; /* over the answered: first reply - received, in days */
} message_stat_t;
/* Per month (0..11) of `year` (UTC+8) by the month received, and the year's total.
 * "overdue" counts messages without a reply older than reply_days at `now`. */
int message_stats(store_txn_t *t, const char *site, const char *column, int year,
                  uint64_t reply_days, int64_t now, message_stat_t months[12],
                  message_stat_t *total);

/* ---- overdue report (jiyuectl check, the server after a reload) ---- */
/* Calls emit once per message past its site's reply_days without a reply, in every
 * interaction column of every site in c, with a one-line description; returns how many
 * (>= 0) or a STORE_E* code. */
typedef void (*message_emit_fn)(void *ud, const char *line);
long message_report_overdue(store_txn_t *t, const conf_t *c, int64_t now, message_emit_fn emit,
                            void *ud);

#endif
