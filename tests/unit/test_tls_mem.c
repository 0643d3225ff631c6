/* tests/unit/test_tls_mem.c: OpenSSL's heap (core/tls_mem.c). Installed first, OpenSSL's
 * allocations come through it (a real TLS 1.3 handshake included); a freed block is handed
 * out again for the same class; every size gets at least what it asked for; realloc keeps
 * the contents across classes and above them; what a thread keeps is bounded per class and
 * given back by a drain and when the thread ends; under AddressSanitizer a write to a
 * cached block is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testcert.h"
#include "tls_mem.h"

static bool installed; /* tls_mem_install() as main() called it, before any OpenSSL use */

static void *xmalloc(size_t n)
{
    return tls_mem_malloc(n, __FILE__, __LINE__);
}

static void xfree(void *p)
{
    tls_mem_free(p, __FILE__, __LINE__);
}

static void *xrealloc(void *p, size_t n)
{
    return tls_mem_realloc(p, n, __FILE__, __LINE__);
}

/* Bytes from server to client and back until both are done or nothing moves. */
static int handshake(SSL *srv, SSL *cli)
{
    char buf[16384];
    for (int turn = 0; turn < 20; turn++) {
        int rs = SSL_do_handshake(srv), rc = SSL_do_handshake(cli);
        int n;
        while ((n = BIO_read(SSL_get_wbio(cli), buf, sizeof buf)) > 0)
            BIO_write(SSL_get_rbio(srv), buf, n);
        while ((n = BIO_read(SSL_get_wbio(srv), buf, sizeof buf)) > 0)
            BIO_write(SSL_get_rbio(cli), buf, n);
        if (rs == 1 && rc == 1)
            return 0;
    }
    return -1;
}

static void test_openssl_allocates_here(void **state)
{
    (void)state;
    assert_true(installed);

    tls_mem_thread_drain();
    void *p = OPENSSL_malloc(100);
    assert_non_null(p);
    assert_int_equal(tls_mem_usable(p), 112); /* a class size: the block is this file's */
    OPENSSL_free(p);
    assert_int_equal(tls_mem_thread_stats().blocks, 1);

    /* A real handshake: what OpenSSL frees comes back to this thread's lists. */
    SSL_CTX *sctx, *cctx;
    assert_int_equal(testcert_group_ctxs(&sctx, &cctx), 0);
    SSL *cli = testcert_mem_client(cctx);
    SSL *srv = testcert_mem_server(sctx);
    tls_mem_thread_drain();
    assert_int_equal(handshake(srv, cli), 0);
    SSL_free(srv);
    SSL_free(cli);
    tls_mem_stats_t s = tls_mem_thread_stats();
    assert_true(s.blocks > 50);

    /* The next handshake takes from those lists instead of growing them. */
    cli = testcert_mem_client(cctx);
    srv = testcert_mem_server(sctx);
    assert_int_equal(handshake(srv, cli), 0);
    assert_true(tls_mem_thread_stats().blocks < s.blocks);
    SSL_free(srv);
    SSL_free(cli);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static void test_reuse_same_class(void **state)
{
    (void)state;
    tls_mem_thread_drain();
    char *p = xmalloc(100);
    assert_non_null(p);
    memset(p, 'a', 100);
    xfree(p);
    assert_int_equal(tls_mem_thread_stats().blocks, 1);
    assert_int_equal(tls_mem_thread_stats().bytes, 112);
    char *q = xmalloc(97); /* the same 16-byte class */
    assert_ptr_equal(q, p);
    assert_int_equal(tls_mem_thread_stats().blocks, 0);
    char *r = xmalloc(113); /* the next class: a new block */
    assert_ptr_not_equal(r, p);
    xfree(q);
    xfree(r);
    tls_mem_thread_drain();
    assert_int_equal(tls_mem_thread_stats().blocks, 0);
    assert_int_equal(tls_mem_thread_stats().bytes, 0);
}

static void test_every_size_fits(void **state)
{
    (void)state;
    assert_null(xmalloc(0));
    xfree(NULL);
    for (size_t n = 1; n <= 70000; n += (n < 4200 ? 1 : 97)) {
        unsigned char *p = xmalloc(n);
        assert_non_null(p);
        size_t u = tls_mem_usable(p);
        assert_true(u >= n);
        /* The rounding wastes at most 1/8 of a medium block, half of a large one. */
        if (n > 64 && n <= 2048)
            assert_true(u - n < 64 && u - n <= n / 8 + 16);
        else if (n <= 32768)
            assert_true(u < 2 * n + 16);
        else
            assert_int_equal(u, n); /* above the classes: exactly what was asked */
        assert_int_equal((uintptr_t)p % 16, 0);
        p[0] = 1;
        p[n - 1] = 2; /* under ASan an overrun of the class would be reported here */
        xfree(p);
    }
    tls_mem_thread_drain();
}

static void test_realloc_keeps_contents(void **state)
{
    (void)state;
    static const size_t sizes[] = {10, 600, 5000, 40000, 100000, 70000, 3000, 50, 8};
    size_t have = 0;
    unsigned char *p = NULL;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        p = xrealloc(p, n);
        assert_non_null(p);
        size_t keep = have < n ? have : n;
        for (size_t k = 0; k < keep; k++)
            assert_int_equal(p[k], (unsigned char)(k * 7 + 1));
        for (size_t k = 0; k < n; k++)
            p[k] = (unsigned char)(k * 7 + 1);
        have = n;
    }
    /* Shrinking within a class keeps the block. */
    unsigned char *q = xrealloc(p, 4);
    assert_ptr_equal(q, p);
    assert_null(xrealloc(q, 0)); /* freed */
    tls_mem_thread_drain();
}

