/* modules/content/article_link.c: listings of an article in a parent site's column
 * (article_link.h): their reverse entries (l/), their publication and their removal with
 * the original. */
#include "article_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content_keys.h"
#include "store_keys.h"
#include "util.h"

#define KEYBUF (STORE_KEY_MAX + 1)
#define UNLIST_MAX 256 /* listings of one original: one per column above it, at most */

bool article_is_link(const article_t *a)
{
    return a->format && strcmp(a->format, ARTICLE_FORMAT_LINK) == 0;
}

bool article_link_target(const article_t *a, char *site, char *column, char *id, size_t cap)
{
    if (!article_is_link(a) || a->body_len >= ARTICLE_LINK_REF_MAX)
        return false;
    char ref[ARTICLE_LINK_REF_MAX];
    memcpy(ref, a->body, a->body_len);
    ref[a->body_len] = '\0';
    char *c = strchr(ref, '/');
    char *i = c ? strchr(c + 1, '/') : NULL;
    if (!i || strchr(i + 1, '/'))
        return false;
    *c++ = '\0';
    *i++ = '\0';
    if (!*ref || !*c || !article_id_ok(i) || strlen(ref) >= cap || strlen(c) >= cap ||
        strlen(i) >= cap)
        return false;
    snprintf(site, cap, "%s", ref);
    snprintf(column, cap, "%s", c);
    snprintf(id, cap, "%s", i);
    return true;
}

