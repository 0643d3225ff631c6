/* tests/unit/test_tls_out.c: a TLS connection's write side (core/tls_out.c): a response
 * becomes as few records as fit, goes straight to the socket when nothing waits ahead of
 * it, stays in order when the socket is full, and what OpenSSL writes after a batch is
 * buffered; a flat buffer (HTTP/2's) is encrypted where it lies by the same rules. A real handshake (TLS 1.3, P-256) between a server on tls_out and a client on
 * memory BIOs; the socket is one end of a socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testcert.h"
#include "tls_out.h"

typedef struct pair {
    SSL_CTX *sctx, *cctx;
    SSL *srv, *cli;
    int sv[2];   /* sv[0]: the server's socket, sv[1]: the client's end */
    char *stage; /* the worker's staging record */
} pair_t;

/* Client output into the server's read BIO; server output (its buffer) into the client's. */
static void shuttle(pair_t *p)
{
    char buf[16384];
    int n;
    while ((n = BIO_read(SSL_get_wbio(p->cli), buf, sizeof buf)) > 0)
        BIO_write(SSL_get_rbio(p->srv), buf, n);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    if (len) {
        BIO_write(SSL_get_rbio(p->cli), out, (int)len);
        tls_out_consumed(p->srv);
    }
}

static pair_t *pair_new(void)
{
    pair_t *p = calloc(1, sizeof *p);
    assert_int_equal(testcert_group_ctxs(&p->sctx, &p->cctx), 0);
    p->srv = SSL_new(p->sctx);
    BIO *rb = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rb, -1);
    SSL_set0_rbio(p->srv, rb);
    assert_true(tls_out_attach(p->srv));
    SSL_set_accept_state(p->srv);
    p->cli = testcert_mem_client(p->cctx);
    for (int i = 0; i < 10 && !(SSL_is_init_finished(p->cli) && SSL_is_init_finished(p->srv)); i++) {
        SSL_do_handshake(p->cli);
        shuttle(p);
        SSL_do_handshake(p->srv);
        shuttle(p);
    }
    ERR_clear_error();
    assert_true(SSL_is_init_finished(p->cli) && SSL_is_init_finished(p->srv));
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv), 0);
    fcntl(p->sv[0], F_SETFL, O_NONBLOCK);
    return p;
}

static void pair_free(pair_t *p)
{
    SSL_free(p->srv);
    SSL_free(p->cli);
    SSL_CTX_free(p->sctx);
    SSL_CTX_free(p->cctx);
    close(p->sv[0]);
    close(p->sv[1]);
    free(p->stage);
    free(p);
}

static char *pattern(size_t len, unsigned seed)
{
    char *b = malloc(len);
    for (size_t i = 0; i < len; i++)
        b[i] = (char)((i * 7 + seed) & 0xff);
    return b;
}

