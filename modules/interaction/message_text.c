/* modules/interaction/message_text.c: the small pure parts of the message system: receipt codes, the
 * stateless form tokens and their secret, UTF-8 checking, and public masking of names and
 * phone numbers. */
#include "message_text.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit_personal.h"
#include "message.h"
#include "store_keys.h"

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

int message_code_new(char out[MESSAGE_CODE_LEN + 1])
{
    unsigned char raw[MESSAGE_CODE_LEN];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    /* Five random bits per character: 100 bits, beyond any guessing. */
    for (size_t i = 0; i < MESSAGE_CODE_LEN; i++)
        out[i] = b32[raw[i] & 31];
    out[MESSAGE_CODE_LEN] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

bool message_code_ok(const char *s, size_t n)
{
    if (n != MESSAGE_CODE_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '2' && s[i] <= '7')))
            return false;
    return true;
}

/* ------------------------------------------------------------------ tokens */

int message_secret_get(store_txn_t *t, uint8_t key[MESSAGE_SECRET_LEN])
{
    const void *v;
    size_t len;
    int rc = store_meta_get(t, STORE_META_INTERACTION_SECRET, &v, &len);
    if (rc != 0)
        return rc;
    if (len != MESSAGE_SECRET_LEN)
        return STORE_ECORRUPT;
    memcpy(key, v, MESSAGE_SECRET_LEN);
    return 0;
}

int message_secret_ensure(store_txn_t *w, uint8_t key[MESSAGE_SECRET_LEN])
{
    int rc = message_secret_get(w, key);
    if (rc != STORE_NOTFOUND)
        return rc;
    if (RAND_bytes(key, MESSAGE_SECRET_LEN) != 1)
        return STORE_EIO;
    return store_meta_put(w, STORE_META_INTERACTION_SECRET, key, MESSAGE_SECRET_LEN);
}

int message_nonce_new(char out[MESSAGE_NONCE_LEN + 1])
{
    unsigned char raw[MESSAGE_NONCE_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

bool message_nonce_ok(const char *s, size_t n)
{
    if (n != MESSAGE_NONCE_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void mac_hex(const uint8_t key[MESSAGE_SECRET_LEN], const char *site, const char *nonce,
                    int64_t t, char hex[33])
{
    char msg[160];
    int n = snprintf(msg, sizeof msg, "%s\n%" PRId64 "\n%s", site, t, nonce);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    HMAC(EVP_sha256(), key, MESSAGE_SECRET_LEN, (const unsigned char *)msg,
         (size_t)(n > 0 && (size_t)n < sizeof msg ? n : 0), mac, &mlen);
    /* 128 bits of the MAC are plenty for a token that lives a day. */
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

void message_token_make(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, int64_t now, char out[MESSAGE_TOKEN_MAX])
{
    char hex[33];
    mac_hex(key, site, nonce, now, hex);
    snprintf(out, MESSAGE_TOKEN_MAX, "%" PRId64 ".%s", now, hex);
}

int message_token_check(const uint8_t key[MESSAGE_SECRET_LEN], const char *site,
                        const char *nonce, const char *tok, size_t len, int64_t now)
{
    /* Without its cookie a token is nobody's: the nonce is what binds it to one browser. */
    if (!nonce || !message_nonce_ok(nonce, strlen(nonce)))
        return MESSAGE_TOKEN_BAD;
    const char *dot = memchr(tok, '.', len);
    if (!dot || dot == tok || dot - tok > 12 || (size_t)(tok + len - dot - 1) != 32)
        return MESSAGE_TOKEN_BAD;
    int64_t t = 0;
    for (const char *p = tok; p < dot; p++) {
        if (*p < '0' || *p > '9')
            return MESSAGE_TOKEN_BAD;
        t = t * 10 + (*p - '0');
    }
    char hex[33];
    mac_hex(key, site, nonce, t, hex);
    if (CRYPTO_memcmp(hex, dot + 1, 32) != 0)
        return MESSAGE_TOKEN_BAD;
    /* A token from the future (beyond clock skew between processes) is not one we made. */
    if (t > now + MESSAGE_TOKEN_SKEW)
        return MESSAGE_TOKEN_BAD;
    if (now - t > MESSAGE_TOKEN_TTL)
        return MESSAGE_TOKEN_EXPIRED;
    return MESSAGE_TOKEN_OK;
}

/* ------------------------------------------------------------------ text */


bool message_text_ok(const char *s, size_t n, bool allow_newlines, size_t *chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = util_utf8_next(p + i, n - i, &cp);
        if (l == 0)
            return false;
        bool nl = cp == '\n' || cp == '\r' || cp == '\t';
        if ((cp < 0x20 && !(allow_newlines && nl)) || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            return false;
        i += l;
        count++;
    }
    if (chars)
        *chars = count;
    return true;
}

const char *message_reply_text_check(char *text, size_t *len)
{
    while (*len && (text[*len - 1] == '\n' || text[*len - 1] == '\r' || text[*len - 1] == ' ' ||
                    text[*len - 1] == '\t'))
        text[--*len] = '\0';
    size_t chars = 0;
    if (*len == 0)
        return "is empty: a reply needs text";
    if (!message_text_ok(text, *len, true, &chars))
        return "is not UTF-8 text (or holds control characters)";
    _Static_assert(MESSAGE_REPLY_MAX == 20000, "the reason below names the limit");
    if (chars > MESSAGE_REPLY_MAX)
        return "is longer than 20000 characters";
    audit_personal_t pii = {0};
    audit_personal_scan(&pii, text, *len, audit_personal_day(time(NULL)));
    if (pii.ids)
        return "shows an unmasked ID card number (居民身份证号码), and every reply is public: "
               "mask it (e.g. 530102********1234)";
    return NULL;
}

void message_mask_name(util_buf_t *out, const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = strlen(name), i = 0;
    uint32_t cp;
    size_t l = n ? util_utf8_next(p, n, &cp) : 0;
    if (l == 0) {
        util_buf_appends(out, "*");
        return;
    }
    util_buf_append(out, name, l);
    i = l;
    size_t stars = 0;
    while (i < n) {
        size_t k = util_utf8_next(p + i, n - i, &cp);
        i += k ? k : 1;
        stars++;
    }
    for (size_t s = 0; s < (stars ? stars : 1); s++)
        util_buf_append(out, "*", 1);
}

void message_mask_phone(util_buf_t *out, const char *phone)
{
    size_t n = strlen(phone);
    size_t keep_head = n >= 8 ? 3 : 0, keep_tail = n >= 8 ? 4 : (n > 2 ? 2 : 0);
    util_buf_append(out, phone, keep_head);
    for (size_t i = keep_head; i + keep_tail < n; i++)
        util_buf_append(out, "*", 1);
    util_buf_append(out, phone + n - keep_tail, keep_tail);
}

unsigned message_days(int64_t from, int64_t to)
{
    if (to <= from)
        return 1;
    int64_t d = (to - from + MESSAGE_DAY - 1) / MESSAGE_DAY;
    return d < 1 ? 1 : (unsigned)d;
}
