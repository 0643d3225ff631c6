/* modules/content/article.h: articles (信息) published into a site's columns, with the
 * accountability the seed demands (谁发布谁负责): who published, who reviewed, the
 * confidentiality review and the disclosure attribute travel with every article, and every
 * publish, update and unpublish appends a record to an audit trail that is never rewritten.
 *
 * The checks that refuse an article live here (article_check), so that jiyuectl and any
 * later publishing front end refuse the same things. A publication is one LMDB write
 * transaction: the article, its column index, the cluster-wide index, the counters, the
 * content versions, the audit record and the attachments commit together or not at all.
 *
 * Times are seconds since the epoch; they are shown in China Standard Time (UTC+8, no
 * daylight saving), which is how a date without a zone in front matter is read too. */
#ifndef JIYUE_ARTICLE_H
#define JIYUE_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "diag.h"
#include "store.h"
#include "yaml.h"

#define ARTICLE_TZ_OFFSET (8 * 3600)
#define ARTICLE_MAX_ATTACHMENTS 64

/* 公开属性 */
#define ARTICLE_DISCLOSE_ACTIVE "主动公开"
#define ARTICLE_DISCLOSE_ON_REQUEST "依申请公开"
#define ARTICLE_DISCLOSE_WITHHELD "不予公开"

/* What a publisher gives: front matter keys, overridden by command-line flags. Heap
 * strings, NULL when absent. */
typedef struct article_meta {
    char *site, *column, *id, *title, *source, *author, *publisher, *reviewer, *disclosure;
    char *secrecy_by, *secrecy_date; /* secrecy_review: {by, date} */
    char *date;                      /* publication time; default: now */
    /* A policy document's (政策文件) header, only in columns of type policy: 发文字号,
     * 发文机关, 成文日期 (YYYY-MM-DD), 主题分类, 索引号 (generated at publish when absent:
     * <site_code>-<year>-<5-digit serial>, unique per site). */
    char *doc_no, *issuer, *written, *topic, *index_no;
    char *attachments[ARTICLE_MAX_ATTACHMENTS]; /* file paths as written */
    size_t nattachments;
    bool secrecy_given; /* the secrecy_review key was present at all */
    /* Not front matter: what publishing needs from the configuration, set by
     * article_meta_prepare (after article_check): the column is of type policy, and the
     * site's 网站标识码 (a copy) to number its policy documents. */
    bool policy;
    char *site_code;
} article_meta_t;

/* Reads the front matter mapping. Unknown keys and values of the wrong shape are errors
 * (a misspelt `reviwer` must not publish an unreviewed article). Returns 0 or -1. */
int article_meta_read(article_meta_t *m, const yaml_dom_node_t *root, diag_t *d);
/* Sets one key from a flag ("site", "secrecy-by" and "secrecy_by" alike). Returns 0, or -1
 * for a key that cannot be set this way. */
int article_meta_set(article_meta_t *m, const char *key, const char *value);
void article_meta_free(article_meta_t *m);
/* Notes in m what article_publish needs from c (policy, site_code); call it after
 * article_check passed, before article_publish(_txn): without it no 索引号 is generated. */
void article_meta_prepare(const conf_t *c, article_meta_t *m);

/* Bounds of the policy keys, in characters (index_no: bytes of [0-9A-Za-z./_-]). */
#define ARTICLE_DOC_NO_MAX 64
#define ARTICLE_ISSUER_MAX 100
#define ARTICLE_TOPIC_MAX 64
#define ARTICLE_INDEX_NO_MAX 64

/* The refusals, in the order an operator fixes them: unknown site, unknown column, no
 * title, no publisher, no reviewer, the reviewer is the publisher, no confidentiality
 * review, a disclosure attribute that is missing or unknown, 不予公开, a bad date or id,
 * a policy key (doc_no, issuer, written, topic, index_no) outside a policy column, too
 * long, not text, a `written` that is not a date, or a policy column's article without
 * index_no on a site without a 网站标识码 to number it.
 * Returns NULL when the article may be published, else a one-line reason in buf. */
const char *article_check(const conf_t *c, const article_meta_t *m, char *buf, size_t cap);
/* The same, naming in *field (when not NULL) the front-matter key the refusal is about
 * ("site", "column", "title", "publisher", "reviewer", "secrecy_review", "disclosure",
 * "date", "id", or a policy key), for an API that answers 400 with the field named. */
const char *article_check_field(const conf_t *c, const article_meta_t *m, char *buf, size_t cap,
                                const char **field);

