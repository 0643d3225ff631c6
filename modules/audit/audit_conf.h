/* modules/audit/audit_conf.h: the server file's `audit:` mapping (the thresholds of
 * `jiyuectl audit`, the hosts outside the cluster that are not foreign, the ad patterns),
 * read into the audit module's slot of the configuration (modules/audit/audit.c). The
 * rules (audit_rules.c, audit_links.c), `jiyuectl probe` and the site's CSP
 * (audit_csp.c) read it through audit_conf(). */
#ifndef JIYUE_AUDIT_CONF_H
#define JIYUE_AUDIT_CONF_H

#include "conf_node.h"

/* `audit:` in the server file: the 2019 national inspection indicators by default. */
typedef struct audit_conf {
    uint64_t homepage_days;        /* 14: no new item on the home page */
    uint64_t dynamic_days;         /* 14: dynamic columns */
    uint64_t notice_days;          /* 183: notice columns */
    uint64_t policy_days;          /* 183: policy columns */
    uint64_t personnel_days;       /* 365: personnel columns */
    uint64_t plan_days;            /* 365: plan columns */
    uint64_t stale_columns_veto;   /* 5: this many stale columns on a site is a veto */
    uint64_t blank_columns_veto;   /* 5: this many blank columns on a site is a veto */
    uint64_t unanswered_veto_days; /* 90: a message unanswered this long (within a year) */
    uint64_t probe_days;           /* 7: the availability window */
    uint64_t probe_fail_percent;   /* 5: more failed probes than this percentage is a veto */
    uint64_t probe_timeout_ms;     /* 15s: a probe slower than this failed */
    char **allow_hosts;            /* hosts outside the cluster that are not foreign */
    size_t nallow_hosts;
    char **ad_patterns;            /* lower-case; "default" in the list expands to the built-in */
    size_t nad_patterns;
    conf_pos_t pos;
} audit_conf_t;

/* The `audit:` values of a configuration made by conf_load (defaults when the key is
 * absent). Defined with the module's table (audit.c). */
const audit_conf_t *audit_conf(const conf_t *c);

/* The built-in ad patterns (common ad-network hosts and ad-script markers), NULL-ended.
 * `audit.ad_patterns` uses them when absent, or where its list says "default". */
extern const char *const audit_conf_default_ads[];

/* The module's server slot: defaults before the server file is read, and what it owns. */
void audit_conf_init(void *slot);
void audit_conf_free(void *slot);
/* The server file's `audit:` key (obj: the slot). */
void audit_conf_key(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v);
/* Fills in the defaults a configuration without `audit.ad_patterns` gets. */
void audit_conf_finish(audit_conf_t *a);

#endif
