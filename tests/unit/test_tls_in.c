/* tests/unit/test_tls_in.c: a TLS connection's read side (core/tls_in.c): OpenSSL reads
 * records from the bytes where they lie; what it has not read when the caller is done is
 * kept, so the caller's buffer can be reused at once (here: overwritten) without changing a
 * byte of what is decrypted later; bytes fed after kept ones come after them; a record
 * split over two reads is whole once both are in; nothing is held once all is read. A real
 * handshake (TLS 1.3, P-256) between a server on tls_in and a client on memory BIOs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

#include "testcert.h"
#include "tls_in.h"

typedef struct pair {
    SSL_CTX *sctx, *cctx;
    SSL *srv, *cli;
    char wire[65536]; /* the "socket read buffer": reused (clobbered) after each feed */
} pair_t;

/* Everything the client wrote, fed to the server from `wire`, which is then clobbered. */
static void client_to_server(pair_t *p)
{
    int n = BIO_read(SSL_get_wbio(p->cli), p->wire, sizeof p->wire);
    if (n > 0)
        tls_in_feed(p->srv, p->wire, (size_t)n);
}

static void server_to_client(pair_t *p)
{
    char buf[16384];
    int n;
    while ((n = BIO_read(SSL_get_wbio(p->srv), buf, sizeof buf)) > 0)
        BIO_write(SSL_get_rbio(p->cli), buf, n);
}

static pair_t *pair_new(void)
{
    pair_t *p = calloc(1, sizeof *p);
    assert_int_equal(testcert_group_ctxs(&p->sctx, &p->cctx), 0);
    p->srv = SSL_new(p->sctx);
    assert_true(tls_in_attach(p->srv));
    BIO *swb = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(swb, -1);
    SSL_set0_wbio(p->srv, swb);
    SSL_set_accept_state(p->srv);
    p->cli = testcert_mem_client(p->cctx);
    for (int i = 0; i < 10 && !(SSL_is_init_finished(p->cli) && SSL_is_init_finished(p->srv)); i++) {
        SSL_do_handshake(p->cli);
        client_to_server(p);
        SSL_do_handshake(p->srv);
        tls_in_keep(p->srv);
        memset(p->wire, 0xAA, sizeof p->wire);
        server_to_client(p);
    }
    ERR_clear_error();
    assert_true(SSL_is_init_finished(p->cli) && SSL_is_init_finished(p->srv));
    assert_int_equal(tls_in_pending(p->srv), 0);
    return p;
}

static void pair_free(pair_t *p)
{
    SSL_free(p->srv);
    SSL_free(p->cli);
    SSL_CTX_free(p->sctx);
    SSL_CTX_free(p->cctx);
    free(p);
}

static void client_writes(pair_t *p, const char *s)
{
    assert_int_equal(SSL_write(p->cli, s, (int)strlen(s)), (int)strlen(s));
}

/* One SSL_read of the server: the plaintext of one record, as a string. */
static const char *server_reads(pair_t *p)
{
    static char buf[4096];
    int n = SSL_read(p->srv, buf, sizeof buf - 1);
    if (n <= 0) {
        assert_int_equal(SSL_get_error(p->srv, n), SSL_ERROR_WANT_READ);
        ERR_clear_error();
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static void records_read_in_place(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    client_writes(p, "GET / HTTP/1.1\r\n\r\n");
    client_to_server(p);
    assert_true(tls_in_pending(p->srv) > 18);
    assert_string_equal(server_reads(p), "GET / HTTP/1.1\r\n\r\n");
    assert_int_equal(tls_in_pending(p->srv), 0);
    assert_null(server_reads(p)); /* wants more, not end of file */
    tls_in_keep(p->srv);
    pair_free(p);
}

/* Three records in one read; the reader stops after the first (the connection waits for
 * the socket): the other two are kept and survive the buffer's reuse. */
static void leftover_kept_when_the_buffer_is_reused(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    client_writes(p, "first");
    client_writes(p, "second");
    client_writes(p, "third");
    client_to_server(p);
    assert_string_equal(server_reads(p), "first");
    size_t left = tls_in_pending(p->srv);
    assert_true(left > 0);
    tls_in_keep(p->srv);
    memset(p->wire, 0x55, sizeof p->wire); /* the next read lands here */
    assert_int_equal(tls_in_pending(p->srv), left);
    assert_string_equal(server_reads(p), "second");
    assert_string_equal(server_reads(p), "third");
    assert_null(server_reads(p));
    pair_free(p);
}

/* A record split over two reads, with a kept part in between: the second read's bytes come
 * after the kept ones, and the record is whole. */
static void split_record_joined_in_order(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    client_writes(p, "one");
    client_writes(p, "two, split over two reads");
    int n = BIO_read(SSL_get_wbio(p->cli), p->wire, sizeof p->wire);
    assert_true(n > 20);
    static char all[65536];
    memcpy(all, p->wire, (size_t)n);
    size_t cut = (size_t)n - 10;
    tls_in_feed(p->srv, p->wire, cut);
    assert_string_equal(server_reads(p), "one");
    assert_null(server_reads(p)); /* the second record is not whole yet */
    tls_in_keep(p->srv);
    memset(p->wire, 0x33, sizeof p->wire);
    memcpy(p->wire, all + cut, 10);
    tls_in_feed(p->srv, p->wire, 10);
    assert_string_equal(server_reads(p), "two, split over two reads");
    tls_in_keep(p->srv);
    assert_int_equal(tls_in_pending(p->srv), 0);
    pair_free(p);
}

/* Kept bytes, then a new read before they were taken: both in order. */
static void feed_after_keep_appends(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    client_writes(p, "alpha");
    client_writes(p, "beta");
    client_to_server(p);
    assert_string_equal(server_reads(p), "alpha");
    tls_in_keep(p->srv);
    memset(p->wire, 0x77, sizeof p->wire);
    client_writes(p, "gamma");
    client_to_server(p);
    assert_string_equal(server_reads(p), "beta");
    assert_string_equal(server_reads(p), "gamma");
    assert_null(server_reads(p));
    tls_in_keep(p->srv);
    pair_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_read_in_place),
        cmocka_unit_test(leftover_kept_when_the_buffer_is_reused),
        cmocka_unit_test(split_record_joined_in_order),
        cmocka_unit_test(feed_after_keep_appends),
    };
    return cmocka_run_group_tests(tests, testcert_group_setup, testcert_group_teardown);
}
