/* modules/common/json_common.c: text from the store made safe for libjansson
 * (json_common.h). */
#include "json_common.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* The length of the valid UTF-8 sequence at s[0..n), 0 when there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return len;
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
