/* tools/jiyuectl/cmd_preview.c: `jiyuectl preview SITE [--days N]`: a preview token for a
 * redesigning site's new generation (status.generation), good for N days (default 7), and
 * the URLs to look at it; `jiyuectl preview SITE --revoke`: every token of the site made
 * so far stops working. A token is an HMAC of "SITE@GEN@EXPIRY" under the site's own
 * secret, kept in the store (created here on first use, replaced by --revoke), so the
 * server needs no list of tokens and a token dies with its generation, its expiry or its
 * secret (modules/lifecycle/lifecycle.h). */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "lifecycle.h"
#include "router.h"
#include "store_keys.h"

#define SECRET_LEN 32
#define DAYS_DEFAULT 7
#define DAYS_MAX 90

typedef struct preview_opts {
    long days;
    bool revoke;
} preview_opts_t;

/* Takes --days N (--days=N) and --revoke out of argv for ctl_parse_args. Returns -1 to go
 * on, else an exit code. */
static int preview_options(ctl_t *ctl, int *argc, char **argv, preview_opts_t *o)
{
    int out = 0;
    const char *days = NULL;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "--revoke") == 0) {
            o->revoke = true;
        } else if (strcmp(a, "--days") == 0) {
            if (i + 1 >= *argc)
                return ctl_usage(ctl, "--days needs a number of days");
            days = argv[++i];
        } else if (strncmp(a, "--days=", 7) == 0) {
            days = a + 7;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    if (days) {
        char *end;
        o->days = strtol(days, &end, 10);
        if (!*days || *end || o->days < 1 || o->days > DAYS_MAX)
            return ctl_usage(ctl, "--days takes a whole number of days from 1 to %d, not '%s'",
                             DAYS_MAX, days);
        if (o->revoke)
            return ctl_usage(ctl, "--revoke makes no token: give it without --days");
    }
    return -1;
}

/* Makes the site's secret (anew when `fresh`) or reads it, into secret. */
static int site_secret(ctl_t *ctl, const char *site, bool fresh, uint8_t secret[SECRET_LEN])
{
    char key[STORE_KEY_MAX + 1];
    if (!store_key_meta_site(key, LIFECYCLE_META_PREVIEW_SECRET, site))
        return ctl_fail(ctl, "'%s' cannot name a preview secret", site);
    int src;
    store_txn_t *w = store_write_begin(ctl->store, &src);
    if (!w)
        return ctl_store_fail(ctl, src, fresh ? "nothing was revoked" : "no token");
    const void *v;
    size_t len;
    src = store_meta_get(w, key, &v, &len);
    if (!fresh && src == 0 && len == SECRET_LEN) {
        memcpy(secret, v, SECRET_LEN);
        store_abort(w);
        return CTL_OK;
    }
    if (RAND_bytes(secret, SECRET_LEN) != 1) {
        store_abort(w);
        return ctl_fail(ctl, "no random bytes for the preview secret");
    }
    src = store_meta_put(w, key, secret, SECRET_LEN);
    return ctl_store_finish(ctl, w, src, fresh ? "nothing was revoked" : "no token");
}

int ctl_cmd_preview(ctl_t *ctl, int argc, char **argv)
{
    preview_opts_t o = {.days = DAYS_DEFAULT};
    int rc = preview_options(ctl, &argc, argv, &o);
    if (rc >= 0)
        return rc;
    const char *gopt;
    int first;
    rc = ctl_parse_args(ctl, argc, argv, 1, &gopt, &first);
    if (rc >= 0)
        return rc;
    if (gopt)
        return ctl_usage(ctl, "the generation previewed is the site's status.generation");
    const char *site = argv[first];
    const conf_site_t *s;
    if ((rc = ctl_load_site(ctl, site, &s)) != CTL_OK)
        return rc;
    uint8_t secret[SECRET_LEN];
    if (o.revoke) {
        /* Whatever the site's state: revoking is always safe. */
        if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK ||
            (rc = site_secret(ctl, site, true, secret)) != CTL_OK)
            return rc;
        printf("revoked every preview token of %s (`jiyuectl preview %s` makes a new one)\n",
               site, site);
        return CTL_OK;
    }
    const lifecycle_conf_t *lc = lifecycle_conf(s);
    if (lc->state != LIFECYCLE_REDESIGN || !lc->generation)
        return ctl_fail(ctl, "%s is not being redesigned (preview needs status: {state: "
                             "redesign, generation: GEN} in %s)", site, s->file);
    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK ||
        (rc = site_secret(ctl, site, false, secret)) != CTL_OK)
        return rc;

    int64_t expires = (int64_t)time(NULL) + (int64_t)o.days * 86400;
    char tok[LIFECYCLE_TOKEN_MAX + 1];
    if (!lifecycle_preview_token(secret, SECRET_LEN, site, lc->generation, expires, tok))
        return ctl_fail(ctl, "cannot make a token for generation %s of %s", lc->generation,
                        site);
    printf("%s\n", tok);
    time_t t = (time_t)expires;
    struct tm tm;
    char when[32];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M %z", &tm);
    router_t *r = router_build(ctl->conf);
    const router_site_t *rs = router_site(r, site);
    fprintf(stderr, "preview of generation %s of %s, good until %s (`jiyuectl preview %s "
                    "--revoke` ends it sooner):\n", lc->generation, site, when, site);
    if (lc->preview_host)
        fprintf(stderr, "  http://%s/?%s=%s\n", lc->preview_host, LIFECYCLE_PREVIEW_PARAM,
                tok);
    if (rs && rs->canon_host)
        fprintf(stderr, "  http://%s%s?%s=%s  (sets a cookie, then shows the new generation)\n",
                rs->canon_host, rs->canon_prefix, LIFECYCLE_PREVIEW_PARAM, tok);
    router_free(r);
    return CTL_OK;
}
