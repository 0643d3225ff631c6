/* modules/search/search_query.c: a query against the index (rules and caps in
 * search_query.h): the query's terms and phrases, each term's postings read rarest first
 * and intersected in document order (newest first), phrases verified against the
 * documents' text, scores, the sort and the page. */
#include "search_query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "search_keys.h"
#include "search_postings.h"
#include "search_text.h"
#include "store_keys.h"

typedef struct qterm {
    char term[SEARCH_TERM_MAX];
    uint8_t len;
    bool prefix;
    uint16_t phrase; /* 0: a loose term; else the phrase's number */
    uint32_t pos;    /* within its phrase */
} qterm_t;

typedef struct qparse {
    qterm_t t[SEARCH_MAX_TERMS];
    size_t n;
    uint16_t phrase;
    /* each phrase's text when it is one run of CJK characters and nothing else: then it
     * matches a field exactly when those bytes occur in it (search_text.h: the bigrams of
     * a run stand at consecutive positions, and any other character ends a run) */
    const char *raw[SEARCH_MAX_TERMS + 1];
    size_t rawlen[SEARCH_MAX_TERMS + 1];
} qparse_t;

static bool cjk_run(const char *s, size_t n)
{
    size_t i = 0, chars = 0;
    while (i < n) {
        size_t l;
        int32_t cp = search_text_utf8((const unsigned char *)s + i, n - i, &l);
        bool cjk = (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
                   (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF);
        if (!cjk)
            return false;
        i += l;
        chars++;
    }
    return chars >= 2;
}

static int qterm_cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    qparse_t *p = ud;
    if (p->n == SEARCH_MAX_TERMS)
        return 1;
    qterm_t *t = &p->t[p->n++];
    memcpy(t->term, term, len);
    t->len = (uint8_t)len;
    t->prefix = prefix;
    t->phrase = p->phrase;
    t->pos = pos;
    return 0;
}

/* Splits q at double quotes (ASCII, “ and ”): odd parts are phrases. */
static void parse(const char *q, qparse_t *p)
{
    size_t n = strlen(q), i = 0, start = 0;
    bool inq = false;
    uint16_t phrases = 0;
    while (i <= n) {
        size_t ql = 0;
        if (i < n && q[i] == '"')
            ql = 1;
        else if (i + 3 <= n && (memcmp(q + i, "\xe2\x80\x9c", 3) == 0 || memcmp(q + i, "\xe2\x80\x9d", 3) == 0))
            ql = 3;
        if (ql || i == n) {
            p->phrase = inq ? ++phrases : 0;
            size_t before = p->n;
            search_text_terms(q + start, i - start, SEARCH_TEXT_QUERY, NULL, qterm_cb, p);
            if (inq && p->n - before < 2)
                for (size_t k = before; k < p->n; k++)
                    p->t[k].phrase = 0; /* one term: nothing to keep in order */
            else if (inq && p->n < SEARCH_MAX_TERMS && phrases <= SEARCH_MAX_TERMS &&
                     cjk_run(q + start, i - start)) {
                p->raw[phrases] = q + start; /* (a cut phrase keeps the term-by-term check) */
                p->rawlen[phrases] = i - start;
            }
            inq = !inq;
            start = i + (ql ? ql : 1);
            i = start;
            if (!ql)
                break;
        } else {
            i++;
        }
    }
}

/* --- postings into candidates --- */

typedef struct cand {
    uint64_t doc;
    double score;
    uint32_t tf_title, tf_body, length; /* of the term being read */
    bool exact; /* holds the query's whole 文号 or 索引号 (search_text_exact_term) */
} cand_t;

typedef struct clist {
    cand_t *c;
    size_t n, cap;
} clist_t;

static void cl_push(clist_t *l, cand_t c)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->c = util_realloc(l->c, l->cap * sizeof *l->c);
    }
    l->c[l->n++] = c;
}

