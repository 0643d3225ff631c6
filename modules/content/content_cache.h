/* modules/content/content_cache.h: the content module's rendered pages in the per-worker
 * cache (content_cache.c, over core/wcache.h), stamped with the configuration generation
 * and the content version they were rendered from. Not an interface for other modules. */
#ifndef JIYUE_CONTENT_CACHE_H
#define JIYUE_CONTENT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The page cached under key for this configuration generation and content version.
 * NULL: not cached (or stale). Only renderings are cached, never a "not ours": those are
 * cheap to decide again, and caching them let junk URLs fill (and flush) the cache. */
const store_page_t *content_cache_get(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version);
/* Stores a rendering (compressing it once, here) and returns the page to serve. The
 * result stays valid until the current callback returns. */
const store_page_t *content_cache_put(const char *key, size_t klen, uint64_t gen,
                                      uint64_t version, const char *ctype, const void *body,
                                      size_t len, int64_t mtime);

#endif
