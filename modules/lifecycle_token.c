/* modules/lifecycle_token.c: preview tokens (see lifecycle.h), in a file of their own so
 * that jiyuectl can make them without linking the request machinery. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>

#include "lifecycle.h"

void lifecycle_preview_token(const void *secret, size_t secret_len, const char *site,
                             const char *gen, char out[LIFECYCLE_TOKEN_LEN + 1])
{
    char msg[160];
    int n = snprintf(msg, sizeof msg, "%s@%s", site, gen);
    if (n < 0 || (size_t)n >= sizeof msg)
        n = 0;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned maclen = 0;
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)msg, (size_t)n, mac,
         &maclen);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < LIFECYCLE_TOKEN_LEN / 2; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[LIFECYCLE_TOKEN_LEN] = '\0';
}