/* Whether m's explicit index_no (索引号) can be the number of m->site/m->column/m->id in the
 * store as it is: 0 (none given, or it is free, or already the article's own), 1 when
 * another article of the site holds it or the article (a revision) has another one (the
 * reason in buf: article_publish_txn would refuse it the same way), or a negative STORE_E*
 * code. For a caller that answers a conflict apart from a failure (the console's 409). */
int article_index_no_check(store_txn_t *t, const article_meta_t *m, char *buf, size_t cap);

/* "2026-11-20", "2026-11-20 09:30", "2026-11-20T09:30:05", optionally followed by "Z" or
 * "+08:00": seconds since the epoch (no zone: UTC+8). Returns 0 or -1. */
int article_parse_time(const char *s, int64_t *out);
/* "yyyy-MM-dd HH:mm" (UTC+8) into buf[17]; "yyyy-MM-dd" into buf[11]; RFC 3339 into buf[26]. */
void article_format_minute(int64_t t, char buf[static 17]);
void article_format_day(int64_t t, char buf[static 11]);
void article_format_rfc3339(int64_t t, char buf[static 26]);
/* Where a site's pages are on the portal's host: "/" for the portal, "/edu/" for a
 * department, "/anning/hexi/" for a township under its county (the mount paths joined).
 * Heap string; NULL when the site (or a site above it) has only hosts of its own. */
char *article_site_path(const conf_site_t *s);

/* Article ids: 1 to 64 of [a-z0-9-], not starting with '-'. */
bool article_id_ok(const char *id);
/* Where the article will be read, as `jiyuectl publish` prints it: its URL path on the
 * portal's host ("/edu/news/x.html"), or "http://HOST/news/x.html" for a site on hosts of
 * its own (SITE/COLUMN/ID.html, as `unpublish` takes it, for a site under one reachable
 * by neither). Heap string; NULL for a site c does not hold. */
char *article_url_path(const conf_t *c, const char *site, const char *column, const char *id);
/* Whether an attachment's file name can be a URL's last segment (/<column>/<id>/<name>):
 * 1 to ARTICLE_ATTACHMENT_NAME_MAX bytes, no leading '.', no control byte, '/', '\\', '?',
 * '#' or '%'. */
#define ARTICLE_ATTACHMENT_NAME_MAX 200
bool article_attachment_name_ok(const char *name);
/* Articles are not scheduled: a date ahead of the clock (beyond ARTICLE_FUTURE_SLACK of
 * skew) would show at once as if published then. NULL when m's date may be used at `now`,
 * else the reason in buf. */
#define ARTICLE_FUTURE_SLACK (5 * 60)
const char *article_future_check(const article_meta_t *m, int64_t now, char *buf, size_t cap);

/* A stored article; strings point into the store (valid while the read txn is). */
typedef struct article {
    const char *site, *column, *id, *title, *source, *author, *publisher, *reviewer;
    const char *disclosure, *secrecy_by, *secrecy_date, *format;
    const char *body; /* HTML */
    size_t body_len;
    const char *attachments; /* file names, one per line, "" when none */
    /* the policy header ("" when none; records written before it existed have none) */
    const char *doc_no, *issuer, *written, *topic, *index_no;
    int64_t pubtime, updated;
    uint64_t seq;
    uint32_t revision;
} article_t;

/* Whether the article is stored (one lookup, nothing decoded). */
bool article_exists(store_txn_t *t, const char *site, const char *column, const char *id);
int article_get(store_txn_t *t, const char *site, const char *column, const char *id,
                article_t *out);

/* One file stored beside an article. */
typedef struct article_file {
    const char *name; /* base name: becomes /<column>/<id>/<name> */
    const void *data;
    size_t len;
} article_file_t;

typedef enum { ARTICLE_PUBLISH, ARTICLE_UPDATE } article_op_t;

typedef struct article_result {
    uint64_t seq;      /* the article's sequence number */
    uint32_t revision; /* 1 for a first publication */
    uint64_t audit_seq; /* the trail record's stored number (its h/ key, n/trail) */
} article_result_t;

/* Publishes (the id must be new in its column) or updates (it must exist: a new revision,
 * keeping the first publication's sequence and, unless `m->date` is given, its time), in a
 * write transaction of its own. A policy document keeps its 索引号 across updates (an
 * update naming another one is refused); without one it gets the next of its site's
 * serials (n/index/<site>) in the same transaction; one another article of the site holds
 * (ix/<site>/<index_no>) is refused. `m` must have passed article_check() and carry an id.
 * Returns 0, or -1 with a one-line reason in err; nothing is written then. `jiyuectl
 * publish` and the console's approval (modules/workflow) both come here. */
