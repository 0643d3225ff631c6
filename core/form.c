/* core/form.c: media type headers and urlencoded form fields (form.h). */
#include "form.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One ';'-separated piece of a header value, without surrounding blanks; *pos moves past
 * it (beyond len when it was the last). */
static void piece(const char *v, size_t len, size_t *pos, const char **p, size_t *n)
{
    size_t i = *pos;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    size_t a = i;
    while (i < len && v[i] != ';')
        i++;
    size_t b = i;
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
        b--;
    *p = v + a;
    *n = b - a;
    *pos = i < len ? i + 1 : len + 1;
}

bool form_media_type_is(const char *ct, size_t len, const char *type)
{
    if (!ct)
        return false;
    size_t pos = 0, n;
    const char *p;
    piece(ct, len, &pos, &p, &n);
    return util_streq_nocase(p, n, type, strlen(type));
}

bool form_media_param(const char *ct, size_t len, const char *name, const char **val,
                      size_t *vlen)
{
    if (!ct)
        return false;
    size_t pos = 0, n;
    const char *p;
    piece(ct, len, &pos, &p, &n); /* the type itself */
    while (pos <= len) {
        piece(ct, len, &pos, &p, &n);
        const char *eq = memchr(p, '=', n);
        if (!eq || !util_streq_nocase(p, (size_t)(eq - p), name, strlen(name)))
            continue;
        const char *v = eq + 1;
        size_t vn = n - (size_t)(v - p);
        if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"')
            v++, vn -= 2;
        *val = v;
        *vlen = vn;
        return true;
    }
    return false;
}

bool form_charset_utf8(const char *ct, size_t len)
{
    const char *v;
    size_t n;
    if (!form_media_param(ct, len, "charset", &v, &n))
        return true;
    return util_streq_nocase(v, n, "utf-8", 5) || util_streq_nocase(v, n, "utf8", 4);
}

bool form_next_field(const char **p, const char *end, const char **key, size_t *klen,
                     const char **val, size_t *vlen)
{
    while (*p < end) {
        const char *s = *p;
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *pe = amp ? amp : end;
        *p = amp ? amp + 1 : end;
        if (pe == s)
            continue;
        const char *eq = memchr(s, '=', (size_t)(pe - s));
        *key = s;
        *klen = (size_t)((eq ? eq : pe) - s);
        *val = eq ? eq + 1 : NULL;
        *vlen = eq ? (size_t)(pe - eq - 1) : 0;
        return true;
    }
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *form_decode(const char *s, size_t n, size_t *out_len)
{
    char *out = util_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int a = i + 1 < n ? hexval(s[i + 1]) : -1;
            int b = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (a < 0 || b < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(a * 16 + b);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
