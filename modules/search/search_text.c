/* modules/search/search_text.c: the tokenizer of the search index and the plain text of
 * an article's HTML (rules in search_text.h). */
#include "search_text.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"

int32_t search_text_utf8(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t cp;
    size_t l = util_utf8_next(s, n, &cp);
    *len = l ? l : 1;
    return l ? (int32_t)cp : -1;
}

/* Full-width ASCII forms and the ideographic space as their ASCII selves; then every
 * bracket a 文号's year is written in (〔〕 [] 【】 () （） ［］ 〖〗 ﹝﹞) as 〔 and 〕, so
 * that all its spellings are one text. */
static int32_t fold(int32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp = cp - 0xFF01 + 0x21;
    if (cp == 0x3000)
        return ' ';
    switch (cp) {
    case '(': case '[': case 0x3010: case 0x3016: case 0xFE5D:
        return SEARCH_TEXT_OPEN;
    case ')': case ']': case 0x3011: case 0x3017: case 0xFE5E:
        return SEARCH_TEXT_CLOSE;
    default:
        return cp;
    }
}

static bool is_cjk(int32_t cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) ||
           (cp >= 0x3040 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF) ||
           (cp >= 0xAC00 && cp <= 0xD7AF);
}

static bool is_word(int32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

typedef struct chr {
    int32_t cp;      /* folded */
    const char *at;  /* its bytes in the input */
    size_t len;
} chr_t;

static chr_t next_chr(const char *s, size_t n, size_t *i)
{
    size_t len;
    int32_t cp = search_text_utf8((const unsigned char *)s + *i, n - *i, &len);
    chr_t c = {fold(cp), s + *i, len};
    *i += len;
    return c;
}

int search_text_terms(const char *s, size_t n, search_text_mode_t mode, uint32_t *posp,
                      search_term_fn fn, void *ud)
{
    uint32_t pos = posp ? *posp : 0;
    size_t i = 0;
    int rc = 0;
    while (i < n && rc == 0) {
        chr_t c = next_chr(s, n, &i);
        if (is_word(c.cp)) {
            char w[SEARCH_WORD_MAX];
            size_t wl = 0;
            for (;;) {
                if (wl < sizeof w)
                    w[wl++] = (char)(c.cp >= 'A' && c.cp <= 'Z' ? c.cp + 32 : c.cp);
                if (i >= n)
                    break;
                size_t save = i;
                c = next_chr(s, n, &i);
                if (!is_word(c.cp)) {
                    i = save;
                    break;
                }
            }
            rc = fn(ud, w, wl, pos++, false);
        } else if (is_cjk(c.cp)) {
            /* the run: this character and the CJK characters right after it */
            chr_t prev = c;
            size_t runlen = 1;
            for (;;) {
                size_t save = i;
                chr_t d = {0};
                bool more = i < n && is_cjk((d = next_chr(s, n, &i)).cp);
                if (!more) {
                    i = save;
                    break;
                }
                char bi[8];
                memcpy(bi, prev.at, prev.len);
                memcpy(bi + prev.len, d.at, d.len);
                if ((rc = fn(ud, bi, prev.len + d.len, pos++, false)) != 0)
                    break;
                prev = d;
                runlen++;
            }
            if (rc == 0 && mode == SEARCH_TEXT_INDEX)
                rc = fn(ud, prev.at, prev.len, pos++, false);
            else if (rc == 0 && runlen == 1)
                rc = fn(ud, prev.at, prev.len, pos++, true);
            else
                pos++; /* the place of the index's lone last character: a phrase that
                        * goes on past the run (云政发〔2026〕) keeps the index's positions */
        }
    }
    if (posp)
        *posp = pos;
    return rc;
}

/* --- HTML to text --- */

static bool tag_is(const char *s, size_t n, const char *name)
{
    size_t l = strlen(name);
    return n >= l && util_streq_nocase(s, l, name, l) &&
           (n == l || s[l] == '>' || s[l] == ' ' || s[l] == '\t' || s[l] == '\n' ||
            s[l] == '\r' || s[l] == '/');
}

static bool inline_tag(const char *t, size_t n)
{
    static const char *const names[] = {"a", "b", "i", "u", "em", "strong", "span", "font",
                                        "sub", "sup", "code", "small", "mark", "abbr"};
    if (n > 0 && t[0] == '/')
        t++, n--;
    for (size_t k = 0; k < UTIL_ARRAY_LEN(names); k++)
        if (tag_is(t, n, names[k]))
            return true;
    return false;
}

static void put_space(util_buf_t *out, size_t base)
{
    if (out->len > base && out->data[out->len - 1] != ' ')
        util_buf_append(out, " ", 1);
}

static void put_cp(util_buf_t *out, uint32_t cp)
{
    char b[4];
    size_t l;
    if (cp < 0x80) {
        b[0] = (char)cp, l = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), l = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)), l = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), l = 4;
    }
    util_buf_append(out, b, l);
}

