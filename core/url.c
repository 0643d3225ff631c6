/* core/url.c: percent-encoding of paths for Location headers, and the check that a
 * redirect's target stays on this host. */
#include "url.h"

#include <stdbool.h>

static bool path_safe(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '/' || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '!' ||
           ch == '$' || ch == '&' || ch == '(' || ch == ')' || ch == '*' || ch == '+' ||
           ch == ',' || ch == ';' || ch == '=' || ch == ':' || ch == '@';
}

void url_append_path(util_buf_t *b, const char *path, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    util_buf_reserve(b, len * 3 + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (path_safe(ch)) {
            b->data[b->len++] = (char)ch;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = hex[ch >> 4];
            b->data[b->len++] = hex[ch & 15];
        }
    }
    b->data[b->len] = '\0';
}

bool url_local_path(const char *p, size_t n)
{
    if (n == 0 || p[0] != '/')
        return false;
    if (n > 1 && (p[1] == '/' || p[1] == '\\'))
        return false; /* "//host" and "/\host" are other hosts to a browser */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c == 0x7f || c == '\\')
            return false; /* a browser drops tabs and newlines: "/\t/host" is "//host" */
    }
    return true;
}
