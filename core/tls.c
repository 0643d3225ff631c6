/* core/tls.c: certificate contexts (cached across reloads), the TLS policy (session cache
 * included), SNI and ALPN. See tls.h. */
#include "tls.h"

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "strmap.h"
#include "tls_in.h"
#include "tls_out.h"
#include "util.h"

/* TLS 1.2 suites: ECDHE only (forward secrecy), AEAD only (GCM, ChaCha20-Poly1305). */
#define TLS12_CIPHERS                                                                     \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                          \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                          \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
/* Sessions resumed from the server's memory: how many it keeps (the least recently used
 * goes first; OpenSSL's own default) and for how long one may be resumed. */
#define SESSION_CACHE_SIZE 20480
#define SESSION_SECONDS 7200

/* ---- policy, ALPN, SNI ---- */

static int h1_only_index = -1; /* ex data set on connections that must not speak h2 */

/* Whether the client's ALPN list (wire format) offers `proto` (len bytes). */
static const unsigned char *alpn_find(const unsigned char *in, unsigned inlen, const char *proto,
                                      unsigned len)
{
    for (unsigned i = 0; i + 1 <= inlen;) {
        unsigned n = in[i];
        if (i + 1 + n > inlen)
            break;
        if (n == len && memcmp(in + i + 1, proto, len) == 0)
            return in + i + 1;
        i += 1 + n;
    }
    return NULL;
}

/* Our preference, whatever the client's order: h2 (core/http2.h), then http/1.1. */
static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)arg;
    const unsigned char *p = NULL;
    if (!SSL_get_ex_data(ssl, h1_only_index) && (p = alpn_find(in, inlen, "h2", 2))) {
        *out = p;
        *outlen = 2;
        return SSL_TLSEXT_ERR_OK;
    }
    if ((p = alpn_find(in, inlen, "http/1.1", 8))) {
        *out = p;
        *outlen = 8;
        return SSL_TLSEXT_ERR_OK;
    }
    /* No protocol we speak: carry on without ALPN (HTTP/1.1). */
    return SSL_TLSEXT_ERR_NOACK;
}

static int sni_index = -1;
static pthread_once_t sni_once = PTHREAD_ONCE_INIT;

static void sni_index_init(void)
{
    sni_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    h1_only_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

struct tls_sni {
    strmap_t exact;    /* host -> SSL_CTX */
    strmap_t wildcard; /* "example.gov.cn" for "*.example.gov.cn" -> SSL_CTX */
    SSL_CTX *fallback;
};

static SSL_CTX *sni_lookup(const tls_sni_t *s, const char *name)
{
    char host[256];
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof host)
        return NULL;
    memcpy(host, name, n + 1);
    util_lower(host, n);
    if (host[n - 1] == '.')
        host[--n] = '\0';
    SSL_CTX *ctx = strmap_get(&s->exact, host, n);
    if (ctx)
        return ctx;
    const char *dot = memchr(host, '.', n);
    if (dot)
        ctx = strmap_get(&s->wildcard, dot + 1, n - (size_t)(dot + 1 - host));
    return ctx;
}

static int servername_cb(SSL *ssl, int *alert, void *arg)
{
    const tls_sni_t *s = SSL_get_ex_data(ssl, sni_index);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!s || !name)
        return SSL_TLSEXT_ERR_NOACK;
    SSL_CTX *ctx = sni_lookup(s, name);
    if (ctx && ctx != SSL_get_SSL_CTX(ssl))
        SSL_set_SSL_CTX(ssl, ctx);
    return SSL_TLSEXT_ERR_OK;
}

static void apply_policy(SSL_CTX *ctx)
{
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS);
    SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_SINGLE_ECDH_USE);
    /* RELEASE_BUFFERS: an idle connection holds no record buffers (nginx does the same).
     * NO_AUTO_CHAIN: the chain sent is the certificate file's, as loaded. Without it
     * OpenSSL tries to build a chain from the context's (empty) trust store on every full
     * handshake of a file that holds the leaf alone: an X509_STORE_CTX set up and
     * X509_verify_cert run, about 3,100 instructions each time, for the same leaf-only
     * chain (callgrind, tests/bench/TLS-RESULTS.md). */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
    /* Resumption from a session cache in memory, not from session tickets (Mozilla's
     * server-side TLS guidance): nothing a client holds is encrypted under a long-lived
     * server key, so a stolen key cannot open recorded sessions, and a resumed handshake
     * neither decrypts nor re-encrypts a ticket nor (de)serialises the session (about 7% of
     * a resumed TLS 1.3 handshake's instructions, tests/bench/TLS-RESULTS.md). The workers
     * are threads of one process and every connection starts on the default context, so
     * its one cache serves all workers and SNI contexts, and a reload that leaves the
     * default certificate alone keeps it. A TLS 1.3 client gets one ticket per handshake
     * (the session's id), renewed on each resumption. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, SESSION_CACHE_SIZE);
    SSL_CTX_set_timeout(ctx, SESSION_SECONDS);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"jiyue", 5);
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
}

/* ---- the context cache ---- */

