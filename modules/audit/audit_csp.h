/* modules/audit/audit_csp.h: a site's Content-Security-Policy: its `csp:` key (sources
 * the site adds) and the header line formatted from it once per configuration, kept in
 * the audit module's slot of the site (modules/audit/audit.c adds it to every response
 * of a routed request). */
#ifndef JIYUE_AUDIT_CSP_H
#define JIYUE_AUDIT_CSP_H

#include "conf_node.h"

/* The audit module's slot of a site. */
typedef struct audit_csp {
    /* `csp: {script-src: [...], img-src: [...]}`: one "directive source source" line per
     * entry ("" when none, NULL when the key is absent). */
    char *extra;
    /* "Content-Security-Policy: VALUE\r\n", from self, the cluster's hosts,
     * audit.allow_hosts and `extra` (audit_csp_build). */
    char *header;
    size_t header_len;
} audit_csp_t;

/* The slot of site s of a configuration made by conf_load (audit.c). */
audit_csp_t *audit_csp_of(const conf_site_t *s);
/* A site file's `csp:` key: {DIRECTIVE: [SOURCE, ...], ...} (obj: the site's slot). */
void audit_csp_key(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v);
/* Frees what the slot owns. */
void audit_csp_free(void *slot);
/* Formats every site's header line on a configuration that passed its checks, with
 * the hosts of `allow` (audit.allow_hosts) allowed besides the cluster's. */
void audit_csp_build(conf_t *c, char *const *allow, size_t nallow);

#endif
