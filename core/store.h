/* core/store.h: the one API to the shared LMDB store, used by the server and by jiyuectl
 * alike. store.c is the only file that includes <lmdb.h>; the key layout lives in
 * store_keys.h and nowhere else.
 *
 * LMDB rules this API encodes:
 *  - one environment per process, opened once before any thread starts;
 *  - a read transaction belongs to one thread at a time; the server keeps one per worker
 *    and recycles it with store_read_renew()/store_read_reset() (mdb_txn_renew/reset), so
 *    a lookup costs no allocation;
 *  - pointers returned by a lookup point into the map and stay valid only until that read
 *    transaction is reset: copy anything needed longer;
 *  - one writer at a time across all processes (LMDB serialises them); a write
 *    transaction is all or nothing, so a crash or a full map leaves the last commit whole;
 *  - the map size is fixed per process at open: max(store_map_size, the existing store's).
 *    When a writer elsewhere grows the store past a reader's map (store_map_size raised
 *    and more imported), that reader's lookups fail with STORE_EIO until it restarts. */
#ifndef JIYUE_STORE_H
#define JIYUE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store_t;
typedef struct store_txn store_txn_t;

/* Results: 0 on success, STORE_NOTFOUND, or another negative STORE_E* code. */
enum {
    STORE_OK = 0,
    STORE_NOTFOUND = -1,
    STORE_EMAPFULL = -2, /* the map is full: raise store_map_size */
    STORE_ERDONLY = -3,  /* store opened read-only, or its folder is not writable */
    STORE_ECORRUPT = -4, /* a record has a layout this version does not understand */
    STORE_EKEY = -5,     /* key too long for LMDB */
    STORE_EREADERS = -6, /* no free reader slot */
    STORE_EIO = -7       /* anything else; see store_last_error() */
};

typedef struct store_options {
    uint64_t map_size;    /* bytes; 0 = 1 GiB */
    unsigned max_readers; /* 0 = 126 */
    bool read_only;       /* the server opens read-only unless it has to write */
    bool create;          /* create the folder when missing (jiyuectl) */
    /* The configuration's `user`: run as root, what this open creates (the folder, its
     * files) is given to that user, so that a store made by `jiyuectl` run as root stays
     * usable by the server. NULL: kept by whoever creates it. */
    const char *owner;
} store_options_t;

/* Opens (or creates) the environment in folder `dir`. On failure returns NULL and, when
 * err is given, a one-line reason in *err (heap string).
 * The store holds secrets (the modules' keys) and people's contact details: a
 * new folder is made 0700 and its files 0600, and a folder or file that other users may
 * access (any group or other permission bit) is refused with the chmod that fixes it. */
store_t *store_open(const char *dir, const store_options_t *opt, char **err);
void store_close(store_t *s);
/* A human-readable reason for a STORE_E* code, naming the underlying LMDB error when there
 * was one. */
const char *store_strerror(int rc);
/* The underlying reason for the last failure in this thread (LMDB's or the system's
 * message), e.g. to add to store_strerror(STORE_EIO). Never NULL; "" when there is none. */
const char *store_last_error(void);
/* The map size in effect (bytes): the configured one, or the existing store's when larger. */
uint64_t store_map_size(const store_t *s);
/* Whether [p, p+len) lies in the store's memory map (a value read from it, valid while
 * the read transaction it came through is open). */
bool store_in_map(const store_t *s, const void *p, size_t len);
/* What the store's file holds, for the metrics: the map size, the page size, the pages in
 * use (the highest page written + 1, so the file's extent) and the pages on the free list
 * (reusable by later writes). 0 or STORE_EIO. */
typedef struct store_stats {
    uint64_t map_size, page_size, pages_used, pages_free;
} store_stats_t;
int store_stats(store_t *s, store_stats_t *out);

/* --- transactions --- */
/* A read transaction, created once per thread and recycled. */
store_txn_t *store_read_txn_new(store_t *s);
int store_read_renew(store_txn_t *t); /* before a lookup: see the newest commit */
void store_read_reset(store_txn_t *t); /* after: releases the snapshot, keeps the handle */
void store_txn_free(store_txn_t *t);    /* aborts if still active */
/* Names the data a read transaction sees: two transactions have the same stamp only when
 * they read the same commit of the same open store. For per-thread memories of lookups
 * (valcache, the content module's declines) that must forget everything at a commit. */
uint64_t store_txn_stamp(const store_txn_t *t);

store_txn_t *store_write_begin(store_t *s, int *rc);
int store_commit(store_txn_t *t); /* frees t in every case */
/* A transaction nested in a write transaction: committing it folds its changes into the
 * parent, aborting it undoes only them (the writer thread runs each job in one). */
store_txn_t *store_write_child(store_txn_t *parent, int *rc);
void store_abort(store_txn_t *t); /* frees t */

/* Bytes of the map a write transaction could still fill: the map size less every page the
 * transaction's view uses (each database's tree, the free list's own tree and the two
 * meta pages), from mdb_env_info and mdb_stat. Pages on the free list count as room:
 * LMDB reuses them. Writes the public causes leave the configuration's store_reserve to
 * the staff's own by checking this first (a module's limits). Returns 0
 * with *room set, or a STORE_E* code. */
