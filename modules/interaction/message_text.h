/* modules/interaction/message_text.h: the small rules of citizens' messages that need no record (defined
 * in message_text.c): receipt codes, the stateless form tokens and their secret, UTF-8
 * checking, public masking of names and phone numbers, and reply days. */
#ifndef JIYUE_MESSAGE_TEXT_H
#define JIYUE_MESSAGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#define MESSAGE_CODE_LEN 20     /* receipt code: 100 random bits in base32 */
#define MESSAGE_TOKEN_TTL 86400 /* a form token is good for a day */
#define MESSAGE_TOKEN_MAX 64
#define MESSAGE_NONCE_LEN 32 /* the form cookie's value: 128 random bits in hex */
#define MESSAGE_SECRET_LEN 32
#define MESSAGE_DAY 86400

/* ---- receipt codes ---- */
/* A fresh unguessable code (RAND_bytes) into out. Returns 0, or -1 when the random
 * generator fails. */
int message_code_new(char out[MESSAGE_CODE_LEN + 1]);
bool message_code_ok(const char *s, size_t n);

/* ---- form tokens: HMAC-SHA256(secret, "<site>\n<time>\n<nonce>"), no server-side state.
 * The nonce is the value of the form cookie the form page sets (double submit): a token
 * is good only with the cookie it was made for. ---- */
/* Reads the secret (meta "secret/interaction"); STORE_NOTFOUND before it is made. */
int message_secret_get(store_txn_t *t, uint8_t key[MESSAGE_SECRET_LEN]);
/* Makes the secret when there is none (a write transaction). */
int message_secret_ensure(store_txn_t *w, uint8_t key[MESSAGE_SECRET_LEN]);
/* A fresh cookie value (MESSAGE_NONCE_LEN hex digits); -1 when the generator fails. */
int message_nonce_new(char out[MESSAGE_NONCE_LEN + 1]);
bool message_nonce_ok(const char *s, size_t n);
/* "<time>.<hex mac>" into out (MESSAGE_TOKEN_MAX bytes). */
void message_token_make(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, int64_t now, char out[MESSAGE_TOKEN_MAX]);
enum { MESSAGE_TOKEN_OK = 0, MESSAGE_TOKEN_BAD = -1, MESSAGE_TOKEN_EXPIRED = -2 };
/* BAD also for a token dated more than MESSAGE_TOKEN_SKEW ahead of now (not one we made). */
#define MESSAGE_TOKEN_SKEW 300
int message_token_check(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, const char *tok, size_t len, int64_t now);

/* ---- text ---- */
/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) and no control
 * characters but tab, CR and LF (allow_newlines) ; *chars: code points counted. */
bool message_text_ok(const char *s, size_t n, bool allow_newlines, size_t *chars);
/* A reply's text as `jiyuectl reply` and the console's reply take it: trailing line breaks,
 * spaces and tabs dropped (an editor's final newline is not content; in place, *len
 * updated), then 1 to MESSAGE_REPLY_MAX characters of UTF-8 text, line breaks allowed
 * (message.h), and no unmasked 居民身份证号码 (audit_personal.h, as the audit's
 * personal-id rule reads pages, birth dates up to today): every reply is public, and a
 * citizen's ID number quoted back would be published. Returns NULL when it is good, else
 * why not ("is empty: a reply needs text", ...), to follow the name of what was given. */
const char *message_reply_text_check(char *text, size_t *len);
/* Public masking: "张*" (first character, one '*' per other), "138****5678" (first 3 and
 * last 4 kept when there are at least 8, else all but the last 2 hidden). */
void message_mask_name(util_buf_t *out, const char *name);
void message_mask_phone(util_buf_t *out, const char *phone);
/* Days a reply took, rounded up (a reply within the first day took 1). */
unsigned message_days(int64_t from, int64_t to);

#endif
