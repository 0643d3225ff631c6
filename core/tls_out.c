/* core/tls_out.c: a TLS connection's write BIO (a buffer, or straight to the socket) and
 * the batch-to-records writer. See tls_out.h. */
#include "tls_out.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* A buffer that grew past this for a burst (a large handshake flight, a full socket) is
 * given back once sent, so an idle connection keeps little. */
#define OUT_KEEP (TLS_OUT_RECORD + 1024)

typedef struct out {
    char *buf;
    size_t len, cap;
    int sock; /* >= 0 while a batch may go straight to the socket */
} out_t;

static BIO_METHOD *out_method;
static pthread_once_t out_once = PTHREAD_ONCE_INIT;

static void out_append(out_t *o, const char *p, size_t n)
{
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n)
            cap *= 2;
        o->buf = util_realloc(o->buf, cap);
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static int out_write(BIO *b, const char *data, int len)
{
    out_t *o = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    size_t done = 0;
    if (o->sock >= 0 && o->len == 0) {
        /* Nothing ahead of this record: to the socket without a copy. What it does not take
         * (full, or an error the connection's own write will meet) is buffered. */
        ssize_t r;
        do
            r = send(o->sock, data, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (r < 0 && errno == EINTR);
        if (r > 0)
            done = (size_t)r;
    }
    if (done < (size_t)len)
        out_append(o, data + done, (size_t)len - done);
    return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    out_t *o = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; /* the connection sends the buffer after each call into OpenSSL */
    case BIO_CTRL_WPENDING:
        return (long)o->len;
    case BIO_CTRL_PENDING:
        return 0;
    default:
        return 0;
    }
}

static int out_create(BIO *b)
{
    out_t *o = calloc(1, sizeof *o);
    if (!o)
        return 0;
    o->sock = -1;
    BIO_set_data(b, o);
    BIO_set_init(b, 1);
    return 1;
}

static int out_destroy(BIO *b)
{
    out_t *o = BIO_get_data(b);
    if (o) {
        free(o->buf);
        free(o);
        BIO_set_data(b, NULL);
    }
    return 1;
}

static void out_method_init(void)
{
    out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "jiyue tls out");
    if (!out_method || !BIO_meth_set_write(out_method, out_write) ||
        !BIO_meth_set_ctrl(out_method, out_ctrl) || !BIO_meth_set_create(out_method, out_create) ||
        !BIO_meth_set_destroy(out_method, out_destroy))
        UTIL_FATAL("BIO_meth_new failed");
}

bool tls_out_attach(tls_conn_t *ssl)
{
    pthread_once(&out_once, out_method_init);
    BIO *b = BIO_new(out_method);
    if (!b)
        return false;
    SSL_set0_wbio(ssl, b);
    return true;
}

static out_t *out_of(tls_conn_t *ssl)
{
    return BIO_get_data(SSL_get_wbio(ssl));
}

static bool write_all(tls_conn_t *ssl, const char *p, size_t len)
{
    size_t done;
    return SSL_write_ex(ssl, p, len, &done) == 1 && done == len;
}

bool tls_out_write(tls_conn_t *ssl, char **stage, const uv_buf_t *iov, size_t n, int sock)
{
    out_t *o = out_of(ssl);
    /* Straight to the socket only a batch of one record: records of a larger one (HTTP/2's
     * output, a large body) are buffered and leave in one write, since a write per record
     * costs more than copying it. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += iov[i].len;
    o->sock = total <= TLS_OUT_RECORD ? sock : -1;
    size_t staged = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        const char *p = iov[i].base;
        size_t len = iov[i].len;
        while (ok && len > 0) {
            if (staged == 0 && len >= TLS_OUT_RECORD) {
                /* Whole records straight from the part (OpenSSL cuts them at 16 KiB). */
                size_t whole = len - len % TLS_OUT_RECORD;
                ok = write_all(ssl, p, whole);
                p += whole;
                len -= whole;
                continue;
            }
            if (!*stage)
                *stage = util_malloc(TLS_OUT_RECORD);
            size_t take = TLS_OUT_RECORD - staged;
            if (take > len)
                take = len;
            memcpy(*stage + staged, p, take);
            staged += take;
            p += take;
            len -= take;
            if (staged == TLS_OUT_RECORD) {
                ok = write_all(ssl, *stage, staged);
                staged = 0;
            }
        }
    }
    if (ok && staged)
        ok = write_all(ssl, *stage, staged);
    o->sock = -1; /* whatever OpenSSL writes later (alerts, close_notify) waits its turn */
    return ok;
}

bool tls_out_write_flat(tls_conn_t *ssl, const char *p, size_t n, int sock)
{
    if (n == 0)
        return true;
    out_t *o = out_of(ssl);
    o->sock = n <= TLS_OUT_RECORD ? sock : -1;
    bool ok = write_all(ssl, p, n); /* OpenSSL cuts records at 16 KiB */
    o->sock = -1;
    return ok;
}

void tls_out_pending(tls_conn_t *ssl, const char **p, size_t *len)
{
    out_t *o = out_of(ssl);
    *p = o->buf;
    *len = o->len;
}

void tls_out_consumed(tls_conn_t *ssl)
{
    out_t *o = out_of(ssl);
    o->len = 0;
    if (o->cap > OUT_KEEP) {
        free(o->buf);
        o->buf = NULL;
        o->cap = 0;
    }
}
