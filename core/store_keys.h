/* core/store_keys.h: the on-disk layout of the LMDB store: which named databases exist,
 * how their keys are built and how a page record is laid out. This is the one place that
 * says it; store.c is its only user, and every other part of jiyue goes through store.h.
 *
 * Named databases (one environment, a folder holding data.mdb and lock.mdb):
 *   "pages"  key  = <namespace><path>
 *                   namespace: a site id (a slug, [a-z0-9-]) or "site@gen" for a
 *                   generation being built during a redesign; never contains '/'.
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

#endif
