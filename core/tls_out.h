/* core/tls_out.h: the write side of a TLS connection: where its records go, and how a batch
 * of response bytes becomes records.
 *
 * Records go into a per-connection buffer that the connection sends with one write (no
 * memory BIO: that one copies every record once more and clears its whole buffer on each
 * reset). A batch that fits one record (a response of up to 16 KiB, head and body), given
 * a socket with nothing queued for it, goes straight from OpenSSL's record buffer to the
 * socket when the buffer is empty: one record, one write(), no copy after the encryption;
 * what the socket does not take is buffered. A larger batch's records are buffered and
 * leave in one write (a write per record would cost more than the copy). Plaintext that is
 * already one flat buffer (HTTP/2) is encrypted where it lies, by the same rules. */
#ifndef JIYUE_TLS_OUT_H
#define JIYUE_TLS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "tls.h"

/* The bytes of a TLS record: 16 KiB, TLS's maximum plaintext per record. */
#define TLS_OUT_RECORD (16 * 1024)

/* Puts the output buffer in as ssl's write BIO. Returns false when out of memory. */
bool tls_out_attach(tls_conn_t *ssl);

/* Encrypts iov[0..n) into as few records as fit (each up to TLS_OUT_RECORD): small parts
 * are gathered in *stage (allocated here, TLS_OUT_RECORD bytes, owned by the caller) so a
 * response head and its body share a record; a part's whole records are encrypted
 * straight from where it lies (the store's map), without staging. sock >= 0: records may
 * go straight to that socket (a batch of one record, nothing buffered ahead of it;
 * see above); -1: all are buffered. Returns false when OpenSSL failed (the connection is to be closed). */
bool tls_out_write(tls_conn_t *ssl, char **stage, const uv_buf_t *iov, size_t n, int sock);

/* Encrypts p[0, n), plaintext already laid out (HTTP/2's frames, core/http2.h), as it lies:
 * whole records cut at TLS_OUT_RECORD, no staging copy. sock >= 0: a buffer of one record
 * (n <= TLS_OUT_RECORD), with nothing buffered ahead of it, goes straight to that socket
 * (the caller passes it only when nothing else is to follow now); -1: all are buffered.
 * Returns false when OpenSSL failed (the connection is to be closed). */
bool tls_out_write_flat(tls_conn_t *ssl, const char *p, size_t n, int sock);

/* The buffered bytes not yet handed to the socket (*len 0: none). */
void tls_out_pending(tls_conn_t *ssl, const char **p, size_t *len);

/* The pending bytes were handed on (sent, or copied into a queued write). */
void tls_out_consumed(tls_conn_t *ssl);

#endif