/* Everything readable on the client's end of the socket, up to `want` bytes. */
static size_t drain(pair_t *p, char *buf, size_t want)
{
    size_t got = 0;
    fcntl(p->sv[1], F_SETFL, O_NONBLOCK);
    while (got < want) {
        ssize_t n = read(p->sv[1], buf + got, want - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* The TLS records in raw[0..len): how many, each one's length in lens[]. */
static int records(const unsigned char *raw, size_t len, size_t *lens, int max)
{
    int n = 0;
    size_t i = 0;
    while (i + 5 <= len && n < max) {
        assert_int_equal(raw[i], 23); /* application data (TLS 1.3's outer type) */
        size_t l = ((size_t)raw[i + 3] << 8) | raw[i + 4];
        lens[n++] = l;
        i += 5 + l;
    }
    assert_int_equal(i, len);
    return n;
}

/* Decrypts raw on the client and compares with want. */
static void client_reads(pair_t *p, const char *raw, size_t len, const char *want, size_t wlen)
{
    BIO_write(SSL_get_rbio(p->cli), raw, (int)len);
    char *got = malloc(wlen + 1);
    size_t have = 0;
    int n;
    while (have < wlen && (n = SSL_read(p->cli, got + have, (int)(wlen + 1 - have))) > 0)
        have += (size_t)n;
    assert_int_equal(have, wlen);
    assert_memory_equal(got, want, wlen);
    free(got);
}

/* The client reads what the server's buffer holds (it must decrypt to want), and the
 * buffer is emptied. */
static void client_reads_buffered(pair_t *p, const char *want, size_t wlen)
{
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    client_reads(p, out, len, want, wlen);
    tls_out_consumed(p->srv);
}

/* a's bytes then b's, in one new buffer (what the client must read). */
static char *joined(const char *a, size_t al, const char *b, size_t bl)
{
    char *j = malloc(al + bl);
    memcpy(j, a, al);
    memcpy(j + al, b, bl);
    return j;
}

static void small_response_one_record_to_socket(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *head = pattern(180, 1), *body = pattern(12600, 2);
    uv_buf_t iov[2] = {uv_buf_init(head, 180), uv_buf_init(body, 12600)};
    assert_true(tls_out_write(p->srv, &p->stage, iov, 2, p->sv[0]));
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    assert_int_equal(len, 0); /* all of it went to the socket */
    static char raw[65536];
    size_t n = drain(p, raw, sizeof raw);
    size_t lens[8];
    assert_int_equal(records((unsigned char *)raw, n, lens, 8), 1);
    char *want = joined(head, 180, body, 12600);
    client_reads(p, raw, n, want, 180 + 12600);
    free(want);
    free(head);
    free(body);
    pair_free(p);
}

static void large_body_full_records_in_order(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    size_t hl = 200, bl = 40000;
    char *head = pattern(hl, 3), *body = pattern(bl, 4);
    uv_buf_t iov[2] = {uv_buf_init(head, (unsigned)hl), uv_buf_init(body, (unsigned)bl)};
    assert_true(tls_out_write(p->srv, &p->stage, iov, 2, p->sv[0]));
    static char raw[16];
    assert_int_equal(drain(p, raw, sizeof raw), 0); /* several records: one write later */
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    size_t lens[8];
    /* 16 KiB (head + the body's start), 16 KiB straight from the body, the rest */
    assert_int_equal(records((const unsigned char *)out, len, lens, 8), 3);
    char *want = joined(head, hl, body, bl);
    client_reads_buffered(p, want, hl + bl);
    free(want);
    free(head);
    free(body);
    pair_free(p);
}

static void no_socket_buffers_everything(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *body = pattern(5000, 5);
    uv_buf_t iov[1] = {uv_buf_init(body, 5000)};
    assert_true(tls_out_write(p->srv, &p->stage, iov, 1, -1));
    static char raw[16];
    assert_int_equal(drain(p, raw, sizeof raw), 0);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    assert_true(len > 5000);
    client_reads_buffered(p, body, 5000);
    free(body);
    pair_free(p);
}

/* Bytes still in the buffer (not yet handed to the socket) are never overtaken by a
 * later batch's records, even with the socket given and room in it. */
static void buffered_bytes_are_not_overtaken(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *a = pattern(3000, 8), *b = pattern(4000, 9);
    uv_buf_t ia[1] = {uv_buf_init(a, 3000)}, ib[1] = {uv_buf_init(b, 4000)};
    assert_true(tls_out_write(p->srv, &p->stage, ia, 1, -1));
    assert_true(tls_out_write(p->srv, &p->stage, ib, 1, p->sv[0]));
    static char raw[16];
    assert_int_equal(drain(p, raw, sizeof raw), 0);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    char *want = joined(a, 3000, b, 4000);
    client_reads_buffered(p, want, 7000);
    free(want);
    free(a);
    free(b);
    pair_free(p);
}

/* The socket takes only part: what it did not take, and every later record, wait in the
 * buffer in order (none overtakes it). */
static void full_socket_keeps_order(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    int small = 4096;
    setsockopt(p->sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    char fill[1024];
    memset(fill, 'f', sizeof fill);
    size_t filled = 0;
    ssize_t w;
    while ((w = write(p->sv[0], fill, sizeof fill)) > 0)
        filled += (size_t)w;
    assert_int_equal(errno, EAGAIN);
    static char raw[262144];
    assert_int_equal(drain(p, raw, 2048), 2048); /* room for part of a record */
    size_t bl = 12000;
    char *body = pattern(bl, 6);
    uv_buf_t iov[1] = {uv_buf_init(body, (unsigned)bl)};
    assert_true(tls_out_write(p->srv, &p->stage, iov, 1, p->sv[0]));
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    assert_true(len > 0);
    size_t n = drain(p, raw, sizeof raw);
    assert_true(n >= filled - 2048);
    for (size_t i = 0; i < filled - 2048; i++)
        assert_int_equal(raw[i], 'f');
    size_t sent = n - (filled - 2048);
    memmove(raw, raw + (filled - 2048), sent);
    memcpy(raw + sent, out, len);
    tls_out_consumed(p->srv);
    client_reads(p, raw, sent + len, body, bl);
    free(body);
    pair_free(p);
}

/* After a batch, OpenSSL's own writes (here close_notify) are buffered, never sent ahead of
 * what the connection may have queued meanwhile. */
static void later_writes_are_buffered(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *body = pattern(100, 7);
    uv_buf_t iov[1] = {uv_buf_init(body, 100)};
    assert_true(tls_out_write(p->srv, &p->stage, iov, 1, p->sv[0]));
    static char raw[4096];
    assert_true(drain(p, raw, sizeof raw) > 100);
    SSL_shutdown(p->srv);
    assert_int_equal(drain(p, raw, sizeof raw), 0);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    assert_true(len > 0);
    free(body);
    pair_free(p);
}

/* tls_out_write_flat: a flat buffer of one record (HTTP/2's frames for one answer) goes to
 * the socket as one record in one write, with no staging record allocated. */
static void flat_one_record_to_socket(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *buf = pattern(TLS_OUT_RECORD, 10);
    assert_true(tls_out_write_flat(p->srv, buf, TLS_OUT_RECORD, p->sv[0]));
    assert_null(p->stage);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    assert_int_equal(len, 0);
    static char raw[65536];
    size_t n = drain(p, raw, sizeof raw);
    size_t lens[8];
    assert_int_equal(records((unsigned char *)raw, n, lens, 8), 1);
    client_reads(p, raw, n, buf, TLS_OUT_RECORD);
    free(buf);
    pair_free(p);
}

/* A flat buffer longer than a record: whole records cut at 16 KiB, all buffered (one write
 * later), even with the socket given. */
static void flat_many_records_buffered(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    size_t bl = 2 * TLS_OUT_RECORD + 7000;
    char *buf = pattern(bl, 11);
    assert_true(tls_out_write_flat(p->srv, buf, bl, p->sv[0]));
    static char raw[16];
    assert_int_equal(drain(p, raw, sizeof raw), 0);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    size_t lens[8];
    assert_int_equal(records((const unsigned char *)out, len, lens, 8), 3);
    assert_int_equal(lens[0], lens[1]);
    assert_true(lens[2] < lens[0] && lens[2] > 7000);
    client_reads_buffered(p, buf, bl);
    assert_null(p->stage);
    free(buf);
    pair_free(p);
}

/* A flat record does not overtake bytes still buffered (an earlier record not yet
 * sent): it joins them in order. */
static void flat_behind_buffered_keeps_order(void **state)
{
    (void)state;
    pair_t *p = pair_new();
    char *a = pattern(3000, 12), *b = pattern(5000, 13);
    assert_true(tls_out_write_flat(p->srv, a, 3000, -1));
    assert_true(tls_out_write_flat(p->srv, b, 5000, p->sv[0]));
    static char raw[16];
    assert_int_equal(drain(p, raw, sizeof raw), 0);
    const char *out;
    size_t len;
    tls_out_pending(p->srv, &out, &len);
    size_t lens[8];
    assert_int_equal(records((const unsigned char *)out, len, lens, 8), 2);
    char *want = joined(a, 3000, b, 5000);
    client_reads_buffered(p, want, 8000);
    /* Nothing buffered any more: the next single record goes straight out, and an empty
     * buffer writes nothing. */
    assert_true(tls_out_write_flat(p->srv, a, 0, p->sv[0]));
    assert_true(tls_out_write_flat(p->srv, a, 3000, p->sv[0]));
    tls_out_pending(p->srv, &out, &len);
    assert_int_equal(len, 0);
    static char raw2[8192];
    size_t n = drain(p, raw2, sizeof raw2);
    assert_int_equal(records((unsigned char *)raw2, n, lens, 8), 1);
    client_reads(p, raw2, n, a, 3000);
    free(want);
    free(a);
    free(b);
    pair_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_response_one_record_to_socket),
        cmocka_unit_test(large_body_full_records_in_order),
        cmocka_unit_test(no_socket_buffers_everything),
        cmocka_unit_test(buffered_bytes_are_not_overtaken),
        cmocka_unit_test(full_socket_keeps_order),
        cmocka_unit_test(later_writes_are_buffered),
        cmocka_unit_test(flat_one_record_to_socket),
        cmocka_unit_test(flat_many_records_buffered),
        cmocka_unit_test(flat_behind_buffered_keeps_order),
    };
    return cmocka_run_group_tests(tests, testcert_group_setup, testcert_group_teardown);
}
