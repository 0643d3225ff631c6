/* modules/console/console_multipart.c: multipart/form-data split into parts, file names
 * made safe (console_multipart.h). Every scan is bounded by the body's length, and each
 * part's header block by CONSOLE_MULTIPART_HEAD_MAX, so a hostile body costs time linear
 * in its size and nothing more. */
#include "console_multipart.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "path.h"

/* RFC 2046 bchars: what a boundary may hold (a space, but not last). */
static bool bchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("'()+_,-./:=? ", c));
}

static bool boundary_ok(const char *b, size_t n)
{
    if (n == 0 || n > CONSOLE_MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!bchar((unsigned char)b[i]))
            return false;
    return true;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > CONSOLE_MULTIPART_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

bool console_multipart_filename(const char *raw, size_t n, char *out, size_t cap)
{
    if (cap == 0)
        return false;
    out[0] = '\0';
    /* the base name: browsers on Windows once sent whole paths */
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (raw[i] == '/' || raw[i] == '\\')
            start = i + 1;
    const unsigned char *s = (const unsigned char *)raw + start;
    size_t len = n - start;
    if (!path_utf8_valid(s, len))
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t clen = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (c < 0x20 || c == 0x7f || c == '?' || c == '#' || c == '%' ||
            (o == 0 && (c == '.' || c == ' '))) {
            i++; /* dropped (leading dots: no hidden file, no "..") */
            continue;
        }
        if (o + clen > cap - 1)
            break; /* cut at a character boundary */
        memcpy(out + o, s + i, clen);
        o += clen;
        i += clen;
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '.'))
        o--;
    out[o] = '\0';
    return o > 0;
}

/* ------------------------------------------------------------------ one part's headers */

static const char *skip_ows(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A parameter value at *pp (a token or a quoted-string) into buf (cap bytes with the NUL):
 * false when malformed or too long. */
static bool param_value(const char **pp, const char *end, char *buf, size_t cap, size_t *olen)
{
    const char *p = *pp;
    size_t o = 0;
    if (p < end && *p == '"') {
        p++;
        for (;;) {
            if (p >= end)
                return false; /* unterminated */
            char c = *p++;
            if (c == '"')
                break;
            if (c == '\\') {
                if (p >= end)
                    return false;
                c = *p++;
            }
            if (o + 1 >= cap)
                return false;
            buf[o++] = c;
        }
    } else {
        while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
            if (*p == '"' || o + 1 >= cap)
                return false;
            buf[o++] = *p++;
        }
    }
    buf[o] = '\0';
    *olen = o;
    *pp = p;
    return true;
}

/* Content-Disposition: form-data; name="..."[; filename="..."] into part. */
static const char *disposition(const char *p, const char *end, console_part_t *part,
                               bool *have_name)
{
    p = skip_ows(p, end);
    if ((size_t)(end - p) < 9 || strncasecmp(p, "form-data", 9) != 0)
        return "a part is not form-data";
    p += 9;
    char buf[CONSOLE_MULTIPART_HEAD_MAX + 1];
    while ((p = skip_ows(p, end)) < end) {
        if (*p++ != ';')
            return "a part's Content-Disposition is malformed";
        p = skip_ows(p, end);
        const char *k = p;
        while (p < end && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t kl = (size_t)(p - k);
        p = skip_ows(p, end);
        if (p >= end || *p != '=')
            return "a part's Content-Disposition is malformed";
        p = skip_ows(p + 1, end);
        size_t vl = 0;
        if (!param_value(&p, end, buf, sizeof buf, &vl))
            return "a part's Content-Disposition is malformed";
        if (kl == 4 && strncasecmp(k, "name", 4) == 0) {
            if (*have_name)
                return "a part names its field twice";
            if (!name_ok(buf, vl))
                return "a part has a field name this console does not use";
            memcpy(part->name, buf, vl + 1);
            *have_name = true;
        } else if (kl == 8 && strncasecmp(k, "filename", 8) == 0) {
            if (part->is_file)
                return "a part names its file twice";
            part->is_file = true;
            if (vl > 0 && !console_multipart_filename(buf, vl, part->filename,
                                                      sizeof part->filename))
                return "a file name has nothing usable in it (or is not UTF-8)";
        }
        /* other parameters (filename*, which RFC 7578 tells senders not to use) are
         * ignored */
    }
    return NULL;
}

/* The header block [p, end) of one part. */
static const char *part_headers(const char *p, const char *end, console_part_t *part)
{
    bool have_disp = false, have_name = false;
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        const char *le = eol ? eol : end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p || *p == ' ' || *p == '\t')
            return "a part has a malformed header";
        for (const char *q = p; q < le; q++)
            if ((unsigned char)*q < 0x20 && *q != '\t')
                return "a part has a malformed header";
        if ((size_t)(colon - p) == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
            if (have_disp)
                return "a part has two Content-Disposition headers";
            have_disp = true;
            const char *why = disposition(colon + 1, le, part, &have_name);
            if (why)
                return why;
        }
        p = eol ? eol + 2 : end;
    }
    if (!have_disp || !have_name)
        return "a part has no Content-Disposition with a name";
    return NULL;
}

