/* modules/search/search_fam.c: the index's families, the live-family pointer "xl", the
 * rebuild's record "xb" and queue "xq/" (search_fam.h). */
#include "search_fam.h"

#include <stdio.h>
#include <string.h>

#include "rec.h"
#include "search_keys.h"
#include "store_keys.h"
#include "util.h"

const search_fam_t search_fams[2] = {
    {'x', "xp/", "xf/", "xd/", "xa/", "xn"},
    {'y', "yp/", "yf/", "yd/", "ya/", "yn"},
};

const search_fam_t *search_fam_other(const search_fam_t *f)
{
    return f == &search_fams[0] ? &search_fams[1] : &search_fams[0];
}

const search_fam_t *search_fam_live(store_txn_t *t)
{
    const void *v;
    size_t len;
    if (store_content_get(t, SEARCH_KEY_LIVE, strlen(SEARCH_KEY_LIVE), &v, &len) == 0 &&
        len == 1 && *(const char *)v == 'y')
        return &search_fams[1];
    return &search_fams[0];
}

int search_fam_switch(store_txn_t *w, const search_fam_t *f)
{
    return store_content_put(w, SEARCH_KEY_LIVE, strlen(SEARCH_KEY_LIVE), &f->id, 1);
}

int search_build_get(store_txn_t *t, search_build_t *b)
{
    *b = (search_build_t){SEARCH_BUILD_NONE, 0};
    const void *v;
    size_t len;
    int rc = store_content_get(t, SEARCH_KEY_BUILD, strlen(SEARCH_KEY_BUILD), &v, &len);
    if (rc == STORE_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    rec_rd_t r = rec_reader(v, len);
    if (!rec_get_head(&r, "JYSB", 1))
        return STORE_ECORRUPT;
    uint64_t phase = rec_get_n(&r, 1);
    b->run = rec_get_n(&r, 8);
    if (r.bad || phase < SEARCH_BUILD_DROP || phase > SEARCH_BUILD_SYNC)
        return STORE_ECORRUPT;
    b->phase = (search_build_phase_t)phase;
    return 0;
}

int search_build_put(store_txn_t *w, const search_build_t *b)
{
    if (b->phase == SEARCH_BUILD_NONE) {
        int rc = store_content_del(w, SEARCH_KEY_BUILD, strlen(SEARCH_KEY_BUILD));
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    util_buf_t buf = {0};
    rec_put_head(&buf, "JYSB", 1);
    rec_put_n(&buf, (uint64_t)b->phase, 1);
    rec_put_n(&buf, b->run, 8);
    int rc = store_content_put(w, SEARCH_KEY_BUILD, strlen(SEARCH_KEY_BUILD), buf.data, buf.len);
    util_buf_free(&buf);
    return rc;
}

/* the rebuild's own transaction on this thread, and the family it fills */
static _Thread_local const store_txn_t *pin_w;
static _Thread_local const search_fam_t *pin_f;

void search_fam_pin(store_txn_t *w, const search_fam_t *f)
{
    pin_w = f ? w : NULL;
    pin_f = f;
}

int search_fam_targets(store_txn_t *w, search_targets_t *out)
{
    *out = (search_targets_t){0};
    if (pin_f && pin_w == w) {
        out->f[out->n++] = pin_f;
        out->clear[out->nclear++] = pin_f;
        return 0;
    }
    const search_fam_t *live = search_fam_live(w);
    out->f[out->n++] = live;
    out->clear[out->nclear++] = live;
    search_build_t b;
    int rc = search_build_get(w, &b);
    if (rc != 0)
        return rc;
    if (b.phase == SEARCH_BUILD_SYNC)
        out->f[out->n++] = search_fam_other(live);
    if (b.phase == SEARCH_BUILD_SYNC || b.phase == SEARCH_BUILD_WALK)
        out->clear[out->nclear++] = search_fam_other(live);
    out->queue = b.phase == SEARCH_BUILD_WALK;
    return 0;
}

int search_fam_queue(store_txn_t *w, const char *site, char type, const char *ref)
{
    char k[STORE_KEY_MAX + 1];
    int n = snprintf(k, sizeof k, SEARCH_KEY_QUEUE "%s/%c/%s", site, type, ref);
    if (n < 0 || (size_t)n >= sizeof k)
        return STORE_EKEY;
    return store_content_put(w, k, (size_t)n, "", 0);
}