int store_room(store_txn_t *t, uint64_t *room);

/* --- pages: what a site serves at a path --- */
/* A stored page: one record carries the identity body and, for compressible types, the
 * gzip variant made at import time, so the server never compresses per request. */
typedef struct store_page {
    const char *content_type; /* "text/html; charset=utf-8" (not NUL-terminated) */
    size_t content_type_len;
    const uint8_t *body;
    size_t body_len;
    const uint8_t *gzip; /* NULL when there is no gzip variant */
    size_t gzip_len;
    int64_t mtime;   /* seconds since the epoch: Last-Modified */
    char etag[24];   /* "\"<16 hex>\"" NUL-terminated, strong validator of the identity body */
    bool vary_cookie; /* a rendering that depends on the request's cookies (a module's, never
                       * a stored page): answered with Vary: Cookie */
} store_page_t;

/* `site` is a site id (or a namespace such as "edu@v2" for a generation), `path` begins
 * with '/', is already normalised, and names a file ("/", "/news/" are not looked up: the
 * caller appends index.html). */
int store_page_get(store_txn_t *t, const char *site, const char *path, size_t path_len,
                   store_page_t *out);
/* Decodes a page record as stored (what store_page_get does with the value it finds): the
 * pointers in *out point into data. STORE_ECORRUPT for anything malformed, whatever the
 * bytes. Public for the fuzz harness (tests/fuzz/fuzz_store_record.c). */
int store_page_decode(const void *data, size_t size, store_page_t *out);
/* Stores one page; `gzip` may be NULL. The ETag is computed from `body`. */
int store_page_put(store_txn_t *t, const char *site, const char *path,
                   const char *content_type, const void *body, size_t body_len,
                   const void *gzip, size_t gzip_len, int64_t mtime);
int store_page_del(store_txn_t *t, const char *site, const char *path);
/* Removes every page of a site; returns how many (>= 0) or a STORE_E* code. */
long store_site_clear(store_txn_t *t, const char *site);
/* Removes every page whose key starts with the raw `prefix` ("edu@" selects every
 * generation namespace of edu, store_keys.h); returns how many or a STORE_E* code. For
 * `jiyuectl purge`. */
long store_pages_clear_prefix(store_txn_t *t, const char *prefix);

/* Calls fn for each page of a site in path order; stops when fn returns non-zero and
 * returns that value. `page` is valid only during the call. */
typedef int (*store_page_fn)(void *ud, const char *path, size_t path_len,
                             const store_page_t *page);
int store_page_each(store_txn_t *t, const char *site, store_page_fn fn, void *ud);

/* --- small metadata values (per site counters, secrets, timestamps) --- */
int store_meta_get(store_txn_t *t, const char *key, const void **val, size_t *len);
int store_meta_put(store_txn_t *t, const char *key, const void *val, size_t len);

/* Removes one meta key (STORE_NOTFOUND when absent). */
int store_meta_del(store_txn_t *t, const char *key);
/* Removes every meta key that starts with `prefix`; returns how many or a STORE_E* code. */
long store_meta_clear_prefix(store_txn_t *t, const char *prefix);
/* Calls fn for each meta key starting with `prefix`, in key order (key and value valid only
 * during the call); stops when fn returns non-zero and returns that value. */
typedef int (*store_meta_fn)(void *ud, const char *key, size_t key_len, const void *val,
                             size_t len);
int store_meta_each(store_txn_t *t, const char *prefix, store_meta_fn fn, void *ud);

/* --- generations: which namespace a site serves --- */
/* Writes the namespace a site serves now into ns ("edu", or "edu@v2" after
 * `jiyuectl promote edu v2`; store_keys.h "live/<site>"). One meta lookup. Returns 0, or
 * STORE_EKEY when the site id or the result does not fit in cap. */
int store_site_live(store_txn_t *t, const char *site, char *ns, size_t cap);

/* --- content: the modules' records, in the named database "content" (each module
 * documents its key families in its folder, see store_keys.h). A store opened read-only
 * that predates the database answers STORE_NOTFOUND. --- */
int store_content_get(store_txn_t *t, const void *key, size_t klen, const void **val,
                      size_t *len);
int store_content_put(store_txn_t *t, const void *key, size_t klen, const void *val,
                      size_t len);
int store_content_del(store_txn_t *t, const void *key, size_t klen);
/* Calls fn for each key starting with `prefix`, in key order; stops when fn returns
 * non-zero and returns that value. Key and value are valid only during the call. */
typedef int (*store_kv_fn)(void *ud, const void *key, size_t klen, const void *val,
                           size_t vlen);
int store_content_each(store_txn_t *t, const void *prefix, size_t plen, store_kv_fn fn,
                       void *ud);
/* The same walk started at the first key >= `from` (which starts with `prefix`, else
 * STORE_EKEY): a seek into a long run of keys, so a reader resumes where it left off. */
int store_content_each_from(store_txn_t *t, const void *prefix, size_t plen, const void *from,
                            size_t flen, store_kv_fn fn, void *ud);

#endif
