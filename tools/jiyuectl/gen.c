/* tools/jiyuectl/gen.c: reading and writing a site's live and previous generation. */
#include "gen.h"

#include <stdio.h>
#include <string.h>

#include "store_keys.h"

int gen_get(store_txn_t *t, const char *family, const char *site, char *buf, size_t cap)
{
    char key[STORE_KEY_MAX + 1];
    if (!store_key_meta_site(key, family, site))
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_meta_get(t, key, &v, &len);
    if (rc != 0)
        return rc;
    if (len + 1 > cap)
        return STORE_ECORRUPT;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return 0;
}

int gen_put(store_txn_t *t, const char *family, const char *site, const char *gen)
{
    char key[STORE_KEY_MAX + 1];
    if (!store_key_meta_site(key, family, site))
        return STORE_EKEY;
    return store_meta_put(t, key, gen, strlen(gen));
}

int gen_live(store_txn_t *t, const char *site, char *buf, size_t cap)
{
    int rc = gen_get(t, STORE_META_LIVE, site, buf, cap);
    if (rc == STORE_NOTFOUND) {
        buf[0] = '\0';
        rc = 0;
    }
    return rc;
}

static int stop_at_first(void *ud, const char *path, size_t path_len, const store_page_t *p)
{
    (void)path, (void)path_len, (void)p;
    *(bool *)ud = true;
    return 1;
}

bool gen_has_pages(store_txn_t *t, const char *ns)
{
    bool any = false;
    store_page_each(t, ns, stop_at_first, &any);
    return any;
}

const char *gen_label(const char *gen, const char *site, char *buf, size_t cap)
{
    if (gen[0])
        snprintf(buf, cap, "%s", gen);
    else
        snprintf(buf, cap, "base (%s)", site);
    return buf;
}
