/* tests/fuzz/fuzz_console_session.c: libFuzzer harness for the console's session record
 * decoder (console_session_decode, modules/console/console_session.c) and the header
 * checks a client controls (console_cookie_find, console_origin_ok, console_form_field).
 * A damaged store gives STORE_ECORRUPT, never a read outside the value: an accepted
 * record encodes back to exactly its bytes, names a login name and holds a 64-hex token.
 * The same bytes as a Cookie header: a value found lies inside the header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console_guard.h"
#include "console_session.h"
#include "store.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    console_session_t s;
    int rc = console_session_decode(data, size, &s);
    CHECK(rc == STORE_OK || rc == STORE_ECORRUPT);
    if (rc == STORE_OK) {
        CHECK(account_name_ok(s.account) && strlen(s.csrf) == CONSOLE_SESSION_HEX);
        util_buf_t b = {0};
        console_session_encode(&s, &b);
        CHECK(b.len == size && memcmp(b.data, data, size) == 0);
        util_buf_free(&b);
    }
    const char *h = (const char *)data, *v;
    size_t n;
    if (console_cookie_find(h, size, CONSOLE_COOKIE, &v, &n))
        CHECK(v >= h && v + n <= h + size);
    if (console_form_field(h, size, "csrf", &v, &n))
        CHECK(v >= h && v + n <= h + size);
    size_t half = size / 2;
    (void)console_origin_ok(h, half, size & 1, h + half, size - half);
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_key(h, size, key))
        CHECK(strlen(key) == CONSOLE_SESSION_KEY_MAX - 1);
    return 0;
}
