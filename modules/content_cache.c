/* modules/content_cache.c: rendered pages, kept per worker thread so that no lock is taken
 * on the hot path. An entry is valid for one configuration generation and one content
 * version (the store's counter, read in the request's own read transaction), so a publish
 * or a reload makes it stale without anyone having to reach into the cache.
 *
 * A response references the body in place until the end of the read callback, and one
 * callback may serve several pipelined requests; so an entry that is replaced or evicted
 * is not freed at once but parked on a list that a libuv check handle (run after the I/O
 * callbacks of each loop turn) empties. The gzip variant and the ETag are computed once
 * per fill. */
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "gzip.h"
#include "mime.h"
#include "util.h"

#define BUCKETS 4096
#define MAX_ENTRIES 8192
#define MAX_BYTES (64u << 20)

typedef struct entry {
    struct entry *next;
    char *key;
    size_t klen;
    uint64_t hash, gen, version;
    char *ctype, *body;
    uint8_t *gz;
    size_t bytes;
    store_page_t page;
} entry_t;

typedef struct cache {
    entry_t *buckets[BUCKETS];
    size_t count, bytes;
    entry_t *graveyard;
    uv_check_t check;
    bool check_on;
} cache_t;

static _Thread_local cache_t *tl;

static void entry_free(entry_t *e)
{
    free(e->key);
    free(e->ctype);
    free(e->body);
    free(e->gz);
    free(e);
}

static void bury(cache_t *c, entry_t *e)
{
    c->count--;
    c->bytes -= e->bytes;
    e->next = c->graveyard;
    c->graveyard = e;
}

static void empty_graveyard(cache_t *c)
{
    entry_t *e = c->graveyard;
    c->graveyard = NULL;
    while (e) {
        entry_t *n = e->next;
        entry_free(e);
        e = n;
    }
}

static void on_check(uv_check_t *h)
{
    empty_graveyard(h->data);
}

void content_cache_init(uv_loop_t *loop)
{
    if (tl)
        return;
    tl = util_calloc(1, sizeof *tl);
    if (loop && uv_check_init(loop, &tl->check) == 0) {
        tl->check.data = tl;
        uv_check_start(&tl->check, on_check);
        uv_unref((uv_handle_t *)&tl->check); /* never what keeps the loop alive */
        tl->check_on = true;
    }
}

static void flush_all(cache_t *c)
{
    for (size_t i = 0; i < BUCKETS; i++) {
        entry_t *e = c->buckets[i];
        c->buckets[i] = NULL;
        while (e) {
            entry_t *n = e->next;
            bury(c, e);
            e = n;
        }
    }
}

void content_cache_exit(void)
{
    cache_t *c = tl;
    if (!c)
        return;
    flush_all(c);
    empty_graveyard(c);
    tl = NULL;
    if (c->check_on) {
        uv_loop_t *loop = c->check.loop;
        uv_close((uv_handle_t *)&c->check, NULL);
        uv_run(loop, UV_RUN_NOWAIT); /* let the close complete before the loop is closed */
    }
    free(c);
}

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    return h;
}

const store_page_t *content_cache_get(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version)
{
    cache_t *c = tl;
    if (!c)
        return NULL;
    uint64_t h = hash_key(key, klen);
    for (entry_t *e = c->buckets[h % BUCKETS]; e; e = e->next) {
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) {
            if (e->gen != gen || e->version != version)
                return NULL;
            return &e->page;
        }
    }
    return NULL;
}

const store_page_t *content_cache_put(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version, const char *ctype, const void *body,
                                      size_t len, int64_t mtime)
{
    if (!tl)
        content_cache_init(NULL); /* outside a worker (tests): a cache without a check handle */
    cache_t *c = tl;
    uint64_t h = hash_key(key, klen);
    entry_t **pp = &c->buckets[h % BUCKETS];
    for (; *pp; pp = &(*pp)->next) {
        entry_t *e = *pp;
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) {
            *pp = e->next;
            bury(c, e);
            break;
        }
    }
    entry_t *e = util_calloc(1, sizeof *e);
    e->key = util_strndup(key, klen);
    e->klen = klen;
    e->hash = h;
    e->gen = gen;
    e->version = version;
    e->bytes = klen + sizeof *e;
    e->ctype = util_strdup(ctype);
    e->body = util_malloc(len ? len : 1);
    memcpy(e->body, body, len);
    size_t gz_len = 0;
    if (mime_is_compressible(ctype) && gzip_variant(body, len, &e->gz, &gz_len) <= 0)
        e->gz = NULL, gz_len = 0;
    e->bytes += len + gz_len;
    /* A strong validator of the identity body: FNV-1a over the bytes, once per fill. */
    static const char hex[] = "0123456789abcdef";
    uint64_t eh = hash_key(body, len);
    e->page.etag[0] = '"';
    for (int i = 0; i < 16; i++)
        e->page.etag[1 + i] = hex[(eh >> (60 - 4 * i)) & 15];
    e->page.etag[17] = '"';
    e->page.etag[18] = '\0';
    e->page.content_type = e->ctype;
    e->page.content_type_len = strlen(e->ctype);
    e->page.body = (const uint8_t *)e->body;
    e->page.body_len = len;
    e->page.gzip = e->gz;
    e->page.gzip_len = gz_len;
    e->page.mtime = mtime;
    if (c->count + 1 > MAX_ENTRIES || c->bytes + e->bytes > MAX_BYTES)
        flush_all(c); /* simple and bounded: a full cache starts over */
    e->next = c->buckets[h % BUCKETS];
    c->buckets[h % BUCKETS] = e;
    c->count++;
    c->bytes += e->bytes;
    return &e->page;
}
