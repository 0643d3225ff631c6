/* core/store_keys.h: the on-disk layout of the LMDB store as core knows it: which named
 * databases exist, how their shared keys are built and how a page record is laid out.
 * store.c opens the databases and reads and writes page records; the modules and jiyuectl
 * build their keys with the helpers here (a site's live-generation, redirect and probe
 * keys...) and pass them to store.h's functions. A module's own record families are
 * declared in a header of its folder (content_keys.h, message.h, lifecycle_token.h...),
 * next to the code that builds them, so each key is spelt out in one place.
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
/* Room for more named databases added later (indexes, counters...). */
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
 *                       outlive promote and rollback (modules/static/redirect.h). Older stores
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

/* "content" holds the modules' records. A module documents its key families, and builds
 * their keys, in a header of its own folder (e.g. modules/content/content_keys.h), not
 * here. Every key family that belongs to one site (in any database) is deleted by
 * `jiyuectl purge SITE` (tools/jiyuectl/cmd_purge.c lists them): a new one goes there too. */


#endif
