/* modules/console/console_session.h: the web console's sign-in sessions: the random id a
 * browser holds in its cookie, the record the store keeps for it, and when it expires.
 *
 * Keys, in the named database "meta" (the accounts' families are in accounts.h):
 *   session/<h>   one session; <h> is the lower-case hex SHA-256 of the session id, so a
 *                 copy of the store (a backup, `mdb_dump`) does not hand out live
 *                 sessions: the id itself is only ever in the browser's cookie.
 * Session record, core/rec.h's layout, magic "JYSE" v1:
 *   str account name, i64 created (ms since the epoch), i64 last seen (ms), str CSRF token
 *   (64 lower-case hex characters).
 * A record that does not decode to exactly this is STORE_ECORRUPT and signs nobody in.
 * Sessions are deleted at logout and when found expired; none belongs to a site. */
#ifndef JIYUE_CONSOLE_SESSION_H
#define JIYUE_CONSOLE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accounts.h"
#include "util.h"

#define CONSOLE_SESSION_BYTES 32                         /* RAND_bytes of an id or token */
#define CONSOLE_SESSION_HEX (2 * CONSOLE_SESSION_BYTES) /* their text: lower-case hex */
#define CONSOLE_SESSION_KEY_MAX (sizeof "session/" + CONSOLE_SESSION_HEX)
#define CONSOLE_COOKIE "jiyue_console"

typedef struct console_session {
    char account[ACCOUNT_NAME_MAX + 1];
    int64_t created_ms, seen_ms;
    char csrf[CONSOLE_SESSION_HEX + 1];
} console_session_t;

typedef enum {
    CONSOLE_SESSION_LIVE,
    CONSOLE_SESSION_IDLE,    /* not used for longer than session_idle */
    CONSOLE_SESSION_EXPIRED, /* older than session_ttl, however busy */
} console_session_state_t;

/* A fresh random token (an id or a CSRF token) as hex into out. Returns 0, or -1 when no
 * randomness is available. */
int console_session_token(char out[static CONSOLE_SESSION_HEX + 1]);
/* The store key of the session whose id is id[0..len): false when the id is not 64
 * lower-case hex characters (then no key names it). */
bool console_session_key(const char *id, size_t len, char key[static CONSOLE_SESSION_KEY_MAX]);
void console_session_encode(const console_session_t *s, util_buf_t *b);
/* STORE_OK or STORE_ECORRUPT, whatever the bytes. */
int console_session_decode(const void *data, size_t len, console_session_t *out);
/* Whether s may still be used at now_ms: absolute expiry first (ttl from created), then
 * idle expiry (idle from the last use). */
console_session_state_t console_session_state(const console_session_t *s, int64_t now_ms,
                                              uint64_t ttl_ms, uint64_t idle_ms);

#endif
