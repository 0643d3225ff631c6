/* modules/lifecycle/lifecycle_token.h: a redesign's preview tokens (defined in
 * modules/lifecycle/lifecycle_token.c, a file of its own so that jiyuectl can make them without
 * linking the request machinery). Part of the lifecycle module (modules/lifecycle/lifecycle.h). */
#ifndef JIYUE_LIFECYCLE_TOKEN_H
#define JIYUE_LIFECYCLE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A preview token lets one browser see generation `gen` of `site` (its pages only, read
 * only, never anything else of the cluster) until `expires` (seconds since the epoch):
 * "<expires>.<mac>", mac the first 16 bytes of HMAC-SHA256(secret, "<site>@<gen>@<expires>")
 * in lower-case hex. The secret is the site's own (store_keys.h "secret/preview/<site>"),
 * so the server keeps no list of tokens, and `jiyuectl preview SITE --revoke` replacing
 * it invalidates every token made before. */
#define LIFECYCLE_MAC_LEN 32
#define LIFECYCLE_TOKEN_MAX 45                 /* 12 digits, '.', the MAC */
#define LIFECYCLE_EXPIRES_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
/* Writes the token into out; false when the inputs cannot make one. */
bool lifecycle_preview_token(const void *secret, size_t secret_len, const char *site,
                             const char *gen, int64_t expires, char out[LIFECYCLE_TOKEN_MAX + 1]);
/* Whether tok (len bytes, as a client sent it) is a token of site@gen under secret that
 * has not expired at `now`; its expiry goes to *expires (may be NULL). */
bool lifecycle_preview_token_ok(const void *secret, size_t secret_len, const char *site,
                                const char *gen, const char *tok, size_t len, int64_t now,
                                int64_t *expires);
/* The key family in the store's "meta" database (store_keys.h; build keys with
 * store_key_meta_site):
 *   "secret/preview/<site>"  32 random bytes keying the site's preview tokens;
 *                       `jiyuectl preview SITE --revoke` replaces them (and `jiyuectl
 *                       purge` removes them). (An older store's "secret/preview" is no
 *                       longer read.) */
#define LIFECYCLE_META_PREVIEW_SECRET "secret/preview/"

/* Cookie and query parameter that carry it. */
#define LIFECYCLE_PREVIEW_PARAM "preview"
#define LIFECYCLE_PREVIEW_COOKIE "jiyue_preview"

#endif
