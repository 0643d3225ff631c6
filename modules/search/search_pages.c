/* modules/search/search_pages.c: the imported pages of a site's live generation in the
 * search index (see search_pages.h). */
#include "search_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "search_bulk.h"
#include "search_index.h"
#include "search_keys.h"
#include "search_text.h"
#include "store_keys.h"
#include "url.h"
#include "util.h"

/* entries collected before a bulk flush: bounds the memory an import of many pages takes */
#define SEARCH_PAGES_FLUSH (1u << 20)

typedef struct names {
    char **s;
    size_t n, cap;
} names_t;

static void names_add(names_t *ns, const char *s, size_t n)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 64;
        ns->s = util_realloc(ns->s, ns->cap * sizeof *ns->s);
    }
    ns->s[ns->n++] = util_strndup(s, n);
}

static void names_free(names_t *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->s[i]);
    free(ns->s);
}

static bool is_html(const store_page_t *p)
{
    static const char t[] = "text/html";
    return p->content_type_len >= sizeof t - 1 &&
           util_streq_nocase(p->content_type, sizeof t - 1, t, sizeof t - 1);
}

bool search_pages_wanted(const char *path, size_t path_len, const store_page_t *page)
{
    return is_html(page) && !(path_len == 9 && memcmp(path, "/404.html", 9) == 0);
}

static int page_cb(void *ud, const char *path, size_t path_len, const store_page_t *page)
{
    if (search_pages_wanted(path, path_len, page))
        names_add(ud, path, path_len);
    return 0;
}

/* The first occurrence of tag name `t` (lower case) opening at or after s, or NULL. */
static const char *find_tag(const char *s, size_t n, const char *t, bool closing)
{
    size_t tl = strlen(t);
    for (size_t i = 0; i + tl + 2 <= n; i++) {
        if (s[i] != '<')
            continue;
        size_t j = i + 1;
        if (closing) {
            if (s[j] != '/')
                continue;
            j++;
        }
        if (j + tl <= n && util_streq_nocase(s + j, tl, t, tl) &&
            (j + tl == n || s[j + tl] == '>' || s[j + tl] == ' ' || s[j + tl] == '\t' ||
             s[j + tl] == '\n' || s[j + tl] == '\r' || s[j + tl] == '/'))
            return s + i;
    }
    return NULL;
}

/* The page's part of its document number: pages imported together share their mtime, and
 * every site has an /index.html, so the site and path pick the low bits (the number does
 * not depend on the order pages are indexed in, and a rebuild finds the same numbers). */
static uint64_t path_seq(const char *site, const char *path)
{
    return util_hash_bytes(util_hash_bytes(0x9a9e5, site, strlen(site)), path, strlen(path)) &
           0xFFFFFF;
}

/* Indexes the page at path of namespace ns as a document of site. */
static int index_page(store_txn_t *w, const char *site, const char *ns, const char *path)
{
    store_page_t p;
    int rc = store_page_get(w, ns, path, strlen(path), &p);
    if (rc == STORE_NOTFOUND || (rc == 0 && !search_pages_wanted(path, strlen(path), &p)))
        return search_index_del(w, site, SEARCH_TYPE_PAGE, path); /* (a rebuild's) */
    if (rc != 0)
        return rc;
    /* copies: the page's memory is not ours once the index writes */
    size_t n = p.body_len;
    char *html = util_strndup((const char *)p.body, n);
    int64_t mtime = p.mtime;
    util_buf_t title = {0}, text = {0};
    const char *t = find_tag(html, n, "title", false);
    const char *tend = t ? find_tag(t, n - (size_t)(t - html), "title", true) : NULL;
    if (t && tend) {
        const char *gt = memchr(t, '>', (size_t)(tend - t));
        if (gt)
            search_text_from_html(gt + 1, (size_t)(tend - gt - 1), &title);
    }
    if (!title.len) {
        title.len = 0;
        util_buf_appends(&title, path + 1);
        util_buf_append(&title, "", 1);
        title.len--;
    }
    const char *head_end = find_tag(html, n, "head", true);
    const char *from = head_end ? head_end : html;
    search_text_from_html(from, n - (size_t)(from - html), &text);
    /* the column: a first folder named like a column id */
    char column[64] = "";
    const char *slash = strchr(path + 1, '/');
    if (slash && (size_t)(slash - path - 1) < sizeof column) {
        memcpy(column, path + 1, (size_t)(slash - path - 1));
        column[slash - path - 1] = '\0';
        if (!conf_is_slug(column))
            column[0] = '\0';
    }
    search_doc_t d = {
        .type = SEARCH_TYPE_PAGE,
        .site = site,
        .column = column,
        .ref = path,
        .id = path + 1,
        .title = title.data ? title.data : "",
        .source = NULL,
        .text = text.data ? text.data : "",
        .text_len = text.len,
        .pubtime = mtime,
        .seq = path_seq(site, path),
    };
    rc = search_index_put(w, &d);
    util_buf_free(&title);
    util_buf_free(&text);
    free(html);
    return rc;
}

