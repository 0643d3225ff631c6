/* core/gzip.c: gzip variants made with zlib, once per stored page. */
#include "gzip.h"

#include <stdlib.h>
#include <zlib.h>

#include "util.h"

/* Below this size no variant can save the 64 bytes gzip_worth_keeping() asks for. */
#define GZIP_MIN_INPUT 128

int gzip_compress(const void *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream zs = {0};
    /* windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one. */
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    /* deflateBound() works on uLong; feed large inputs in chunks so nothing truncates. */
    size_t cap = (size_t)deflateBound(&zs, (uLong)(len > 0xffffffffu ? 0xffffffffu : len)) + 64;
    if (len > 0xffffffffu)
        cap = len + len / 1000 + 1024;
    uint8_t *buf = util_malloc(cap);
    zs.next_out = buf;
    size_t done_in = 0;
    int zrc;
    do {
        size_t chunk = len - done_in;
        if (chunk > 0x40000000u)
            chunk = 0x40000000u;
        zs.next_in = (Bytef *)((const uint8_t *)in + done_in);
        zs.avail_in = (uInt)chunk;
        done_in += chunk;
        int flush = done_in == len ? Z_FINISH : Z_NO_FLUSH;
        do {
            size_t used = (size_t)(zs.next_out - buf);
            if (used == cap) {
                cap *= 2;
                buf = util_realloc(buf, cap);
                zs.next_out = buf + used;
            }
            size_t room = cap - (size_t)(zs.next_out - buf);
            zs.avail_out = (uInt)(room > 0x40000000u ? 0x40000000u : room);
            zrc = deflate(&zs, flush);
            if (zrc == Z_STREAM_ERROR) {
                deflateEnd(&zs);
                free(buf);
                return -1;
            }
        } while (zs.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
    } while (done_in < len);
    *out_len = (size_t)(zs.next_out - buf);
    *out = buf;
    deflateEnd(&zs);
    return 0;
}

bool gzip_worth_keeping(size_t orig_len, size_t gzip_len)
{
    if (gzip_len >= orig_len)
        return false;
    size_t saved = orig_len - gzip_len;
    size_t need = orig_len / 20;
    if (need < 64)
        need = 64;
    return saved >= need;
}

int gzip_variant(const void *in, size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len < GZIP_MIN_INPUT)
        return 0;
    uint8_t *buf;
    size_t blen;
    if (gzip_compress(in, len, &buf, &blen) != 0)
        return -1;
    if (!gzip_worth_keeping(len, blen)) {
        free(buf);
        return 0;
    }
    *out = buf;
    *out_len = blen;
    return 1;
}