int article_publish(store_t *s, article_op_t op, const article_meta_t *m, const char *format,
                    const char *body_html, size_t body_len, const article_file_t *files,
                    size_t nfiles, int64_t now, article_result_t *res, char *err, size_t cap);
/* The same inside the caller's write transaction (the console's writer thread runs a
 * whole approval in one): nothing is committed. On -1 the transaction may hold part of the
 * change: the caller aborts it (or the child transaction it ran this in). */
int article_publish_txn(store_txn_t *w, article_op_t op, const article_meta_t *m,
                        const char *format, const char *body_html, size_t body_len,
                        const article_file_t *files, size_t nfiles, int64_t now,
                        article_result_t *res, char *err, size_t cap);
/* Takes an article down (its record, index entries and attachments) and records who did
 * it and why. Returns 0 or -1 with a reason in err. */
int article_unpublish(store_t *s, const char *site, const char *column, const char *id,
                      const char *by, const char *reason, int64_t now, article_result_t *res,
                      char *err, size_t cap);
/* The same inside the caller's write transaction, as article_publish_txn. */
int article_unpublish_txn(store_txn_t *w, const char *site, const char *column, const char *id,
                          const char *by, const char *reason, int64_t now,
                          article_result_t *res, char *err, size_t cap);

/* Newest first. skip/limit page through the list; fn returning non-zero stops. Returns 0,
 * fn's value, or a STORE_E* code. */
typedef int (*article_fn)(void *ud, const article_t *a);
int article_column_each(store_txn_t *t, const char *site, const char *column, size_t skip,
                        size_t limit, article_fn fn, void *ud);
/* The whole cluster, newest first. */
int article_latest_each(store_txn_t *t, size_t skip, size_t limit, article_fn fn, void *ud);
uint64_t article_column_count(store_txn_t *t, const char *site, const char *column);

/* The content version of a site (site NULL: of the cluster) and the time it last changed;
 * 0 and 0 when nothing was ever published there. */
void article_version(store_txn_t *t, const char *site, uint64_t *version, int64_t *mtime);

/* One audit record; strings valid during the callback. */
typedef struct article_audit {
    uint64_t seq; /* its place in the trail listed: 1, 2, 3... with no gaps (see below) */
    int64_t time;
    uint32_t revision;
    const char *action; /* publish | update | unpublish */
    const char *site, *column, *id, *who, *reviewer, *title, *note;
} article_audit_t;
typedef int (*article_audit_fn)(void *ud, const article_audit_t *a);
/* What a trail record is about, which says what its fields mean (`jiyuectl history` and
 * the console's GET /api/history read them by this one rule):
 *   ARTICLE_TRAIL_ARTICLE  publish, update: an article's revision; who is the publisher,
 *                          reviewer the reviewer, note the disclosure attribute
 *   ARTICLE_TRAIL_REMOVAL  unpublish (an article; note the reason) and spam (a citizen's
 *                          message: id is its receipt code, note empty)
 *   ARTICLE_TRAIL_DRAFT    draft-*: a step of the publishing workflow; id the draft's,
 *                          who the account that took it, note the reason or the path
 *   ARTICLE_TRAIL_ACCOUNT  user-*: a console account changed by `jiyuectl user`; no
 *                          site, id the account, title its roles, who the OS user */
typedef enum {
    ARTICLE_TRAIL_ARTICLE,
    ARTICLE_TRAIL_REMOVAL,
    ARTICLE_TRAIL_DRAFT,
    ARTICLE_TRAIL_ACCOUNT
} article_trail_kind_t;
article_trail_kind_t article_trail_kind(const article_audit_t *a);
/* Oldest first; site NULL: every site. Records are numbered as they are listed: the
 * cluster's trail 1, 2, 3... for every site, a site's own trail 1, 2, 3... for one site.
 * As records are only appended (never rewritten or removed, not even by `jiyuectl purge`)
 * a record keeps its number in each listing. */
int article_history_each(store_txn_t *t, const char *site, article_audit_fn fn, void *ud);
/* Appends a record of another act to the same trail inside the caller's write transaction
 * (`jiyuectl messages --spam` records "spam": site, column, the receipt code as id, who,
 * the message's title). *seq: its number. Returns 0 or a STORE_E* code. */
int article_audit_append(store_txn_t *w, int64_t now, const char *action, const char *site,
                         const char *column, const char *id, const char *who,
                         const char *title, const char *note, uint64_t *seq);

#endif
