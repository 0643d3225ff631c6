/* modules/static.c: serves what `jiyuectl import` stored for a site: the page at the
 * request's path below the site's mount, a folder's index.html, and a redirect from a
 * folder named without its trailing slash. The last module in the chain: whatever it does
 * not find is a 404 (the site's own 404 page when it has one). */
#include <string.h>

#include "module.h"
#include "url.h"

#define INDEX_NAME "index.html"

static module_result_t static_handle(request_t *r)
{
    store_txn_t *t = request_store(r);
    if (!t) {
        response_error(r, 503, "the content store is not available");
        return MODULE_DONE;
    }
    char key[4096];
    size_t len = r->rel_len;
    if (len + sizeof INDEX_NAME + 1 > sizeof key) {
        response_error(r, 404, "not found");
        return MODULE_DONE;
    }
    memcpy(key, r->rel, len);
    bool folder = key[len - 1] == '/';
    if (folder) {
        memcpy(key + len, INDEX_NAME, sizeof INDEX_NAME - 1);
        len += sizeof INDEX_NAME - 1;
    }
    store_page_t page;
    int rc = store_page_get(t, r->site->id, key, len, &page);
    if (rc == STORE_NOTFOUND && !folder) {
        /* "/edu/news" where "/edu/news/index.html" exists: send the browser to the folder,
         * so the page's relative links resolve against it. */
        memcpy(key + len, "/" INDEX_NAME, sizeof INDEX_NAME);
        if (store_page_get(t, r->site->id, key, len + sizeof INDEX_NAME, &page) == 0) {
            util_buf_t loc = {0};
            url_append_path(&loc, r->path, r->path_len);
            util_buf_append(&loc, "/", 1);
            if (r->query) {
                util_buf_append(&loc, "?", 1);
                util_buf_append(&loc, r->query, r->query_len);
            }
            response_redirect(r, 301, loc.data, loc.len);
            util_buf_free(&loc);
            return MODULE_DONE;
        }
    }
    if (rc == STORE_NOTFOUND) {
        response_error(r, 404, "not found");
        return MODULE_DONE;
    }
    if (rc != 0) {
        response_error(r, 500, store_strerror(rc));
        return MODULE_DONE;
    }
    response_page(r, 200, &page);
    return MODULE_DONE;
}

const module_t module_static = {
    .name = "static",
    .handle = static_handle,
};
