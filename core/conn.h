/* core/conn.h: a client connection: reading and parsing requests (pipelined, in order),
 * discarding request bodies it does not need, writing the batched responses, keep-alive,
 * and every per-connection limit (header, keep-alive, body and send timeouts, the whole
 * body's deadline, connections per client address (core/peerlimit.h); lingering close
 * after an error so the client reads the error before the reset). */
#ifndef JIYUE_CONN_H
#define JIYUE_CONN_H

#include <stdatomic.h>
#include <uv.h>

#include "worker.h"

/* Connections open across all workers (for max_connections). */
extern atomic_long conn_count;

/* Accepts one connection from a listening stream; tls: the listener serves TLS; admin: it
 * is a management listener (its requests go to the modules' admin_handle, from the
 * addresses in admin.allow only). */
void conn_accept(worker_t *w, uv_stream_t *server, bool tls, bool admin);
/* At shutdown: closes idle connections now and marks busy ones to close after their
 * current response. */
void conn_shutdown_all(worker_t *w);
/* Closes every connection at once (shutdown deadline passed). */
void conn_close_all(worker_t *w);
/* Deferred responses (core/writer.h): stop reading until the response is ready. On an
 * HTTP/2 connection (stream != 0) only that stream waits. */
struct conn;
void conn_defer(struct conn *c, int32_t stream);
/* Returns false when the client went away meanwhile (the connection, or the stream, is
 * then released). */
bool conn_resume_begin(struct conn *c, int32_t stream);
/* After the response is in the worker's batch: write it and carry on. */
void conn_resume_end(struct conn *c, int32_t stream, bool keep_alive);
/* Closes the connections whose timeout has passed (called by the worker's tick). */
void conn_sweep(worker_t *w);

#endif
