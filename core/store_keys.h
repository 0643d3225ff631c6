/* core/store_keys.h: the on-disk layout of the LMDB store: which named databases exist,
 * how their keys are built and how a page record is laid out. This is the one place that
 * says it. store.c opens the databases and reads and writes page records; the record
 * layers (article.c, message_text.c), the modules and jiyuectl build their keys here (a
 * site's live-generation, redirect and probe keys...) and pass them to store.h's
 * functions, so no key is spelt out anywhere else. A module's own "meta" family may be
 * declared in its header instead, built with store_key_meta_site below.
 *
 * Named databases (one environment, a folder holding data.mdb and lock.mdb):
 *   "pages"  key  = <namespace><path>
 *                   namespace: a site id (a slug, [a-z0-9-]) or "site@gen" for
 *                   another generation of the site's pages; never contains '/'.
 *                   path: the normalised request path, starting with '/'.
 *                   e.g. "edu/news/index.html", "edu@v2/index.html".
 *            Because a namespace never contains '/', the prefix "<namespace>/" selects
 *            exactly one site's pages: "edu/" does not match "edu2/..." or "edu@v2/...".
 *            LMDB orders keys bytewise, so a site's pages come out in path order.
 *   "meta"   free-form keys ("counter/edu/hits", "secret/cookie"...) with small values.
 *
 * Page record (the value in "pages"), little-endian, unaligned (read with memcpy):
 *   off len
 *    0   4  magic "JYPG"
 *    4   2  version (1)
 *    6   2  content type length (CT)
 *    8   8  mtime, seconds since the epoch (signed)
 *   16   8  identity body length (B)
 *   24   8  gzip body length (G; 0 = no gzip variant)
 *   32   8  etag: first 8 bytes of SHA-256 of the identity body
 *   40  CT  content type bytes (no NUL)
 *       B   identity body
 *       G   gzip body
 * A record whose magic, version or total length (40 + CT + B + G) does not match is
 * rejected as STORE_ECORRUPT rather than served. */
#ifndef JIYUE_STORE_KEYS_H
#define JIYUE_STORE_KEYS_H

#include <stddef.h>
#include <string.h>

#define STORE_DB_PAGES "pages"
#define STORE_DB_META "meta"
#define STORE_DB_CONTENT "content"
/* Room for more named databases added later (messages, indexes, counters...). */
#define STORE_MAX_DBS 32

/* LMDB's compiled-in maximum key size (mdb_env_get_maxkeysize() on Debian's build). */
#define STORE_KEY_MAX 511

#define STORE_REC_MAGIC "JYPG"
#define STORE_REC_VERSION 1
#define STORE_REC_HEADER 40
#define STORE_REC_OFF_VERSION 4
#define STORE_REC_OFF_CTLEN 6
#define STORE_REC_OFF_MTIME 8
#define STORE_REC_OFF_BODYLEN 16
#define STORE_REC_OFF_GZIPLEN 24
#define STORE_REC_OFF_ETAG 32

/* A site namespace is non-empty and has no '/', so that "<ns>/" is an exact prefix. */
static inline int store_key_ns_ok(const char *ns, size_t ns_len)
{
    return ns_len > 0 && memchr(ns, '/', ns_len) == NULL;
}

/* Builds the "pages" key <ns><path> into buf (capacity STORE_KEY_MAX). Returns its length,
 * or 0 when the namespace is invalid, the path does not start with '/' or the key would be
 * too long. No NUL is written: LMDB keys carry their length. */
static inline size_t store_key_page(char *buf, const char *ns, const char *path,
                                    size_t path_len)
{
    size_t ns_len = strlen(ns);
    if (!store_key_ns_ok(ns, ns_len) || path_len == 0 || path[0] != '/' ||
        ns_len + path_len > STORE_KEY_MAX)
        return 0;
    memcpy(buf, ns, ns_len);
    memcpy(buf + ns_len, path, path_len);
    return ns_len + path_len;
}

/* Builds the prefix "<ns>/" that selects one site's pages. Returns its length or 0. */
static inline size_t store_key_site_prefix(char *buf, const char *ns)
{
    size_t ns_len = strlen(ns);
    if (!store_key_ns_ok(ns, ns_len) || ns_len + 1 > STORE_KEY_MAX)
        return 0;
    memcpy(buf, ns, ns_len);
    buf[ns_len] = '/';
    return ns_len + 1;
}

/* ---- a site's generations and old URLs in "meta" (core/store.c, modules, jiyuectl) ----
 *   "live/<site>"       the generation a site serves: absent or "" = the base namespace
 *                       "<site>", "v2" = "<site>@v2". `jiyuectl promote` writes it (and
 *                       "prev/<site>") in one transaction; the server reads it in the same
 *                       read transaction as the page, so a switch is atomic per request.
 *   "prev/<site>"       the generation served before the last promote (for rollback).
 *   "redir/<site><path>"  an old URL of a migrated site (path, then "?query" when it had
 *                       one) -> the new site-relative path or an absolute URL; written by
 *                       `jiyuectl import` of a wget mirror (and --map), per SITE, so they
 *                       outlive promote and rollback (modules/redirect.h). Older stores
 *                       may hold "redir/<site>@<gen><path>" too: still read, see there. */
#define STORE_META_LIVE "live/"
#define STORE_META_PREV "prev/"
#define STORE_META_REDIR "redir/"