/* An entity at s ("&amp;"...): appends its character and returns its length, 0 when it is
 * not one we know (the '&' is then kept as text). */
static size_t entity(const char *s, size_t n, util_buf_t *out)
{
    static const struct { const char *name; uint32_t cp; } named[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''},
        {"&apos;", '\''}, {"&nbsp;", ' '},
    };
    for (size_t k = 0; k < UTIL_ARRAY_LEN(named); k++) {
        size_t l = strlen(named[k].name);
        if (n >= l && memcmp(s, named[k].name, l) == 0) {
            put_cp(out, named[k].cp);
            return l;
        }
    }
    if (n >= 4 && s[1] == '#') {
        size_t i = 2;
        int base = 10;
        if (s[2] == 'x' || s[2] == 'X')
            base = 16, i = 3;
        uint32_t cp = 0;
        size_t digits = 0;
        for (; i < n && digits < 7; i++, digits++) {
            char c = s[i];
            int v = c >= '0' && c <= '9' ? c - '0'
                    : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0)
                break;
            cp = cp * (uint32_t)base + (uint32_t)v;
        }
        if (digits > 0 && i < n && s[i] == ';' && cp > 0 && cp <= 0x10FFFF &&
            !(cp >= 0xD800 && cp <= 0xDFFF)) {
            put_cp(out, cp);
            return i + 1;
        }
    }
    return 0;
}

void search_text_from_html(const char *s, size_t n, util_buf_t *out)
{
    size_t base = out->len;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '<') {
            const char *t = s + i + 1;
            size_t tn = n - i - 1;
            const char *end = memchr(t, '>', tn);
            if (!end)
                break; /* an unclosed tag: the rest is not text */
            bool script = tag_is(t, tn, "script"), style = tag_is(t, tn, "style");
            i = (size_t)(end - s) + 1;
            if (script || style) {
                const char *close = script ? "</script" : "</style";
                size_t cl = strlen(close);
                while (i < n && !(n - i >= cl && util_streq_nocase(s + i, cl, close, cl)))
                    i++;
                const char *e2 = i < n ? memchr(s + i, '>', n - i) : NULL;
                i = e2 ? (size_t)(e2 - s) + 1 : n;
            }
            /* block tags separate words (<p>a</p><p>b</p>); inline ones do not, so that
             * <b>社</b>保 still gives 社保 */
            if (!inline_tag(t, tn))
                put_space(out, base);
        } else if (c == '&') {
            size_t l = entity(s + i, n - i, out);
            if (l == 0)
                util_buf_append(out, "&", 1), l = 1;
            i += l;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            put_space(out, base);
            i++;
        } else {
            util_buf_append(out, &c, 1);
            i++;
        }
    }
    while (out->len > base && out->data[out->len - 1] == ' ')
        out->len--;
    /* entities can make a space (&nbsp;) right at the start */
    size_t lead = 0;
    while (base + lead < out->len && out->data[base + lead] == ' ')
        lead++;
    if (lead) {
        memmove(out->data + base, out->data + base + lead, out->len - base - lead);
        out->len -= lead;
    }
    util_buf_append(out, "", 1);
    out->len--;
}

/* --- snippets --- */

typedef struct first {
    const char *text;
    size_t n;
    size_t at; /* the earliest byte offset found; n when none */
} first_t;

