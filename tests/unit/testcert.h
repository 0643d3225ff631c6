/* tests/unit/testcert.h: self-signed certificates made with the OpenSSL API for tests that
 * need real certificate files (valid, expired, not yet valid, mismatched keys). Header-only:
 * include it in one test file. */
#ifndef JIYUE_TESTCERT_H
#define JIYUE_TESTCERT_H

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
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
    snprintf(cert_path, 256, "%s/c.pem", dir);
    snprintf(key_path, 256, "%s/k.pem", dir);
    return testcert_make(cert_path, key_path, cn, -60, 3600);
}

/* Removes what testcert_make_temp made. */
static inline void testcert_remove_temp(const char *dir, const char *cert_path, const char *key_path)
{
    unlink(cert_path);
    unlink(key_path);
    rmdir(dir);
}

#endif
