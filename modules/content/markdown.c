/* modules/content/markdown.c: the libcmark call and the <body> extraction of markdown.h. */
#include "markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

char *markdown_to_html(const char *src, size_t len)
{
    /* CMARK_OPT_DEFAULT is safe since cmark 0.29: no raw HTML, no unsafe link schemes. */
    char *html = cmark_markdown_to_html(src, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    if (!html)
        UTIL_FATAL("cmark: out of memory");
    return html;
}

static const char *find_nocase(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

char *markdown_html_body(const char *src, size_t len)
{
    const char *open = find_nocase(src, len, "<body");
    if (!open)
        return util_strndup(src, len);
    const char *gt = memchr(open, '>', len - (size_t)(open - src));
    if (!gt)
        return util_strndup(src, len);
    gt++;
    const char *close = find_nocase(gt, len - (size_t)(gt - src), "</body");
    size_t n = close ? (size_t)(close - gt) : len - (size_t)(gt - src);
    return util_strndup(gt, n);
}

bool markdown_is_html_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0);
}
