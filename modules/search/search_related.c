/* modules/search/search_related.c: related searches (相关搜索, rules in search_related.h):
 * the query's index terms, and the stored terms that share one, ranked. Terms come from
 * search_text_terms, the index's own tokenizer, so "shares a term" means what a search
 * for it would match. */
#include "search_related.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search_text.h"
#include "util.h"

/* Distinct terms of a query kept (a query has at most SEARCH_Q_MAX, 100, characters and
 * so fewer terms); one bit each in a match's bitmap. */
#define QUERY_TERMS 128

typedef struct qterm {
    char t[SEARCH_TERM_MAX];
    uint8_t len;
    uint8_t bit; /* its bit in match_t.seen */
} qterm_t;

/* The query's terms, sorted for bsearch: whole terms (bigrams, words), and the
 * one-character terms a stored term matches by its first character. */
typedef struct query_terms {
    qterm_t exact[QUERY_TERMS];
    size_t nexact;
    qterm_t prefix[QUERY_TERMS];
    size_t nprefix;
} query_terms_t;

static int term_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

static int by_qterm(const void *a, const void *b)
{
    const qterm_t *x = a, *y = b;
    return term_cmp(x->t, x->len, y->t, y->len);
}

static int add_query_term(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    (void)pos;
    query_terms_t *q = ud;
    if (q->nexact + q->nprefix == QUERY_TERMS)
        return 1;
    qterm_t *t = prefix ? &q->prefix[q->nprefix++] : &q->exact[q->nexact++];
    memcpy(t->t, term, len);
    t->len = (uint8_t)len;
    return 0;
}

/* Sorts a[0..*n), drops repeats, numbers the bits from *bit on. */
static void sort_unique(qterm_t *a, size_t *n, unsigned *bit)
{
    qsort(a, *n, sizeof *a, by_qterm);
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (m == 0 || by_qterm(&a[m - 1], &a[i]) != 0)
            a[m++] = a[i];
    for (size_t i = 0; i < m; i++)
        a[i].bit = (uint8_t)(*bit)++;
    *n = m;
}

static void query_terms(const char *q, query_terms_t *out)
{
    out->nexact = out->nprefix = 0;
    search_text_terms(q, strlen(q), SEARCH_TEXT_QUERY, NULL, add_query_term, out);
    unsigned bit = 0;
    sort_unique(out->exact, &out->nexact, &bit);
    sort_unique(out->prefix, &out->nprefix, &bit);
}

static const qterm_t *find(const qterm_t *a, size_t n, const char *t, size_t len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = term_cmp(t, len, a[mid].t, a[mid].len);
        if (c == 0)
            return &a[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* A stored term against the query: which of the query's terms it has. */
typedef struct match {
    const query_terms_t *q;
    uint64_t seen[QUERY_TERMS / 64];
} match_t;

static void mark(match_t *m, const qterm_t *t)
{
    if (t)
        m->seen[t->bit / 64] |= (uint64_t)1 << (t->bit % 64);
}

static int stored_term(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    (void)pos;
    (void)prefix;
    match_t *m = ud;
    mark(m, find(m->q->exact, m->q->nexact, term, len));
    if (m->q->nprefix) {
        size_t first;
        search_text_utf8((const unsigned char *)term, len, &first);
        mark(m, find(m->q->prefix, m->q->nprefix, term, first));
    }
    return 0;
}

/* How many distinct terms of the query s has (0: not related). */
static unsigned shared_terms(const query_terms_t *q, const char *s)
{
    match_t m = {.q = q};
    search_text_terms(s, strlen(s), SEARCH_TEXT_QUERY, NULL, stored_term, &m);
    unsigned n = 0;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(m.seen); i++)
        n += (unsigned)__builtin_popcountll(m.seen[i]);
    return n;
}

typedef struct candidate {
    const search_hot_entry_t *e;
    unsigned shared;
} candidate_t;

/* The most shared terms first, then the most searched, then byte order: the same list
 * for the same store whatever order the entries came in. */
static int by_rank(const void *a, const void *b)
{
    const candidate_t *x = a, *y = b;
    if (x->shared != y->shared)
        return x->shared > y->shared ? -1 : 1;
    if (x->e->count != y->e->count)
        return x->e->count > y->e->count ? -1 : 1;
    return strcmp(x->e->term, y->e->term);
}

size_t search_related_pick(const search_hot_entry_t *terms, size_t n, const char *q,
                           const char *out[SEARCH_RELATED_SHOW])
{
    if (!terms || n == 0 || !q)
        return 0;
    query_terms_t *qt = util_malloc(sizeof *qt);
    query_terms(q, qt);
    util_buf_t folded = {0};
    search_text_fold(q, strlen(q), &folded);
    candidate_t *c = util_malloc(n * sizeof *c);
    size_t nc = 0;
    for (size_t i = 0; i < n && qt->nexact + qt->nprefix > 0; i++) {
        const char *s = terms[i].term;
        if (!s || !*s || strcmp(s, folded.data ? folded.data : "") == 0)
            continue;
        unsigned shared = shared_terms(qt, s);
        if (shared)
            c[nc++] = (candidate_t){&terms[i], shared};
    }
    qsort(c, nc, sizeof *c, by_rank);
    size_t k = nc < SEARCH_RELATED_SHOW ? nc : SEARCH_RELATED_SHOW;
    for (size_t i = 0; i < k; i++)
        out[i] = c[i].e->term;
    free(c);
    util_buf_free(&folded);
    free(qt);
    return k;
}
