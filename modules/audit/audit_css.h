/* modules/audit/audit_css.h: the class and id selectors a page's own <style> blocks hide
 * (defined in audit_css.c), so that audit_html.c knows an element hidden by a rule such as
 * `.ad9{display:none}` as it knows one hidden by its own style attribute: 暗链 are
 * injected both ways. Only simple selectors are read (`.name`, `#name`, `tag.name`,
 * `tag#name`); a rule with combinators, attribute or pseudo selectors, or inside an
 * at-rule (`@media print`), is left alone, as are stylesheets the page links to. */
#ifndef JIYUE_AUDIT_CSS_H
#define JIYUE_AUDIT_CSS_H

#include <stdbool.h>
#include <stddef.h>

/* Rules kept per page: an injected block hides one or two; the rest are not read. */
#define AUDIT_CSS_RULES 64

typedef struct audit_css_rule {
    char kind;     /* '.' a class, '#' an id */
    char tag[16];  /* "" for any element; else lower-case */
    char name[64]; /* as written (class and id names are case-sensitive) */
} audit_css_rule_t;

typedef struct audit_css {
    audit_css_rule_t rule[AUDIT_CSS_RULES];
    size_t n;
} audit_css_t;

/* Adds the hiding rules of one style block's text css[0, len) to out. */
void audit_css_read(audit_css_t *out, const char *css, size_t len);

/* Does a rule of c hide an element `tag` (lower-case) with this class attribute value
 * (whitespace-separated names; NULL when none) and id (NULL when none)? */
bool audit_css_hides(const audit_css_t *c, const char *tag, const char *cls, size_t cls_len,
                     const char *id, size_t id_len);

#endif
