/* modules/console/console_session.c: session ids, their store keys, records and expiry
 * (console_session.h). */
#include "console_session.h"

#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "rec.h"
#include "store.h"

#define SESSION_MAGIC "JYSE"
#define SESSION_VERSION 1

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool is_token(const char *s, size_t len)
{
    if (len != CONSOLE_SESSION_HEX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

int console_session_token(char out[static CONSOLE_SESSION_HEX + 1])
{
    unsigned char raw[CONSOLE_SESSION_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    to_hex(raw, sizeof raw, out);
    return 0;
}

bool console_session_key(const char *id, size_t len, char key[static CONSOLE_SESSION_KEY_MAX])
{
    if (!is_token(id, len))
        return false;
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)id, len, md);
    memcpy(key, "session/", 8);
    to_hex(md, sizeof md, key + 8);
    return true;
}

void console_session_encode(const console_session_t *s, util_buf_t *b)
{
    rec_put_head(b, SESSION_MAGIC, SESSION_VERSION);
    rec_put_str(b, s->account);
    rec_put_n(b, (uint64_t)s->created_ms, 8);
    rec_put_n(b, (uint64_t)s->seen_ms, 8);
    rec_put_str(b, s->csrf);
}

int console_session_decode(const void *data, size_t len, console_session_t *out)
{
    memset(out, 0, sizeof *out);
    rec_rd_t r = rec_reader(data, len);
    if (!rec_get_head(&r, SESSION_MAGIC, SESSION_VERSION) ||
        !rec_get_fixed(&r, out->account, sizeof out->account))
        return STORE_ECORRUPT;
    out->created_ms = (int64_t)rec_get_n(&r, 8);
    out->seen_ms = (int64_t)rec_get_n(&r, 8);
    if (!rec_get_fixed(&r, out->csrf, sizeof out->csrf) || r.bad || r.p != r.end ||
        !account_name_ok(out->account) || !is_token(out->csrf, strlen(out->csrf)))
        return STORE_ECORRUPT;
    return STORE_OK;
}

console_session_state_t console_session_state(const console_session_t *s, int64_t now_ms,
                                              uint64_t ttl_ms, uint64_t idle_ms)
{
    if (now_ms < s->created_ms || (uint64_t)(now_ms - s->created_ms) >= ttl_ms)
        return CONSOLE_SESSION_EXPIRED;
    if (now_ms > s->seen_ms && (uint64_t)(now_ms - s->seen_ms) >= idle_ms)
        return CONSOLE_SESSION_IDLE;
    return CONSOLE_SESSION_LIVE;
}