/* "<family><site>" into buf (capacity STORE_KEY_MAX + 1, NUL-terminated, as store_meta_*
 * take C strings). Returns the length or 0 when the site id is invalid or too long. */
static inline size_t store_key_meta_site(char *buf, const char *family, const char *site)
{
    size_t f = strlen(family), n = strlen(site);
    if (!store_key_ns_ok(site, n) || f + n > STORE_KEY_MAX)
        return 0;
    memcpy(buf, family, f);
    memcpy(buf + f, site, n);
    buf[f + n] = '\0';
    return f + n;
}

/* "redir/<ns><path>[?<query>]" into buf (capacity STORE_KEY_MAX + 1, NUL-terminated);
 * ns is a site id (a generation's namespace in older stores).
 * query may be NULL. Returns the length or 0 (bad namespace or path, or too long). */
static inline size_t store_key_redirect(char *buf, const char *ns, const char *path,
                                        size_t path_len, const char *query, size_t query_len)
{
    size_t f = sizeof STORE_META_REDIR - 1, n = strlen(ns);
    size_t total = f + n + path_len + (query ? 1 + query_len : 0);
    if (!store_key_ns_ok(ns, n) || path_len == 0 || path[0] != '/' || total > STORE_KEY_MAX ||
        memchr(path, '\0', path_len) || (query && memchr(query, '\0', query_len)))
        return 0;
    memcpy(buf, STORE_META_REDIR, f);
    memcpy(buf + f, ns, n);
    memcpy(buf + f + n, path, path_len);
    if (query) {
        buf[f + n + path_len] = '?';
        memcpy(buf + f + n + path_len + 1, query, query_len);
    }
    buf[total] = '\0';
    return total;
}

/* "content" (core/article.c builds these keys; site, column and article ids are slugs,
 * so none contains '/' and every "<x>/" prefix below is exact):
 *   a/<site>/<column>/<id>      article record (layout in article.c)
 *   i/<site>/<column>/<rank>    column index, value <id>
 *   g/<rank>                    the whole cluster's newest first, value <site>/<column>/<id>
 *   c/<site>/<column>           published articles in the column (u64)
 *   v/<site>, v/                content version of a site / of the cluster: u64 counter and
 *                               i64 time of the last change, bumped by every publish,
 *                               update and unpublish (what rendered-page caches key on)
 *   h/<seq>                     audit trail record, never rewritten
 *   n/seq                       the last article sequence number handed out (u64)
 *   n/trail                     the last h/<seq> handed out (u64); absent in stores from
 *                               before the trail had its own counter (trail records then
 *                               took n/seq numbers): the first append starts it after the
 *                               last h/ key. `history` numbers records on read, densely.
 * <rank> is 16 hex digits of (INT64_MAX - publication time) then 16 of (UINT64_MAX -
 * sequence number), so a bytewise scan gives newest first and, for one publication time,
 * the last published first (stores written before kept the sequence number itself there:
 * update and unpublish delete both forms).
 * <seq> is 16 hex digits. Counters are little-endian.
 * Attachments are pages (the "pages" layout above) in the namespace "<site>#att" at
 * /<column>/<id>/<file name>: `jiyuectl import` replaces "<site>/" and leaves them alone. */
#define STORE_ATT_NS_SUFFIX "#att"
/* Every key family that belongs to one site (in any database) is deleted by `jiyuectl
 * purge SITE` (tools/jiyuectl/cmd_purge.c lists them): a new one goes there too. The
 * trail (h/) is kept on purpose. */

/* Citizens' messages, also in "content" (core/message.c builds these keys; <code> is a
 * receipt code, 20 of [a-z2-7], so no family below collides with another):
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
 * <rank> here is 16 hex digits of (INT64_MAX - time received) then 16 of (UINT64_MAX -
 * sequence number): newest first, within one second too.
 * In "meta": "secret/interaction" = 32 random bytes keying the form tokens. */
#define STORE_META_INTERACTION_SECRET "secret/interaction"

/* ---- availability log in "meta" (`jiyuectl probe` writes, `jiyuectl audit` reads) ----
 *   "probe/<site>/<16 hex ms>"   one probe of the site's home page at that time
 *                                (milliseconds since the epoch, so a prefix scan of a
 *                                site gives its probes oldest first). Value, 8 bytes LE:
 *                                u8 ok (1/0), u8 0, u16 HTTP status (0: no answer),
 *                                u32 milliseconds the fetch took. */
#define STORE_META_PROBE "probe/"
#define STORE_PROBE_REC 8

/* "probe/<site>/" (when_ms < 0) or "probe/<site>/<16 hex ms>" into buf (capacity
 * STORE_KEY_MAX + 1, NUL-terminated). Returns the length or 0 for an invalid site id. */
static inline size_t store_key_probe(char *buf, const char *site, long long when_ms)
{
    static const char hex[] = "0123456789abcdef";
    size_t f = sizeof STORE_META_PROBE - 1, n = strlen(site);
    if (!store_key_ns_ok(site, n) || f + n + 1 + 16 > STORE_KEY_MAX)
        return 0;
    memcpy(buf, STORE_META_PROBE, f);
    memcpy(buf + f, site, n);
    size_t len = f + n;
    buf[len++] = '/';
    if (when_ms >= 0) {
        unsigned long long v = (unsigned long long)when_ms;
        for (int i = 15; i >= 0; i--, v >>= 4)
            buf[len + (size_t)i] = hex[v & 15];
        len += 16;
    }
    buf[len] = '\0';
    return len;
}

#endif
