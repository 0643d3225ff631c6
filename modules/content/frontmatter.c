/* modules/content/frontmatter.c: finding the front matter block and handing it to the YAML
 * reader. The opening "---" line is kept in what the reader sees (it is YAML's own document
 * start marker), so every line number the reader reports is already the file's. */
#include "frontmatter.h"

#include <string.h>

/* Length of the line at p (without its newline) and where the next one starts. */
static size_t line_at(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl ? nl : end;
    *next = nl ? nl + 1 : end;
    size_t n = (size_t)(stop - p);
    if (n && p[n - 1] == '\r')
        n--;
    return n;
}

static int is_fence(const char *p, size_t n, int closing)
{
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == 3 && (memcmp(p, "---", 3) == 0 || (closing && memcmp(p, "...", 3) == 0));
}

int frontmatter_parse(const char *file, const char *text, size_t len, frontmatter_t *out,
                      diag_t *d)
{
    memset(out, 0, sizeof *out);
    const char *start = text, *end = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start += 3;
    out->body = start;
    out->body_len = (size_t)(end - start);
    out->body_line = 1;
    const char *next;
    size_t n = line_at(start, end, &next);
    if (start == end || !is_fence(start, n, 0))
        return 0;
    int line = 2;
    for (const char *p = next; p < end; line++) {
        const char *after;
        size_t ln = line_at(p, end, &after);
        if (is_fence(p, ln, 1)) {
            size_t errors = d->errors;
            out->meta = yaml_dom_load_string(file, start, (size_t)(p - start), d);
            if (!out->meta)
                return -1;
            if (d->errors > errors) { /* the reader reports some problems beside a tree */
                frontmatter_free(out);
                return -1;
            }
            if (out->meta->root->kind != YAML_DOM_MAPPING) {
                diag_error(d, file, 2, 1, "the front matter must be a mapping of keys "
                                          "(title: ..., site: ...)");
                frontmatter_free(out);
                return -1;
            }
            out->body = after;
            out->body_len = (size_t)(end - after);
            out->body_line = line + 1;
            return 0;
        }
        p = after;
    }
    diag_error(d, file, 1, 1, "the front matter opened by '---' on line 1 is never closed "
                              "(end it with a line '---')");
    return -1;
}

void frontmatter_free(frontmatter_t *fm)
{
    yaml_dom_free(fm->meta);
    fm->meta = NULL;
}