typedef struct reader {
    const search_query_t *q;
    const search_fam_t *fam; /* the live family, resolved once per query (search_fam.h) */
    uint32_t site, column;
    const clist_t *want; /* the candidates so far (NULL: every document) */
    size_t cursor;
    size_t plen;
    bool prefix;
    clist_t out;
    size_t *budget;
    bool capped, bad;
    /* a date-sorted query's rarest term, read a run of blocks at a time (run_date) */
    size_t stop_n;     /* stop after the block that brings out.n to this (0: read on) */
    uint64_t floor;    /* stop before a block whose newest document is below this */
    uint64_t last_min; /* the smallest document number of the last block decoded */
    size_t decoded;    /* entries decoded that fall within from/to */
    bool more;         /* stopped by stop_n: older blocks may follow */
    /* a term read for the candidates of rarer ones (read_seek): each candidate a block
     * answers counts once against the bound (join); when the term's blocks are many per
     * candidate (join_walks), the walk gives up after SEARCH_SEEK_AFTER blocks in a row that
     * hold no candidate, and the next candidate's block is sought by key instead (seek) */
    bool join, seek;
    size_t skipped;
    bool reseek;
    uint32_t df;                 /* the term's documents (xf/), for join_walks */
    uint32_t *walked, *sought;   /* search_result_t's counters of the two choices */
} reader_t;

static bool keep(const reader_t *r, const search_posting_t *e)
{
    const search_query_t *q = r->q;
    int64_t t = (int64_t)(e->doc >> 24);
    return (!r->site || e->site == r->site) && (!r->column || e->column == r->column) &&
           (!q->type || e->type == q->type) && (!q->has_from || t >= q->from) &&
           (!q->has_to || t <= q->to);
}

/* A block's range [min, first]: min from its key's last 16 hex digits, first from the
 * varint after its header (search_keys.h), without decoding it. */
static uint64_t block_min(const void *key, size_t klen)
{
    uint64_t min = 0;
    const char *h = (const char *)key + klen - 16;
    for (int i = 0; i < 16; i++)
        min = min << 4 | (uint64_t)(h[i] <= '9' ? h[i] - '0' : h[i] - 'a' + 10);
    return UINT64_MAX - min;
}

static uint64_t block_first(const void *val, size_t vlen)
{
    const uint8_t *p = val;
    uint64_t first = 0;
    for (size_t i = 2, shift = 0; i < vlen && shift < 64; i++, shift += 7) {
        first |= (uint64_t)(p[i] & 0x7F) << shift;
        if (!(p[i] & 0x80))
            break;
    }
    return first;
}

static bool in_dates(const search_query_t *q, uint64_t doc)
{
    int64_t t = (int64_t)(doc >> 24);
    return (!q->has_from || t >= q->from) && (!q->has_to || t <= q->to);
}

static int read_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    reader_t *r = ud;
    if (r->floor && !r->prefix && klen > 16 && block_first(val, vlen) < r->floor)
        return 1; /* this block and every later one are older than `from` */
    if (r->want && !r->prefix && klen > 16) {
        /* skip a block no candidate falls in: its range is [min, first] */
        uint64_t min = block_min(key, klen);
        /* candidates are newest first: skip those newer than this block */
        uint64_t first = block_first(val, vlen);
        while (r->cursor < r->want->n && r->want->c[r->cursor].doc > first)
            r->cursor++;
        if (r->cursor == r->want->n)
            return 1; /* no candidate is this old */
        if (r->want->c[r->cursor].doc < min) {
            if (r->seek && ++r->skipped > SEARCH_SEEK_AFTER) {
                r->reseek = true;
                return 1;
            }
            return 0;
        }
        r->skipped = 0;
    }
    search_posting_t e[SEARCH_BLOCK_MAX];
    int n = search_block_decode(val, vlen, e, SEARCH_BLOCK_MAX);
    if (n < 0) {
        r->bad = true;
        return 1;
    }
    /* the cost: the entries decoded, or for a term read for candidates, the candidates this
     * block answers (a block is at most SEARCH_BLOCK_MAX entries: the work follows the
     * rarer terms' postings, which were paid for when they were read) */
    size_t cost = (size_t)n;
    if (r->join && r->want && !r->prefix && klen > 16) {
        uint64_t min = block_min(key, klen);
        cost = 0;
        for (size_t j = r->cursor; j < r->want->n && r->want->c[j].doc >= min; j++)
            cost++;
    }
    if (*r->budget < cost) {
        r->capped = true;
        return 1;
    }
    *r->budget -= cost;
    for (int i = 0; i < n; i++) {
        if (r->stop_n && in_dates(r->q, e[i].doc))
            r->decoded++;
        if (keep(r, &e[i]))
            cl_push(&r->out, (cand_t){e[i].doc, 0, e[i].tf_title, e[i].tf_body, e[i].length,
                                      false});
    }
    if (r->stop_n && klen > 16) {
        r->last_min = block_min(key, klen);
        if (r->out.n >= r->stop_n) {
            r->more = true;
            return 1;
        }
    }
    return 0;
}

