/* core/conn.c: the life of a client connection on a worker loop.
 *
 * Memory: an idle keep-alive connection holds only this struct and its libuv handles.
 * Reads land in the worker's shared buffer; only the bytes of a request that has not
 * fully arrived are copied into a per-connection buffer (`pend`), and it is freed as soon
 * as it empties, so ten thousand idle clients cost ten thousand small structs.
 *
 * Flow: on_read -> process() parses every complete request in the bytes at hand and lets
 * request.c answer each into the worker's output batch -> flush() writes the batch with
 * one uv_try_write; what the socket does not take is copied and written asynchronously,
 * and reading pauses until it drains (back-pressure for pipelining clients).
 *
 * A TLS connection whose ALPN chose "h2" hands its decrypted bytes to an HTTP/2 session
 * (core/http2.h) instead (h2_pump, h2_send): the socket, TLS, timeouts, back-pressure and
 * closing stay here. */
#include "conn.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "form.h"
#include "http2.h"
#include "log.h"
#include "metrics.h"
#include "peerlimit.h"
#include "request_internal.h"
#include "sockwrite.h"
#include "tls.h"
#include "tls_in.h"
#include "tls_out.h"

atomic_long conn_count;

/* Timeouts: instead of a libuv timer per connection (152 bytes, and a heap operation on
 * every request), each connection sits in one FIFO queue per kind of timeout. Within a
 * queue every entry got the same duration, so deadlines are in order: the worker's tick
 * (core/worker.c, every 100 ms) pops the expired ones from the front, and re-arming is an
 * O(1) unlink and append. */
typedef enum { T_NONE, T_HEADER, T_KEEPALIVE, T_BODY, T_SEND, T_LINGER, T_KINDS } timer_kind_t;
_Static_assert(T_KINDS <= WORKER_TIMER_QUEUES, "worker.h must have a queue per timer kind");

/* Where a connection is in its life. All transitions are in this file:
 *   HEAD -> BODY (start_body) -> HEAD (the body is in: its request is answered)
 *   HEAD -> DEFERRED (conn_defer) -> HEAD (conn_resume_begin)
 *   HEAD or BODY -> LINGERING (start_linger: our FIN is sent, reads are dropped)
 *   any -> CLOSING (conn_close: uv_close called, its callback frees the connection)
 *   DEFERRED -> DEFERRED_CLOSING (closed while the writer thread holds the connection)
 *     -> DEFERRED_CLOSED (the close callback ran: conn_resume_begin frees it), or
 *     -> CLOSING (resumed before the callback ran: the callback frees it)
 * The closing states come last (conn_closed). */
typedef enum {
    CONN_HEAD,      /* between requests, or a request's head arriving */
    CONN_BODY,      /* a request's body arriving (see the pend layout at conn_t) */
    CONN_DEFERRED,  /* a response waits for the writer thread (core/writer.h); not reading */
    CONN_LINGERING, /* closing after an answer: reading and dropping what the client sends */
    CONN_CLOSING,
    CONN_DEFERRED_CLOSING,
    CONN_DEFERRED_CLOSED,
} conn_state_t;

/* How the connection ends, which can be decided in any open state (the server's shutdown
 * decides it while a body arrives or a response is deferred); it only ever goes up. */
typedef enum {
    CONN_KEEP,         /* keep-alive: read the next request */
    CONN_CLOSE,        /* close once the requests answered are written (Connection: close,
                        * HTTP/1.0, shutdown); at once if the client sent nothing more */
    CONN_CLOSE_LINGER, /* the same after an error: the client may still be sending, so
                        * linger rather than have our close turn into a reset */
} conn_end_t;

typedef struct conn {
    uv_tcp_t tcp;
    worker_t *w;
    struct conn *tprev, *tnext; /* in w->tq[timer_kind] */
    uint64_t deadline;          /* loop time (ms) when the current timeout fires */
    size_t send_mark;           /* bytes queued when the send timeout was armed */
    char *pend; /* bytes received but not yet consumed */
    uint32_t pend_len, pend_cap;
    /* While a request body arrives, the request's head waits at pend[0, head_len), the body
     * kept so far (POST and PUT bodies, for the modules that take them) follows it, and the bytes
     * not yet looked at come after that. Other bodies are read and dropped: the response
     * is given only once the whole request is in, so a body over the limit still gets
     * its 413. */
    uint32_t head_len;
    uint32_t body_kept;
    uint64_t body_left; /* Content-Length bytes still to come */
    uint64_t body_until; /* loop time (ms) by which the whole body must be in (body_deadline) */
    http1_chunked_t chunk;
    SSL *ssl;               /* NULL on plain connections */
    http2_conn_t *h2;       /* ALPN chose h2: the session (core/http2.h); else NULL */
    snapshot_t *hs_snap;    /* pinned while the TLS handshake may consult its SNI table */
    uint32_t nwrites;       /* asynchronous writes in flight; reading pauses meanwhile */
    peer_addr_t peer;
    uint8_t timer_kind;
    uint8_t state; /* conn_state_t */
    uint8_t end;   /* conn_end_t */
    /* Properties independent of the state: */
    bool chunked;  /* the body being received (CONN_BODY) is chunked */
    bool collect;  /* ... and is kept (POST, PUT) rather than dropped */
    bool tls_done; /* TLS handshake finished */
    bool peer_counted; /* counted in peerlimit.h: uncounted at close */
    bool admin;        /* accepted on a management listener (`admin:`) */
    bool upload;       /* the request being read is an upload (multipart/form-data) */
} conn_t;

static inline bool conn_closed(const conn_t *c)
{
    return c->state >= CONN_CLOSING;
}

