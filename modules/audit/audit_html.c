/* modules/audit/audit_html.c: the tokenizer behind the audit's scans of stored HTML
 * (audit_html.h). It is a small tolerant tokenizer, not an HTML parser: it finds tags,
 * their attributes and the text between them, and skips comments, scripts and styles
 * (handing inline scripts' code over, for ad markers). Old imported pages are rarely valid
 * HTML, so it never fails: what it cannot read it skips.
 *
 * It also keeps the stack of open elements, so that a link inside an element hidden by
 * inline style is known to be hidden: that is how 暗链 (links injected by an attacker,
 * invisible to citizens, visible to search engines) are written. The stack follows the
 * browser where old pages most often leave tags open (void elements never nest; a new
 * <li>, <p>, <td> ... ends an open one; a block ends an open <p>); an end tag with no open
 * element of its name is ignored; elements deeper than AUDIT_HTML_DEPTH are only counted
 * (and a hiding one among them remembered), so no input makes it read or write out of
 * bounds. */
#include "audit_html.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "audit_css.h"

/* ---- inline style ---- */

/* A CSS length in px ("-9999px", "0", ".5em", "-50pt"); false when v is none. Relative
 * units are taken at the default font size (16px): the question is only "far off the
 * page" or "zero". */
static bool css_px(const char *v, size_t n, double *px)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (v[i] == '-' || v[i] == '+'))
        neg = v[i++] == '-';
    double x = 0;
    size_t digits = 0;
    for (; i < n && isdigit((unsigned char)v[i]); i++, digits++)
        x = x * 10 + (v[i] - '0');
    if (i < n && v[i] == '.') {
        double f = 0.1;
        for (i++; i < n && isdigit((unsigned char)v[i]); i++, digits++, f /= 10)
            x += (v[i] - '0') * f;
    }
    if (digits == 0)
        return false;
    static const struct {
        const char *unit;
        double k;
    } units[] = {{"", 1}, {"px", 1}, {"%", 1}, {"em", 16}, {"rem", 16}, {"pt", 4.0 / 3},
                 {"pc", 16}, {"in", 96}, {"cm", 96 / 2.54}, {"mm", 96 / 25.4}, {"vw", 1},
                 {"vh", 1}, {"ex", 8}, {"ch", 8}};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (strlen(units[u].unit) == n - i && strncasecmp(v + i, units[u].unit, n - i) == 0) {
            *px = (neg ? -x : x) * units[u].k;
            return true;
        }
    return false;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool eq_nocase(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* What one style attribute says, as far as hiding goes. */
typedef struct css {
    bool none, invisible, font0, overflow_hidden, placed;
    bool has_h, has_w, has_left, has_top, has_indent;
    double h, w, left, top, indent;
} css_t;

static void declaration(css_t *c, const char *d, size_t n)
{
    const char *colon = memchr(d, ':', n);
    if (!colon)
        return;
    const char *prop = d, *val = colon + 1;
    size_t pn = (size_t)(colon - d), vn = n - pn - 1;
    const char *bang = memchr(val, '!', vn); /* "!important" changes nothing here */
    if (bang)
        vn = (size_t)(bang - val);
    trim(&prop, &pn);
    trim(&val, &vn);
    double px;
    bool len = css_px(val, vn, &px);
    if (eq_nocase(prop, pn, "display"))
        c->none = eq_nocase(val, vn, "none");
    else if (eq_nocase(prop, pn, "visibility"))
        c->invisible = eq_nocase(val, vn, "hidden") || eq_nocase(val, vn, "collapse");
    else if (eq_nocase(prop, pn, "font-size"))
        c->font0 = len && px <= 0;
    else if (eq_nocase(prop, pn, "overflow"))
        c->overflow_hidden = eq_nocase(val, vn, "hidden") || eq_nocase(val, vn, "clip");
    else if (eq_nocase(prop, pn, "position"))
        c->placed = eq_nocase(val, vn, "absolute") || eq_nocase(val, vn, "fixed");
    else if (eq_nocase(prop, pn, "height"))
        c->has_h = len, c->h = px;
    else if (eq_nocase(prop, pn, "width"))
        c->has_w = len, c->w = px;
    else if (eq_nocase(prop, pn, "left"))
        c->has_left = len, c->left = px;
    else if (eq_nocase(prop, pn, "top"))
        c->has_top = len, c->top = px;
    else if (eq_nocase(prop, pn, "text-indent"))
        c->has_indent = len, c->indent = px;
}

#define OFF_PAGE (-500.0) /* px: as far off the page as an injected link is put */

bool audit_html_style_hides(const char *style, size_t len, bool marquee)
{
    css_t c = {0};
    for (size_t i = 0; i < len;) {
        const char *semi = memchr(style + i, ';', len - i);
        size_t j = semi ? (size_t)(semi - style) : len;
        declaration(&c, style + i, j - i);
        i = j + 1;
    }
    bool flat = (c.has_h && c.h <= 0) || (c.has_w && c.w <= 0);
    bool off = c.placed && ((c.has_left && c.left <= OFF_PAGE) || (c.has_top && c.top <= OFF_PAGE));
    bool tiny = marquee && ((c.has_h && c.h <= 1) || (c.has_w && c.w <= 1));
    return c.none || c.invisible || c.font0 || (flat && c.overflow_hidden) || off ||
           (c.has_indent && c.indent <= OFF_PAGE) || tiny;
}

/* ---- attributes ---- */

typedef struct attr {
    const char *name, *val; /* val NULL: an attribute without a value */
    size_t nlen, vlen;
} attr_t;

/* Reads the next attribute of a tag at *pp; false at the tag's end, *pp then after its
 * '>' (or at the end of the input). Quoted values are taken whole, '>' included. */
static bool next_attr(const char **pp, const char *end, attr_t *a)
{
    const char *p = *pp;
    while (p < end && (isspace((unsigned char)*p) || *p == '/'))
        p++;
    if (p >= end || *p == '>') {
        *pp = p < end ? p + 1 : end;
        return false;
    }
    a->name = p;
    while (p < end && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
    a->nlen = (size_t)(p - a->name);
    while (p < end && isspace((unsigned char)*p))
        p++;
    a->val = NULL;
    a->vlen = 0;
    if (p < end && *p == '=') {
        p++;
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            char q = *p++;
            a->val = p;
            const char *close = memchr(p, q, (size_t)(end - p));
            p = close ? close + 1 : end;
            a->vlen = (size_t)((close ? close : end) - a->val);
        } else {
            a->val = p;
            while (p < end && !isspace((unsigned char)*p) && *p != '>')
                p++;
            a->vlen = (size_t)(p - a->val);
        }
    }
    *pp = p;
    return true;
}

/* Does the tag whose attributes begin at p hide its element: by its own attributes, or
 * by a rule of the page's style blocks (css) naming its class or id? */
static bool tag_hides(const char *tag, const char *p, const char *end, const audit_css_t *css)
{
    bool marquee = strcmp(tag, "marquee") == 0, hides = false;
    const char *cls = NULL, *id = NULL;
    size_t cls_len = 0, id_len = 0;
    attr_t a;
    while (!hides && next_attr(&p, end, &a)) {
        double px;
        if (eq_nocase(a.name, a.nlen, "hidden"))
            hides = true;
        else if (a.val && eq_nocase(a.name, a.nlen, "style"))
            hides = audit_html_style_hides(a.val, a.vlen, marquee);
        else if (marquee && a.val && (eq_nocase(a.name, a.nlen, "height") || eq_nocase(a.name, a.nlen, "width")))
            hides = css_px(a.val, a.vlen, &px) && px <= 1;
        else if (a.val && eq_nocase(a.name, a.nlen, "class"))
            cls = a.val, cls_len = a.vlen;
        else if (a.val && eq_nocase(a.name, a.nlen, "id"))
            id = a.val, id_len = a.vlen;
    }
    return hides || (css->n && (cls || id) && audit_css_hides(css, tag, cls, cls_len, id, id_len));
}

/* ---- the stack of open elements ---- */

typedef struct open_el {
    char tag[16];
    unsigned char flags; /* tag_flags(tag) */
    bool hides;
} open_el_t;

typedef struct walk {
    open_el_t el[AUDIT_HTML_DEPTH];
    size_t depth;
    size_t hiding;    /* elements of el[] that hide */
    size_t overflow;  /* elements open beyond el[], only counted */
    size_t overflow_hidden; /* 1 + the overflow count below the first hiding one; 0: none */
} walk_t;

/* What the stack needs to know of a tag: void elements never nest; a new SIBLING ends an
 * open one of the same name (and what is open inside it); a BLOCK ends an open <p>; an
 * implied end stops at a SCOPE (an open <li> of an outer list is not ended by the <li> of
 * a list inside it). Sorted by strcmp: tag_flags() looks a name up by bisection, once per
 * tag, instead of walking a list per question (the scan of a page was half strcmp). */
enum { T_VOID = 1, T_SIBLING = 2, T_BLOCK = 4, T_SCOPE = 8 };
static const struct {
    const char *name;
    unsigned char flags;
} TAGS[] = {
    {"a", T_SIBLING},         {"address", T_BLOCK},     {"area", T_VOID},
    {"article", T_BLOCK},     {"aside", T_BLOCK},       {"base", T_VOID},
    {"blockquote", T_BLOCK},  {"br", T_VOID},           {"button", T_SCOPE},
    {"caption", T_SCOPE},     {"col", T_VOID},          {"dd", T_SIBLING},
    {"div", T_BLOCK},         {"dl", T_BLOCK | T_SCOPE}, {"dt", T_SIBLING},
    {"embed", T_VOID},        {"fieldset", T_BLOCK},    {"footer", T_BLOCK},
    {"form", T_BLOCK},        {"frame", T_VOID},        {"h1", T_BLOCK},
    {"h2", T_BLOCK},          {"h3", T_BLOCK},          {"h4", T_BLOCK},
    {"h5", T_BLOCK},          {"h6", T_BLOCK},          {"header", T_BLOCK},
    {"hr", T_VOID | T_BLOCK}, {"html", T_SCOPE},        {"img", T_VOID},
    {"input", T_VOID},        {"keygen", T_VOID},       {"li", T_SIBLING},
    {"link", T_VOID},         {"main", T_BLOCK},        {"marquee", T_SCOPE},
    {"meta", T_VOID},         {"nav", T_BLOCK},         {"object", T_SCOPE},
    {"ol", T_BLOCK | T_SCOPE}, {"option", T_SIBLING},   {"p", T_SIBLING | T_BLOCK},
    {"param", T_VOID},        {"pre", T_BLOCK},         {"section", T_BLOCK},
    {"select", T_SCOPE},      {"source", T_VOID},       {"table", T_BLOCK | T_SCOPE},
    {"td", T_SIBLING | T_SCOPE}, {"th", T_SIBLING | T_SCOPE}, {"tr", T_SIBLING},
    {"track", T_VOID},        {"ul", T_BLOCK | T_SCOPE}, {"wbr", T_VOID},
};

static unsigned tag_flags(const char *tag)
{
    size_t lo = 0, hi = sizeof TAGS / sizeof TAGS[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(tag, TAGS[mid].name);
        if (c == 0)
            return TAGS[mid].flags;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

static bool hidden_now(const walk_t *w)
{
    return w->hiding > 0 || w->overflow_hidden > 0;
}

static void pop(walk_t *w)
{
    w->hiding -= w->el[--w->depth].hides;
}

/* Ends the innermost open `target` (and what is open inside it) unless a scope boundary
 * comes first. */
static void implied_end(walk_t *w, const char *target)
{
    bool row = strcmp(target, "tr") == 0; /* a new row ends the open cell too */
    for (size_t k = w->depth; k > 0; k--) {
        const char *t = w->el[k - 1].tag;
        if (strcmp(t, target) == 0) {
            while (w->depth >= k)
                pop(w);
            return;
        }
        if ((w->el[k - 1].flags & T_SCOPE) && !(row && (strcmp(t, "td") == 0 || strcmp(t, "th") == 0)))
            return;
    }
}

static void open_el(walk_t *w, const char *tag, bool hides)
{
    unsigned flags = tag_flags(tag);
    if (flags & T_VOID)
        return;
    if (!w->overflow && (flags & T_SIBLING))
        implied_end(w, tag);
    if (!w->overflow && (flags & T_BLOCK))
        implied_end(w, "p");
    if (w->depth < AUDIT_HTML_DEPTH && !w->overflow) {
        open_el_t *e = &w->el[w->depth++];
        memcpy(e->tag, tag, strlen(tag) + 1); /* tag_name() keeps it under 16 bytes */
        e->flags = (unsigned char)flags;
        e->hides = hides;
        w->hiding += hides;
        return;
    }
    w->overflow++;
    if (hides && !w->overflow_hidden)
        w->overflow_hidden = w->overflow;
}

static void close_el(walk_t *w, const char *tag)
{
    if ((tag_flags(tag) & T_VOID) || strcmp(tag, "script") == 0 || strcmp(tag, "style") == 0)
        return; /* never opened */
    if (w->overflow) { /* the innermost open element, which we only counted */
        if (w->overflow_hidden == w->overflow)
            w->overflow_hidden = 0;
        w->overflow--;
        return;
    }
    for (size_t k = w->depth; k > 0; k--)
        if (strcmp(w->el[k - 1].tag, tag) == 0) {
            while (w->depth >= k)
                pop(w);
            return;
        }
}

/* ---- the walk ---- */

/* The first `needle` (lower-case, its first character not a letter: "<style", "-->",
 * "</script") in [p, end), letters in any case; NULL if none. memchr finds the first
 * character, so a page is passed at memchr's speed between candidates. */
static const char *find_nocase(const char *p, const char *end, const char *needle)
{
    size_t k = strlen(needle);
    while (p + k <= end && (p = memchr(p, needle[0], (size_t)(end - p) - k + 1))) {
        if (strncasecmp(p + 1, needle + 1, k - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

/* Appends text, entities left as written (dates and identifiers are plain text). */
static void add_text(util_buf_t *text, const char *p, size_t n)
{
    if (text && n)
        util_buf_append(text, p, n);
}

/* Reads a tag name at *pp (letters and digits), lower-case and cut to 15 bytes. */
static size_t tag_name(const char **pp, const char *end, char tag[16])
{
    const char *p = *pp;
    size_t tl = 0;
    while (p < end && isalnum((unsigned char)*p)) {
        if (tl + 1 < 16)
            tag[tl++] = (char)tolower((unsigned char)*p);
        p++;
    }
    tag[tl] = '\0';
    *pp = p;
    return tl;
}

/* The attribute's name if it names a resource ("href", "src", "data"), else NULL. */
static const char *ref_attr(const attr_t *a)
{
    static const char *const names[] = {"href", "src", "data", NULL};
    for (const char *const *n = names; *n; n++)
        if (eq_nocase(a->name, a->nlen, *n))
            return *n;
    return NULL;
}

/* The hiding rules of every <style> block of the page, wherever it stands (an injected
 * block often comes after the links it hides). */
static void read_styles(const char *p, const char *end, audit_css_t *css)
{
    while (p < end && (p = find_nocase(p, end, "<style"))) {
        const char *gt = memchr(p, '>', (size_t)(end - p));
        if (!gt)
            return;
        const char *close = find_nocase(gt + 1, end, "</style");
        const char *body_end = close ? close : end;
        audit_css_read(css, gt + 1, (size_t)(body_end - gt - 1));
        p = body_end;
    }
}

void audit_html_walk(const char *html, size_t len, const audit_html_visitor_t *v)
{
    walk_t w = {.depth = 0};
    const char *p = html, *end = html + len;
    audit_css_t css = {.n = 0};
    if (v->ref)
        read_styles(p, end, &css);
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) {
            add_text(v->text, p, (size_t)(end - p));
            break;
        }
        add_text(v->text, p, (size_t)(lt - p));
        if (v->text && lt > p)
            util_buf_append(v->text, " ", 1);
        p = lt + 1;
        if (end - p >= 3 && memcmp(p, "!--", 3) == 0) {
            const char *close = find_nocase(p + 3, end, "-->");
            p = close ? close + 3 : end;
            continue;
        }
        if (p < end && (*p == '!' || *p == '?' || *p == '/')) {
            if (*p == '/') {
                char tag[16];
                p++;
                if (tag_name(&p, end, tag))
                    close_el(&w, tag);
            }
            const char *gt = memchr(p, '>', (size_t)(end - p));
            p = gt ? gt + 1 : end;
            continue;
        }
        char tag[16];
        if (tag_name(&p, end, tag) == 0) {
            add_text(v->text, "<", 1); /* a stray '<' in text */
            continue;
        }
        bool hides = tag_hides(tag, p, end, &css);
        attr_t a;
        while (next_attr(&p, end, &a)) {
            const char *name = a.val && v->ref ? ref_attr(&a) : NULL;
            if (!name)
                continue;
            audit_html_ref_t r = {tag, name, a.val, a.vlen, hides || hidden_now(&w)};
            v->ref(v->ud, &r);
        }
        bool script = strcmp(tag, "script") == 0;
        if (script || strcmp(tag, "style") == 0) {
            const char *close = find_nocase(p, end, script ? "</script" : "</style");
            const char *body_end = close ? close : end;
            if (script && v->script)
                v->script(v->ud, p, (size_t)(body_end - p));
            p = body_end;
            continue;
        }
        open_el(&w, tag, hides);
    }
}
