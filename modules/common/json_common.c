/* modules/common/json_common.c: text from the store made safe for libjansson
 * (json_common.h). */
#include "json_common.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* The length of the valid UTF-8 sequence at s[0..n), 0 when there is none (a NUL is
 * none either: jansson's strings end there). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    uint32_t cp;
    return s[0] ? util_utf8_next(s, n, &cp) : 0;
}

json_t *json_common_textn(const char *s, size_t n)
{
    if (!s)
        return json_null();
    const unsigned char *p = (const unsigned char *)s;
    bool clean = true;
    for (size_t i = 0; i < n && clean;) {
        size_t l = utf8_len(p + i, n - i);
        clean = l > 0;
        i += l;
    }
    if (clean)
        return json_stringn(s, n);
    util_buf_t b = {0};
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len(p + i, n - i);
        if (l == 0) {
            util_buf_append(&b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i++;
        } else {
            util_buf_append(&b, s + i, l);
            i += l;
        }
    }
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    util_buf_free(&b);
    return j;
}

json_t *json_common_text(const char *s)
{
    return s ? json_common_textn(s, strlen(s)) : json_null();
}