static int cand_doc_desc(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    return x->doc < y->doc ? 1 : x->doc > y->doc ? -1 : 0;
}

/* "xp/<term>/" and the key of the block that holds document `doc` (or the next older
 * one): the prefix's length in *plen, the key's length returned (0: too long). */
static size_t seek_key(char *k, const search_fam_t *fam, const qterm_t *qt, uint64_t doc,
                       size_t *plen)
{
    if (!(*plen = search_postings_prefix(k, fam, qt->term, qt->len)))
        return 0;
    static const char hex[] = "0123456789abcdef";
    uint64_t v = UINT64_MAX - doc;
    for (int i = 15; i >= 0; i--, v >>= 4)
        k[*plen + (size_t)i] = hex[v & 15];
    return *plen + 16;
}

/* One term's postings (filtered) newest first, one entry per document, from the block
 * holding document `from` (UINT64_MAX: the newest) on. */
static int read_term_from(store_txn_t *t, const qterm_t *qt, reader_t *r, uint64_t from)
{
    if (qt->prefix || from == UINT64_MAX)
        return STORE_EKEY; /* (read_term's) */
    char k[STORE_KEY_MAX + 1];
    size_t pl, kl = seek_key(k, r->fam, qt, from, &pl);
    if (!kl)
        return 0;
    r->prefix = false;
    r->join = r->seek = false;
    r->cursor = 0;
    int rc = store_content_each_from(t, k, pl, k, kl, read_cb, r);
    if (rc < 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    return r->bad ? STORE_ECORRUPT : 0;
}

/* Whether a term with df documents is walked for n candidates rather than sought: its
 * blocks (at least df / SEARCH_BLOCK_MAX) are at most SEARCH_WALK_GAP per candidate, so
 * most blocks hold one and passing the others by their header is cheaper than a seek
 * (a new cursor and a descent of the tree) for each candidate. */
static bool join_walks(uint32_t df, size_t n)
{
    return (uint64_t)n * SEARCH_BLOCK_MAX * SEARCH_WALK_GAP >= df;
}

/* The postings of a term (not a prefix) for r->want's documents, newest first: from the
 * block holding the first candidate, blocks whose range holds no candidate skipped by
 * their key and header without decoding. Where the candidates are sparse among the term's
 * blocks (join_walks false), past SEARCH_SEEK_AFTER such blocks in a row the next
 * candidate's block is sought by key; where they are dense, the blocks are walked to the
 * last candidate. Either way the same blocks are decoded and each candidate counts once:
 * the work follows the candidates, not the term's postings. */
static int read_seek(store_txn_t *t, const qterm_t *qt, reader_t *r)
{
    r->prefix = false;
    r->cursor = 0;
    r->join = true;
    r->seek = r->q->join == SEARCH_JOIN_CHOOSE ? !join_walks(r->df, r->want->n)
                                                : r->q->join == SEARCH_JOIN_SEEK;
    uint32_t *count = r->seek ? r->sought : r->walked;
    if (count)
        (*count)++;
    while (r->cursor < r->want->n) {
        char k[STORE_KEY_MAX + 1];
        size_t pl, kl = seek_key(k, r->fam, qt, r->want->c[r->cursor].doc, &pl);
        if (!kl)
            return 0;
        r->reseek = false;
        r->skipped = 0;
        int rc = store_content_each_from(t, k, pl, k, kl, read_cb, r);
        if (rc < 0)
            return rc == STORE_NOTFOUND ? 0 : rc;
        if (r->bad)
            return STORE_ECORRUPT;
        if (!r->reseek)
            break; /* the term's blocks, or the candidates, or the bound ran out */
    }
    return 0;
}

/* One term's postings (filtered) newest first, one entry per document. */
static int read_term(store_txn_t *t, const qterm_t *qt, reader_t *r)
{
    char k[STORE_KEY_MAX + 1];
    size_t kl;
    if (qt->prefix) {
        kl = strlen(r->fam->postings);
        memcpy(k, r->fam->postings, kl);
        memcpy(k + kl, qt->term, qt->len);
        kl += qt->len;
    } else if (r->want) {
        return read_seek(t, qt, r);
    } else if (!(kl = search_postings_prefix(k, r->fam, qt->term, qt->len))) {
        return 0;
    }
    r->prefix = qt->prefix;
    r->join = r->seek = false;
    r->cursor = 0;
    int rc = store_content_each(t, k, kl, read_cb, r);
    if (rc < 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    if (r->bad)
        return STORE_ECORRUPT;
    if (qt->prefix && r->out.n > 1) {
        /* several terms: merge them by document */
        qsort(r->out.c, r->out.n, sizeof *r->out.c, cand_doc_desc);
        size_t m = 0;
        for (size_t i = 0; i < r->out.n; i++) {
            if (m > 0 && r->out.c[m - 1].doc == r->out.c[i].doc) {
                r->out.c[m - 1].tf_title += r->out.c[i].tf_title;
                r->out.c[m - 1].tf_body += r->out.c[i].tf_body;
            } else {
                r->out.c[m++] = r->out.c[i];
            }
        }
        r->out.n = m;
    }
    return 0;
}

static uint32_t term_df(store_txn_t *t, const search_fam_t *fam, const qterm_t *qt)
{
    if (qt->prefix)
        return UINT32_MAX; /* unknown before reading: read last */
    char k[STORE_KEY_MAX + 1];
    size_t fl = strlen(fam->df);
    memcpy(k, fam->df, fl);
    memcpy(k + fl, qt->term, qt->len);
    const void *v;
    size_t len;
    if (store_content_get(t, k, fl + qt->len, &v, &len) != 0 || len != 4)
        return 0;
    rec_rd_t rd = rec_reader(v, len);
    return (uint32_t)rec_get_n(&rd, 4);
}

static double bm25(const cand_t *c, double idf, double avgdl)
{
    const double k1 = 1.2, b = 0.75;
    /* tf_body is in units: an occurrence in the body SEARCH_BODY_UNITS, in a policy
     * document's header SEARCH_META_UNITS (search_keys.h) */
    double tf = (double)c->tf_body / SEARCH_BODY_UNITS + SEARCH_TITLE_WEIGHT * (double)c->tf_title;
    double norm = k1 * (1 - b + b * (double)c->length / (avgdl > 0 ? avgdl : 1));
    return idf * tf * (k1 + 1) / (tf + norm);
}

/* --- phrases --- */

/* A field's terms in order (position = index), copied: the tokenizer hands out words
 * and bigrams from a buffer of its own. */
typedef struct stream {
    util_buf_t bytes;
    size_t *off;
    uint8_t *len;
    size_t n, cap;
} stream_t;

static int stream_cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    stream_t *s = ud;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->off = util_realloc(s->off, s->cap * sizeof *s->off);
        s->len = util_realloc(s->len, s->cap * sizeof *s->len);
    }
    s->off[s->n] = s->bytes.len;
    s->len[s->n++] = (uint8_t)len;
    util_buf_append(&s->bytes, term, len);
    return 0;
}

