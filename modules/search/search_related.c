/* modules/search/search_related.c: related searches (相关搜索, rules in search_related.h):
 * the site's stored terms split into index terms once (the set, kept per worker), the
 * query's index terms, and the stored terms that share one, ranked. Terms come from
 * search_text_terms, the index's own tokenizer, so "shares a term" means what a search for
 * it would match. Index terms are compared by a 64-bit hash of their bytes. */
#include "search_related.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_text.h"
#include "store_keys.h"
#include "util.h"
#include "wcache.h"

#define SALT 0x5e1a7ed

static uint64_t hash_term(const char *t, size_t len)
{
    return util_hash_bytes(SALT, t, len);
}

static int by_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts a[0..n) and drops repeats; returns the new n. */
static size_t sort_unique(uint64_t *a, size_t n)
{
    if (n)
        qsort(a, n, sizeof *a, by_hash);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || a[m - 1] != a[i])
            a[m++] = a[i];
    return m;
}

/* Index terms being gathered: each term's hash, and the hash of its first character (a
 * one-character query term matches the terms starting with it). */
typedef struct gather {
    uint64_t *terms, *leads;
    size_t n, cap;
} gather_t;

static int gather_term(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    (void)pos;
    (void)prefix;
    gather_t *g = ud;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 32;
        g->terms = util_realloc(g->terms, g->cap * sizeof *g->terms);
        g->leads = util_realloc(g->leads, g->cap * sizeof *g->leads);
    }
    size_t first;
    search_text_utf8((const unsigned char *)term, len, &first);
    g->terms[g->n] = hash_term(term, len);
    g->leads[g->n++] = hash_term(term, first);
    return 0;
}

/* ------------------------------------------------------------------ the set */

typedef struct stored {
    const char *term; /* into the set's text */
    uint64_t count;
    size_t first, n;  /* its index terms: terms[first..first+n), leads the same */
    size_t nleads;    /* its distinct leads: leads[first..first+nleads) */
} stored_t;

struct search_related_set {
    size_t n;
    stored_t *s;
    uint64_t *terms, *leads; /* per stored term: sorted, distinct */
    char *text;
    size_t bytes; /* what it all costs in the cache */
};

search_related_set_t *search_related_prepare(const search_hot_entry_t *terms, size_t n)
{
    search_related_set_t *set = util_calloc(1, sizeof *set);
    set->s = util_calloc(n ? n : 1, sizeof *set->s);
    gather_t g = {0};
    util_buf_t text = {0};
    size_t *offs = util_calloc(n ? n : 1, sizeof *offs);
    for (size_t i = 0; i < n; i++) {
        const char *t = terms[i].term;
        if (!t || !*t)
            continue;
        stored_t *s = &set->s[set->n];
        s->count = terms[i].count;
        s->first = g.n;
        offs[set->n++] = text.len;
        util_buf_append(&text, t, strlen(t) + 1);
        search_text_terms(t, strlen(t), SEARCH_TEXT_QUERY, NULL, gather_term, &g);
        /* each list on its own, sorted and distinct, where the term's ones begin */
        size_t got = g.n - s->first;
        s->nleads = sort_unique(g.leads + s->first, got);
        s->n = sort_unique(g.terms + s->first, got);
        g.n = s->first + s->n;
    }
    set->text = text.data ? text.data : util_calloc(1, 1);
    for (size_t i = 0; i < set->n; i++)
        set->s[i].term = set->text + offs[i];
    free(offs);
    set->terms = g.terms;
    set->leads = g.leads;
    set->bytes = sizeof *set + set->n * sizeof *set->s + 2 * g.n * sizeof(uint64_t) + text.len;
    return set;
}

void search_related_set_free(search_related_set_t *s)
{
    if (!s)
        return;
    free(s->s);
    free(s->terms);
    free(s->leads);
    free(s->text);
    free(s);
}

/* ------------------------------------------------------------------ a query */

/* A query has at most SEARCH_Q_MAX (100) characters, so fewer index terms than this. */
#define QUERY_TERMS 128
#define QUERY_SLOTS 512 /* a power of two, four times QUERY_TERMS: short probes */

/* The query's index terms, an open-addressing set of hashes (0: an empty slot) for each
 * kind: whole ones (bigrams, words), and the one-character ones a stored term matches by
 * the first character of one of its terms. Every stored term is looked up in them. */
typedef struct query {
    uint64_t exact[QUERY_SLOTS], prefix[QUERY_SLOTS];
    size_t n;
} query_t;

