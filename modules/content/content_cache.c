/* modules/content/content_cache.c: rendered pages in the per-worker cache (core/wcache.h),
 * so that no lock is taken on the hot path. An entry is valid for one configuration
 * generation and one content version (the store's counter, read in the request's own read
 * transaction), so a publish or a reload makes it stale without anyone having to reach into
 * the cache. A response references the body in place until the end of the read callback;
 * wcache keeps a replaced or evicted value until then. The gzip variant and the ETag are
 * computed once per fill. */
#include <stdlib.h>
#include <string.h>

#include "content_cache.h"
#include "gzip.h"
#include "mime.h"
#include "util.h"
#include "wcache.h"

typedef struct cpage {
    char *ctype, *body;
    uint8_t *gz;
    store_page_t page;
} cpage_t;

static void cpage_free(void *v)
{
    cpage_t *p = v;
    free(p->ctype);
    free(p->body);
    free(p->gz);
    free(p);
}

static const wcache_owner_t owner = {"content", cpage_free};

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
    const wcache_stamp_t st = {.generation = gen, .version = version};
    const cpage_t *p = wcache_get(&owner, key, klen, &st);
    return p ? &p->page : NULL;
}

const store_page_t *content_cache_put(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version, const char *ctype, const void *body,
                                      size_t len, int64_t mtime)
{
    cpage_t *e = util_calloc(1, sizeof *e);
    e->ctype = util_strdup(ctype);
    e->body = util_malloc(len ? len : 1);
    memcpy(e->body, body, len);
    size_t gz_len = 0;
    if (mime_is_compressible(ctype) && gzip_variant(body, len, &e->gz, &gz_len) <= 0)
        e->gz = NULL, gz_len = 0;
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
    /* A themed HTML page exists in two renderings, the 适老化 one chosen by a cookie
     * (care.h): shared caches must tell them apart. */
    e->page.vary_cookie = strncmp(ctype, "text/html", 9) == 0;
    const wcache_stamp_t st = {.generation = gen, .version = version};
    e = wcache_put(&owner, key, klen, &st, e, sizeof *e + strlen(ctype) + len + gz_len);
    return &e->page;
}
