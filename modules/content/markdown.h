/* modules/content/markdown.h: article bodies to HTML, once, at publish time. Markdown goes
 * through libcmark (the CommonMark reference implementation) in its safe mode: raw HTML and
 * javascript: links in Markdown are dropped. An HTML file is taken as the publisher wrote
 * it (reviewed before publishing), reduced to what is between <body> and </body> when it is
 * a whole document. */
#ifndef JIYUE_MARKDOWN_H
#define JIYUE_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* A heap string of HTML (free() it). */
char *markdown_to_html(const char *src, size_t len);
char *markdown_html_body(const char *src, size_t len);
/* True when a file name says HTML (.html, .htm), false for Markdown (anything else). */
bool markdown_is_html_name(const char *name);

#endif