static bool tok_match(const qterm_t *qt, const char *term, size_t len)
{
    if (qt->prefix)
        return len >= qt->len && memcmp(term, qt->term, qt->len) == 0;
    return len == qt->len && memcmp(term, qt->term, len) == 0;
}

/* Whether phrase ph's terms stand at consecutive positions somewhere in s. */
static bool phrase_in(const qparse_t *p, uint16_t ph, const stream_t *s)
{
    const qterm_t *first = NULL;
    for (size_t i = 0; i < p->n && !first; i++)
        if (p->t[i].phrase == ph)
            first = &p->t[i];
    if (!first)
        return true; /* a quoted part of one term: nothing to keep in order */
    for (size_t at = 0; first && at < s->n; at++) {
        bool ok = true;
        for (size_t i = 0; i < p->n && ok; i++) {
            if (p->t[i].phrase != ph)
                continue;
            size_t pos = at + (p->t[i].pos - first->pos);
            ok = pos < s->n && tok_match(&p->t[i], s->bytes.data + s->off[pos], s->len[pos]);
        }
        if (ok)
            return true;
    }
    return false;
}

/* Whether every phrase of p is in one of the document's fields. */
static bool phrases_ok(store_txn_t *t, const search_fam_t *fam, const qparse_t *p,
                       uint16_t nphrases, uint64_t doc, size_t *bytes)
{
    search_docrec_t d;
    if (search_doc_get(t, fam, doc, &d) != 0)
        return false;
    *bytes += d.text_len;
    /* a phrase of CJK characters only is found as bytes in one of the texts (its raw form
     * is what the index would fold it to); any other phrase is checked term by term */
    enum { NF = 6 };
    const char *text[NF] = {d.title, d.source, d.text, d.doc_no, d.index_no, d.meta};
    size_t tl[NF] = {strlen(d.title), strlen(d.source), d.text_len, strlen(d.doc_no),
                     strlen(d.index_no), strlen(d.meta)};
    bool fast = true;
    for (uint16_t ph = 1; ph <= nphrases && fast; ph++)
        fast = p->raw[ph] != NULL;
    if (fast) {
        bool all = true;
        for (uint16_t ph = 1; ph <= nphrases && all; ph++) {
            bool in = false;
            for (int i = 0; i < NF && !in; i++)
                in = memmem(text[i], tl[i], p->raw[ph], p->rawlen[ph]) != NULL;
            all = in;
        }
        return all;
    }
    stream_t f[NF];
    memset(f, 0, sizeof f);
    for (int i = 0; i < NF; i++)
        search_text_terms(text[i], tl[i], SEARCH_TEXT_INDEX, NULL, stream_cb, &f[i]);
    bool all = true;
    for (uint16_t ph = 1; ph <= nphrases && all; ph++) {
        bool in = false;
        for (int i = 0; i < NF && !in; i++)
            in = phrase_in(p, ph, &f[i]);
        all = in;
    }
    for (int i = 0; i < NF; i++) {
        util_buf_free(&f[i].bytes);
        free(f[i].off);
        free(f[i].len);
    }
    return all;
}

