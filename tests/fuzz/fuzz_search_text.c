/* tests/fuzz/fuzz_search_text.c: libFuzzer harness for what the search index makes of any
 * text (modules/search/search_text.c) and of any postings block (search_postings.c): terms
 * are 1..SEARCH_TERM_MAX bytes, never hold '/' (the key layout relies on it), positions
 * count up by one (a query's may skip the index's lone last character of a CJK run), a
 * one-character prefix only in query mode; the plain text of any HTML is no longer than
 * the HTML plus what entities add, and a decoded block encodes back to
 * the same bytes; any query string is read or refused with a reason, and what is read
 * keeps to its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "search_keys.h"
#include "search_postings.h"
#include "search_text.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

typedef struct st {
    uint32_t next;
    search_text_mode_t mode;
} st_t;

static int cb(void *ud, const char *term, size_t len, uint32_t pos, bool prefix)
{
    st_t *s = ud;
    CHECK(len >= 1 && len <= SEARCH_TERM_MAX);
    CHECK(!memchr(term, '/', len));
    /* the index counts up by one; a query may skip one place at the end of a CJK run
     * (the index's lone last character, which a query does not ask for) */
    CHECK(s->mode == SEARCH_TEXT_QUERY ? pos >= s->next : pos == s->next);
    CHECK(!prefix || s->mode == SEARCH_TEXT_QUERY);
    s->next = pos + 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    for (int m = 0; m < 2; m++) {
        st_t s = {0, m ? SEARCH_TEXT_QUERY : SEARCH_TEXT_INDEX};
        uint32_t pos = 0;
        CHECK(search_text_terms(text, size, s.mode, &pos, cb, &s) == 0);
        CHECK(m ? pos >= s.next : pos == s.next);
    }
    util_buf_t b = {0};
    search_text_from_html(text, size, &b);
    /* an entity's character is never longer than the entity ("&#1;" is 4 bytes for 1) */
    CHECK(b.len <= size);
    CHECK(!b.data || b.data[b.len] == '\0');
    util_buf_free(&b);

    search_posting_t e[SEARCH_BLOCK_MAX];
    int n = search_block_decode(data, size, e, SEARCH_BLOCK_MAX);
    CHECK(n >= -1 && n <= SEARCH_BLOCK_MAX);
    if (n > 0) {
        for (int i = 1; i < n; i++)
            CHECK(e[i].doc < e[i - 1].doc);
        search_block_encode(e, (size_t)n, &b);
        search_posting_t again[SEARCH_BLOCK_MAX];
        CHECK(search_block_decode(b.data, b.len, again, SEARCH_BLOCK_MAX) == n);
        CHECK(memcmp(&again[n - 1].doc, &e[n - 1].doc, sizeof e[0].doc) == 0);
        util_buf_free(&b);
    }
    /* the search page's parameters */
    search_query_t q;
    bool json;
    char *buf = malloc(size + 16);
    if (buf) {
        const char *why = search_params_parse(text, size, &q, &json, buf, size + 16);
        if (!why) {
            CHECK(q.q && strlen(q.q) <= size && q.page >= 1 && q.page <= SEARCH_PAGE_MAX);
            util_buf_t sn = {0};
            search_text_snippet(text, size, q.q, &sn);
            util_buf_free(&sn);
        }
        free(buf);
    }
    return 0;
}
