/* tests/unit/test_tls.c: the policy core/tls.c gives every certificate's context (the
 * settings a client cannot see directly, or only by a costlier e2e case): TLS 1.2 to 1.3,
 * resumption from the session cache (no tickets; one per handshake, renewed), buffers
 * released when idle, and the chain sent as the certificate file has it, never rebuilt per
 * handshake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testcert.h"
#include "tls.h"

static int teardown_all(void **state)
{
    tls_shutdown();
    return testcert_group_teardown(state);
}

static SSL_CTX *acquire(void)
{
    char *err = NULL, *warning = NULL;
    SSL_CTX *ctx = tls_ctx_acquire(testcert_group()->cert, testcert_group()->key, &err, &warning);
    assert_null(err);
    assert_null(warning);
    assert_non_null(ctx);
    return ctx;
}

static void test_context_policy(void **state)
{
    (void)state;
    SSL_CTX *ctx = acquire();
    assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    assert_int_equal(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
    assert_true(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE);
    assert_true(SSL_CTX_get_options(ctx) & SSL_OP_NO_COMPRESSION);
    assert_true(SSL_CTX_get_options(ctx) & SSL_OP_NO_RENEGOTIATION);
    /* Resumption from the server's session cache: no ticket encrypted under a server key. */
    assert_true(SSL_CTX_get_options(ctx) & SSL_OP_NO_TICKET);
    assert_int_equal(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_SERVER);
    assert_int_equal(SSL_CTX_sess_get_cache_size(ctx), 20480);
    assert_int_equal(SSL_CTX_get_timeout(ctx), 7200);
    assert_int_equal(SSL_CTX_get_num_tickets(ctx), 1);
    tls_ctx_release(ctx);
}

/* A leaf-only certificate file: without NO_AUTO_CHAIN every full handshake would try to
 * build a chain from the empty trust store (tests/bench/TLS-RESULTS.md, callgrind). */
static void test_chain_not_rebuilt_per_handshake(void **state)
{
    (void)state;
    SSL_CTX *ctx = acquire();
    assert_true(SSL_CTX_get_mode(ctx) & SSL_MODE_NO_AUTO_CHAIN);
    assert_true(SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS);
    tls_ctx_release(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_policy),
        cmocka_unit_test(test_chain_not_rebuilt_per_handshake),
    };
    return cmocka_run_group_tests(tests, testcert_group_setup, teardown_all);
}