static int score_desc(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->exact != y->exact)
        return x->exact ? -1 : 1;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return cand_doc_desc(a, b);
}

/* A query that is a 文号 or 索引号 whole (whatever its brackets: search_text_exact_term):
 * the candidates holding it are marked, and a relevance sort puts them first, above a
 * document that only cites it. One more term read, usually a handful of postings. */
static int mark_exact(store_txn_t *t, const char *q, reader_t *r, clist_t *cand)
{
    qterm_t qt = {0};
    size_t n = search_text_exact_term(q, strlen(q), qt.term);
    if (n == 0 || cand->n == 0)
        return 0;
    qt.len = (uint8_t)n;
    r->out = (clist_t){0};
    r->want = cand;
    r->df = term_df(t, r->fam, &qt);
    int rc = read_term(t, &qt, r);
    /* both newest first */
    for (size_t a = 0, b = 0; rc == 0 && a < cand->n && b < r->out.n;) {
        if (cand->c[a].doc == r->out.c[b].doc)
            cand->c[a++].exact = true, b++;
        else if (cand->c[a].doc > r->out.c[b].doc)
            a++;
        else
            b++;
    }
    free(r->out.c);
    return rc;
}

/* Puts the k best of l (score_desc order) first, in that order, in O(n log k): a heap of
 * the k best so far, its worst at the root. The rest of l is left in no order. */
static void top_k(clist_t *l, size_t k)
{
    if (k >= l->n) {
        qsort(l->c, l->n, sizeof *l->c, score_desc);
        return;
    }
    cand_t *h = l->c; /* the heap lives in the list's first k places */
    for (size_t i = 0; i < l->n; i++) {
        size_t at;
        if (i < k) {
            h[i] = l->c[i];
            at = i;
            while (at > 0 && score_desc(&h[(at - 1) / 2], &h[at]) < 0) {
                cand_t x = h[at];
                h[at] = h[(at - 1) / 2];
                h[(at - 1) / 2] = x;
                at = (at - 1) / 2;
            }
            continue;
        }
        if (score_desc(&l->c[i], &h[0]) >= 0)
            continue; /* not better than the worst kept */
        h[0] = l->c[i];
        at = 0;
        for (;;) {
            size_t a = 2 * at + 1, b = a + 1, m = at;
            if (a < k && score_desc(&h[a], &h[m]) > 0)
                m = a;
            if (b < k && score_desc(&h[b], &h[m]) > 0)
                m = b;
            if (m == at)
                break;
            cand_t x = h[at];
            h[at] = h[m];
            h[m] = x;
            at = m;
        }
    }
    qsort(h, k, sizeof *h, score_desc);
}

/* --- date order that stops early --- */

/* How many postings the blocks from the one holding `from` on hold, down to the first
 * block older than `floor`: each block's count is in its header, so nothing is decoded.
 * At most SEARCH_DATE_COUNT_BLOCKS blocks are looked at (then `all` is false). */
typedef struct rest {
    uint64_t floor, n;
    size_t blocks;
    bool all;
} rest_t;

