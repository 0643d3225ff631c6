/* core/rec.h: the binary layout shared by the records the modules keep in the store's
 * "content" database (each module's record layer reads and writes them): a 4-byte magic and
 * a 2-byte version, little-endian integers of a fixed width, and strings stored as a 4-byte
 * length, the bytes and a NUL, so that a decoded record can point straight into the stored
 * value. Inline: records are decoded while pages are served, and these are a few
 * instructions each. */
#ifndef JIYUE_REC_H
#define JIYUE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

static inline void rec_put_n(util_buf_t *b, uint64_t v, int n)
{
    uint8_t p[8];
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    util_buf_append(b, p, (size_t)n);
}

static inline void rec_put_strn(util_buf_t *b, const char *s, size_t n)
{
    if (!s)
        s = "", n = 0;
    rec_put_n(b, n, 4);
    util_buf_append(b, s, n);
    util_buf_append(b, "", 1);
}

static inline void rec_put_str(util_buf_t *b, const char *s)
{
    rec_put_strn(b, s, s ? strlen(s) : 0);
}

static inline void rec_put_head(util_buf_t *b, const char magic[4], uint16_t version)
{
    util_buf_append(b, magic, 4);
    rec_put_n(b, version, 2);
}

/* A reader never runs past `end`: a short or malformed record sets `bad` once and every
 * later read returns 0 or "", so a decoder checks `bad` at the end only. */
typedef struct rec_rd {
    const uint8_t *p, *end;
    bool bad;
} rec_rd_t;

static inline rec_rd_t rec_reader(const void *data, size_t len)
{
    return (rec_rd_t){data, (const uint8_t *)data + len, false};
}

static inline uint64_t rec_get_n(rec_rd_t *r, int n)
{
    if (r->bad || r->end - r->p < n) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return v;
}

/* len may be NULL. */
static inline const char *rec_get_str(rec_rd_t *r, size_t *len)
{
    uint64_t n = rec_get_n(r, 4);
    if (r->bad || (uint64_t)(r->end - r->p) < n + 1 || r->p[n] != '\0') {
        r->bad = true;
        return "";
    }
    const char *s = (const char *)r->p;
    r->p += n + 1;
    if (len)
        *len = (size_t)n;
    return s;
}

/* A string copied into the fixed field dst[cap], NUL-terminated. False when the record is
 * short, or the string does not fit or holds a NUL (a name with a NUL inside would compare
 * equal to another); the reader is then bad too. */
static inline bool rec_get_fixed(rec_rd_t *r, char *dst, size_t cap)
{
    size_t n = 0;
    const char *s = rec_get_str(r, &n);
    if (r->bad || n >= cap || memchr(s, '\0', n)) {
        r->bad = true;
        return false;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

/* False for a record of another kind or version: the caller reports it as corrupt. */
static inline bool rec_get_head(rec_rd_t *r, const char magic[4], uint16_t version)
{
    if (r->end - r->p < 6 || memcmp(r->p, magic, 4) != 0)
        return false;
    r->p += 4;
    return rec_get_n(r, 2) == version;
}

/* A counter value: 8 bytes at `off`, 0 when the value is shorter. */
static inline uint64_t rec_u64_at(const void *v, size_t len, size_t off)
{
    if (len < off + 8)
        return 0;
    rec_rd_t r = rec_reader((const uint8_t *)v + off, len - off);
    return rec_get_n(&r, 8);
}

#endif
