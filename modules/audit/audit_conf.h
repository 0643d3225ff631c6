/* core/conf_audit.h: the config loader's part for self-inspection and the policy that goes
 * with it: the server file's `audit:` mapping (thresholds, allowed hosts, ad patterns), a
 * site's `csp:` extension, and the Content-Security-Policy value formatted once per load
 * for every site. Used by conf.c and conf_site.c only; everyone else reads conf.h. */
#ifndef JIYUE_CONF_AUDIT_H
#define JIYUE_CONF_AUDIT_H

#include "conf_priv.h"

/* The built-in ad patterns (common ad-network hosts and ad-script markers), NULL-ended.
 * `audit.ad_patterns` uses them when absent, or where its list says "default". */
extern const char *const conf_audit_default_ads[];

void conf_audit_defaults(conf_audit_t *a);
void conf_audit_free(conf_audit_t *a);
/* The server file's `audit:` key. */
void conf_audit_key(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v);
/* Fills in the defaults a configuration without `audit.ad_patterns` gets. */
void conf_audit_finish(conf_t *c);
/* A site file's `csp:` key: {DIRECTIVE: [SOURCE, ...], ...}. */
void conf_audit_site_csp(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k,
                         const yaml_dom_node_t *v);
/* Formats every site's csp_header (after the sites are read and valid). */
void conf_csp_build(conf_t *c);

#endif