static int rest_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    rest_t *c = ud;
    (void)key;
    if (klen <= 16 || vlen < 2)
        return 0;
    if (c->floor && block_first(val, vlen) < c->floor)
        return 1;
    if (++c->blocks > SEARCH_DATE_COUNT_BLOCKS) {
        c->all = false;
        return 1;
    }
    const uint8_t *h = val;
    c->n += ((uint32_t)h[0] | (uint32_t)h[1] << 8) & SEARCH_BLOCK_COUNT;
    return 0;
}

static uint64_t date_floor(const search_query_t *q)
{
    if (!q->has_from || q->from <= 0)
        return 0;
    int64_t f = q->from > ((int64_t)1 << 40) - 1 ? ((int64_t)1 << 40) - 1 : q->from;
    return (uint64_t)f << 24;
}

/* Intersects cand (the rarest term's run, newest first) with term i's postings, adding
 * its score: term i is read from the block holding the run's newest document on, and
 * stops past its oldest. */
static int run_and(store_txn_t *t, const qterm_t *qt, uint32_t df, double idf, double avgdl,
                   const reader_t *base, size_t *budget, clist_t *cand, bool *capped)
{
    reader_t o = *base;
    o.out = (clist_t){0};
    o.want = cand;
    o.df = df;
    o.budget = budget;
    int rc = read_seek(t, qt, &o);
    *capped |= o.capped;
    size_t a = 0, b = 0, m = 0;
    while (rc == 0 && a < cand->n && b < o.out.n) {
        if (cand->c[a].doc == o.out.c[b].doc) {
            cand->c[a].score += bm25(&o.out.c[b], idf, avgdl);
            cand->c[m++] = cand->c[a];
            a++, b++;
        } else if (cand->c[a].doc > o.out.c[b].doc) {
            a++;
        } else {
            b++;
        }
    }
    cand->n = m;
    free(o.out.c);
    return rc;
}

static double term_idf(uint32_t df, uint64_t ndocs)
{
    double d = (double)df;
    double idf = log(1 + ((double)ndocs - d + 0.5) / (d + 0.5));
    return idf < 0.01 ? 0.01 : idf;
}

/* The page's hits: the matches from `skip` on, their records read, up to a page of them
 * (a match whose record is gone is passed over). */
static void fill_page(store_txn_t *t, const search_fam_t *fam, const clist_t *m, size_t skip,
                      search_result_t *out)
{
    for (size_t i = skip; i < m->n && out->n < SEARCH_PAGE_SIZE; i++) {
        search_hit_t *h = &out->hits[out->n];
        if (search_doc_get(t, fam, m->c[i].doc, &h->rec) != 0)
            continue;
        h->doc = m->c[i].doc;
        h->score = m->c[i].score;
        out->n++;
    }
}

/* sort=date without a one-character term (whose several terms are merged whole): the
 * rarest term's postings are read a run of blocks at a time, newest first (from the block
 * holding `to`), each run intersected with the other terms and its phrases verified,
 * until the page is full (search_query.h). */
