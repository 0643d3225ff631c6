/* modules/static/redirect.c: the store of a site's migration redirects (see redirect.h), read by
 * modules/static/static.c for every old URL, by the audit's link check and by
 * `jiyuectl redirects`. */
#include "redirect.h"

#include <stdbool.h>
#include <string.h>

#include "store_keys.h"

int redirect_lookup(store_txn_t *t, const char *ns, const char *path, size_t path_len,
                    const char *query, size_t query_len, const void **to, size_t *to_len)
{
    /* The site is the namespace up to its '@': "edu@v2" is generation v2 of "edu". */
    char site[STORE_KEY_MAX + 1], key[STORE_KEY_MAX + 1];
    const char *at = strchr(ns, '@');
    size_t n = at ? (size_t)(at - ns) : strlen(ns);
    if (n >= sizeof site)
        return STORE_NOTFOUND;
    memcpy(site, ns, n);
    site[n] = '\0';
    int rc = STORE_NOTFOUND;
    if (store_key_redirect(key, site, path, path_len, query, query_len))
        rc = store_meta_get(t, key, to, to_len);
    /* The older layout: a generation's own redirects, only when the site has none. */
    if (rc == STORE_NOTFOUND && at && store_key_redirect(key, ns, path, path_len, query, query_len))
        rc = store_meta_get(t, key, to, to_len);
    if (rc == 0 && *to_len == 0)
        rc = STORE_NOTFOUND;
    return rc;
}

typedef struct each_ctx {
    size_t site_len;
    bool generations; /* listing "redir/<site>@..." */
    redirect_fn fn;
    void *ud;
} each_ctx_t;

static int each_cb(void *ud, const char *key, size_t klen, const void *val, size_t len)
{
    each_ctx_t *c = ud;
    size_t at = sizeof STORE_META_REDIR - 1 + c->site_len;
    const char *gen = NULL, *old = key + at;
    size_t gen_len = 0, old_len = klen - at;
    if (c->generations) {
        gen = key + at + 1; /* after '@', up to the path's '/' */
        const char *slash = memchr(gen, '/', klen - at - 1);
        if (!slash)
            return 0; /* not a redirect key */
        gen_len = (size_t)(slash - gen);
        old = slash;
        old_len = klen - (size_t)(slash - key);
    }
    if (len == 0)
        return 0;
    return c->fn(c->ud, gen, gen_len, old, old_len, val, len);
}

int redirect_each(store_txn_t *t, const char *site, redirect_fn fn, void *ud)
{
    char prefix[STORE_KEY_MAX + 1];
    size_t n = store_key_meta_site(prefix, STORE_META_REDIR, site);
    if (n == 0 || n + 1 > STORE_KEY_MAX)
        return STORE_EKEY;
    each_ctx_t c = {strlen(site), false, fn, ud};
    prefix[n] = '/'; /* "redir/edu/" and not "redir/edu2/" */
    prefix[n + 1] = '\0';
    int rc = store_meta_each(t, prefix, each_cb, &c);
    if (rc != 0)
        return rc;
    prefix[n] = '@';
    c.generations = true;
    return store_meta_each(t, prefix, each_cb, &c);
}
