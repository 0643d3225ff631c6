/* modules/search/search_reindex.c: the index rebuilt from the content: every article
 * record (modules/content/content_keys.h a/) indexed as article_publish_txn indexes it,
 * and the digests before and after compared. */
#include "search_reindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "content_keys.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_pages.h"
#include "store_keys.h"
#include "util.h"

typedef struct keys {
    char **k;
    size_t n, cap;
} keys_t;

static int key_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keys_t *ks = ud;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 64;
        ks->k = util_realloc(ks->k, ks->cap * sizeof *ks->k);
    }
    ks->k[ks->n++] = util_strndup(key, klen);
    return 0;
}

/* "a/<site>/<column>/<id>": indexes that article. */
static int index_one(store_txn_t *w, char *key, long *indexed)
{
    char *site = key + CONTENT_KEY_LEN(CONTENT_KEY_ARTICLE);
    char *col = strchr(site, '/');
    char *id = col ? strchr(col + 1, '/') : NULL;
    if (!id)
        return 0; /* not an article key */
    *col++ = '\0';
    *id++ = '\0';
    article_t a;
    int rc = article_get(w, site, col, id, &a);
    if (rc != 0)
        return rc == STORE_NOTFOUND ? 0 : rc;
    /* copies: the record's memory is not ours once the index writes */
    char *title = util_strdup(a.title), *source = util_strdup(a.source);
    char *body = util_strndup(a.body, a.body_len);
    size_t body_len = a.body_len;
    rc = search_index_article(w, site, col, id, title, source, body, body_len, a.pubtime, a.seq);
    free(title);
    free(source);
    free(body);
    if (rc == 0)
        (*indexed)++;
    return rc;
}

int search_reindex(store_txn_t *w, const char *site, const conf_t *c,
                   search_reindex_report_t *rep)
{
    *rep = (search_reindex_report_t){0};
    unsigned char before[32], after[32];
    int rc = search_index_digest(w, site, before);
    if (rc == 0)
        rc = search_index_clear(w, site, false, &rep->removed);
    if (rc != 0)
        return rc;
    char prefix[STORE_KEY_MAX + 1];
    size_t pl = site ? (size_t)snprintf(prefix, sizeof prefix, CONTENT_KEY_ARTICLE "%s/", site)
                     : (size_t)snprintf(prefix, sizeof prefix, CONTENT_KEY_ARTICLE);
    keys_t ks = {0};
    rc = store_content_each(w, prefix, pl, key_cb, &ks);
    if (rc == STORE_NOTFOUND)
        rc = 0;
    for (size_t i = 0; rc == 0 && i < ks.n; i++)
        rc = index_one(w, ks.k[i], &rep->indexed);
    for (size_t i = 0; i < ks.n; i++)
        free(ks.k[i]);
    free(ks.k);
    for (size_t i = 0; rc == 0 && c && i < c->nsites; i++) {
        if (site && strcmp(site, c->sites[i].id) != 0)
            continue;
        long n = 0;
        rc = search_pages_sync(w, c->sites[i].id, &n);
        rep->indexed += n;
    }
    if (rc == 0)
        rc = search_index_digest(w, site, after);
    if (rc == 0)
        rep->equal = memcmp(before, after, sizeof before) == 0;
    return rc;
}

static int size_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    search_size_family_t *f = ud;
    f->entries++;
    f->key_bytes += klen;
    f->value_bytes += vlen;
    return 0;
}

int search_index_size(store_txn_t *t, search_size_t *out)
{
    static const char *const prefixes[] = {SEARCH_KEY_POSTINGS, SEARCH_KEY_DF, SEARCH_KEY_DOC,
                                           SEARCH_KEY_REF, SEARCH_KEY_SITE, SEARCH_KEY_COLUMN,
                                           SEARCH_KEY_COUNTERS};
    /* the site and column numbers share one row */
    static const int row[] = {0, 1, 2, 3, 4, 4, 5};
    *out = (search_size_t){0};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        search_size_family_t *f = &out->f[row[i]];
        if (!f->prefix)
            f->prefix = prefixes[i];
        int rc = store_content_each(t, prefixes[i], strlen(prefixes[i]), size_cb, f);
        if (rc < 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    return 0;
}
