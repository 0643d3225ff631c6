/* modules/console/console_diff.c: a line diff for the review page (console_diff.h). */
#include "console_diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct line {
    const char *p;
    size_t n;
} line_t;

/* Splits s into at most CONSOLE_DIFF_LINES lines; the last one keeps whatever is left. */
static line_t *split(const char *s, size_t len, size_t *count)
{
    size_t cap = 16, n = 0;
    line_t *v = util_malloc(cap * sizeof *v);
    size_t i = 0;
    while (i < len) {
        const char *nl = n + 1 < CONSOLE_DIFF_LINES ? memchr(s + i, '\n', len - i) : NULL;
        size_t end = nl ? (size_t)(nl - s) : len;
        if (n == cap)
            v = util_realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = (line_t){s + i, end - i};
        i = end + 1;
    }
    *count = n;
    return v;
}

static int same(const line_t *a, const line_t *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

void console_diff_lines(const char *a, size_t alen, const char *b, size_t blen,
                        console_diff_fn fn, void *ud)
{
    size_t na, nb;
    line_t *la = split(a, alen, &na), *lb = split(b, blen, &nb);
    size_t head = 0;
    while (head < na && head < nb && same(&la[head], &lb[head]))
        head++;
    size_t tail = 0;
    while (tail < na - head && tail < nb - head && same(&la[na - 1 - tail], &lb[nb - 1 - tail]))
        tail++;
    for (size_t i = 0; i < head; i++)
        fn(ud, CONSOLE_DIFF_SAME, la[i].p, la[i].n);
    const line_t *ma = la + head, *mb = lb + head;
    size_t n = na - head - tail, m = nb - head - tail;
    if (n && m && (uint64_t)n * m <= CONSOLE_DIFF_CELLS) {
        /* L[i][j]: the longest common subsequence of ma[i..n) and mb[j..m) */
        size_t w = m + 1;
        uint16_t *L = util_calloc((n + 1) * w, sizeof *L);
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                L[i * w + j] = same(&ma[i], &mb[j]) ? (uint16_t)(L[(i + 1) * w + j + 1] + 1)
                               : L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j]
                                                                         : L[i * w + j + 1];
        size_t i = 0, j = 0;
        while (i < n && j < m) {
            if (same(&ma[i], &mb[j])) {
                fn(ud, CONSOLE_DIFF_SAME, ma[i].p, ma[i].n);
                i++, j++;
            } else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) {
                fn(ud, CONSOLE_DIFF_DEL, ma[i].p, ma[i].n);
                i++;
            } else {
                fn(ud, CONSOLE_DIFF_ADD, mb[j].p, mb[j].n);
                j++;
            }
        }
        for (; i < n; i++)
            fn(ud, CONSOLE_DIFF_DEL, ma[i].p, ma[i].n);
        for (; j < m; j++)
            fn(ud, CONSOLE_DIFF_ADD, mb[j].p, mb[j].n);
        free(L);
    } else {
        for (size_t i = 0; i < n; i++)
            fn(ud, CONSOLE_DIFF_DEL, ma[i].p, ma[i].n);
        for (size_t j = 0; j < m; j++)
            fn(ud, CONSOLE_DIFF_ADD, mb[j].p, mb[j].n);
    }
    for (size_t i = na - tail; i < na; i++)
        fn(ud, CONSOLE_DIFF_SAME, la[i].p, la[i].n);
    free(la);
    free(lb);
}

char *console_diff_text(const char *html, size_t len)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    util_buf_t out = {0};
    size_t line_start = 0;
    bool in_tag = false;
    for (size_t i = 0; i < len; i++) {
        char c = html[i];
        if (in_tag) {
            in_tag = c != '>';
            continue;
        }
        if (c == '<') {
            in_tag = true;
            continue;
        }
        if (c == '\n') {
            /* a blank line (a tag alone on it) is left out */
            bool blank = true;
            for (size_t k = line_start; k < out.len && blank; k++)
                blank = out.data[k] == ' ' || out.data[k] == '\t';
            if (blank)
                out.len = line_start;
            else {
                util_buf_append(&out, "\n", 1);
                line_start = out.len;
            }
            continue;
        }
        if (c == '&') {
            size_t k = 0, el = 0;
            for (; k < UTIL_ARRAY_LEN(ents); k++) {
                el = strlen(ents[k].ent);
                if (el <= len - i && memcmp(html + i, ents[k].ent, el) == 0)
                    break;
            }
            if (k < UTIL_ARRAY_LEN(ents)) {
                util_buf_append(&out, &ents[k].c, 1);
                i += el - 1;
                continue;
            }
        }
        util_buf_append(&out, &c, 1);
    }
    bool blank = true;
    for (size_t k = line_start; k < out.len && blank; k++)
        blank = out.data[k] == ' ' || out.data[k] == '\t';
    if (blank)
        out.len = line_start;
    if (out.len && out.data[out.len - 1] == '\n')
        out.len--;
    util_buf_append(&out, "", 1); /* the NUL */
    return out.data;
}
