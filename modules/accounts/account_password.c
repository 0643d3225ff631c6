/* modules/accounts/account_password.c: the password rules, Argon2id hashing and
 * verification through libargon2, and generated passwords (account_password.h). */
#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "account_password.h"

bool account_password_ok(const char *pw, size_t len, char *err, size_t errcap)
{
    if (len > ACCOUNT_PASSWORD_MAX) {
        snprintf(err, errcap, "password is too long (at most %d bytes)", ACCOUNT_PASSWORD_MAX);
        return false;
    }
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(err, errcap, "password must be one line without control characters");
            return false;
        }
        if ((c & 0xc0) != 0x80) /* not a UTF-8 continuation byte: a new character */
            chars++;
    }
    if (chars < ACCOUNT_PASSWORD_MIN) {
        snprintf(err, errcap, "password is too short: at least %d characters", ACCOUNT_PASSWORD_MIN);
        return false;
    }
    return true;
}

int account_password_hash(const char *pw, size_t len, char *out, size_t cap, char *err,
                          size_t errcap)
{
    unsigned char salt[ACCOUNT_ARGON2_SALT];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        snprintf(err, errcap, "no randomness for the password's salt (OpenSSL RAND_bytes)");
        return -1;
    }
    int rc = argon2id_hash_encoded(ACCOUNT_ARGON2_T, ACCOUNT_ARGON2_M_KIB, ACCOUNT_ARGON2_P, pw,
                                   len, salt, sizeof salt, ACCOUNT_ARGON2_HASH, out, cap);
    OPENSSL_cleanse(salt, sizeof salt);
    if (rc != ARGON2_OK) {
        snprintf(err, errcap, "cannot hash the password: %s", argon2_error_message(rc));
        if (cap)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

bool account_password_verify(const char *encoded, const char *pw, size_t len)
{
    static const char prefix[] = "$argon2id$";
    if (!encoded || strncmp(encoded, prefix, sizeof prefix - 1) != 0) {
        /* The same work as a verification, thrown away: no answer comes sooner for a
         * name that has no account. */
        static const unsigned char salt[ACCOUNT_ARGON2_SALT] = "jiyue-noaccount"; /* 15 and the NUL */
        unsigned char sink[ACCOUNT_ARGON2_HASH];
        (void)argon2id_hash_raw(ACCOUNT_ARGON2_T, ACCOUNT_ARGON2_M_KIB, ACCOUNT_ARGON2_P, pw,
                                len, salt, sizeof salt, sink, sizeof sink);
        OPENSSL_cleanse(sink, sizeof sink);
        return false;
    }
    return argon2id_verify(encoded, pw, len) == ARGON2_OK;
}

int account_password_generate(char *out, size_t cap)
{
    /* No 0/O, 1/l/I, so that a password read off a screen is typed right. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const unsigned n = sizeof alphabet - 1; /* 56 */
    const unsigned limit = 256 - 256 % n;   /* 224: below it every letter is equally likely */
    if (cap <= ACCOUNT_PASSWORD_GEN_LEN)
        return -1;
    size_t have = 0;
    unsigned char rnd[64];
    while (have < ACCOUNT_PASSWORD_GEN_LEN) {
        if (RAND_bytes(rnd, sizeof rnd) != 1) {
            account_password_wipe(out, cap);
            return -1;
        }
        for (size_t i = 0; i < sizeof rnd && have < ACCOUNT_PASSWORD_GEN_LEN; i++)
            if (rnd[i] < limit)
                out[have++] = alphabet[rnd[i] % n];
    }
    out[have] = '\0';
    OPENSSL_cleanse(rnd, sizeof rnd);
    return 0;
}

void account_password_wipe(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}
