/* modules/console/console_query.c: the console's query parameters (console_query.h).
 * Strict on purpose: an unknown or repeated parameter is a 400 naming it rather than
 * something silently ignored (a typo such as `stat=overdue` must not quietly list the
 * default). */
#include "console_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_api.h"
#include "form.h"

/* Decodes v[0..n) into out (room for n + 1 bytes: decoding never lengthens); false on a
 * bad escape or a control byte. */
static bool decode(const char *v, size_t n, char *out)
{
    size_t len;
    char *d = form_decode(v, n, &len);
    if (!d)
        return false;
    bool ok = true;
    for (size_t i = 0; i < len && ok; i++)
        ok = (unsigned char)d[i] >= 0x20 && d[i] != 0x7F;
    if (ok)
        memcpy(out, d, len + 1);
    free(d);
    return ok;
}

const char *console_query_parse(const char *q, size_t len, const char *const *names, size_t n,
                                const char **vals, char *buf, size_t cap, const char **bad,
                                size_t *badlen)
{
    for (size_t k = 0; k < n; k++)
        vals[k] = NULL;
    size_t used = 0;
    const char *p = q ? q : "", *qend = p + (q ? len : 0), *key, *v;
    size_t kn, vn;
    while (form_next_field(&p, qend, &key, &kn, &v, &vn)) {
        if (kn == 0 && vn == 0)
            continue; /* a stray '=' */
        if (!v)
            v = key + kn; /* "name" alone: an empty value */
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