static size_t key_link(char k[KEYBUF], const char *site, const char *column, const char *id,
                       const char *to_site, const char *to_column)
{
    int n = snprintf(k, KEYBUF, CONTENT_KEY_LINK "%s/%s/%s/%s/%s", site, column, id, to_site,
                     to_column);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

/* Whether listing to_site/to_column/lid is live and a listing of site/column/id. */
static bool points_at(store_txn_t *t, const char *to_site, const char *to_column,
                      const char *lid, const char *site, const char *column, const char *id)
{
    article_t l;
    char s[64], c[64], i[72];
    return article_get(t, to_site, to_column, lid, &l) == STORE_OK &&
           article_link_target(&l, s, c, i, sizeof s) && strcmp(s, site) == 0 &&
           strcmp(c, column) == 0 && strcmp(i, id) == 0;
}

/* The listing id of an entry's value into lid[72]; false when it is not one. */
static bool value_id(const void *v, size_t len, char lid[72])
{
    if (len == 0 || len > 64)
        return false;
    memcpy(lid, v, len);
    lid[len] = '\0';
    return article_id_ok(lid);
}

bool article_link_listed(store_txn_t *t, const char *site, const char *column, const char *id,
                         const char *to_site, const char *to_column)
{
    char k[KEYBUF], lid[72];
    size_t kl = key_link(k, site, column, id, to_site, to_column);
    const void *v;
    size_t len;
    if (!kl || store_content_get(t, k, kl, &v, &len) != STORE_OK || !value_id(v, len, lid))
        return false;
    return points_at(t, to_site, to_column, lid, site, column, id);
}

int article_link_publish_txn(store_txn_t *w, const article_meta_t *m, const char *site,
                             const char *column, const char *id, int64_t now,
                             article_result_t *res, char *err, size_t cap)
{
    article_t orig;
    int rc = article_get(w, site, column, id, &orig);
    if (rc == STORE_NOTFOUND) {
        snprintf(err, cap, "%s/%s/%s.html is not published", site, column, id);
        return -1;
    }
    if (rc != STORE_OK) {
        snprintf(err, cap, "%s", store_strerror(rc));
        return -1;
    }
    if (article_is_link(&orig)) {
        snprintf(err, cap, "%s/%s/%s is itself a listing: offer the original", site, column, id);
        return -1;
    }
    char ref[ARTICLE_LINK_REF_MAX], k[KEYBUF];
    int n = snprintf(ref, sizeof ref, "%s/%s/%s", site, column, id);
    size_t kl = key_link(k, site, column, id, m->site, m->column);
    if (n <= 0 || (size_t)n >= sizeof ref || !kl) {
        snprintf(err, cap, "the reference is too long");
        return -1;
    }
    if (article_publish_txn(w, ARTICLE_PUBLISH, m, ARTICLE_FORMAT_LINK, ref, (size_t)n, NULL, 0,
                            now, res, err, cap) != 0)
        return -1;
    rc = store_content_put(w, k, kl, m->id, strlen(m->id));
    if (rc != STORE_OK) {
        snprintf(err, cap, "%s", store_strerror(rc));
        return -1;
    }
    return 0;
}

int article_link_forget_txn(store_txn_t *w, const article_t *a)
{
    char s[64], c[64], i[72], k[KEYBUF];
    if (!article_link_target(a, s, c, i, sizeof s))
        return STORE_OK;
    size_t kl = key_link(k, s, c, i, a->site, a->column);
    if (!kl)
        return STORE_OK;
    /* only this listing's entry (another listing of it in the same column cannot exist) */
    int rc = store_content_del(w, k, kl);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

typedef struct entry {
    char key[KEYBUF];
    size_t klen;
    char lid[72];
} entry_t;

typedef struct entries {
    entry_t *e;
    size_t n;
} entries_t;

static int collect(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    entries_t *es = ud;
    if (es->n == UNLIST_MAX || klen >= KEYBUF)
        return es->n == UNLIST_MAX;
    entry_t *e = &es->e[es->n];
    if (!value_id(val, vlen, e->lid))
        e->lid[0] = '\0';
    memcpy(e->key, key, klen);
    e->key[klen] = '\0';
    e->klen = klen;
    es->n++;
    return 0;
}

int article_link_unlist_txn(store_txn_t *w, const char *site, const char *column,
                            const char *id, const char *by, int64_t now, char *err, size_t cap)
{
    char p[KEYBUF];
    int n = snprintf(p, sizeof p, CONTENT_KEY_LINK "%s/%s/%s/", site, column, id);
    if (n <= 0 || n >= KEYBUF) {
        snprintf(err, cap, "key too long");
        return -1;
    }
    entries_t es = {util_calloc(UNLIST_MAX, sizeof *es.e), 0};
    int rc = store_content_each(w, p, (size_t)n, collect, &es);
    if (rc < 0 && rc != STORE_NOTFOUND) {
        free(es.e);
        snprintf(err, cap, "%s", store_strerror(rc));
        return -1;
    }
    int ret = 0;
    char reason[ARTICLE_LINK_REF_MAX + 64];
    snprintf(reason, sizeof reason, "the original %s/%s/%s.html was unpublished", site, column,
             id);
    for (size_t i = 0; i < es.n && ret == 0; i++) {
        /* "<to_site>/<to_column>" after the prefix */
        char where[KEYBUF];
        snprintf(where, sizeof where, "%s", es.e[i].key + n);
        char *col = strchr(where, '/');
        if (col)
            *col++ = '\0';
        if (col && es.e[i].lid[0] &&
            points_at(w, where, col, es.e[i].lid, site, column, id) &&
            article_unpublish_txn(w, where, col, es.e[i].lid, by, reason, now, NULL, err,
                                  cap) != 0) {
            ret = -1;
            break;
        }
        /* the entry goes whether its listing was live or stale */
        rc = store_content_del(w, es.e[i].key, es.e[i].klen);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            snprintf(err, cap, "%s", store_strerror(rc));
            ret = -1;
        }
    }
    free(es.e);
    return ret;
}

typedef struct originals {
    char (*ref)[KEYBUF]; /* "<column>/<id>" of each entry, repeats included */
    size_t n, cap;
    size_t plen;
} originals_t;

static int collect_original(void *ud, const void *key, size_t klen, const void *val,
                            size_t vlen)
{
    (void)val;
    (void)vlen;
    originals_t *o = ud;
    if (klen >= KEYBUF || klen <= o->plen)
        return 0;
    char k[KEYBUF];
    memcpy(k, (const char *)key + o->plen, klen - o->plen);
    k[klen - o->plen] = '\0';
    char *id = strchr(k, '/');
    char *rest = id ? strchr(id + 1, '/') : NULL;
    if (!rest)
        return 0;
    *rest = '\0';
    if (o->n && strcmp(o->ref[o->n - 1], k) == 0)
        return 0; /* keys sort: one original's entries are together */
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->ref = util_realloc(o->ref, o->cap * sizeof *o->ref);
    }
    memcpy(o->ref[o->n++], k, strlen(k) + 1);
    return 0;
}

int article_link_purge_site_txn(store_txn_t *w, const char *site, const char *by, int64_t now,
                                long *count, char *err, size_t cap)
{
    char p[KEYBUF];
    int n = snprintf(p, sizeof p, CONTENT_KEY_LINK "%s/", site);
    if (n <= 0 || n >= KEYBUF || strchr(site, '/')) {
        snprintf(err, cap, "key too long");
        return -1;
    }
    originals_t o = {.plen = (size_t)n};
    int rc = store_content_each(w, p, (size_t)n, collect_original, &o);
    if (rc < 0 && rc != STORE_NOTFOUND) {
        free(o.ref);
        snprintf(err, cap, "%s", store_strerror(rc));
        return -1;
    }
    int ret = 0;
    for (size_t i = 0; i < o.n && ret == 0; i++) {
        char *id = strchr(o.ref[i], '/');
        *id++ = '\0';
        ret = article_link_unlist_txn(w, site, o.ref[i], id, by, now, err, cap);
        if (ret == 0)
            (*count)++;
    }
    free(o.ref);
    return ret;
}
