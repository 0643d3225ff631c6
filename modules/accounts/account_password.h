/* modules/accounts/account_password.h: console passwords: what a password must be, its
 * Argon2id hash (Debian's libargon2) as the standard encoded string
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" with a random 16-byte salt (OpenSSL's
 * RAND_bytes), verification in constant time (argon2id_verify), and generated passwords.
 *
 * The cost is OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): tens of
 * milliseconds of one core per hash or verification, which is why the console must run
 * them off the event loop (the writer thread or a pool), never on a worker.
 * A password or a hash is never printed or logged by this code, and the buffers that held
 * a password are wiped (OPENSSL_cleanse) by the functions that made them. */
#ifndef JIYUE_ACCOUNT_PASSWORD_H
#define JIYUE_ACCOUNT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define ACCOUNT_PASSWORD_MIN 10   /* characters (UTF-8 code points) */
#define ACCOUNT_PASSWORD_MAX 1024 /* bytes: bounds what the KDF is fed */
/* The Argon2id parameters (OWASP's minimum; raising them only makes new hashes dearer:
 * every stored hash carries its own). */
#define ACCOUNT_ARGON2_M_KIB 19456
#define ACCOUNT_ARGON2_T 2
#define ACCOUNT_ARGON2_P 1
#define ACCOUNT_ARGON2_SALT 16
#define ACCOUNT_ARGON2_HASH 32
/* Room for the encoded string of these parameters (about 100 bytes) and larger ones. */
#define ACCOUNT_HASH_MAX 160
/* Characters of a generated password: 20 of 56 unambiguous letters and digits, 116 bits. */
#define ACCOUNT_PASSWORD_GEN_LEN 20

/* Whether `pw` (len bytes) may be a password: at least ACCOUNT_PASSWORD_MIN characters,
 * at most ACCOUNT_PASSWORD_MAX bytes, no NUL, line break or other control character.
 * On false, a one-line reason (never the password) in err. */
bool account_password_ok(const char *pw, size_t len, char *err, size_t errcap);

/* Hashes `pw` into out (NUL-terminated encoded string, cap >= ACCOUNT_HASH_MAX). Returns 0,
 * or -1 with a reason in err (no randomness, out of memory). Does not check the rules. */
int account_password_hash(const char *pw, size_t len, char *out, size_t cap, char *err,
                          size_t errcap);

/* Whether `pw` matches the encoded hash, compared in constant time. A hash that is not an
 * Argon2id string (or NULL: an unknown account) never matches; NULL still spends one
 * verification's time against a fixed hash, so a wrong name answers as slowly as a wrong
 * password. */
bool account_password_verify(const char *encoded, const char *pw, size_t len);

/* A fresh random password of ACCOUNT_PASSWORD_GEN_LEN characters into out (cap >
 * ACCOUNT_PASSWORD_GEN_LEN). Returns 0, or -1 when no randomness is available. */
int account_password_generate(char *out, size_t cap);

/* Wipes a buffer that held a password (not optimised away). */
void account_password_wipe(void *p, size_t n);

#endif
