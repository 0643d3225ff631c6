/* modules/console/console_guard.c: cookie lookup, the CSRF comparison, the Origin check
 * (console_guard.h). */
#include "console_guard.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

bool console_cookie_find(const char *h, size_t len, const char *name, const char **val,
                         size_t *vlen)
{
    size_t nlen = strlen(name), i = 0;
    while (i < len) {
        while (i < len && (h[i] == ' ' || h[i] == '\t' || h[i] == ';'))
            i++;
        size_t start = i;
        while (i < len && h[i] != ';')
            i++;
        size_t n = i - start;
        if (n > nlen && h[start + nlen] == '=' && memcmp(h + start, name, nlen) == 0) {
            *val = h + start + nlen + 1;
            *vlen = n - nlen - 1;
            while (*vlen && ((*val)[*vlen - 1] == ' ' || (*val)[*vlen - 1] == '\t'))
                (*vlen)--;
            return true;
        }
    }
    return false;
}

bool console_csrf_equal(const char *expected, const char *given, size_t len)
{
    size_t n = strlen(expected);
    if (n == 0 || len != n)
        return false;
    return CRYPTO_memcmp(expected, given, n) == 0;
}

bool console_origin_ok(const char *origin, size_t olen, bool tls, const char *host, size_t hlen)
{
    if (!origin || !host || hlen == 0)
        return false;
    const char *scheme = tls ? "https://" : "http://";
    size_t slen = strlen(scheme);
    if (olen != slen + hlen || strncasecmp(origin, scheme, slen) != 0)
        return false;
    return strncasecmp(origin + slen, host, hlen) == 0;
}

bool console_form_field(const char *body, size_t len, const char *name, const char **val,
                        size_t *vlen)
{
    size_t nlen = strlen(name), i = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end - i > nlen && body[i + nlen] == '=' && memcmp(body + i, name, nlen) == 0) {
            *val = body + i + nlen + 1;
            *vlen = end - i - nlen - 1;
            return true;
        }
        i = end + 1;
    }
    return false;
}