typedef struct cache_entry {
    SSL_CTX *ctx;
    struct stat cert_st, key_st;
} cache_entry_t;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static strmap_t cache; /* "cert\nkey" -> cache_entry_t* */

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static char *ssl_error(const char *what, const char *path)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return util_asprintf("%s %s%s%s", what, path, *buf ? ": " : "", buf);
}

/* ---- private keys ----
 * OpenSSL 3.0 assembles a chain of decoders from every provider for each key it reads:
 * about 0.35 ms a key, most of `jiyue -t` for a thousand certificated sites. One chain
 * kept and reused reads a key in about 0.05 ms (measured on 1,000 EC P-256 keys). It
 * accepts the PEM forms OpenSSL writes (PKCS#8 "PRIVATE KEY", "RSA/EC PRIVATE KEY");
 * an encrypted key fails cleanly, as a server started unattended has no one to ask. */
#define KEY_FILE_MAX (1024 * 1024)

static pthread_mutex_t key_decoder_lock = PTHREAD_MUTEX_INITIALIZER;
static OSSL_DECODER_CTX *key_decoder;
static EVP_PKEY *key_decoded; /* where key_decoder puts each key it reads */

static EVP_PKEY *decode_private_key(const unsigned char *pem, size_t len)
{
    pthread_mutex_lock(&key_decoder_lock);
    if (!key_decoder)
        key_decoder = OSSL_DECODER_CTX_new_for_pkey(&key_decoded, "PEM", NULL, NULL,
                                                    EVP_PKEY_KEYPAIR, NULL, NULL);
    EVP_PKEY *pkey = NULL;
    if (key_decoder) {
        key_decoded = NULL;
        if (OSSL_DECODER_from_data(key_decoder, &pem, &len) == 1)
            pkey = key_decoded;
        else
            EVP_PKEY_free(key_decoded);
        key_decoded = NULL;
    }
    pthread_mutex_unlock(&key_decoder_lock);
    return pkey;
}

static EVP_PKEY *read_private_key(const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = util_asprintf("cannot load private key %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char *buf = util_malloc(KEY_FILE_MAX);
    size_t len = fread(buf, 1, KEY_FILE_MAX, f);
    bool too_big = len == KEY_FILE_MAX, failed = ferror(f) != 0;
    fclose(f);
    EVP_PKEY *pkey = NULL;
    if (too_big)
        *err = util_asprintf("cannot load private key %s: larger than %d bytes", path,
                             KEY_FILE_MAX);
    else if (failed)
        *err = util_asprintf("cannot load private key %s: read error", path);
    else if (!(pkey = decode_private_key(buf, len)))
        *err = ssl_error("cannot load private key", path);
    OPENSSL_cleanse(buf, len); /* no key bytes left behind in freed memory */
    free(buf);
    return pkey;
}

static SSL_CTX *load_ctx(const char *cert, const char *key, char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        *err = ssl_error("cannot create a TLS context for", cert);
        return NULL;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        *err = ssl_error("cannot load certificate", cert);
        goto fail;
    }
    EVP_PKEY *pkey = read_private_key(key, err);
    if (!pkey)
        goto fail;
    int used = SSL_CTX_use_PrivateKey(ctx, pkey);
    EVP_PKEY_free(pkey);
    if (used != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            *err = util_asprintf("private key %s does not match certificate %s", key, cert);
        } else {
            *err = ssl_error("cannot load private key", key);
        }
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        *err = util_asprintf("private key %s does not match certificate %s", key, cert);
        goto fail;
    }
    X509 *x = SSL_CTX_get0_certificate(ctx);
    if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
        *err = util_asprintf("certificate %s has expired", cert);
        goto fail;
    }
    if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
        *err = util_asprintf("certificate %s is not valid yet", cert);
        goto fail;
    }
    apply_policy(ctx);
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

