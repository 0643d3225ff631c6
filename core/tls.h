/* core/tls.h: TLS with OpenSSL 3, driven through BIOs of our own for reads (core/tls_in.h)
 * and writes (core/tls_out.h), so that handshakes, reads and writes never block a worker
 * loop.
 *
 * Certificates: each (cert, key) pair becomes one SSL_CTX, kept in a process-wide cache
 * keyed by the two paths and their files' identity (device, inode, size, mtime). A reload
 * whose certificate files did not change gets the same SSL_CTX back, so a cluster of a
 * thousand certificated sites reloads without re-reading a thousand keys, and each site
 * costs one SSL_CTX, not one per reload.
 *
 * SNI: a snapshot's tls_sni_t maps host names to contexts: the hosts and aliases of a site
 * with its own certificate, and the DNS names in that certificate (exact and "*.x"
 * wildcards). Unknown names get the default certificate.
 *
 * Policy (what a scanner rates well): TLS 1.2 and 1.3 only, forward-secret AEAD suites
 * only, server preference for 1.2, no compression, no renegotiation, ALPN h2 (where
 * offered) then http/1.1.
 * Sessions resume from the default context's cache in memory (no session tickets), shared
 * by every worker and SNI context, kept across reloads that leave the default certificate
 * alone. */
#ifndef JIYUE_TLS_H
#define JIYUE_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "diag.h"

typedef struct ssl_ctx_st tls_ctx_t;  /* SSL_CTX */
typedef struct ssl_st tls_conn_t;     /* SSL */
typedef struct tls_sni tls_sni_t;

/* Returns a referenced context for the pair, from the cache when the files did not change.
 * On failure returns NULL with a one-line reason in *err (heap). *warning (heap, may stay
 * NULL) says when the key file is readable by other users. */
tls_ctx_t *tls_ctx_acquire(const char *cert, const char *key, char **err, char **warning);
void tls_ctx_release(tls_ctx_t *ctx);

/* Loads every certificate of a configuration (the default and each site's) into
 * conf->tls.ctx and site->tls.ctx, reporting problems (missing, unreadable, expired, not
 * yet valid, key mismatch) as errors at the `tls:` position and world-readable keys as
 * warnings. Called by conf_load. */
void tls_conf_load(conf_t *c, diag_t *diag);
void tls_conf_release(conf_tls_t *t);

/* SNI table for a configuration (borrows its contexts). */
tls_sni_t *tls_sni_build(const conf_t *c);
void tls_sni_free(tls_sni_t *s);

/* A new server-side connection object on the default context with its BIOs, or NULL
 * when there is no default certificate. The SNI callback consults `sni`, which must stay
 * alive until the handshake is done. offer_h2: ALPN may choose "h2" (else only
 * "http/1.1"). */
tls_conn_t *tls_conn_new(const conf_t *c, const tls_sni_t *sni, bool offer_h2);

/* The session cache of the default context (the one every connection starts on): the
 * sessions it holds, and how many it dropped to make room since that context was made
 * (a reload that changes the default certificate starts a new one). False without TLS. */
typedef struct tls_session_stats {
    unsigned long sessions, evicted;
} tls_session_stats_t;
bool tls_session_stats(const conf_t *c, tls_session_stats_t *out);

/* Frees a connection object, its session still resumable however the connection ended
 * (short of a fatal alert). */
void tls_conn_free(tls_conn_t *ssl);

/* Drops the context cache (at exit, for leak checkers). */
void tls_shutdown(void);

#endif