static const char *find_nocase(const char *h, size_t hn, const char *w, size_t wn)
{
    for (size_t i = 0; wn && i + wn <= hn; i++)
        if (util_streq_nocase(h + i, wn, w, wn))
            return h + i;
    return NULL;
}

static int first_cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    first_t *f = ud;
    const char *hit = find_nocase(f->text, f->at, term, len);
    if (hit)
        f->at = (size_t)(hit - f->text);
    return 0;
}

/* The offset `count` characters before or after `from`. */
static size_t step(const char *s, size_t n, size_t from, long count)
{
    size_t i = from;
    if (count < 0) {
        for (long k = 0; k > count && i > 0; k--) {
            i--;
            while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
                i--;
        }
    } else {
        for (long k = 0; k < count && i < n; k++) {
            i++;
            while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    return i;
}

void search_text_snippet(const char *text, size_t n, const char *query, util_buf_t *out)
{
    first_t f = {text, n, n};
    search_text_terms(query, strlen(query), SEARCH_TEXT_QUERY, NULL, first_cb, &f);
    size_t start = f.at < n ? step(text, n, f.at, -SEARCH_SNIPPET_BEFORE) : 0;
    size_t end = step(text, n, start, SEARCH_SNIPPET_CHARS);
    if (start > 0)
        util_buf_appends(out, "…");
    util_buf_append(out, text + start, end - start);
    if (end < n)
        util_buf_appends(out, "…");
    util_buf_append(out, "", 1);
    out->len--;
}

/* --- text shown back: valid UTF-8, and highlighted snippets --- */

void search_text_clean(const char *s, size_t n, util_buf_t *out)
{
    for (size_t i = 0; i < n;) {
        size_t len;
        int32_t cp = search_text_utf8((const unsigned char *)s + i, n - i, &len);
        if (cp < 0)
            util_buf_appends(out, "\xEF\xBF\xBD"); /* U+FFFD for each bad byte */
        else if (cp < 0x20 || cp == 0x7F)
            util_buf_append(out, " ", 1); /* a control byte is no text a page may show */
        else
            util_buf_append(out, s + i, len);
        i += len;
    }
    util_buf_append(out, "", 1);
    out->len--;
}

/* The query's terms as folded, lower-case code points. */
typedef struct hterm {
    int32_t cp[SEARCH_TERM_MAX];
    size_t n;
    bool word; /* an ASCII word: matched at word bounds only */
} hterm_t;

typedef struct hterms {
    hterm_t t[64];
    size_t n;
} hterms_t;

static int32_t lower(int32_t cp)
{
    return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

static int hterm_cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    (void)pos;
    (void)prefix; /* a lone character marks where it stands, as a prefix would match */
    hterms_t *h = ud;
    if (h->n == sizeof h->t / sizeof h->t[0])
        return 1;
    hterm_t *t = &h->t[h->n];
    t->n = 0;
    for (size_t i = 0; i < len && t->n < SEARCH_TERM_MAX;) {
        size_t l;
        int32_t cp = search_text_utf8((const unsigned char *)term + i, len - i, &l);
        t->cp[t->n++] = lower(fold(cp));
        i += l;
    }
    t->word = t->n > 0 && is_word(t->cp[0]);
    if (t->n)
        h->n++;
    return 0;
}

void search_text_highlight(const char *text, size_t n, const char *query, util_buf_t *out)
{
    util_buf_t clean = {0};
    search_text_clean(text, n, &clean);
    const char *s = clean.data ? clean.data : "";
    n = clean.len;
    /* one entry per character: folded code point, byte offset; one more for the end */
    size_t cap = n + 1, nc = 0;
    int32_t *cps = util_malloc(cap * sizeof *cps);
    size_t *offs = util_malloc(cap * sizeof *offs);
    bool *mark = util_calloc(cap, sizeof *mark);
    for (size_t i = 0; i < n;) {
        size_t l;
        int32_t cp = search_text_utf8((const unsigned char *)s + i, n - i, &l);
        cps[nc] = lower(fold(cp));
        offs[nc++] = i;
        i += l;
    }
    offs[nc] = n;
    hterms_t h = {.n = 0};
    search_text_terms(query, strlen(query), SEARCH_TEXT_QUERY, NULL, hterm_cb, &h);
    for (size_t k = 0; k < h.n; k++) {
        const hterm_t *t = &h.t[k];
        for (size_t i = 0; i + t->n <= nc; i++) {
            if (t->word && ((i > 0 && is_word(cps[i - 1])) ||
                            (i + t->n < nc && is_word(cps[i + t->n]))))
                continue;
            size_t j = 0;
            while (j < t->n && cps[i + j] == t->cp[j])
                j++;
            if (j == t->n)
                for (j = 0; j < t->n; j++)
                    mark[i + j] = true;
        }
    }
    for (size_t i = 0; i < nc;) {
        size_t j = i;
        while (j < nc && mark[j] == mark[i])
            j++;
        if (mark[i])
            util_buf_appends(out, "<mark>");
        tpl_escape(out, s + offs[i], offs[j] - offs[i]);
        if (mark[i])
            util_buf_appends(out, "</mark>");
        i = j;
    }
    util_buf_append(out, "", 1);
    out->len--;
    free(cps);
    free(offs);
    free(mark);
    util_buf_free(&clean);
}

size_t search_text_fold(const char *s, size_t n, util_buf_t *out)
{
    size_t chars = 0;
    bool space = false;
    for (size_t i = 0; i < n;) {
        chr_t c = next_chr(s, n, &i);
        if (!is_word(c.cp) && !is_cjk(c.cp)) {
            space = chars > 0;
            continue;
        }
        if (space) {
            util_buf_append(out, " ", 1);
            chars++;
            space = false;
        }
        if (c.cp < 0x80) {
            char a = (char)lower(c.cp);
            util_buf_append(out, &a, 1);
        } else {
            util_buf_append(out, c.at, c.len);
        }
        chars++;
    }
    util_buf_append(out, "", 1);
    out->len--;
    return chars;
}

/* --- a 文号 or 索引号 whole --- */

size_t search_text_exact_fold(const char *s, size_t n, util_buf_t *out)
{
    size_t base = out->len;
    for (size_t i = 0; i < n;) {
        chr_t c = next_chr(s, n, &i);
        if (is_word(c.cp)) {
            char a = (char)lower(c.cp);
            util_buf_append(out, &a, 1);
        } else if (is_cjk(c.cp) || c.cp == SEARCH_TEXT_OPEN || c.cp == SEARCH_TEXT_CLOSE) {
            if (c.cp == SEARCH_TEXT_OPEN)
                util_buf_appends(out, "\xE3\x80\x94");
            else if (c.cp == SEARCH_TEXT_CLOSE)
                util_buf_appends(out, "\xE3\x80\x95");
            else
                util_buf_append(out, c.at, c.len);
        }
    }
    util_buf_append(out, "", 1);
    out->len--;
    return out->len - base;
}

size_t search_text_exact_term(const char *s, size_t n, char out[static SEARCH_TERM_MAX])
{
    util_buf_t b = {0};
    size_t len = search_text_exact_fold(s, n, &b);
    /* a lone word or character is no number: the ordinary terms say all of it */
    bool digit = false;
    for (size_t i = 0; i < len; i++)
        digit |= b.data[i] >= '0' && b.data[i] <= '9';
    if (len < 4 || !digit) {
        util_buf_free(&b);
        return 0;
    }
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)b.data[i];
        h *= 0x100000001b3ULL;
    }
    util_buf_free(&b);
    static const char hex[] = "0123456789abcdef";
    out[0] = '#';
    for (int i = 0; i < 16; i++)
        out[1 + i] = hex[(h >> (60 - 4 * i)) & 15];
    return 17;
}

bool search_text_is_doc_no(const char *s, size_t n)
{
    util_buf_t b = {0};
    search_text_exact_fold(s, n, &b);
    bool open = b.data && strstr(b.data, "\xE3\x80\x94");  /* 〔 */
    bool close = b.data && strstr(b.data, "\xE3\x80\x95"); /* 〕 */
    bool digit = false;
    for (size_t i = 0; i < b.len; i++)
        digit |= b.data[i] >= '0' && b.data[i] <= '9';
    util_buf_free(&b);
    return open && close && digit;
}
