/* modules/audit/audit.c: the audit module's table. It answers no request (`handle` is
 * NULL): it owns the server file's `audit:` key (the thresholds of `jiyuectl audit`,
 * audit_conf.c) and a site file's `csp:` key (audit_csp.c), derives each site's
 * Content-Security-Policy line once per configuration, and adds that line to every
 * response of a routed request, error pages and redirects included. The rules that
 * `jiyuectl audit` applies are in audit_rules.c, audit_links.c and audit_columns.c
 * (audit.h). */
#include "audit.h"

#include "audit_csp.h"
#include "module.h"

extern module_t module_audit;

const audit_conf_t *audit_conf(const conf_t *c)
{
    return module_server_conf(c, &module_audit);
}

audit_csp_t *audit_csp_of(const conf_site_t *s)
{
    return module_site_conf(s, &module_audit);
}

static void audit_ready(conf_t *c)
{
    audit_conf_t *a = module_server_conf(c, &module_audit);
    audit_conf_finish(a);
    audit_csp_build(c, a->allow_hosts, a->nallow_hosts);
}

static size_t audit_headers(const conf_site_t *s, const void *slot, const char **lines)
{
    const audit_csp_t *csp = slot;
    if (!csp || !csp->header)
        return 0;
    *lines = csp->header;
    return csp->header_len;
}

static const conf_key_t audit_server_keys[] = {
    {"audit", CONF_K_FN, 0, audit_conf_key, false, 0},
};

static const conf_key_t audit_site_keys[] = {
    {"csp", CONF_K_FN, 0, audit_csp_key, false, 0},
};

module_t module_audit = {
    .name = "audit",
    .site_keys = audit_site_keys,
    .nsite_keys = 1,
    .site_conf_size = sizeof(audit_csp_t),
    .site_conf_free = audit_csp_free,
    .server_keys = audit_server_keys,
    .nserver_keys = 1,
    .server_conf_size = sizeof(audit_conf_t),
    .server_conf_init = audit_conf_init,
    .server_conf_free = audit_conf_free,
    .conf_ready = audit_ready,
    .site_headers = audit_headers,
};
