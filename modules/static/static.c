/* modules/static/static.c: serves what `jiyuectl import` stored for a site: the page at the
 * request's path below the site's mount, a folder's index.html, and a redirect from a
 * folder named without its trailing slash. It reads the site's LIVE generation (the
 * namespace `jiyuectl promote` switched to, "edu" or "edu@v2"), looked up in the same
 * read transaction as the page, so a promote takes effect between two requests and never
 * inside one (or the generation a preview shows: request.h pages_ns). Old URLs of a
 * migrated site (a wget mirror imported with its redirect map; the site's, whatever
 * generation serves, modules/static/redirect.h) answer 301 to their new place. The last module
 * in the chain: whatever it does not find is a 404 (the site's own 404 page when it has
 * one). */
#include <string.h>

#include "module.h"
#include "redirect.h"
#include "static.h"
#include "store_keys.h"
#include "url.h"

#define INDEX_NAME "index.html"

/* The mount prefix as this request spelled it (r->path minus r->rel), so that redirects
 * stay on the host the client used: the canonical host after an alias hop, or a preview
 * host. */
static void append_base(util_buf_t *b, const request_t *r)
{
    size_t base = r->path_len >= r->rel_len ? r->path_len - r->rel_len : 0;
    url_append_path(b, r->path, base);
}

/* A stored redirect of namespace ns for rel (+ "?query" when query is not NULL): 301 to
 * its target. Returns false when there is none. */
static bool stored_redirect(request_t *r, store_txn_t *t, const char *ns, const char *query,
                            size_t query_len)
{
    const void *v;
    size_t len;
    if (redirect_lookup(t, ns, r->rel, r->rel_len, query, query_len, &v, &len) != 0)
        return false;
    const char *to = v;
    util_buf_t loc = {0};
    if (to[0] == '/') {
        /* A site-relative path, maybe with its own query: encode the path only. */
        const char *q = memchr(to, '?', len);
        size_t plen = q ? (size_t)(q - to) : len;
        append_base(&loc, r);
        url_append_path(&loc, to, plen);
        if (q)
            util_buf_append(&loc, q, len - plen);
    } else {
        util_buf_append(&loc, to, len); /* an absolute URL, checked at import */
    }
    response_redirect(r, 301, loc.data, loc.len);
    util_buf_free(&loc);
    return true;
}

void static_serve_ns(request_t *r, const char *ns)
{
    store_txn_t *t = request_store(r);
    if (!t) {
        response_error(r, 503, "the content store is not available");
        return;
    }
    /* Query strings are part of an old site's URLs (/show.asp?id=12); only a migrated
     * site has such redirects, so a request without a query never pays for the lookup. */
    if (r->query && r->query_len > 0 && stored_redirect(r, t, ns, r->query, r->query_len))
        return;
    char key[4096];
    size_t len = r->rel_len;
    if (len + sizeof INDEX_NAME + 1 > sizeof key) {
        response_error(r, 404, "not found");
        return;
    }
    memcpy(key, r->rel, len);
    bool folder = key[len - 1] == '/';
    if (folder) {
        memcpy(key + len, INDEX_NAME, sizeof INDEX_NAME - 1);
        len += sizeof INDEX_NAME - 1;
    }
    store_page_t page;
    int rc = store_page_get(t, ns, key, len, &page);
    /* A path too long to be a store key cannot have been imported: it does not exist. */
    if (rc == STORE_EKEY)
        rc = STORE_NOTFOUND;
    if (rc == STORE_NOTFOUND && !folder) {
        /* "/edu/news" where "/edu/news/index.html" exists: send the browser to the folder,
         * so the page's relative links resolve against it. */
        memcpy(key + len, "/" INDEX_NAME, sizeof INDEX_NAME);
        if (store_page_get(t, ns, key, len + sizeof INDEX_NAME, &page) == 0) {
            response_redirect_to_folder(r);
            return;
        }
    }
    if (rc == STORE_NOTFOUND) {
        /* Stored pages win over the redirect map: the map only answers for URLs that
         * have no page (an old "/about.asp" now stored as "/about.asp.html"). */
        if (stored_redirect(r, t, ns, NULL, 0))
            return;
        /* The generation's own 404 page (core's response_error knows the base one only). */
        if (store_page_get(t, ns, "/404.html", 9, &page) == 0)
            response_page(r, 404, &page);
        else
            response_error(r, 404, "not found");
        return;
    }
    if (rc != 0) {
        response_error(r, 500, store_strerror(rc));
        return;
    }
    response_page(r, 200, &page);
}

static module_result_t static_handle(request_t *r)
{
    store_txn_t *t = request_store(r);
    if (!t) {
        response_error(r, 503, "the content store is not available");
        return MODULE_DONE;
    }
    char ns[STORE_KEY_MAX + 1]; /* the live generation, or the one a preview shows */
    if (request_pages_ns(r, ns, sizeof ns) != 0) {
        response_error(r, 500, "bad live generation");
        return MODULE_DONE;
    }
    static_serve_ns(r, ns);
    return MODULE_DONE;
}

module_t module_static = {
    .name = "static",
    .handle = static_handle,
};
