/* core/path.c: owns decoding and normalising the request target into the one path the
 * router and handlers see, and strict UTF-8 validation.
 *
 * The path is decoded and normalised in a single pass into `out`, segment by segment:
 * each segment is percent-decoded, checked, and then either dropped ("."), used to pop the
 * previous one (".."), or kept. Because the dot test happens after decoding, "%2e%2e" is a
 * ".." like any other; because decoding happens once, "%252e" is the name "%2e". */
#include "path.h"

#include <string.h>

/* Bytes a segment keeps as they are with no further test: printable ASCII but for '%'
 * (decoded), '/' (ends the segment) and '\\' (refused). Everything else takes the slow
 * road through the checks in path_normalize. */
static const unsigned char path_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* b0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* c0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* d0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* f0 */
};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool prefix_nocase(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c |= 0x20;
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

static bool host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

/* authority = host [ ":" port ], without userinfo. Sets the host span. */
static bool parse_authority(const char *a, size_t n, path_target_t *info)
{
    size_t i = 0;
    if (n > 0 && a[0] == '[') {
        /* IP-literal: hex digits, ':' and '.' (IPv4-embedded) inside brackets. */
        i = 1;
        while (i < n && a[i] != ']') {
            unsigned char c = (unsigned char)a[i];
            if (hexval(c) < 0 && c != ':' && c != '.')
                return false;
            i++;
        }
        if (i >= n || i == 1)
            return false;
        i++; /* include the ']' */
    } else {
        while (i < n && host_char((unsigned char)a[i]))
            i++;
        if (i == 0)
            return false;
    }
    size_t host_len = i;
    if (i < n) {
        if (a[i] != ':')
            return false; /* '@' (userinfo) or any other stray byte */
        i++;
        if (n - i > 5)
            return false;
        for (; i < n; i++)
            if (a[i] < '0' || a[i] > '9')
                return false;
    }
    info->host = a;
    info->host_len = host_len;
    return true;
}

int path_normalize(const char *target, size_t target_len, char *out, size_t out_cap,
                   size_t *out_len, path_target_t *info)
{
    info->host = NULL;
    info->host_len = 0;
    info->query = NULL;
    info->query_len = 0;
    info->trailing_slash = false;
    *out_len = 0;
    if (target_len == 0 || out_cap < 2)
        return PATH_BAD;
    /* A fragment is never sent by a browser; one in a target is a probe. */
    if (memchr(target, '#', target_len))
        return PATH_BAD;

    const char *p = target, *end = target + target_len;
    const char *q = memchr(target, '?', target_len);
    if (q) {
        info->query = q + 1;
        info->query_len = (size_t)(end - q - 1);
        end = q;
    }

    if (*p != '/') {
        size_t skip;
        if (prefix_nocase(p, (size_t)(end - p), "http://"))
            skip = 7;
        else if (prefix_nocase(p, (size_t)(end - p), "https://"))
            skip = 8;
        else
            return PATH_BAD; /* "*", authority-form, relative references */
        const char *a = p + skip;
        const char *slash = memchr(a, '/', (size_t)(end - a));
        const char *a_end = slash ? slash : end;
        if (!parse_authority(a, (size_t)(a_end - a), info))
            return PATH_BAD;
        p = a_end; /* "http://host" and "http://host?q" mean the path "/" */
    }

    size_t w = 0;
    out[w++] = '/';
    if (p < end)
        p++; /* the leading '/' */
    bool last_kept = false; /* the final segment is a name: no trailing '/' */
    while (p <= end) {
        /* out[0..w) is "/" followed by "name/" for each kept segment. */
        size_t seg = w;
        bool high = false;
        while (p < end && *p != '/') {
            while (p < end && w < out_cap && path_plain[(unsigned char)*p])
                out[w++] = *p++;
            if (p == end || *p == '/')
                break;
            unsigned char c = (unsigned char)*p++;
            if (c == '%') {
                if (end - p < 2)
                    return PATH_BAD;
                int hi = hexval((unsigned char)p[0]), lo = hexval((unsigned char)p[1]);
                if (hi < 0 || lo < 0)
                    return PATH_BAD;
                c = (unsigned char)(hi << 4 | lo);
                p += 2;
                if (c == '/')
                    return PATH_BAD;
            } else if (c == ' ') {
                return PATH_BAD; /* never valid unencoded in a URI */
            }
            if (c < 0x20 || c == 0x7f || c == '\\')
                return PATH_BAD;
            high |= c >= 0x80;
            if (w >= out_cap)
                return PATH_BAD;
            out[w++] = (char)c;
        }
        size_t seg_len = w - seg;
        if (high && !path_utf8_valid((const unsigned char *)out + seg, seg_len))
            return PATH_BAD;
        last_kept = false;
        if (seg_len == 1 && out[seg] == '.') {
            w = seg;
        } else if (seg_len == 2 && out[seg] == '.' && out[seg + 1] == '.') {
            if (seg == 1)
                return PATH_ESCAPE;
            w = seg - 1; /* the '/' ending the parent segment */
            while (out[w - 1] != '/')
                w--;
        } else if (seg_len > 0) {
            if (w >= out_cap)
                return PATH_BAD;
            out[w++] = '/';
            last_kept = true;
        }
        if (p == end)
            break;
        p++; /* the '/' */
    }
    if (last_kept)
        w--; /* "/a/b" keeps no trailing '/', "/a/b/", "/a/." and "/a/.." do */
    if (w >= out_cap)
        return PATH_BAD;
    out[w] = '\0';
    *out_len = w;
    info->trailing_slash = out[w - 1] == '/';
    return PATH_OK;
}

bool path_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else {
            return false; /* continuation byte, C0/C1 (overlong), F5..FF */
        }
        if (len - i < n)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k < n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}
