/* core/tls_in.h: the read side of a TLS connection. OpenSSL reads its records straight
 * from the bytes the socket gave (the worker's shared buffer for TLS reads), without a
 * memory BIO's copy of every read and its allocation per connection (callgrind: 3,500
 * instructions a resumed handshake, 470 a keep-alive request). What OpenSSL has not taken when the connection stops reading
 * (a write waits for the socket, a response for the writer thread) is copied into the
 * connection's own buffer, since the shared one is reused by the next read; once all is
 * read, the connection holds nothing. */
#ifndef JIYUE_TLS_IN_H
#define JIYUE_TLS_IN_H

#include <stdbool.h>
#include <stddef.h>

#include "tls.h"

/* Puts the reader in as ssl's read BIO. Returns false when out of memory. */
bool tls_in_attach(tls_conn_t *ssl);

/* Bytes just read from the socket: OpenSSL reads them where they lie, after any kept from
 * before (to which they are then appended). They must stay put until tls_in_keep(). */
void tls_in_feed(tls_conn_t *ssl, const char *p, size_t n);

/* The caller is done with what it fed, for now: what OpenSSL has not read is copied into
 * the connection's own buffer for later; with nothing left, nothing is held. */
void tls_in_keep(tls_conn_t *ssl);

/* Bytes not yet read by OpenSSL (0: it has all there is). */
size_t tls_in_pending(tls_conn_t *ssl);

#endif
