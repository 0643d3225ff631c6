/* core/gzip.h: the gzip variant stored next to a page's identity body. Compression happens
 * once, at import or publish time, so the server never compresses per request; the rule
 * for when a variant is worth keeping lives here and nowhere else. */
#ifndef JIYUE_GZIP_H
#define JIYUE_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compresses `len` bytes at level 9 into a gzip member (RFC 1952, no file name, mtime 0,
 * so the same input always gives the same bytes). On success returns 0 and a heap buffer
 * in *out (free() it) of *out_len bytes; returns -1 on a zlib failure. */
int gzip_compress(const void *in, size_t len, uint8_t **out, size_t *out_len);

/* True when a gzip variant of `gzip_len` bytes is worth storing for a body of `orig_len`
 * bytes: it must save at least 5% and at least 64 bytes, otherwise the extra bytes in the
 * store and the Vary handling buy nothing. */
bool gzip_worth_keeping(size_t orig_len, size_t gzip_len);

/* Compresses and applies gzip_worth_keeping(): returns 1 with *out set when a variant
 * should be stored, 0 when not (nothing allocated), -1 on a zlib failure. */
int gzip_variant(const void *in, size_t len, uint8_t **out, size_t *out_len);

#endif