/* Decides that c closes after the requests answered so far (never undoes a linger). */
static inline void conn_end(conn_t *c, conn_end_t how)
{
    if (c->end < how)
        c->end = (uint8_t)how;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void process(conn_t *c, char *data, size_t len);

static const conf_limits_t *limits(const conn_t *c)
{
    return &c->w->snap->conf->limits;
}

/* The largest body the request being read on c may send: admin.max_upload for an upload
 * (multipart/form-data) on a management listener (the console's attachments),
 * limits.max_body_bytes for everything else, so no sign-in or JSON call can make the
 * server hold an upload's worth of bytes. */
static uint64_t body_cap(const conn_t *c)
{
    return c->admin && c->upload ? c->w->snap->conf->admin_max_upload : limits(c)->max_body_bytes;
}

static void conn_free(conn_t *c)
{
    free(c->pend);
    http2_free(c->h2);
    if (c->ssl)
        tls_conn_free(c->ssl);
    snapshot_unref(c->hs_snap);
    free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    conn_t *c = h->data;
    if (c->state == CONN_DEFERRED_CLOSING || (c->h2 && http2_waiting(c->h2))) {
        c->state = CONN_DEFERRED_CLOSED; /* request_resume() frees it */
        return;
    }
    conn_free(c);
}

static void tq_unlink(conn_t *c)
{
    worker_t *w = c->w;
    int k = c->timer_kind;
    if (c->tprev)
        c->tprev->tnext = c->tnext;
    else
        w->tq_head[k] = c->tnext;
    if (c->tnext)
        c->tnext->tprev = c->tprev;
    else
        w->tq_tail[k] = c->tprev;
    c->tprev = c->tnext = NULL;
}

static void tq_append(conn_t *c, timer_kind_t kind)
{
    worker_t *w = c->w;
    c->timer_kind = (uint8_t)kind;
    c->tnext = NULL;
    c->tprev = w->tq_tail[kind];
    if (c->tprev)
        c->tprev->tnext = c;
    else
        w->tq_head[kind] = c;
    w->tq_tail[kind] = c;
}

static void conn_close(conn_t *c)
{
    if (conn_closed(c))
        return;
    c->state = c->state == CONN_DEFERRED ? CONN_DEFERRED_CLOSING : CONN_CLOSING;
    worker_t *w = c->w;
    tq_unlink(c);
    w->nconns--;
    metrics_add(&w->metrics.conns_closed, 1);
    atomic_fetch_sub_explicit(&conn_count, 1, memory_order_relaxed);
    if (c->peer_counted)
        peerlimit_leave(&c->peer.sa);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void set_timer(conn_t *c, timer_kind_t kind, uint64_t ms, bool restart);
static bool tls_flush(conn_t *c, const uv_buf_t *iov, size_t n);
static bool tls_encrypt_flat(conn_t *c, const char *p, size_t n, bool last);
static void tls_send_pending(conn_t *c);

/* Bytes on their way to the client: queued in libuv plus not yet sent by the kernel (the
 * kernel's send buffer can hold megabytes, and it wakes a writer only once a good part of
 * it is free, so libuv's queue alone can stand still for seconds while the client reads). */
static size_t bytes_in_flight(conn_t *c)
{
    size_t n = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
    uv_os_fd_t fd;
    int outq = 0;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && ioctl(fd, SIOCOUTQ, &outq) == 0 && outq > 0)
        n += (size_t)outq;
    return n;
}

static void h2_send(conn_t *c);

static void on_timeout(conn_t *c)
{
    if (c->h2 && c->timer_kind == T_BODY) {
        /* A stream's request body is late: that stream is answered 408, not the
         * connection closed (core/http2.c); the next wait is armed by h2_send. */
        http2_expire_bodies(c->h2, uv_now(&c->w->loop));
        h2_send(c);
        return;
    }
    if (c->timer_kind == T_SEND) {
        /* send_timeout bounds a client that reads nothing, not a slow one that reads: if
         * the bytes in flight shrank since the timer was armed, the client is alive. */
        size_t queued = bytes_in_flight(c);
        if (queued < c->send_mark) {
            set_timer(c, T_SEND, limits(c)->send_timeout_ms, true);
            return;
        }
    }
    if (c->h2 && c->nwrites == 0) {
        /* Best effort, as the 408 below: a GOAWAY says the close is ours (idle for
         * keepalive_timeout, or nothing read for send_timeout). */
        http2_shutdown(c->h2);
        const char *p;
        size_t n;
        if (http2_output(c->h2, WORKER_TLS_RECORD, &p, &n) && n && tls_encrypt_flat(c, p, n, true))
            tls_send_pending(c);
    }
    if ((c->timer_kind == T_HEADER && c->pend_len > 0) || c->timer_kind == T_BODY) {
        /* Best effort: tell a slow client why, then drop it. */
        static const char msg[] = "HTTP/1.1 408 Request Timeout\r\nServer: jiyue\r\n"
                                  "Content-Length: 0\r\nConnection: close\r\n\r\n";
        uv_buf_t b = uv_buf_init((char *)msg, sizeof msg - 1);
        if (!c->ssl)
            uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        else if (c->tls_done && c->nwrites == 0)
            tls_flush(c, &b, 1); /* one record, straight to the socket (or closes c) */
    }
    conn_close(c);
}

/* Arms the connection's one timeout; with restart false an already running timeout of
 * the same kind keeps its deadline (a slow client's header timeout is not extended by
 * each byte it trickles). */
static void set_timer(conn_t *c, timer_kind_t kind, uint64_t ms, bool restart)
{
    if (c->timer_kind == kind && !restart)
        return;
    tq_unlink(c);
    c->deadline = uv_now(&c->w->loop) + ms;
    if (kind == T_SEND)
        c->send_mark = bytes_in_flight(c);
    tq_append(c, kind);
}

void conn_sweep(worker_t *w)
{
    uint64_t now = uv_now(&w->loop);
    for (int k = T_HEADER; k < T_KINDS; k++) {
        if (k == T_BODY)
            continue;
        /* Bounded: each pass closes the connection at the front or stops. */
        while (w->tq_head[k] && ((conn_t *)w->tq_head[k])->deadline <= now)
            on_timeout(w->tq_head[k]);
    }
    /* A body's timeout is the sooner of body_timeout and what is left of its
     * body_deadline, so this queue is not in deadline order: it is walked whole. It holds
     * only the connections sending a body right now, a few at most in normal traffic. */
    conn_t *next;
    for (conn_t *c = w->tq_head[T_BODY]; c; c = next) {
        next = c->tnext;
        if (c->deadline <= now)
            on_timeout(c);
    }
}

static void *alloc_pend(conn_t *c, size_t need)
{
    if (need > c->pend_cap) {
        size_t cap = c->pend_cap ? c->pend_cap : 1024;
        while (cap < need)
            cap *= 2;
        c->pend = util_realloc(c->pend, cap);
        c->pend_cap = (uint32_t)cap;
    }
    return c->pend;
}

static void drop_pend(conn_t *c)
{
    free(c->pend);
    c->pend = NULL;
    c->pend_len = c->pend_cap = 0;
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    conn_t *c = h->data;
    buf->base = c->ssl ? c->w->tls_rbuf : c->w->rbuf;
    buf->len = WORKER_READ_BUF;
}

/* Closing after a response (an error, `Connection: close`, HTTP/1.0): send our FIN, then
 * read and discard what the client still sends for a short while, so its unread bytes do
 * not turn our close into a reset that destroys the response in flight (a 413 sent while
 * the body is still arriving). Bounded in time (2 s) by the timer. */
static void on_shutdown(uv_shutdown_t *req, int status)
{
    free(req);
}

static void tls_send_pending(conn_t *c);
static void tls_pump(conn_t *c);
static void h2_pump(conn_t *c);

/* OpenSSL's error queue must be empty before each call into it (SSL_get_error relies on
 * it). A read that only wants more bytes, or a shutdown, leaves nothing there, and clearing
 * costs about a thousand instructions (every slot of the thread's queue, on each request),
 * so the queue is cleared only when something is in it. */
static void tls_err_clear(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

/* Whether another SSL_read could give anything now: bytes in the read BIO, or a record
 * OpenSSL holds. When neither, it would only say that it wants more, at the cost of a call
 * into OpenSSL and a look at its error queue on every request: the read loops stop
 * instead. */
static bool tls_readable(conn_t *c)
{
    return tls_in_pending(c->ssl) > 0 || SSL_has_pending(c->ssl);
}

/* close_notify, so the client knows the response is whole: once (tls_flush may have sent
 * it already, with the connection's last response). Into the output buffer; the caller
 * sends it. */
static void tls_close_notify(conn_t *c)
{
    if (!(SSL_get_shutdown(c->ssl) & SSL_SENT_SHUTDOWN)) {
        SSL_shutdown(c->ssl);
        tls_err_clear();
    }
}

static void start_linger(conn_t *c)
{
    c->state = CONN_LINGERING;
    drop_pend(c);
    if (c->ssl && c->tls_done) {
        tls_close_notify(c);
        tls_send_pending(c);
        if (conn_closed(c))
            return;
    }
    uv_shutdown_t *req = util_malloc(sizeof *req);
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        free(req);
        conn_close(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    set_timer(c, T_LINGER, 2000, true);
}

/* Closing after a complete exchange (`Connection: close`, HTTP/1.0) with nothing more
 * received: close at once, as the data already written still reaches the client and there
 * is nothing unread to turn the close into a reset. After an error, or with bytes still
 * arriving, linger instead. */
static void finish_close(conn_t *c)
{
    uv_os_fd_t fd;
    int unread = 1;
    if (c->end != CONN_CLOSE_LINGER && c->state != CONN_BODY && c->pend_len == 0 &&
        uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 && ioctl(fd, FIONREAD, &unread) == 0 &&
        unread == 0) {
        if (c->ssl && c->tls_done) {
            tls_close_notify(c);
            tls_send_pending(c);
            if (conn_closed(c) || c->nwrites)
                return; /* closed, or on_write finishes the close once the alert is out */
        }
        conn_close(c);
        return;
    }
    start_linger(c);
}

/* A write that had to wait for the socket has drained. When the last one is done, reading
 * resumes: first the pipelined requests that waited, then any TLS records already
 * received. */
static void on_write(uv_write_t *req, int status)
{
    conn_t *c = req->data;
    free(req);
    if (conn_closed(c))
        return;
    c->nwrites--;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->nwrites > 0 || c->state == CONN_LINGERING || c->state == CONN_DEFERRED)
        return;
    if (c->end != CONN_KEEP) {
        finish_close(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    if (c->h2) {
        h2_pump(c); /* what waited for the socket, then the records received meanwhile */
        tls_in_keep(c->ssl);
        return;
    }
    if (c->pend_len > 0)
        process(c, c->pend, c->pend_len);
    else
        set_timer(c, T_KEEPALIVE, limits(c)->keepalive_timeout_ms, true);
    if (c->ssl && !conn_closed(c) && c->nwrites == 0)
        tls_pump(c);
}

static size_t iov_total(const uv_buf_t *iov, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += iov[i].len;
    return total;
}

/* The bytes of iov from `done` on, which the socket did not take, are copied (what they
 * point to, store values or TLS buffers, is about to become invalid) and written
 * asynchronously, with reading paused until they drain. */
static bool queue_rest(conn_t *c, const uv_buf_t *iov, size_t n, size_t done, size_t total)
{
    uv_write_t *req = util_malloc(sizeof *req + (total - done));
    char *copy = (char *)(req + 1), *dst = copy;
    for (size_t i = 0; i < n; i++) {
        size_t len = iov[i].len;
        if (done >= len) {
            done -= len;
            continue;
        }
        memcpy(dst, iov[i].base + done, len - done);
        dst += len - done;
        done = 0;
    }
    req->data = c;
    uv_buf_t b = uv_buf_init(copy, (unsigned)(dst - copy));
    if (uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
        free(req);
        conn_close(c);
        return false;
    }
    c->nwrites++;
    uv_read_stop((uv_stream_t *)&c->tcp);
    set_timer(c, T_SEND, limits(c)->send_timeout_ms, true);
    return true;
}

/* Sends bytes to the socket: as much as it takes now, the rest queued (queue_rest).
 * Returns false when the connection failed. */
static bool send_bytes(conn_t *c, const uv_buf_t *iov, size_t n)
{
    size_t total = iov_total(iov, n), done = 0;
    if (c->nwrites == 0) { /* a try_write may not overtake queued writes */
        int rc = uv_try_write((uv_stream_t *)&c->tcp, iov, (unsigned)n);
        if (rc < 0 && rc != UV_EAGAIN) {
            conn_close(c);
            return false;
        }
        done = rc > 0 ? (size_t)rc : 0;
    }
    if (done == total)
        return true;
    return queue_rest(c, iov, n, done, total);
}

/* As send_bytes, for a plain-connection batch in which some store values have a sendfile
 * copy (core/sendcache.h): the first attempt goes through sock_write_parts; what the
 * socket does not take is queued from memory like any other bytes. */
static bool send_parts(conn_t *c, const uv_buf_t *iov, const out_part_t *parts, size_t n)
{
    uv_os_fd_t sock;
    if (c->nwrites > 0 || uv_fileno((uv_handle_t *)&c->tcp, &sock) != 0)
        return send_bytes(c, iov, n);
    sock_part_t sp[WORKER_MAX_PARTS];
    for (size_t i = 0; i < n; i++)
        sp[i] = (sock_part_t){.p = iov[i].base, .len = iov[i].len, .fd = parts[i].fd,
                              .foff = (off_t)parts[i].foff};
    ssize_t done = sock_write_parts(sock, sp, n);
    if (done < 0) {
        conn_close(c);
        return false;
    }
    size_t total = iov_total(iov, n);
    if ((size_t)done == total)
        return true;
    return queue_rest(c, iov, n, (size_t)done, total);
}

/* Whatever TLS has produced (handshake messages, records, alerts) goes to the socket. */
static void tls_send_pending(conn_t *c)
{
    const char *p;
    size_t n;
    tls_out_pending(c->ssl, &p, &n);
    if (n == 0)
        return;
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    send_bytes(c, &b, 1);
    tls_out_consumed(c->ssl);
}

/* Encrypts the batch (core/tls_out.h: records of up to 16 KiB, straight to the socket while
 * nothing of c's waits in a queued write). The connection's last batch (it closes once this
 * is written: finish_close or start_linger follow; not while a response waits for the
 * writer thread) takes the close_notify along: one write for both, not a second one. */
static bool tls_flush(conn_t *c, const uv_buf_t *iov, size_t n)
{
    bool last = c->end != CONN_KEEP && c->state != CONN_DEFERRED && c->tls_done && !c->h2;
    uv_os_fd_t sock = -1;
    if (last || c->nwrites > 0 || uv_fileno((uv_handle_t *)&c->tcp, &sock) != 0)
        sock = -1;
    if (!tls_out_write(c->ssl, &c->w->tls_stage, iov, n, sock)) {
        ERR_clear_error();
        conn_close(c);
        return false;
    }
    if (last)
        tls_close_notify(c);
    tls_send_pending(c);
    return !conn_closed(c);
}

/* Writes the worker's output batch to c. Returns false when the connection failed. */
static bool flush(conn_t *c)
{
    worker_t *w = c->w;
    if (w->nparts == 0)
        return true;
    uv_buf_t iov[WORKER_MAX_PARTS];
    bool files = false;
    for (size_t i = 0; i < w->nparts; i++) {
        const out_part_t *p = &w->parts[i];
        iov[i].base = (char *)(p->ext ? p->ext : w->out.data + p->off);
        iov[i].len = p->len;
        files |= p->fd >= 0;
    }
    size_t n = w->nparts;
    w->nparts = 0;
    w->out.len = 0;
    if (c->ssl)
        return tls_flush(c, iov, n);
    return files ? send_parts(c, iov, w->parts, n) : send_bytes(c, iov, n);
}

enum { BODY_MORE = 0, BODY_DONE = 1, BODY_BAD = -1, BODY_TOO_LARGE = -2 };

/* Takes in the body bytes that arrived (see the pend layout at conn_t). */
static int feed_body(conn_t *c)
{
    size_t raw = (size_t)c->head_len + c->body_kept;
    size_t avail = c->pend_len - raw;
    char *p = c->pend + raw;
    if (!c->chunked) {
        size_t n = avail < c->body_left ? avail : (size_t)c->body_left;
        if (c->collect) {
            c->body_kept += (uint32_t)n;
        } else {
            memmove(p, p + n, avail - n);
            c->pend_len -= (uint32_t)n;
        }
        c->body_left -= n;
        return c->body_left == 0 ? BODY_DONE : BODY_MORE;
    }
    size_t consumed = 0, out = 0;
    int rc = http1_chunked_decode(&c->chunk, p, avail, &consumed, &out);
    if (rc < 0)
        return BODY_BAD;
    /* A chunk announced over the limit is refused now, not after its data arrives. */
    if (http1_chunked_announced(&c->chunk) > body_cap(c))
        return BODY_TOO_LARGE;
    size_t keep = c->collect ? out : 0;
    memmove(p + keep, p + consumed, avail - consumed);
    c->pend_len -= (uint32_t)(consumed - keep);
    c->body_kept += (uint32_t)keep;
    return rc == 1 ? BODY_DONE : BODY_MORE;
}

/* The request at data[pos] has a body: move it and everything after it into pend, so the
 * head stays put while the body arrives. */
static void start_body(conn_t *c, const http1_request_t *h, char *data, size_t pos, size_t len)
{
    size_t rest = len - pos;
    if (data == c->pend)
        memmove(c->pend, c->pend + pos, rest);
    else
        memcpy(alloc_pend(c, rest), data + pos, rest);
    c->pend_len = (uint32_t)rest;
    c->state = CONN_BODY;
    c->body_until = uv_now(&c->w->loop) + limits(c)->body_deadline_ms;
    c->head_len = (uint32_t)h->head_len;
    c->body_kept = 0;
    c->collect = h->method == HTTP_M_POST || h->method == HTTP_M_PUT;
    c->chunked = h->chunked;
    c->body_left = h->chunked ? 0 : h->content_length;
    if (h->chunked)
        http1_chunked_init(&c->chunk);
    if (h->expect_continue) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        worker_out_copy(c->w, cont, sizeof cont - 1);
    }
}

/* The body of the request whose head waits at pend[0, head_len) is in (see the pend
 * layout at conn_t): the request is answered. */
static void answer_with_body(conn_t *c, const http1_limits_t *hl)
{
    http1_request_t h;
    int status = 0;
    const char *reason = NULL;
    c->state = CONN_HEAD;
    /* The head is whole and unchanged: parsing it again is cheaper than keeping a copy of
     * the parse result in every connection. */
    http1_parse_request(c->pend, c->head_len, hl, &h, &status, &reason);
    int st = 0;
    if (!request_handle(c->w, c, &c->peer, &h, c->ssl != NULL, c->admin,
                        c->collect ? c->pend + c->head_len : NULL, c->body_kept, &st))
        conn_end(c, st >= 400 ? CONN_CLOSE_LINGER : CONN_CLOSE);
}

enum { HEAD_WAIT, HEAD_BODY, HEAD_ANSWERED };

/* Parses the request head at data[*pos] and answers it, or starts receiving its body
 * (HEAD_BODY: it is then in pend, with the bytes after it). HEAD_WAIT: the head is not
 * whole yet, or it was refused (the connection then ends). */
static int answer_head(conn_t *c, const http1_limits_t *hl, char *data, size_t *pos, size_t len)
{
    http1_request_t h;
    int status = 0;
    const char *reason = NULL;
    int rc = http1_parse_request(data + *pos, len - *pos, hl, &h, &status, &reason);
    if (rc == HTTP1_PARTIAL)
        return HEAD_WAIT;
    if (rc == HTTP1_ERROR) {
        request_reject(c->w, &c->peer, status, reason);
        conn_end(c, CONN_CLOSE_LINGER);
        *pos = len;
        return HEAD_WAIT;
    }
    if (c->admin) {
        /* The management listener answers only the addresses in admin.allow: anyone else
         * gets 403 on the head alone, before any body is read or any module runs. The
         * list is the current configuration's, so a reload narrows it at once. */
        const conf_t *conf = c->w->snap->conf;
        if (!conf_nets_match(conf->admin_allow, conf->nadmin_allow, &c->peer.sa)) {
            request_reject(c->w, &c->peer, 403, "this address may not use the management listener");
            conn_end(c, CONN_CLOSE_LINGER);
            *pos = len;
            return HEAD_WAIT;
        }
    }
    const http1_header_t *ct = http1_find_header(&h, "Content-Type");
    c->upload = ct && form_media_type_is(ct->value.p, ct->value.len, "multipart/form-data");
    if (h.chunked || (h.has_content_length && h.content_length > 0)) {
        /* Refuse a body over the limit before reading any of it. */
        if (h.has_content_length && h.content_length > body_cap(c)) {
            request_reject(c->w, &c->peer, 413, "request body too large");
            conn_end(c, CONN_CLOSE_LINGER);
            *pos = len;
            return HEAD_WAIT;
        }
        start_body(c, &h, data, *pos, len);
        return HEAD_BODY;
    }
    *pos += h.head_len;
    int st = 0;
    if (!request_handle(c->w, c, &c->peer, &h, c->ssl != NULL, c->admin, NULL, 0, &st))
        conn_end(c, st >= 400 ? CONN_CLOSE_LINGER : CONN_CLOSE);
    return HEAD_ANSWERED;
}

/* Keeps what was not consumed, data[pos, len), for the next read. */
static void keep_rest(conn_t *c, char *data, size_t len, size_t pos)
{
    size_t rest = len - pos;
    if (c->end != CONN_KEEP && c->state != CONN_DEFERRED) {
        if (rest > 0)
            conn_end(c, CONN_CLOSE_LINGER); /* the client sent more after the last request we answer */
        drop_pend(c);
    } else if (c->state == CONN_BODY) {
        /* pend holds the request being received; nothing else to keep */
    } else if (rest == 0) {
        if (c->pend)
            drop_pend(c);
    } else if (data == c->pend) {
        memmove(c->pend, c->pend + pos, rest);
        c->pend_len = (uint32_t)rest;
    } else {
        memcpy(alloc_pend(c, rest), data + pos, rest);
        c->pend_len = (uint32_t)rest;
    }
}

/* After the bytes at hand are answered and written: what c waits for next, under which
 * timeout, or its close. */
static void wait_next(conn_t *c)
{
    const conf_limits_t *lim = limits(c);
    if (c->nwrites)
        return; /* the send timer runs until the write drains */
    if (c->state == CONN_DEFERRED) {
        set_timer(c, T_NONE, 0, true); /* the writer always answers; see request_resume */
        return;
    }
    if (c->end != CONN_KEEP) {
        finish_close(c);
    } else if (c->state == CONN_BODY) {
        /* body_timeout bounds each pause; body_deadline the whole body, so a client sending
         * a byte now and then cannot hold the connection for long */
        uint64_t now = uv_now(&c->w->loop);
        uint64_t left = c->body_until > now ? c->body_until - now : 0;
        set_timer(c, T_BODY, left < lim->body_timeout_ms ? left : lim->body_timeout_ms, true);
    } else if (c->pend_len > 0) {
        set_timer(c, T_HEADER, lim->header_timeout_ms, false);
    } else {
        set_timer(c, T_KEEPALIVE, lim->keepalive_timeout_ms, true);
    }
}

/* Answers every complete request in data[0, len) in order, into the worker's batch, and
 * writes the batch. The worker's read transaction ends after this loop iteration
 * (worker.c). */
static void process(conn_t *c, char *data, size_t len)
{
    worker_t *w = c->w;
    const conf_limits_t *lim = limits(c);
    http1_limits_t hl = {
        .max_request_line = lim->max_request_line,
        .max_header_bytes = lim->max_header_bytes,
        .max_headers = lim->max_headers < HTTP1_MAX_HEADERS ? lim->max_headers : HTTP1_MAX_HEADERS,
    };
    size_t pos = 0;

    while (c->end == CONN_KEEP) {
        if (c->state == CONN_BODY) {
            /* Here data == c->pend and pos == 0. */
            int b = feed_body(c);
            if (b == BODY_MORE)
                break;
            if (b < 0) {
                request_reject(w, &c->peer, b == BODY_TOO_LARGE ? 413 : 400,
                               b == BODY_TOO_LARGE ? "request body too large"
                                                   : "malformed chunked body");
                conn_end(c, CONN_CLOSE_LINGER); /* still CONN_BODY: finish_close lingers */
                break;
            }
            size_t used = (size_t)c->head_len + c->body_kept;
            answer_with_body(c, &hl);
            data = c->pend;
            len = c->pend_len;
            pos = used;
        } else {
            if (pos >= len)
                break;
            int r = answer_head(c, &hl, data, &pos, len);
            if (r == HEAD_WAIT)
                break;
            if (r == HEAD_BODY) {
                data = c->pend;
                len = c->pend_len;
                pos = 0;
                continue;
            }
        }
        if (c->state == CONN_DEFERRED)
            break; /* later requests wait until the deferred response is written */
        if (w->nparts > WORKER_MAX_PARTS - 8 || w->out.len > 32 * 1024) {
            if (!flush(c))
                return;
            if (c->nwrites)
                break; /* the socket is full: the rest waits for on_write */
        }
    }
    if (!flush(c))
        return;
    keep_rest(c, data, len, pos);
    wait_next(c);
}

/* Plain request bytes (from the socket, or decrypted) join any partial request held. */
static void deliver(conn_t *c, char *data, size_t len)
{
    if (c->pend_len > 0) {
        size_t need = c->pend_len + len;
        memcpy((char *)alloc_pend(c, need) + c->pend_len, data, len);
        c->pend_len = (uint32_t)need;
        process(c, c->pend, c->pend_len);
    } else {
        process(c, data, len);
    }
}

/* HTTP/2's output is one plaintext buffer already (core/http2.c writes DATA payloads from
 * the store's map straight into it): encrypted from there (core/tls_out.h), without
 * tls_flush's staging copy. last: nothing else is to follow now, so a buffer of one record
 * goes straight to the socket while nothing of c's waits ahead of it, as tls_flush's single
 * records do; otherwise the records wait for the next tls_send_pending. */
static bool tls_encrypt_flat(conn_t *c, const char *p, size_t n, bool last)
{
    uv_os_fd_t sock = -1;
    if (!last || c->nwrites > 0 || uv_fileno((uv_handle_t *)&c->tcp, &sock) != 0)
        sock = -1;
    if (!tls_out_write_flat(c->ssl, p, n, sock)) {
        ERR_clear_error();
        conn_close(c);
        return false;
    }
    return true;
}

/* HTTP/2: what the session has to send goes out as far as the socket takes it; then the
 * connection's next wait: the close once the session is over; the send timeout while
 * the socket is full or a response waits for the client's window (restarted whenever
 * bytes move, so only a client that reads nothing is dropped); none while a stream waits
 * for the writer thread; the body timeout while a stream's request body arrives (a late
 * one is answered 408 on its stream, on_timeout); else the keep-alive timeout, restarted
 * by each answered request (the header timeout from the accept stands until the first). */
static void h2_send(conn_t *c)
{
    uint64_t sent = http2_body_sent(c->h2);
    size_t encrypted = 0; /* plaintext encrypted since the last tls_send_pending */
    while (!conn_closed(c) && c->nwrites == 0) {
        const char *p;
        size_t n;
        /* One record's worth of frames at a time: each DATA frame is one TLS record. */
        if (!http2_output(c->h2, WORKER_TLS_RECORD, &p, &n)) {
            conn_close(c);
            return;
        }
        if (n == 0)
            break;
        bool more = http2_more(c->h2);
        if (!tls_encrypt_flat(c, p, n, encrypted == 0 && !more))
            return;
        if ((encrypted += n) >= 4 * WORKER_TLS_RECORD) {
            tls_send_pending(c);
            encrypted = 0;
        }
        if (!more)
            break;
    }
    if (encrypted && !conn_closed(c))
        tls_send_pending(c);
    if (conn_closed(c) || c->nwrites)
        return; /* on_write carries on; queue_rest armed the send timeout */
    const conf_limits_t *lim = limits(c);
    bool answered = http2_take_answered(c->h2) > 0;
    uint64_t due;
    if (http2_done(c->h2)) {
        conn_end(c, CONN_CLOSE);
        finish_close(c);
    } else if (http2_blocked(c->h2)) {
        /* restarted only when body bytes moved: PINGs do not keep a stalled client */
        set_timer(c, T_SEND, lim->send_timeout_ms, http2_body_sent(c->h2) != sent);
    } else if (http2_waiting(c->h2)) {
        set_timer(c, T_NONE, 0, true);
    } else if ((due = http2_body_deadline(c->h2)) != 0) {
        uint64_t now = uv_now(&c->w->loop);
        set_timer(c, T_BODY, due > now ? due - now : 0, true);
    } else if (answered || c->timer_kind == T_SEND || c->timer_kind == T_NONE ||
               c->timer_kind == T_BODY) {
        set_timer(c, T_KEEPALIVE, lim->keepalive_timeout_ms, true);
    }
}

/* HTTP/2: decrypts records into the session while nothing waits to be written, sending
 * its answers after each read. */
static void h2_pump(conn_t *c)
{
    while (!conn_closed(c) && c->nwrites == 0 && c->end == CONN_KEEP) {
        int n = SSL_read(c->ssl, c->w->rbuf, WORKER_READ_BUF);
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            tls_err_clear();
            if (e != SSL_ERROR_WANT_READ) {
                conn_close(c);
                return;
            }
            break;
        }
        bool ok = http2_feed(c->h2, c->w->rbuf, (size_t)n);
        if (!ok) /* a protocol error or a flood: the client may still be sending, so the
                  * close lingers, or its bytes would reset the GOAWAY away */
            conn_end(c, CONN_CLOSE_LINGER);
        h2_send(c);
        if (!ok)
            return; /* the GOAWAY is out or queued; h2_send closes once it is */
        if (!tls_readable(c))
            break;
    }
    if (!conn_closed(c))
        h2_send(c);
}

static void tls_pump_records(conn_t *c);

/* After the handshake, the session ticket OpenSSL writes with its last step waits in the
 * output buffer for the answer to a request that came along with the client's Finished, so
 * both leave in one write; whatever is still pending when the bytes at hand are used up
 * is sent then. */
static void tls_pump(conn_t *c)
{
    tls_pump_records(c);
    if (!conn_closed(c))
        tls_send_pending(c);
    tls_in_keep(c->ssl); /* what OpenSSL has not read yet waits in c's own buffer */
}

/* Runs the handshake, then decrypts records while nothing waits to be written. OpenSSL
 * reads the ciphertext where it lies (tls_rbuf, or c's kept bytes: core/tls_in.h); the
 * plaintext goes through the worker's read buffer. */
static void tls_pump_records(conn_t *c)
{
    if (!c->tls_done) {
        int rc = SSL_do_handshake(c->ssl);
        if (rc != 1)
            tls_send_pending(c); /* the server's flight, or an alert */
        if (conn_closed(c))
            return;
        if (rc != 1) {
            int e = SSL_get_error(c->ssl, rc);
            tls_err_clear();
            if (e != SSL_ERROR_WANT_READ)
                conn_close(c); /* a client offering TLS 1.0 or weak suites ends here */
            return;
        }
        c->tls_done = true;
        metrics_add(&c->w->metrics.tls_handshakes, 1);
        if (SSL_session_reused(c->ssl))
            metrics_add(&c->w->metrics.tls_resumed, 1);
        snapshot_unref(c->hs_snap);
        c->hs_snap = NULL;
        const unsigned char *proto;
        unsigned plen;
        SSL_get0_alpn_selected(c->ssl, &proto, &plen);
        if (plen == 2 && memcmp(proto, "h2", 2) == 0) {
            c->h2 = http2_new(c->w, c, &c->peer, &c->w->snap->conf->http2);
            if (!c->h2) {
                conn_close(c);
                return;
            }
        }
    }
    if (c->h2) {
        h2_pump(c);
        return;
    }
    while ((c->state == CONN_HEAD || c->state == CONN_BODY) && c->nwrites == 0 &&
           c->end == CONN_KEEP) {
        int n = SSL_read(c->ssl, c->w->rbuf, WORKER_READ_BUF);
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            tls_err_clear();
            if (e != SSL_ERROR_WANT_READ)
                conn_close(c);
            return;
        }
        deliver(c, c->w->rbuf, (size_t)n);
        if (!tls_readable(c))
            return;
    }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *c = s->data;
    if (nread == 0 || conn_closed(c))
        return;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (c->state == CONN_LINGERING)
        return; /* discarded; the timer or the client's FIN ends it */
    if (c->ssl) {
        tls_in_feed(c->ssl, buf->base, (size_t)nread);
        tls_pump(c); /* ends with tls_in_keep: tls_rbuf is free again */
        return;
    }
    deliver(c, buf->base, (size_t)nread);
}

/* An address at limits.max_connections_per_address: said in the error log at most once a
 * minute across all workers, however many connections it keeps trying. */
static void log_peer_over(conn_t *c)
{
    static atomic_llong last_ms;
    long long now = (long long)util_now_ms(), prev = atomic_load(&last_ms);
    if ((prev && now - prev < 60000) || !atomic_compare_exchange_strong(&last_ms, &prev, now))
        return;
    char ip[INET6_ADDRSTRLEN] = "-";
    if (c->peer.sa.sa_family == AF_INET)
        inet_ntop(AF_INET, &c->peer.in4.sin_addr, ip, sizeof ip);
    else if (c->peer.sa.sa_family == AF_INET6)
        inet_ntop(AF_INET6, &c->peer.in6.sin6_addr, ip, sizeof ip);
    log_warn("limits.max_connections_per_address (%llu) reached by %s: further connections "
             "from it are refused while it has that many open (said once a minute at most)",
             (unsigned long long)limits(c)->max_connections_per_address, ip);
}

void conn_accept(worker_t *w, uv_stream_t *server, bool tls, bool admin)
{
    conn_t *c = util_calloc(1, sizeof *c);
    c->w = w;
    c->admin = admin;
    uv_tcp_init(&w->loop, &c->tcp);
    c->tcp.data = c;
    tq_append(c, T_NONE);
    w->nconns++;
    metrics_add(&w->metrics.conns_accepted, 1);
    long open = atomic_fetch_add_explicit(&conn_count, 1, memory_order_relaxed) + 1;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    int len = sizeof c->peer;
    if (uv_tcp_getpeername(&c->tcp, &c->peer.sa, &len) != 0)
        memset(&c->peer, 0, sizeof c->peer);
    bool over = (uint64_t)open > limits(c)->max_connections || w->stopping;
    if (!over) {
        peerlimit_result_t pr = peerlimit_enter(&c->peer.sa, limits(c));
        c->peer_counted = pr == PEERLIMIT_COUNTED;
        if (pr == PEERLIMIT_OVER) {
            over = true;
            log_peer_over(c);
        }
    }
    if (over) {
        /* Over a limit: answer at once and close, so the server stays responsive to the
         * connections it already has. (Over TLS the client just sees the close.) */
        static const char msg[] = "HTTP/1.1 503 Service Unavailable\r\nServer: jiyue\r\n"
                                  "Retry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        uv_buf_t b = uv_buf_init((char *)msg, sizeof msg - 1);
        if (!tls)
            uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
        conn_close(c);
        return;
    }
    if (tls) {
        c->ssl = tls_conn_new(w->snap->conf, w->snap->sni, !admin);
        if (!c->ssl) {
            conn_close(c);
            return;
        }
        c->hs_snap = w->snap;
        snapshot_ref(c->hs_snap);
    }
    /* TCP_NODELAY comes from the listener (listener.c) */
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    set_timer(c, T_HEADER, limits(c)->header_timeout_ms, true);
}

void conn_defer(conn_t *c, int32_t stream)
{
    if (c->h2) {
        c->w->ndeferred++;
        http2_defer(c->h2, stream); /* the other streams carry on */
        return;
    }
    c->state = CONN_DEFERRED; /* from CONN_HEAD: called while its request is answered */
    c->w->ndeferred++;
    uv_read_stop((uv_stream_t *)&c->tcp);
}

bool conn_resume_begin(conn_t *c, int32_t stream)
{
    c->w->ndeferred--;
    if (c->h2) {
        bool open = http2_resume_begin(c->h2, stream);
        if (c->state == CONN_DEFERRED_CLOSED) {
            if (!http2_waiting(c->h2))
                conn_free(c); /* the last stream the closed connection waited for */
            return false;
        }
        return open && !conn_closed(c);
    }
    switch ((conn_state_t)c->state) {
    case CONN_DEFERRED:
        c->state = CONN_HEAD;
        return true;
    case CONN_DEFERRED_CLOSING:
        c->state = CONN_CLOSING; /* the pending close callback frees it */
        return false;
    default: /* CONN_DEFERRED_CLOSED */
        conn_free(c);
        return false;
    }
}

void conn_resume_end(conn_t *c, int32_t stream, bool keep_alive)
{
    if (c->h2) {
        http2_resume(c->h2, stream);
        if (c->nwrites == 0)
            h2_send(c);
        return;
    }
    if (!keep_alive)
        conn_end(c, CONN_CLOSE);
    if (c->end != CONN_KEEP && c->nwrites == 0 && !conn_closed(c)) {
        if (!flush(c))
            return;
    }
    if (c->pend_len > 0 && c->end == CONN_KEEP && !conn_closed(c)) {
        process(c, c->pend, c->pend_len); /* flushes first, then pipelined requests */
        if (conn_closed(c) || c->nwrites || c->state == CONN_DEFERRED)
            return;
    } else if (!flush(c)) {
        return;
    }
    if (c->nwrites || conn_closed(c))
        return;
    if (c->end != CONN_KEEP) {
        start_linger(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    if (c->state != CONN_BODY)
        set_timer(c, T_KEEPALIVE, limits(c)->keepalive_timeout_ms, true);
    /* Records that arrived behind the deferred request wait, still encrypted, for
     * nothing more from the socket: they are read now. */
    if (c->ssl && tls_readable(c))
        tls_pump(c);
}

/* Every connection is in exactly one timeout queue, so the queues list them all. */
void conn_shutdown_all(worker_t *w)
{
    for (int k = T_NONE; k < T_KINDS; k++) {
        conn_t *next;
        for (conn_t *c = w->tq_head[k]; c; c = next) {
            next = c->tnext;
            if (c->h2 && !conn_closed(c)) {
                /* GOAWAY: the streams taken finish, then h2_send closes. */
                http2_shutdown(c->h2);
                if (c->nwrites == 0)
                    h2_send(c);
                continue;
            }
            /* Idle: waiting for a request, or lingering after its last answer. */
            if (!c->nwrites && c->pend_len == 0 &&
                (c->state == CONN_HEAD || c->state == CONN_LINGERING))
                conn_close(c);
            else
                conn_end(c, CONN_CLOSE);
        }
    }
}

void conn_close_all(worker_t *w)
{
    for (int k = T_NONE; k < T_KINDS; k++)
        while (w->tq_head[k])
            conn_close(w->tq_head[k]);
}
