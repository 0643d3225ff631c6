/* modules/audit/audit_probe.h: the availability log's keys in the store's "meta" database:
 * `jiyuectl probe` writes one record per probe of a site's home page, `jiyuectl audit`
 * reads them for the availability rule, `jiyuectl purge` deletes a site's. */
#ifndef JIYUE_AUDIT_PROBE_H
#define JIYUE_AUDIT_PROBE_H

#include <string.h>

#include "store_keys.h"

/* ---- availability log in "meta" (`jiyuectl probe` writes, `jiyuectl audit` reads) ----
 *   "probe/<site>/<16 hex ms>"   one probe of the site's home page at that time
 *                                (milliseconds since the epoch, so a prefix scan of a
 *                                site gives its probes oldest first). Value, 8 bytes LE:
 *                                u8 ok (1/0), u8 0, u16 HTTP status (0: no answer),
 *                                u32 milliseconds the fetch took. */
#define AUDIT_META_PROBE "probe/"
#define AUDIT_PROBE_REC 8

/* "probe/<site>/" (when_ms < 0) or "probe/<site>/<16 hex ms>" into buf (capacity
 * STORE_KEY_MAX + 1, NUL-terminated). Returns the length or 0 for an invalid site id. */
static inline size_t audit_probe_key(char *buf, const char *site, long long when_ms)
{
    static const char hex[] = "0123456789abcdef";
    size_t f = sizeof AUDIT_META_PROBE - 1, n = strlen(site);
    if (!store_key_ns_ok(site, n) || f + n + 1 + 16 > STORE_KEY_MAX)
        return 0;
    memcpy(buf, AUDIT_META_PROBE, f);
    memcpy(buf + f, site, n);
    size_t len = f + n;
    buf[len++] = '/';
    if (when_ms >= 0) {
        unsigned long long v = (unsigned long long)when_ms;
        for (int i = 15; i >= 0; i--, v >>= 4)
            buf[len + (size_t)i] = hex[v & 15];
        len += 16;
    }
    buf[len] = '\0';
    return len;
}

#endif
