/* modules/console/console_query.c: the console's query parameters (console_query.h).
 * Strict on purpose: an unknown or repeated parameter is a 400 naming it rather than
 * something silently ignored (a typo such as `stat=overdue` must not quietly list the
 * default). */
#include "console_query.h"

#include <stdio.h>
#include <string.h>

#include "console_api.h"

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

/* Decodes v[0..n) into out (n + 1 bytes); false on a bad escape or a control byte. */
static bool decode(const char *v, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return false;
            int hi = hexval(v[i + 1]), lo = hexval(v[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c == 0x7F)
            return false;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return true;
}

const char *console_query_parse(const char *q, size_t len, const char *const *names, size_t n,
                                const char **vals, char *buf, size_t cap, const char **bad,
                                size_t *badlen)
{
    for (size_t k = 0; k < n; k++)
        vals[k] = NULL;
    size_t used = 0;
    for (size_t i = 0; q && i < len;) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - q) : len;
        const char *eq = memchr(q + i, '=', end - i);
        const char *key = q + i;
        size_t kn = (size_t)((eq ? eq : q + end) - key);
        const char *v = eq ? eq + 1 : q + end;
        size_t vn = (size_t)(q + end - v);
        i = end + 1;
        if (kn == 0 && vn == 0)
            continue;
        *bad = key;
        *badlen = kn;
        size_t which = n;
        for (size_t k = 0; k < n; k++)
            if (strlen(names[k]) == kn && memcmp(key, names[k], kn) == 0)
                which = k;
        if (which == n)
            return "unknown parameter";
        if (vals[which])
            return "given twice";
        if (used + vn + 1 > cap || !decode(v, vn, buf + used))
            return "not well encoded";
        vals[which] = buf + used;
        used += strlen(buf + used) + 1;
    }
    *bad = NULL;
    *badlen = 0;
    return NULL;
}

bool console_query_read(request_t *r, const char *const *names, size_t n, const char **vals,
                        char *buf, size_t cap)
{
    const char *bad = NULL;
    size_t badlen = 0;
    const char *why = console_query_parse(r->query, r->query ? r->query_len : 0, names, n, vals,
                                          buf, cap, &bad, &badlen);
    if (!why)
        return true;
    char field[48];
    /* the name as sent, cut short and without control bytes (it lands in JSON only) */
    size_t k = 0;
    for (size_t i = 0; i < badlen && k + 1 < sizeof field; i++)
        field[k++] = (unsigned char)bad[i] < 0x20 || bad[i] == 0x7F ? '?' : bad[i];
    field[k] = '\0';
    console_error(r, 400, why, field);
    return false;
}

const conf_site_t *console_query_site(request_t *r, const char *val, const char *field)
{
    if (!val || !*val) {
        console_error(r, 400, "missing: the id of a site", field);
        return NULL;
    }
    const conf_site_t *s = conf_site_find(r->snap->conf, val);
    if (!s)
        console_error(r, 400, "no such site", field);
    return s;
}

bool console_query_number(request_t *r, const char *val, const char *field, unsigned long def,
                          unsigned long min, unsigned long max, unsigned long *out)
{
    if (!val) {
        *out = def;
        return true;
    }
    unsigned long v = 0;
    size_t n = strlen(val);
    bool ok = n > 0 && n <= 9;
    for (size_t i = 0; ok && i < n; i++) {
        ok = val[i] >= '0' && val[i] <= '9';
        v = v * 10 + (unsigned long)(val[i] - '0');
    }
    if (!ok || v < min || v > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "must be a number from %lu to %lu", min, max);
        console_error(r, 400, msg, field);
        return false;
    }
    *out = v;
    return true;
}
