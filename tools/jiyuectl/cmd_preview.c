/* tools/jiyuectl/cmd_preview.c: `jiyuectl preview SITE`: the preview token of a
 * redesigning site's new generation (status.generation) and the URLs to look at it. The
 * token is an HMAC of "SITE@GEN" under a secret kept in the store (created here on first
 * use), so the server needs no list of tokens and a token dies with its generation. */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "lifecycle.h"
#include "router.h"
#include "store_keys.h"

#define SECRET_LEN 32

int ctl_cmd_preview(ctl_t *ctl, int argc, char **argv)
{
    const char *gopt;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 1, &gopt, &first);
    if (rc >= 0)
        return rc;
    if (gopt)
        return ctl_usage(ctl, "the generation previewed is the site's status.generation");
    const char *site = argv[first];
    const conf_site_t *s;
    if ((rc = ctl_load_site(ctl, site, &s)) != CTL_OK)
        return rc;
    if (s->status.state != STATUS_REDESIGN || !s->status.generation)
        return ctl_fail(ctl, "%s is not being redesigned (preview needs status: {state: "
                             "redesign, generation: GEN} in %s)", site, s->file);
    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK)
        return rc;

    int src;
    store_txn_t *w = store_write_begin(ctl->store, &src);
    if (!w)
        return ctl_store_fail(ctl, src, "no token");
    uint8_t secret[SECRET_LEN];
    const void *v;
    size_t len;
    src = store_meta_get(w, STORE_META_PREVIEW_SECRET, &v, &len);
    if (src == 0 && len == SECRET_LEN) {
        memcpy(secret, v, SECRET_LEN);
        store_abort(w);
    } else {
        if (RAND_bytes(secret, SECRET_LEN) != 1) {
            store_abort(w);
            return ctl_fail(ctl, "no random bytes for the preview secret");
        }
        src = store_meta_put(w, STORE_META_PREVIEW_SECRET, secret, SECRET_LEN);
        if (src == 0)
            src = store_commit(w);
        else
            store_abort(w);
        if (src != 0)
            return ctl_store_fail(ctl, src, "no token");
    }
    char tok[LIFECYCLE_TOKEN_LEN + 1];
    lifecycle_preview_token(secret, SECRET_LEN, site, s->status.generation, tok);
    printf("%s\n", tok);
    router_t *r = router_build(ctl->conf);
    const router_site_t *rs = router_site(r, site);
    fprintf(stderr, "preview of generation %s of %s:\n", s->status.generation, site);
    if (s->status.preview_host)
        fprintf(stderr, "  http://%s/\n", s->status.preview_host);
    if (rs && rs->canon_host)
        fprintf(stderr, "  http://%s%s?%s=%s  (sets a cookie, then shows the new generation)\n",
                rs->canon_host, rs->canon_prefix, LIFECYCLE_PREVIEW_PARAM, tok);
    router_free(r);
    return CTL_OK;
}