int search_pages_sync(store_txn_t *w, const char *site, long *indexed)
{
    if (indexed)
        *indexed = 0;
    /* the pages' removals and postings collect in bulk mode and are merged once a term
     * (search_bulk.h), as `publish --batch` does, rather than one block rewritten per page
     * and term; inside a reindex, in bulk mode already, they join it */
    bool own = false;
    int rc = 0;
    if (!search_bulk_active(w)) {
        if ((rc = search_bulk_begin(w)) != 0)
            return rc;
        own = true;
    }
    rc = search_index_del_all(w, site, SEARCH_TYPE_PAGE);
    char ns[STORE_KEY_MAX + 1];
    if (rc == 0)
        rc = store_site_live(w, site, ns, sizeof ns);
    names_t pages = {0};
    if (rc == 0) {
        rc = store_page_each(w, ns, page_cb, &pages);
        rc = rc == STORE_NOTFOUND || rc > 0 ? 0 : rc;
    }
    for (size_t i = 0; rc == 0 && i < pages.n; i++) {
        rc = index_page(w, site, ns, pages.s[i]);
        if (rc == 0 && indexed)
            (*indexed)++;
        if (rc == 0 && search_bulk_pending() >= SEARCH_PAGES_FLUSH)
            rc = search_bulk_flush(w);
    }
    if (own) {
        int erc = search_bulk_end(w, rc == 0);
        rc = rc ? rc : erc;
    }
    names_free(&pages);
    return rc;
}

int search_pages_index(store_txn_t *w, const char *site, const char *path)
{
    char ns[STORE_KEY_MAX + 1];
    int rc = store_site_live(w, site, ns, sizeof ns);
    return rc ? rc : index_page(w, site, ns, path);
}

static bool is_live(store_txn_t *w, const char *site, const char *ns, int *rc)
{
    char live[STORE_KEY_MAX + 1];
    *rc = store_site_live(w, site, live, sizeof live);
    return *rc == 0 && strcmp(live, ns) == 0;
}

int search_pages_sync_if_live(store_txn_t *w, const char *site, const char *ns)
{
    int rc;
    if (!is_live(w, site, ns, &rc))
        return rc;
    return search_pages_sync(w, site, NULL);
}

int search_pages_forget(store_txn_t *w, const char *site, const char *ns, const char *path)
{
    int rc;
    if (!is_live(w, site, ns, &rc))
        return rc;
    return search_index_del(w, site, SEARCH_TYPE_PAGE, path);
}

char *search_pages_url(const char *base, const char *id)
{
    size_t n = strlen(id);
    static const char idx[] = "index.html";
    if (n >= sizeof idx - 1 && strcmp(id + n - (sizeof idx - 1), idx) == 0 &&
        (n == sizeof idx - 1 || id[n - sizeof idx] == '/'))
        n -= sizeof idx - 1;
    util_buf_t b = {0};
    util_buf_appends(&b, base);
    url_append_path(&b, id, n); /* a stored path may hold any byte a file name can */
    util_buf_append(&b, "", 1);
    return b.data;
}
