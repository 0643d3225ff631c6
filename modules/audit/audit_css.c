/* modules/audit/audit_css.c: which simple selectors a page's <style> blocks hide. See
 * audit_css.h. The reader is as tolerant as the tokenizer around it: it walks rules and
 * at-rules by their braces, never reads past the block, and what it cannot read it skips. */
#include "audit_css.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "audit_html.h" /* audit_html_style_hides: the same declarations hide */

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || (unsigned char)c >= 0x80;
}

/* One selector s[0, n), trimmed: kept when it is [tag](.|#)name and nothing else. */
static void add_selector(audit_css_t *out, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    size_t t = 0;
    while (t < n && isalnum((unsigned char)s[t]))
        t++;
    if (t >= n || t >= sizeof out->rule[0].tag || (s[t] != '.' && s[t] != '#'))
        return;
    size_t name = t + 1, e = name;
    while (e < n && name_char(s[e]))
        e++;
    if (e != n || e == name || e - name >= sizeof out->rule[0].name || out->n >= AUDIT_CSS_RULES)
        return;
    audit_css_rule_t *r = &out->rule[out->n++];
    r->kind = s[t];
    for (size_t i = 0; i < t; i++)
        r->tag[i] = (char)tolower((unsigned char)s[i]);
    r->tag[t] = '\0';
    memcpy(r->name, s + name, e - name);
    r->name[e - name] = '\0';
}

/* The end of the block that opens at css[i] == '{' (after its matching '}'), braces
 * counted; len when it is not closed. */
static size_t block_end(const char *css, size_t len, size_t i)
{
    size_t depth = 0;
    for (; i < len; i++) {
        if (css[i] == '{')
            depth++;
        else if (css[i] == '}' && depth && --depth == 0)
            return i + 1;
    }
    return len;
}

void audit_css_read(audit_css_t *out, const char *css, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (isspace((unsigned char)css[i]) || css[i] == '}' || css[i] == ';') {
            i++;
            continue;
        }
        if (css[i] == '/' && i + 1 < len && css[i + 1] == '*') {
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < len && !close; j++)
                if (css[j] == '*' && css[j + 1] == '/')
                    close = css + j;
            i = close ? (size_t)(close - css) + 2 : len;
            continue;
        }
        const char *open = memchr(css + i, '{', len - i);
        if (css[i] == '@') { /* an at-rule: its statement or its whole block is skipped */
            const char *semi = memchr(css + i, ';', len - i);
            if (semi && (!open || semi < open))
                i = (size_t)(semi - css) + 1;
            else
                i = open ? block_end(css, len, (size_t)(open - css)) : len;
            continue;
        }
        if (!open)
            break;
        size_t sel = i, sel_end = (size_t)(open - css);
        const char *close = memchr(open, '}', len - sel_end);
        size_t decl_end = close ? (size_t)(close - css) : len;
        if (audit_html_style_hides(open + 1, decl_end - sel_end - 1, false)) {
            for (size_t a = sel; a <= sel_end;) {
                const char *comma = memchr(css + a, ',', sel_end - a);
                size_t b = comma ? (size_t)(comma - css) : sel_end;
                add_selector(out, css + a, b - a);
                a = b + 1;
            }
        }
        i = close ? decl_end + 1 : len;
    }
}

/* Is `name` one of the whitespace-separated names of list[0, n)? */
static bool listed(const char *list, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n;) {
        while (i < n && isspace((unsigned char)list[i]))
            i++;
        size_t j = i;
        while (j < n && !isspace((unsigned char)list[j]))
            j++;
        if (j - i == nl && memcmp(list + i, name, nl) == 0)
            return true;
        i = j;
    }
    return false;
}

bool audit_css_hides(const audit_css_t *c, const char *tag, const char *cls, size_t cls_len,
                     const char *id, size_t id_len)
{
    for (size_t i = 0; i < c->n; i++) {
        const audit_css_rule_t *r = &c->rule[i];
        if (r->tag[0] && strcmp(r->tag, tag) != 0)
            continue;
        if (r->kind == '.' ? cls && listed(cls, cls_len, r->name)
                           : id && strlen(r->name) == id_len && memcmp(r->name, id, id_len) == 0)
            return true;
    }
    return false;
}
