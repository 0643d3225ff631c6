/* core/tls_in.c: a TLS connection's read BIO, reading from the bytes at hand and keeping
 * only what is left over. See tls_in.h. */
#include "tls_in.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct in {
    const char *p; /* the next byte OpenSSL reads: in the caller's bytes, or in own */
    size_t len;
    char *own; /* bytes kept after the caller's went away */
    size_t cap;
    bool kept; /* p points into own */
} in_t;

static BIO_METHOD *in_method;
static pthread_once_t in_once = PTHREAD_ONCE_INIT;

static int in_read(BIO *b, char *out, int outl)
{
    in_t *in = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (outl <= 0)
        return 0;
    if (in->len == 0) {
        BIO_set_retry_read(b); /* "want more", never end of file: the socket says that */
        return -1;
    }
    size_t n = in->len < (size_t)outl ? in->len : (size_t)outl;
    memcpy(out, in->p, n);
    in->p += n;
    in->len -= n;
    return (int)n;
}

static long in_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    in_t *in = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_PENDING:
        return (long)in->len;
    case BIO_CTRL_FLUSH:
        return 1;
    default:
        return 0;
    }
}

static int in_create(BIO *b)
{
    in_t *in = calloc(1, sizeof *in);
    if (!in)
        return 0;
    BIO_set_data(b, in);
    BIO_set_init(b, 1);
    return 1;
}

static int in_destroy(BIO *b)
{
    in_t *in = BIO_get_data(b);
    if (in) {
        free(in->own);
        free(in);
        BIO_set_data(b, NULL);
    }
    return 1;
}

static void in_method_init(void)
{
    in_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "jiyue tls in");
    if (!in_method || !BIO_meth_set_read(in_method, in_read) ||
        !BIO_meth_set_ctrl(in_method, in_ctrl) || !BIO_meth_set_create(in_method, in_create) ||
        !BIO_meth_set_destroy(in_method, in_destroy))
        UTIL_FATAL("BIO_meth_new failed");
}

bool tls_in_attach(tls_conn_t *ssl)
{
    pthread_once(&in_once, in_method_init);
    BIO *b = BIO_new(in_method);
    if (!b)
        return false;
    SSL_set0_rbio(ssl, b);
    return true;
}

static in_t *in_of(tls_conn_t *ssl)
{
    return BIO_get_data(SSL_get_rbio(ssl));
}

static void reserve(in_t *in, size_t need)
{
    if (need > in->cap) {
        size_t cap = in->cap ? in->cap : 1024;
        while (cap < need)
            cap *= 2;
        in->own = util_realloc(in->own, cap);
        in->cap = cap;
    }
}

void tls_in_feed(tls_conn_t *ssl, const char *p, size_t n)
{
    in_t *in = in_of(ssl);
    if (in->len == 0) { /* the usual case: read where they lie */
        in->p = p;
        in->len = n;
        in->kept = false;
        return;
    }
    /* Kept bytes first (tls_in_keep put them in own): the new ones join them. */
    memmove(in->own, in->p, in->len);
    reserve(in, in->len + n);
    memcpy(in->own + in->len, p, n);
    in->p = in->own;
    in->len += n;
    in->kept = true;
}

void tls_in_keep(tls_conn_t *ssl)
{
    in_t *in = in_of(ssl);
    if (in->len == 0) {
        free(in->own); /* an idle connection holds nothing */
        in->own = NULL;
        in->cap = 0;
        in->p = NULL;
        in->kept = false;
        return;
    }
    if (in->kept)
        return;
    reserve(in, in->len);
    memcpy(in->own, in->p, in->len);
    in->p = in->own;
    in->kept = true;
}

size_t tls_in_pending(tls_conn_t *ssl)
{
    return in_of(ssl)->len;
}
