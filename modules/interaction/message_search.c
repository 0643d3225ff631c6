/* modules/interaction/message_search.c: answered messages as search documents and their
 * public page's number (see message_search.h). */
#include "message_search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search_index.h"
#include "store_keys.h"
#include "util.h"

#define KEYBUF (STORE_KEY_MAX + 1)

static size_t key_public(char *k, const char *site, const char *column, uint64_t seq)
{
    int n = snprintf(k, KEYBUF, "mp/%s/%s/%016" PRIx64, site, column, seq);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

int message_public_code(store_txn_t *t, const char *site, const char *column, uint64_t seq,
                        char *code)
{
    char k[KEYBUF];
    size_t kl = key_public(k, site, column, seq);
    const void *v;
    size_t len;
    int rc = kl ? store_content_get(t, k, kl, &v, &len) : STORE_NOTFOUND;
    if (rc != 0)
        return rc;
    if (len != MESSAGE_CODE_LEN)
        return STORE_ECORRUPT;
    memcpy(code, v, len);
    code[len] = '\0';
    return 0;
}

int message_search_put(store_txn_t *w, const message_t *m)
{
    message_reply_t rp;
    int rc = message_reply_latest(w, m, &rp);
    if (rc != 0)
        return rc;
    /* copies: the store's memory is not ours once the index writes */
    util_buf_t text = {0};
    util_buf_printf(&text, "%s %s", m->body, rp.text);
    char *by = util_strdup(rp.by);
    char ref[KEYBUF], id[24], k[KEYBUF];
    snprintf(ref, sizeof ref, "%s/%" PRIu64, m->column, m->seq);
    snprintf(id, sizeof id, "%" PRIu64, m->seq);
    search_doc_t d = {.type = SEARCH_TYPE_MESSAGE, .site = m->site, .column = m->column,
                      .ref = ref, .id = id, .title = m->title, .source = by,
                      .text = text.data, .text_len = text.len, .pubtime = m->first_reply,
                      .seq = m->seq};
    rc = search_index_put(w, &d);
    size_t kl = key_public(k, m->site, m->column, m->seq);
    if (rc == 0)
        rc = kl ? store_content_put(w, k, kl, m->code, strlen(m->code)) : STORE_EKEY;
    free(by);
    util_buf_free(&text);
    return rc;
}

int message_search_del(store_txn_t *w, const message_t *m)
{
    char ref[KEYBUF], k[KEYBUF];
    snprintf(ref, sizeof ref, "%s/%" PRIu64, m->column, m->seq);
    int rc = search_index_del(w, m->site, SEARCH_TYPE_MESSAGE, ref);
    size_t kl = key_public(k, m->site, m->column, m->seq);
    if (rc == 0 && kl) {
        rc = store_content_del(w, k, kl);
        if (rc == STORE_NOTFOUND)
            rc = 0;
    }
    return rc;
}

typedef struct codes {
    char (*c)[MESSAGE_CODE_LEN + 1];
    size_t n, cap;
} codes_t;

static int code_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    codes_t *cs = ud;
    if (vlen != MESSAGE_CODE_LEN)
        return 0;
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 64;
        cs->c = util_realloc(cs->c, cs->cap * sizeof *cs->c);
    }
    memcpy(cs->c[cs->n], val, vlen);
    cs->c[cs->n++][vlen] = '\0';
    return 0;
}

int message_search_index_code(store_txn_t *w, const char *code, bool *indexed)
{
    *indexed = false;
    message_t m;
    int rc = message_get(w, code, &m);
    if (rc == STORE_NOTFOUND)
        return 0; /* an index entry without its record: nothing public */
    if (rc != 0 || m.spam_time || m.nreplies == 0)
        return rc;
    /* the record's strings into copies: indexing writes */
    char *s[] = {util_strdup(m.site), util_strdup(m.column), util_strdup(m.code),
                 util_strdup(m.title), util_strdup(m.body)};
    message_t c = m;
    c.site = s[0], c.column = s[1], c.code = s[2], c.title = s[3], c.body = s[4];
    rc = message_search_put(w, &c);
    *indexed = rc == 0;
    for (size_t j = 0; j < UTIL_ARRAY_LEN(s); j++)
        free(s[j]);
    return rc;
}

int message_search_refresh(store_txn_t *w, const char *site, const char *ref)
{
    /* ref: "<column>/<seq>" */
    const char *slash = strrchr(ref, '/');
    char column[KEYBUF], code[MESSAGE_CODE_LEN + 1];
    char *end = NULL;
    unsigned long long seq = slash ? strtoull(slash + 1, &end, 10) : 0;
    int rc = STORE_NOTFOUND;
    if (slash && end && !*end && (size_t)(slash - ref) < sizeof column) {
        memcpy(column, ref, (size_t)(slash - ref));
        column[slash - ref] = '\0';
        rc = message_public_code(w, site, column, seq, code);
    }
    bool indexed = false;
    if (rc == 0)
        rc = message_search_index_code(w, code, &indexed);
    else if (rc == STORE_NOTFOUND)
        rc = 0;
    if (rc == 0 && !indexed)
        rc = search_index_del(w, site, SEARCH_TYPE_MESSAGE, ref);
    return rc;
}

int message_search_reindex(store_txn_t *w, const char *site, long *indexed)
{
    char p[KEYBUF];
    int pl = site ? snprintf(p, sizeof p, "ma/%s/", site) : snprintf(p, sizeof p, "ma/");
    codes_t cs = {0};
    int rc = store_content_each(w, p, (size_t)pl, code_cb, &cs);
    if (rc == STORE_NOTFOUND)
        rc = 0;
    for (size_t i = 0; rc == 0 && i < cs.n; i++) {
        bool one;
        rc = message_search_index_code(w, cs.c[i], &one);
        if (rc == 0 && one && indexed)
            (*indexed)++;
    }
    free(cs.c);
    return rc;
}
