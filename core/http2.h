/* core/http2.h: HTTP/2 (RFC 9113) on a TLS connection that chose "h2" by ALPN, through
 * nghttp2: the frame layer, HPACK and flow control are the library's; this file owns the
 * session's settings and limits, turns each stream into an ordinary request (the same
 * routing, modules and response code as HTTP/1.1, core/request.c) and its answer into
 * HEADERS and DATA frames.
 *
 * How an answer crosses over: request_handle() answers through the ordinary response
 * functions; the head they record (a status plus header fields, core/resphead.h) is not
 * formatted as HTTP/1.1 for a stream (request_t.h2) but left in worker_t.head, and
 * http2.c turns it into nghttp2 header fields directly (names lower-cased, the
 * connection-specific ones dropped); the body parts are in the worker's output batch.
 * So every response a module can write reaches both protocols identically, and nothing
 * is formatted or parsed twice.
 *
 * Bodies: a store value stays where it is, in LMDB's map; the worker's read transaction
 * is held (worker_store_hold) until the DATA frames carrying it are written or the stream
 * closes, however many loop turns the client's window takes. Bodies that live only for
 * the callback are copied once into the stream. Either way nghttp2 copies nothing
 * (NGHTTP2_DATA_FLAG_NO_COPY): each frame's header and payload go straight into the
 * output buffer that conn.c encrypts as it is.
 *
 * The connection (core/conn.c) owns the socket, TLS and timeouts: it feeds decrypted bytes
 * in with http2_feed() and writes what http2_output() gives it. */
#ifndef JIYUE_HTTP2_H
#define JIYUE_HTTP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "request_internal.h"
#include "worker.h"

typedef struct http2_conn http2_conn_t;

/* A session for the public connection c (management listeners speak HTTP/1.1 only),
 * whose peer address stays valid while it lives. The server's SETTINGS are queued for
 * output. NULL when nghttp2 cannot allocate. */
http2_conn_t *http2_new(worker_t *w, struct conn *c, const peer_addr_t *peer,
                        const conf_http2_t *lim);
void http2_free(http2_conn_t *h);

/* Decrypted bytes from the client: frames are processed, complete requests answered.
 * Returns false when the session failed (a protocol error or a flood: a GOAWAY is then
 * queued; write it, then close). */
bool http2_feed(http2_conn_t *h, const char *p, size_t len);

/* Bytes to send, at most about `cap` (0 when there is nothing to send now): whole frames,
 * DATA payloads copied once from the map or the stream; with cap one TLS record's
 * plaintext, a DATA frame never straddles two outputs. The bytes stay valid until the
 * next call. Returns false on a fatal error. */
bool http2_output(http2_conn_t *h, size_t cap, const char **p, size_t *len);

/* Whether http2_output() may have more to give right now (frames queued, a DATA frame
 * that waited for the next record, answers waiting for the response budget); false: the
 * last output was all there is until the client sends something. */
bool http2_more(const http2_conn_t *h);
/* Whether the session is over: GOAWAY sent or received, no stream left, nothing to send. */
bool http2_done(const http2_conn_t *h);
/* Streams waiting for an answer from the writer thread (deferred responses). */
bool http2_waiting(const http2_conn_t *h);
/* Whether a response's body waits for the client's flow-control window. */
bool http2_blocked(const http2_conn_t *h);
/* Response body bytes framed so far: the flow-control windows moved when it grows. */
uint64_t http2_body_sent(const http2_conn_t *h);
/* Request bodies arriving on streams are bounded as over HTTP/1.1 (limits.body_timeout,
 * limits.body_deadline): the loop time (ms) when the first is late, 0 when no body is
 * arriving; then http2_expire_bodies answers each late stream 408 (the others and the
 * connection carry on). */
uint64_t http2_body_deadline(const http2_conn_t *h);
void http2_expire_bodies(http2_conn_t *h, uint64_t now);
/* Requests answered since the last call (the keep-alive timeout restarts on them). */
unsigned http2_take_answered(http2_conn_t *h);

/* At shutdown: GOAWAY (NO_ERROR) naming the last stream taken; those streams finish. */
void http2_shutdown(http2_conn_t *h);

/* Deferred responses (core/writer.h): the stream waits; the connection goes on. */
void http2_defer(http2_conn_t *h, int32_t stream);
/* The deferred answer is ready: whether its stream is still open (the client may have
 * reset it meanwhile). Called once per http2_defer(). */
bool http2_resume_begin(http2_conn_t *h, int32_t stream);
/* After the deferred response is in the worker's batch: it goes to the stream. */
void http2_resume(http2_conn_t *h, int32_t stream);

#endif
