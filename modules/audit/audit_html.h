/* modules/audit/audit_html.h: the tolerant HTML tokenizer the audit reads stored pages
 * with (defined in audit_html.c): tags, their href/src/data attributes, inline scripts,
 * the text between tags, and which elements citizens cannot see (hidden by inline style,
 * the `hidden` attribute or a simple rule of the page's own <style> blocks: audit_css.h;
 * tracked through the nesting). No store, no config: the
 * judging of what it finds is audit_links.c's, and tests/unit/test_audit_html.c drives it
 * directly. */
#ifndef JIYUE_AUDIT_HTML_H
#define JIYUE_AUDIT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Open elements tracked for the hidden state; deeper ones are only counted. */
#define AUDIT_HTML_DEPTH 256

/* One href, src or data attribute with a value. */
typedef struct audit_html_ref {
    const char *tag;  /* the element's name, lower-case, at most 15 bytes ("a", "img") */
    const char *name; /* "href", "src" or "data" */
    const char *val;  /* as written (quotes removed, entities not decoded) */
    size_t len;
    bool hidden; /* the element, or one it is inside, is hidden from citizens */
} audit_html_ref_t;

typedef struct audit_html_visitor {
    void *ud;
    void (*ref)(void *ud, const audit_html_ref_t *r);
    void (*script)(void *ud, const char *code, size_t len); /* an inline script's code */
    util_buf_t *text; /* when not NULL: the text outside tags, scripts and styles */
} audit_html_visitor_t;

/* Walks html[0, len) once; never fails (what it cannot read it skips). */
void audit_html_walk(const char *html, size_t len, const audit_html_visitor_t *v);

/* Does an inline style hide its element: display:none, visibility:hidden, a zero
 * font-size, a zero height or width with overflow:hidden, an absolute or fixed position
 * 500px or more off the left or top, or a text-indent of -500px or less; for a marquee
 * (marquee true), also a height or width of 1px or less. */
bool audit_html_style_hides(const char *style, size_t len, bool marquee);

#endif