static int run_date(store_txn_t *t, const search_query_t *q, const qparse_t *p, qterm_t **order,
                    const uint32_t *df, size_t nt, uint16_t nphrases, const reader_t *base,
                    double avgdl, uint64_t ndocs, size_t skip, search_result_t *out)
{
    size_t need = skip + SEARCH_PAGE_SIZE;
    size_t budget = q->max_postings ? q->max_postings : SEARCH_MAX_POSTINGS;
    size_t max_verify = q->max_verify ? q->max_verify : SEARCH_MAX_VERIFY;
    uint64_t from = UINT64_MAX - 1; /* the next run starts at the block holding it */
    if (q->has_to) {
        if (q->to < 0)
            return 0;
        if (q->to < ((int64_t)1 << 40) - 1)
            from = (uint64_t)q->to << 24 | 0xFFFFFF;
    }
    uint64_t floor = date_floor(q);
    size_t target = need * 4 > SEARCH_DATE_RUN ? need * 4 : SEARCH_DATE_RUN;
    size_t verified = 0, bytes = 0;
    double decoded = 0;   /* the rarest term's postings within from/to that were checked */
    double unchecked = 0; /* and those of a run left part way that were not */
    clist_t found = {0};
    bool more = true, older = true, capped = false;
    int rc = 0;
    while (more && found.n < need && !capped) {
        reader_t r = *base;
        r.out = (clist_t){0};
        r.want = NULL;
        r.budget = &budget;
        r.stop_n = target;
        r.floor = floor;
        rc = read_term_from(t, order[0], &r, from);
        capped |= r.capped;
        more = older = r.more && r.last_min > 0; /* the term has blocks past this run */
        if (older)
            from = r.last_min - 1;
        clist_t cand = r.out;
        double idf0 = term_idf(df[0], ndocs);
        for (size_t k = 0; k < cand.n; k++)
            cand.c[k].score = bm25(&cand.c[k], idf0, avgdl);
        for (size_t i = 1; rc == 0 && i < nt && cand.n > 0; i++)
            rc = run_and(t, order[i], df[i], term_idf(df[i], ndocs), avgdl, base, &budget,
                         &cand, &capped);
        if (rc != 0) {
            free(cand.c);
            break;
        }
        /* the run's matches, newest first; phrases verified only up to the page's last
         * (without phrases the whole run counts: it is known already) */
        size_t i = 0;
        for (; i < cand.n && (found.n < need || !nphrases); i++) {
            if (nphrases) {
                if (verified == max_verify || bytes > SEARCH_MAX_VERIFY_BYTES) {
                    capped = true;
                    break;
                }
                verified++;
                if (!phrases_ok(t, base->fam, p, nphrases, cand.c[i].doc, &bytes))
                    continue;
            }
            cl_push(&found, cand.c[i]);
        }
        /* a run left part way counts by the share of it checked */
        double share = i < cand.n ? (double)i / (double)cand.n : 1;
        decoded += (double)r.decoded * share;
        unchecked = (double)r.decoded * (1 - share);
        if (i < cand.n)
            more = true;
        free(cand.c);
        if (target < SEARCH_DATE_RUN_MAX)
            target *= 2;
    }
    if (rc != 0) {
        free(found.c);
        return rc;
    }
    out->total = found.n;
    if (more && found.n > 0 && decoded > 0) {
        /* older postings of the rarest term are left (from the block holding `from` on;
         * a run left part way is counted by its share): estimate what they hold */
        char k[STORE_KEY_MAX + 1];
        size_t pl, kl = seek_key(k, base->fam, order[0], from, &pl);
        rest_t c = {.floor = floor, .all = true};
        if (older && kl && (rc = store_content_each_from(t, k, pl, k, kl, rest_cb, &c)) < 0) {
            free(found.c);
            return rc;
        }
        double left = (double)c.n + unchecked;
        if (!c.all && (double)df[0] > decoded + left)
            left = (double)df[0] - decoded;
        out->total = found.n + (uint64_t)((double)found.n * left / decoded + 0.5);
        capped = true;
    } else if (more) {
        capped = true;
    }
    out->capped = capped;
    fill_page(t, base->fam, &found, skip, out);
    free(found.c);
    return 0;
}