static void test_bounded_per_class(void **state)
{
    (void)state;
    tls_mem_thread_drain();
    enum { N = 300 };
    void *small[N], *big[N];
    for (int i = 0; i < N; i++) {
        small[i] = xmalloc(16);
        big[i] = xmalloc(16384);
    }
    for (int i = 0; i < N; i++) {
        xfree(small[i]);
        xfree(big[i]);
    }
    /* 128 blocks of 16 bytes, 64 KiB of 16 KiB blocks: the rest went back to glibc. */
    tls_mem_stats_t s = tls_mem_thread_stats();
    assert_int_equal(s.blocks, 128 + 4);
    assert_int_equal(s.bytes, 128 * 16 + 4 * 16384);
    /* Above the largest class nothing is kept. */
    xfree(xmalloc(40000));
    assert_int_equal(tls_mem_thread_stats().blocks, 128 + 4);
    tls_mem_thread_drain();
    assert_int_equal(tls_mem_thread_stats().blocks, 0);
}

static void *thread_body(void *arg)
{
    size_t *held = arg;
    void *p[10];
    for (int i = 0; i < 10; i++)
        p[i] = xmalloc(64 * (size_t)(i + 1));
    for (int i = 0; i < 10; i++)
        xfree(p[i]);
    *held = tls_mem_thread_stats().blocks;
    return NULL; /* the thread's destructor gives them back (LeakSanitizer checks, under ASan) */
}

static void *free_in_thread(void *p)
{
    xfree(p);
    return NULL;
}

static void test_threads_keep_their_own(void **state)
{
    (void)state;
    tls_mem_thread_drain();
    size_t held = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, thread_body, &held), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(held, 10);
    assert_int_equal(tls_mem_thread_stats().blocks, 0); /* not this thread's */

    /* A block allocated here and freed by another thread joins that thread's lists. */
    void *p = xmalloc(200);
    assert_non_null(p);
    assert_int_equal(pthread_create(&t, NULL, free_in_thread, p), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(tls_mem_thread_stats().blocks, 0);
}

static void test_cached_block_poisoned(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(2); /* the child's report is expected */
        volatile char *p = xmalloc(64);
        xfree((void *)p);
        p[3] = 1; /* a use after free of a cached block */
        _exit(0);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#else
    skip();
#endif
}

int main(void)
{
    installed = tls_mem_install(); /* before anything below calls OpenSSL */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl_allocates_here), cmocka_unit_test(test_reuse_same_class),
        cmocka_unit_test(test_every_size_fits),        cmocka_unit_test(test_realloc_keeps_contents),
        cmocka_unit_test(test_bounded_per_class),      cmocka_unit_test(test_threads_keep_their_own),
        cmocka_unit_test(test_cached_block_poisoned),
    };
    return cmocka_run_group_tests(tests, testcert_group_setup, testcert_group_teardown);
}