/* ------------------------------------------------------------------ the body */

bool console_multipart_parse(const char *body, size_t len, const char *boundary, size_t blen,
                             console_multipart_t *out, const char **why)
{
    out->n = 0;
    *why = NULL;
    if (!boundary_ok(boundary, blen)) {
        *why = "the multipart boundary is missing or malformed";
        return false;
    }
    char delim[CONSOLE_MULTIPART_BOUNDARY_MAX + 4] = "\r\n--";
    memcpy(delim + 4, boundary, blen);
    size_t dl = blen + 4;
    /* no preamble: the body opens with the first delimiter (without its CRLF) */
    if (len < dl - 2 || memcmp(body, delim + 2, dl - 2) != 0) {
        *why = "the body does not open with the multipart boundary";
        return false;
    }
    const char *p = body + dl - 2, *end = body + len;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return true; /* the close delimiter; an epilogue is ignored */
        p = skip_ows(p, end); /* transport padding */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
            *why = "a multipart delimiter is not followed by a line break";
            return false;
        }
        p += 2;
        if (out->n == CONSOLE_MULTIPART_PARTS_MAX) {
            *why = "the form has too many parts";
            return false;
        }
        size_t room = (size_t)(end - p);
        if (room > CONSOLE_MULTIPART_HEAD_MAX + 4)
            room = CONSOLE_MULTIPART_HEAD_MAX + 4;
        const char *he = memmem(p, room, "\r\n\r\n", 4);
        if (!he) {
            *why = "a part's headers are too long or do not end";
            return false;
        }
        console_part_t *part = &out->part[out->n];
        memset(part, 0, sizeof *part);
        if ((*why = part_headers(p, he, part)))
            return false;
        const char *data = he + 4;
        const char *next = memmem(data, (size_t)(end - data), delim, dl);
        if (!next) {
            *why = "the body ends inside a part (no closing multipart boundary)";
            return false;
        }
        part->data = data;
        part->len = (size_t)(next - data);
        out->n++;
        p = next + dl;
    }
}

bool console_multipart_field(const char *body, size_t len, const char *ct, size_t ctlen,
                             const char *name, const char **val, size_t *vlen)
{
    const char *b;
    size_t bl;
    if (!body || !form_media_type_is(ct, ctlen, "multipart/form-data") ||
        !form_media_param(ct, ctlen, "boundary", &b, &bl))
        return false;
    console_multipart_t *m = malloc(sizeof *m);
    const char *why;
    bool found = false;
    if (m && console_multipart_parse(body, len, b, bl, m, &why)) {
        for (size_t i = 0; i < m->n && !found; i++)
            if (!m->part[i].is_file && strcmp(m->part[i].name, name) == 0) {
                *val = m->part[i].data;
                *vlen = m->part[i].len;
                found = true;
            }
    }
    free(m);
    return found;
}
