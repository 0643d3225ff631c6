/* tests/unit/test_console.c: the console's pure parts: the session record (round trip,
 * every truncation and a trailing byte refused), session ids and their store keys, expiry,
 * the cookie lookup, the CSRF comparison and the Origin check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "console_guard.h"
#include "console_session.h"
#include "store.h"

static const char ID[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void test_session_round_trip(void **state)
{
    console_session_t s = {.created_ms = 1700000000123, .seen_ms = 1700000005000};
    strcpy(s.account, "li.hua");
    assert_int_equal(console_session_token(s.csrf), 0);
    util_buf_t b = {0};
    console_session_encode(&s, &b);
    console_session_t out;
    assert_int_equal(console_session_decode(b.data, b.len, &out), STORE_OK);
    assert_string_equal(out.account, "li.hua");
    assert_string_equal(out.csrf, s.csrf);
    assert_true(out.created_ms == s.created_ms && out.seen_ms == s.seen_ms);
    /* every truncation, and one byte too many, is corrupt */
    for (size_t n = 0; n < b.len; n++)
        assert_int_equal(console_session_decode(b.data, n, &out), STORE_ECORRUPT);
    util_buf_append(&b, "x", 1);
    assert_int_equal(console_session_decode(b.data, b.len, &out), STORE_ECORRUPT);
    util_buf_free(&b);
    /* a record whose token is not 64 hex characters, or whose name is no login name */
    console_session_t bad = s;
    bad.csrf[10] = 'G';
    console_session_encode(&bad, &b);
    assert_int_equal(console_session_decode(b.data, b.len, &out), STORE_ECORRUPT);
    b.len = 0;
    bad = s;
    strcpy(bad.account, "../x");
    console_session_encode(&bad, &b);
    assert_int_equal(console_session_decode(b.data, b.len, &out), STORE_ECORRUPT);
    util_buf_free(&b);
}

static void test_tokens_and_keys(void **state)
{
    char a[CONSOLE_SESSION_HEX + 1], b[CONSOLE_SESSION_HEX + 1];
    assert_int_equal(console_session_token(a), 0);
    assert_int_equal(console_session_token(b), 0);
    assert_int_equal(strlen(a), 64);
    assert_string_not_equal(a, b);
    char key[CONSOLE_SESSION_KEY_MAX];
    assert_true(console_session_key(ID, 64, key));
    /* the key is the SHA-256 of the id, never the id itself */
    assert_string_equal(key, "session/"
                             "2a8abfa8cb9906290437854193ca6bca41d4d4e26d1d454bd66a35158095e737");
    assert_null(strstr(key, ID));
    assert_false(console_session_key(ID, 63, key));
    assert_false(console_session_key("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", 64, key));
    assert_false(console_session_key("../../../../account/li.hua/00000000000000000000000000000000", 64, key));
}

static void test_expiry(void **state)
{
    console_session_t s = {.created_ms = 10000, .seen_ms = 10000};
    /* ttl 8 s, idle 2 s */
    assert_int_equal(console_session_state(&s, 10000, 8000, 2000), CONSOLE_SESSION_LIVE);
    assert_int_equal(console_session_state(&s, 11999, 8000, 2000), CONSOLE_SESSION_LIVE);
    assert_int_equal(console_session_state(&s, 12000, 8000, 2000), CONSOLE_SESSION_IDLE);
    s.seen_ms = 17000;
    assert_int_equal(console_session_state(&s, 17999, 8000, 2000), CONSOLE_SESSION_LIVE);
    assert_int_equal(console_session_state(&s, 18000, 8000, 2000), CONSOLE_SESSION_EXPIRED);
    /* a clock that went back before the session's creation does not extend it */
    assert_int_equal(console_session_state(&s, 9000, 8000, 2000), CONSOLE_SESSION_EXPIRED);
}

static void test_cookie_find(void **state)
{
    const char *v;
    size_t n;
    const char h[] = "a=1; jiyue_console=abc ;x_jiyue_console=no; b=2";
    assert_true(console_cookie_find(h, strlen(h), "jiyue_console", &v, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(v, "abc", 3);
    const char h2[] = "x_jiyue_console=no; jiyue_consolex=no";
    assert_false(console_cookie_find(h2, strlen(h2), "jiyue_console", &v, &n));
    assert_false(console_cookie_find("", 0, "jiyue_console", &v, &n));
}

static void test_csrf_equal(void **state)
{
    assert_true(console_csrf_equal(ID, ID, 64));
    char other[65];
    memcpy(other, ID, 65);
    other[63] ^= 1;
    assert_false(console_csrf_equal(ID, other, 64));
    other[63] ^= 1;
    other[0] ^= 1;
    assert_false(console_csrf_equal(ID, other, 64));
    assert_false(console_csrf_equal(ID, ID, 63)); /* a prefix is not the token */
    assert_false(console_csrf_equal(ID, "", 0));
    assert_false(console_csrf_equal("", "", 0)); /* a session without a token matches nothing */
}

static void test_origin(void **state)
{
    const char host[] = "127.0.0.1:8444";
    size_t hl = strlen(host);
    assert_true(console_origin_ok("http://127.0.0.1:8444", 21, false, host, hl));
    assert_true(console_origin_ok("HTTP://127.0.0.1:8444", 21, false, host, hl));
    assert_false(console_origin_ok("https://127.0.0.1:8444", 22, false, host, hl));
    assert_true(console_origin_ok("https://127.0.0.1:8444", 22, true, host, hl));
    assert_false(console_origin_ok("http://127.0.0.1:8444", 21, true, host, hl));
    assert_false(console_origin_ok("http://127.0.0.1:844", 20, false, host, hl));
    assert_false(console_origin_ok("http://127.0.0.1:84445", 22, false, host, hl));
    assert_false(console_origin_ok("http://evil.example", 19, false, host, hl));
    assert_false(console_origin_ok("null", 4, false, host, hl));
    assert_false(console_origin_ok(NULL, 0, false, host, hl));
    assert_false(console_origin_ok("http://", 7, false, "", 0));
    assert_true(console_origin_ok("https://Admin.Example.gov.cn", 28, true, "admin.example.gov.cn", 20));
}

static void test_form_field(void **state)
{
    const char *v;
    size_t n;
    const char body[] = "xcsrf=1&csrf=abc&csrf=def";
    assert_true(console_form_field(body, strlen(body), "csrf", &v, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(v, "abc", 3);
    assert_false(console_form_field("xcsrf=1", 7, "csrf", &v, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_round_trip), cmocka_unit_test(test_tokens_and_keys),
        cmocka_unit_test(test_expiry),             cmocka_unit_test(test_cookie_find),
        cmocka_unit_test(test_csrf_equal),         cmocka_unit_test(test_origin),
        cmocka_unit_test(test_form_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
