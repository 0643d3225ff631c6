/* modules/content/frontmatter.h: splits a Markdown or HTML document into its YAML front
 * matter and its body. The front matter is a block that opens with a line "---" at the very
 * start of the file (after an optional UTF-8 byte order mark) and closes at the next line
 * that is "---" or "...". It is parsed with the strict YAML reader of yaml.h, and line
 * numbers in its errors are the file's own. */
#ifndef JIYUE_FRONTMATTER_H
#define JIYUE_FRONTMATTER_H

#include <stddef.h>

#include "diag.h"
#include "yaml.h"

typedef struct frontmatter {
    yaml_dom_t *meta; /* NULL when the document has no front matter */
    const char *body; /* points into the text given */
    size_t body_len;
    int body_line; /* the body's first line (1-based) */
} frontmatter_t;

/* Returns 0 (meta NULL when there is none), or -1 with errors in `d`: an unterminated
 * block, YAML errors, or front matter that is not a mapping. */
int frontmatter_parse(const char *file, const char *text, size_t len, frontmatter_t *out,
                      diag_t *d);
void frontmatter_free(frontmatter_t *fm);

#endif