/* Adds h to the set (true) or finds it there (false). */
static bool set_add(uint64_t *slots, uint64_t h)
{
    h = h ? h : 1;
    for (size_t i = h;; i++) {
        uint64_t *s = &slots[i & (QUERY_SLOTS - 1)];
        if (*s == h)
            return false;
        if (*s == 0) {
            *s = h;
            return true;
        }
    }
}

static bool set_has(const uint64_t *slots, uint64_t h)
{
    h = h ? h : 1;
    for (size_t i = h;; i++) {
        uint64_t s = slots[i & (QUERY_SLOTS - 1)];
        if (s == h)
            return true;
        if (s == 0)
            return false;
    }
}

static int query_term(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    (void)pos;
    query_t *q = ud;
    if (q->n == QUERY_TERMS)
        return 1;
    q->n += set_add(prefix ? q->prefix : q->exact, hash_term(term, len));
    return 0;
}

/* How many distinct terms of the query the stored term s has (0: not related). Its terms
 * and leads are distinct, so each of the query's counts once. */
static unsigned shared_terms(const search_related_set_t *set, const stored_t *s,
                             const query_t *q)
{
    unsigned n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += set_has(q->exact, set->terms[s->first + i]);
    for (size_t i = 0; i < s->nleads; i++)
        n += set_has(q->prefix, set->leads[s->first + i]);
    return n;
}

typedef struct candidate {
    const stored_t *s;
    unsigned shared;
} candidate_t;

/* The most shared terms first, then the most searched, then byte order: the same list
 * for the same store whatever order the terms came in. */
static bool before(const candidate_t *x, const candidate_t *y)
{
    if (x->shared != y->shared)
        return x->shared > y->shared;
    if (x->s->count != y->s->count)
        return x->s->count > y->s->count;
    return strcmp(x->s->term, y->s->term) < 0;
}

/* Puts c in its place among the best *n (at most SEARCH_RELATED_SHOW, in order). */
static void keep_best(candidate_t best[SEARCH_RELATED_SHOW], size_t *n, candidate_t c)
{
    if (*n == SEARCH_RELATED_SHOW && !before(&c, &best[*n - 1]))
        return;
    size_t i = *n < SEARCH_RELATED_SHOW ? (*n)++ : *n - 1;
    for (; i > 0 && before(&c, &best[i - 1]); i--)
        best[i] = best[i - 1];
    best[i] = c;
}

size_t search_related_pick(const search_related_set_t *set, const char *q,
                           const char *out[SEARCH_RELATED_SHOW])
{
    if (!set || set->n == 0 || !q)
        return 0;
    query_t *qt = util_calloc(1, sizeof *qt);
    search_text_terms(q, strlen(q), SEARCH_TEXT_QUERY, NULL, query_term, qt);
    util_buf_t folded = {0};
    search_text_fold(q, strlen(q), &folded);
    candidate_t best[SEARCH_RELATED_SHOW];
    size_t k = 0;
    for (size_t i = 0; i < set->n && qt->n; i++) {
        const stored_t *s = &set->s[i];
        unsigned shared = shared_terms(set, s, qt);
        if (shared && strcmp(s->term, folded.data ? folded.data : "") != 0)
            keep_best(best, &k, (candidate_t){s, shared});
    }
    for (size_t i = 0; i < k; i++)
        out[i] = best[i].s->term;
    util_buf_free(&folded);
    free(qt);
    return k;
}

/* ------------------------------------------------------------------ the site's */

static void set_free(void *v)
{
    search_related_set_free(v);
}

static const wcache_owner_t set_owner = {"search_related", set_free};

size_t search_related_find(store_txn_t *t, const char *site, int64_t now, const char *q,
                           const char *out[SEARCH_RELATED_SHOW])
{
    char ck[STORE_KEY_MAX + 1];
    size_t cl = search_hot_week_key(site, now, ck);
    if (!cl)
        return 0;
    /* made from the store as the week's list is: a new commit makes a new set */
    const wcache_stamp_t st = {.txn = store_txn_stamp(t)};
    search_related_set_t *set = wcache_get(&set_owner, ck, cl, &st);
    if (!set) {
        const search_hot_entry_t *week;
        size_t n = search_hot_week(t, site, now, &week);
        set = search_related_prepare(week, n);
        set = wcache_put(&set_owner, ck, cl, &st, set, set->bytes);
    }
    return search_related_pick(set, q, out);
}