tls_ctx_t *tls_ctx_acquire(const char *cert, const char *key, char **err, char **warning)
{
    struct stat cst, kst;
    if (stat(cert, &cst) != 0) {
        *err = util_asprintf("certificate %s: %s", cert, strerror(errno));
        return NULL;
    }
    if (stat(key, &kst) != 0) {
        *err = util_asprintf("private key %s: %s", key, strerror(errno));
        return NULL;
    }
    if (kst.st_mode & (S_IROTH | S_IWOTH))
        *warning = util_asprintf("private key %s is readable by other users (chmod 600 it)", key);
    char *id = util_asprintf("%s\n%s", cert, key);
    size_t idlen = strlen(id);
    pthread_mutex_lock(&cache_lock);
    cache_entry_t *e = strmap_get(&cache, id, idlen);
    if (e && same_file(&e->cert_st, &cst) && same_file(&e->key_st, &kst)) {
        SSL_CTX_up_ref(e->ctx);
        pthread_mutex_unlock(&cache_lock);
        free(id);
        return e->ctx;
    }
    pthread_mutex_unlock(&cache_lock);

    SSL_CTX *ctx = load_ctx(cert, key, err);
    if (!ctx) {
        free(id);
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    e = strmap_get(&cache, id, idlen); /* again: another thread may have loaded it meanwhile */
    if (!e) {
        e = util_calloc(1, sizeof *e);
        strmap_put(&cache, id, idlen, e);
    } else {
        SSL_CTX_free(e->ctx); /* the cache's reference; live configs keep their own */
    }
    e->ctx = ctx;
    e->cert_st = cst;
    e->key_st = kst;
    SSL_CTX_up_ref(ctx);
    pthread_mutex_unlock(&cache_lock);
    free(id);
    return ctx;
}

void tls_ctx_release(tls_ctx_t *ctx)
{
    if (ctx)
        SSL_CTX_free(ctx);
}

/* ---- loading a configuration's certificates ----
 * A thousand certificated sites take about half a second to load on one core (the context,
 * the certificate parse and the key); at start and for `jiyue -t` they are loaded by
 * several threads, each taking the next one from a shared counter. Diagnostics are kept
 * per certificate and reported afterwards in configuration order, as before. */
#define LOAD_THREADS_MAX 8
#define LOAD_PARALLEL_MIN 32 /* fewer new certificates than this: one thread is quicker */

typedef struct load_item {
    conf_tls_t *t;
    char *err, *warning;
} load_item_t;

typedef struct load_job {
    load_item_t *items;
    size_t n;
    atomic_size_t next;
} load_job_t;

static void *load_worker(void *arg)
{
    load_job_t *job = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            return NULL;
        load_item_t *it = &job->items[i];
        if (it->t->cert && it->t->key)
            it->t->ctx = tls_ctx_acquire(it->t->cert, it->t->key, &it->err, &it->warning);
    }
}

static void report_one(const load_item_t *it, diag_t *diag)
{
    const conf_tls_t *t = it->t;
    const char *file = t->pos.file;
    if (!t->cert || !t->key)
        diag_error(diag, file, t->pos.line, t->pos.col, "tls needs both cert and key");
    else if (!t->ctx)
        diag_error(diag, file, t->pos.line, t->pos.col, "tls: %s", it->err);
    if (it->warning)
        diag_warning(diag, file, t->pos.line, t->pos.col, "tls: %s", it->warning);
}

