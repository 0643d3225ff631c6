/* tests/unit/testcert.h: self-signed certificates made with the OpenSSL API for tests that
 * need real certificate files (valid, expired, not yet valid, mismatched keys). Header-only:
 * include it in one test file. Also the shared set-up of the TLS unit tests: one certificate
 * for a cmocka group and the client/server contexts made from it. */
#ifndef JIYUE_TESTCERT_H
#define JIYUE_TESTCERT_H

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes cert_path and key_path: a P-256 key and a certificate for `cn` (also its SAN)
 * valid from now+from_s to now+until_s seconds. Returns 0 or -1. */
static int testcert_make(const char *cert_path, const char *key_path, const char *cn,
                         long from_s, long until_s)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    if (!key || !x)
        return -1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), from_s);
    X509_gmtime_adj(X509_getm_notAfter(x), until_s);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    char san[300];
    snprintf(san, sizeof san, "DNS:%s", cn);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, key, EVP_sha256());
    FILE *cf = fopen(cert_path, "w"), *kf = fopen(key_path, "w");
    int ok = cf && kf && PEM_write_X509(cf, x) && PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL);
    if (cf)
        fclose(cf);
    if (kf)
        fclose(kf);
    X509_free(x);
    EVP_PKEY_free(key);
    if (ok && chmod(key_path, 0600) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* A certificate and key for `cn` in a fresh temporary folder (mkdtemp of dir, which must
 * end in XXXXXX): cert_path and key_path (256 bytes each) name them. Returns 0 or -1. */
static inline int testcert_make_temp(char *dir, char *cert_path, char *key_path, const char *cn)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(cert_path, 256, "%.240s/c.pem", dir);
    snprintf(key_path, 256, "%.240s/k.pem", dir);
    return testcert_make(cert_path, key_path, cn, -60, 3600);
}

/* Removes what testcert_make_temp made. */
static inline void testcert_remove_temp(const char *dir, const char *cert_path, const char *key_path)
{
    unlink(cert_path);
    unlink(key_path);
    rmdir(dir);
}

/* One certificate for a whole cmocka group (the TLS unit tests): made by
 * testcert_group_setup, removed by testcert_group_teardown; testcert_group() names it. */
typedef struct testcert_temp {
    char dir[32];
    char cert[256], key[256];
} testcert_temp_t;

static inline testcert_temp_t *testcert_group(void)
{
    static testcert_temp_t t = {.dir = "/tmp/jiyue-tlstest-XXXXXX"};
    return &t;
}

static inline int testcert_group_setup(void **state)
{
    (void)state;
    testcert_temp_t *t = testcert_group();
    return testcert_make_temp(t->dir, t->cert, t->key, "www.example.gov.cn");
}

static inline int testcert_group_teardown(void **state)
{
    (void)state;
    testcert_temp_t *t = testcert_group();
    testcert_remove_temp(t->dir, t->cert, t->key);
    return 0;
}

/* A server context on the group's certificate, sending no session ticket (the tests count
 * records), and a client context that speaks TLS 1.3 only. Returns 0 or -1. */
static inline int testcert_group_ctxs(SSL_CTX **sctx, SSL_CTX **cctx)
{
    testcert_temp_t *t = testcert_group();
    *sctx = SSL_CTX_new(TLS_server_method());
    *cctx = SSL_CTX_new(TLS_client_method());
    if (!*sctx || !*cctx ||
        SSL_CTX_use_certificate_file(*sctx, t->cert, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(*sctx, t->key, SSL_FILETYPE_PEM) != 1)
        return -1;
    SSL_CTX_set_num_tickets(*sctx, 0);
    SSL_CTX_set_min_proto_version(*cctx, TLS1_3_VERSION);
    return 0;
}

/* A connection of ctx on two memory BIOs that say "retry" when empty. */
static inline SSL *testcert_mem_ssl(SSL_CTX *ctx)
{
    SSL *ssl = SSL_new(ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rb, -1);
    BIO_set_mem_eof_return(wb, -1);
    SSL_set_bio(ssl, rb, wb);
    return ssl;
}

/* A client of cctx on memory BIOs, in connect state. */
static inline SSL *testcert_mem_client(SSL_CTX *cctx)
{
    SSL *cli = testcert_mem_ssl(cctx);
    SSL_set_connect_state(cli);
    return cli;
}

/* A server of sctx on memory BIOs, in accept state. */
static inline SSL *testcert_mem_server(SSL_CTX *sctx)
{
    SSL *srv = testcert_mem_ssl(sctx);
    SSL_set_accept_state(srv);
    return srv;
}

#endif