int search_run(store_txn_t *t, const search_query_t *q, search_result_t *out)
{
    memset(out, 0, sizeof *out);
    qparse_t p = {0};
    parse(q->q ? q->q : "", &p);
    if (p.n == 0)
        return 0;
    /* a 文号 (云政发[2026]12号) is one phrase: its terms in order, not anywhere in a text */
    bool quoted = false;
    for (size_t i = 0; i < p.n; i++)
        quoted |= p.t[i].phrase != 0;
    if (!quoted && p.n >= 2 && search_text_is_doc_no(q->q, strlen(q->q)))
        for (size_t i = 0; i < p.n; i++)
            p.t[i].phrase = 1;
    reader_t r = {.q = q, .fam = search_fam_live(t), .walked = &out->walked,
                  .sought = &out->sought};
    int rc;
    if (q->site && (rc = search_site_number(t, q->site, &r.site)) != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    if (q->column && (rc = search_column_number(t, q->column, &r.column)) != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    uint64_t ndocs, total_len;
    search_counters(t, r.fam, &ndocs, &total_len);
    double avgdl = ndocs ? (double)total_len / (double)ndocs : 1;

    /* distinct terms, rarest first */
    qterm_t *order[SEARCH_MAX_TERMS];
    uint32_t df[SEARCH_MAX_TERMS] = {0};
    size_t nt = 0;
    uint16_t nphrases = 0;
    for (size_t i = 0; i < p.n; i++) {
        if (p.t[i].phrase > nphrases)
            nphrases = p.t[i].phrase;
        bool dup = false;
        for (size_t j = 0; j < nt && !dup; j++)
            dup = order[j]->prefix == p.t[i].prefix && order[j]->len == p.t[i].len &&
                  memcmp(order[j]->term, p.t[i].term, p.t[i].len) == 0;
        if (dup)
            continue;
        order[nt] = &p.t[i];
        df[nt++] = term_df(t, r.fam, &p.t[i]);
    }
    for (size_t i = 1; i < nt; i++)
        for (size_t j = i; j > 0 && df[j] < df[j - 1]; j--) {
            uint32_t d = df[j];
            df[j] = df[j - 1], df[j - 1] = d;
            qterm_t *o = order[j];
            order[j] = order[j - 1], order[j - 1] = o;
        }
    if (df[0] == 0)
        return 0; /* a term no document holds */

    size_t skip = (size_t)(q->page ? q->page - 1 : 0) * SEARCH_PAGE_SIZE;
    bool any_prefix = false;
    for (size_t i = 0; i < nt; i++)
        any_prefix |= order[i]->prefix;
    if (q->sort == SEARCH_SORT_DATE && !any_prefix && !q->full)
        return run_date(t, q, &p, order, df, nt, nphrases, &r, avgdl, ndocs, skip, out);

    size_t budget = q->max_postings ? q->max_postings : SEARCH_MAX_POSTINGS;
    size_t max_verify = q->max_verify ? q->max_verify : SEARCH_MAX_VERIFY;
    clist_t cand = {0};
    rc = 0;
    for (size_t i = 0; i < nt; i++) {
        r.out = (clist_t){0};
        r.want = i ? &cand : NULL;
        /* each term gets its share of what is left of the bound, not all of it: the
         * later ones read the blocks that cover the rarest term's newest documents (what
         * could not be reached is left out, `capped`), rather than nothing */
        size_t share = budget / (nt - i), given = share;
        r.budget = &share;
        r.df = df[i];
        rc = read_term(t, order[i], &r);
        budget -= given - share;
        if (rc != 0) {
            free(r.out.c);
            break;
        }
        double d = order[i]->prefix ? (double)r.out.n : (double)df[i];
        double idf = log(1 + ((double)ndocs - d + 0.5) / (d + 0.5));
        if (idf < 0.01)
            idf = 0.01;
        if (i == 0) {
            cand = r.out;
            for (size_t k = 0; k < cand.n; k++)
                cand.c[k].score = bm25(&cand.c[k], idf, avgdl);
        } else {
            /* both newest first: a merge */
            size_t a = 0, b = 0, m = 0;
            while (a < cand.n && b < r.out.n) {
                if (cand.c[a].doc == r.out.c[b].doc) {
                    cand.c[a].score += bm25(&r.out.c[b], idf, avgdl);
                    cand.c[m++] = cand.c[a];
                    a++, b++;
                } else if (cand.c[a].doc > r.out.c[b].doc) {
                    a++;
                } else {
                    b++;
                }
            }
            cand.n = m;
            free(r.out.c);
        }
        if (cand.n == 0)
            break;
    }
    out->capped = r.capped;
    if (rc != 0) {
        free(cand.c);
        return rc;
    }
    if (nphrases) {
        size_t m = 0, bytes = 0;
        for (size_t i = 0; i < cand.n; i++) {
            if (i == max_verify || bytes > SEARCH_MAX_VERIFY_BYTES) {
                out->capped = true;
                break;
            }
            if (phrases_ok(t, r.fam, &p, nphrases, cand.c[i].doc, &bytes))
                cand.c[m++] = cand.c[i];
        }
        cand.n = m;
    }
    r.budget = &budget; /* what is left of the bound (the loop's `share` is out of scope) */
    if ((rc = mark_exact(t, q->q ? q->q : "", &r, &cand)) != 0) {
        free(cand.c);
        return rc;
    }
    for (size_t i = 0; i < cand.n; i++) {
        double age = (double)(q->now - (int64_t)(cand.c[i].doc >> 24)) / 86400.0;
        if (age < 0)
            age = 0;
        cand.c[i].score *= 1 + 0.5 * pow(0.5, age / SEARCH_RECENCY_DAYS);
    }
    if (q->sort == SEARCH_SORT_RELEVANCE && cand.n > 1)
        top_k(&cand, skip + SEARCH_PAGE_SIZE);
    out->total = cand.n;
    fill_page(t, r.fam, &cand, skip, out);
    free(cand.c);
    return 0;
}
