/* modules/console/console_next.c: the `next` parameter of a form's query, and the place a
 * successful form lands on (console_next.h). */
#include "console_next.h"

#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "url.h"

bool console_next_ok(const char *p, size_t n)
{
    if (n > CONSOLE_NEXT_MAX || !url_local_path(p, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return false; /* the console's own paths are ASCII */
    return true;
}

bool console_next_from_query(const char *query, size_t qlen, char out[static CONSOLE_NEXT_MAX + 1])
{
    if (!query || qlen == 0)
        return false;
    const char *p = query, *end = query + qlen, *k, *v;
    size_t kl, vl;
    bool found = false;
    while (form_next_field(&p, end, &k, &kl, &v, &vl)) {
        if (kl != 4 || memcmp(k, "next", 4) != 0 || !v)
            continue;
        if (found)
            return false; /* given twice: which one the browser meant is not ours to guess */
        found = true;
        if (vl > 3 * CONSOLE_NEXT_MAX)
            return false;
        size_t n = 0;
        char *d = form_decode(v, vl, &n);
        bool ok = d && console_next_ok(d, n);
        if (ok)
            memcpy(out, d, n + 1);
        free(d);
        if (!ok)
            return false;
    }
    return found;
}

static bool id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool console_next_expand(const char *next, const char *id, char out[static CONSOLE_NEXT_MAX + 1])
{
    size_t o = 0;
    for (const char *p = next; *p;) {
        if (strncmp(p, "{id}", 4) == 0) {
            if (!id_ok(id))
                return false;
            size_t n = strlen(id);
            if (o + n > CONSOLE_NEXT_MAX)
                return false;
            memcpy(out + o, id, n);
            o += n;
            p += 4;
            continue;
        }
        if (o + 1 > CONSOLE_NEXT_MAX)
            return false;
        out[o++] = *p++;
    }
    out[o] = '\0';
    return console_next_ok(out, o);
}
