/* modules/lifecycle/lifecycle_token.c: preview tokens (see lifecycle.h), in a file of their own so
 * that jiyuectl can make them without linking the request machinery. */
#include "lifecycle_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"

/* The hex MAC of "<site>@<gen>@<expires>"; false when the message does not fit. */
static bool token_mac(const void *secret, size_t secret_len, const char *site, const char *gen,
                      int64_t expires, char out[LIFECYCLE_MAC_LEN + 1])
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "%s@%s@%lld", site, gen, (long long)expires);
    if (n < 0 || (size_t)n >= sizeof msg)
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    if (!HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)msg, (size_t)n, mac,
              &maclen))
        return false;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < LIFECYCLE_MAC_LEN / 2; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[LIFECYCLE_MAC_LEN] = '\0';
    return true;
}

bool lifecycle_preview_token(const void *secret, size_t secret_len, const char *site,
                             const char *gen, int64_t expires, char out[LIFECYCLE_TOKEN_MAX + 1])
{
    char mac[LIFECYCLE_MAC_LEN + 1];
    if (expires <= 0 || expires > LIFECYCLE_EXPIRES_MAX ||
        !token_mac(secret, secret_len, site, gen, expires, mac))
        return false;
    snprintf(out, LIFECYCLE_TOKEN_MAX + 1, "%lld.%s", (long long)expires, mac);
    return true;
}

bool lifecycle_preview_token_ok(const void *secret, size_t secret_len, const char *site,
                                const char *gen, const char *tok, size_t len, int64_t now,
                                int64_t *expires)
{
    /* "<digits>.<32 hex>", the digits without a leading zero and at most 12 of them. */
    const char *dot = memchr(tok, '.', len);
    size_t nd = dot ? (size_t)(dot - tok) : 0;
    if (!dot || nd == 0 || nd > 12 || tok[0] == '0' || len - nd - 1 != LIFECYCLE_MAC_LEN)
        return false;
    int64_t exp = 0;
    for (size_t i = 0; i < nd; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return false;
        exp = exp * 10 + (tok[i] - '0');
    }
    char want[LIFECYCLE_MAC_LEN + 1];
    if (exp <= now || exp > LIFECYCLE_EXPIRES_MAX ||
        !token_mac(secret, secret_len, site, gen, exp, want))
        return false;
    if (CRYPTO_memcmp(want, dot + 1, LIFECYCLE_MAC_LEN) != 0)
        return false;
    if (expires)
        *expires = exp;
    return true;
}