void tls_conf_load(conf_t *c, diag_t *diag)
{
    load_job_t job = {.items = util_calloc(c->nsites + 1, sizeof *job.items)};
    if (c->tls.cert || c->tls.key)
        job.items[job.n++].t = &c->tls;
    for (size_t i = 0; i < c->nsites; i++)
        if (c->sites[i].tls.cert || c->sites[i].tls.key)
            job.items[job.n++].t = &c->sites[i].tls;
    atomic_init(&job.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t extra = 0;
    pthread_t threads[LOAD_THREADS_MAX];
    if (job.n >= LOAD_PARALLEL_MIN && cpus > 1) {
        size_t want = (size_t)(cpus < LOAD_THREADS_MAX ? cpus : LOAD_THREADS_MAX) - 1;
        while (extra < want && pthread_create(&threads[extra], NULL, load_worker, &job) == 0)
            extra++;
    }
    load_worker(&job); /* this thread takes its share too */
    for (size_t i = 0; i < extra; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < job.n; i++) {
        report_one(&job.items[i], diag);
        free(job.items[i].err);
        free(job.items[i].warning);
    }
    free(job.items);
}

void tls_conf_release(conf_tls_t *t)
{
    tls_ctx_release(t->ctx);
    t->ctx = NULL;
}

/* ---- SNI table ---- */

static void sni_add_name(tls_sni_t *s, const char *name, size_t len, SSL_CTX *ctx)
{
    char host[256];
    if (len == 0 || len >= sizeof host)
        return;
    memcpy(host, name, len);
    util_lower(host, len);
    if (len > 2 && host[0] == '*' && host[1] == '.') {
        if (!strmap_get(&s->wildcard, host + 2, len - 2))
            strmap_put(&s->wildcard, host + 2, len - 2, ctx);
    } else if (!strmap_get(&s->exact, host, len)) {
        strmap_put(&s->exact, host, len, ctx);
    }
}

/* The DNS names a certificate is valid for. */
static void sni_add_cert_names(tls_sni_t *s, SSL_CTX *ctx)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        if (g->type == GEN_DNS)
            sni_add_name(s, (const char *)ASN1_STRING_get0_data(g->d.dNSName),
                         (size_t)ASN1_STRING_length(g->d.dNSName), ctx);
    }
    GENERAL_NAMES_free(names);
}

tls_sni_t *tls_sni_build(const conf_t *c)
{
    tls_sni_t *s = util_calloc(1, sizeof *s);
    strmap_init(&s->exact);
    strmap_init(&s->wildcard);
    s->fallback = c->tls.ctx;
    /* A site's configured hosts win over names merely listed in some certificate. */
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *site = &c->sites[i];
        if (!site->tls.ctx)
            continue;
        for (size_t h = 0; h < site->nhosts; h++)
            sni_add_name(s, site->hosts[h], strlen(site->hosts[h]), site->tls.ctx);
        for (size_t a = 0; a < site->naliases; a++)
            sni_add_name(s, site->aliases[a], strlen(site->aliases[a]), site->tls.ctx);
    }
    for (size_t i = 0; i < c->nsites; i++)
        if (c->sites[i].tls.ctx)
            sni_add_cert_names(s, c->sites[i].tls.ctx);
    return s;
}

void tls_sni_free(tls_sni_t *s)
{
    if (!s)
        return;
    strmap_free(&s->exact);
    strmap_free(&s->wildcard);
    free(s);
}

tls_conn_t *tls_conn_new(const conf_t *c, const tls_sni_t *sni, bool offer_h2)
{
    pthread_once(&sni_once, sni_index_init);
    if (!c->tls.ctx)
        return NULL;
    SSL *ssl = SSL_new(c->tls.ctx);
    if (!ssl)
        return NULL;
    if (!tls_in_attach(ssl) || !tls_out_attach(ssl)) { /* records: tls_in.c, tls_out.c */
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_ex_data(ssl, sni_index, (void *)sni);
    if (!offer_h2)
        SSL_set_ex_data(ssl, h1_only_index, ssl);
    SSL_set_accept_state(ssl);
    return ssl;
}

bool tls_session_stats(const conf_t *c, tls_session_stats_t *out)
{
    if (!c->tls.ctx)
        return false;
    out->sessions = (unsigned long)SSL_CTX_sess_number(c->tls.ctx);
    out->evicted = (unsigned long)SSL_CTX_sess_cache_full(c->tls.ctx);
    return true;
}

void tls_conn_free(tls_conn_t *ssl)
{
    /* OpenSSL drops a session from the cache at SSL_free when no close_notify went out (a
     * TLS 1.0 rule, which RFC 5246 section 7.2.1 lifted). A keep-alive connection the client
     * simply closes, or one that timed out, would lose its session, and a TLS 1.3 client the
     * ticket it was just given. A fatal alert still removes the session: OpenSSL does that
     * when it sends one. */
    if (SSL_is_init_finished(ssl))
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
    SSL_free(ssl);
}

void tls_shutdown(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cache.cap; i++) {
        cache_entry_t *e = cache.slots[i].value;
        if (cache.slots[i].key && e) {
            SSL_CTX_free(e->ctx);
            free(e);
        }
    }
    strmap_free(&cache);
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_lock(&key_decoder_lock);
    OSSL_DECODER_CTX_free(key_decoder);
    key_decoder = NULL;
    pthread_mutex_unlock(&key_decoder_lock);
}
