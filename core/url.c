/* core/url.c: percent-encoding of paths for Location headers. */
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
