/* modules/audit/audit_conf.c: the `audit:` mapping of the server file (the national
 * inspection thresholds, hosts outside the cluster that are not foreign, ad patterns),
 * read into the audit module's slot of the configuration. */
#include "audit_conf.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const audit_conf_default_ads[] = {
    /* hosts (a host pattern matches the host and its subdomains) */
    "googlesyndication.com", "doubleclick.net", "googleadservices.com", "adservice.google.com",
    "amazon-adsystem.com", "adnxs.com", "criteo.com", "criteo.net", "taboola.com",
    "outbrain.com", "adsrvr.org", "pubmatic.com", "rubiconproject.com", "pos.baidu.com",
    "cpro.baidu.com", "cpro.baidustatic.com", "dup.baidustatic.com", "cbjs.baidu.com",
    "tanx.com", "alimama.com", "lianmeng.360.cn",
    /* markers in script URLs and inline scripts */
    "adsbygoogle", "baidu_clb_fillslot", "cpro_id", "/pagead/",
    NULL,
};

static const conf_key_t audit_num_keys[] = {
    {"homepage_days", CONF_K_COUNT, offsetof(audit_conf_t, homepage_days), NULL, false, 0},
    {"dynamic_days", CONF_K_COUNT, offsetof(audit_conf_t, dynamic_days), NULL, false, 0},
    {"notice_days", CONF_K_COUNT, offsetof(audit_conf_t, notice_days), NULL, false, 0},
    {"policy_days", CONF_K_COUNT, offsetof(audit_conf_t, policy_days), NULL, false, 0},
    {"personnel_days", CONF_K_COUNT, offsetof(audit_conf_t, personnel_days), NULL, false, 0},
    {"plan_days", CONF_K_COUNT, offsetof(audit_conf_t, plan_days), NULL, false, 0},
    {"stale_columns_veto", CONF_K_COUNT, offsetof(audit_conf_t, stale_columns_veto), NULL, false, 0},
    {"blank_columns_veto", CONF_K_COUNT, offsetof(audit_conf_t, blank_columns_veto), NULL, false, 0},
    {"unanswered_veto_days", CONF_K_COUNT, offsetof(audit_conf_t, unanswered_veto_days), NULL, false, 0},
    {"probe_days", CONF_K_COUNT, offsetof(audit_conf_t, probe_days), NULL, false, 0},
    {"probe_fail_percent", CONF_K_COUNT, offsetof(audit_conf_t, probe_fail_percent), NULL, false, 0},
    {"probe_timeout", CONF_K_DURATION, offsetof(audit_conf_t, probe_timeout_ms), NULL, false, 0},
};

void audit_conf_init(void *slot)
{
    *(audit_conf_t *)slot = (audit_conf_t){
        .homepage_days = 14,
        .dynamic_days = 14,
        .notice_days = 183,
        .policy_days = 183,
        .personnel_days = 365,
        .plan_days = 365,
        .stale_columns_veto = 5,
        .blank_columns_veto = 5,
        .unanswered_veto_days = 90,
        .probe_days = 7,
        .probe_fail_percent = 5,
        .probe_timeout_ms = 15000,
    };
}

void audit_conf_free(void *slot)
{
    audit_conf_t *a = slot;
    conf_str_list_free(a->allow_hosts, a->nallow_hosts);
    conf_str_list_free(a->ad_patterns, a->nad_patterns);
    a->allow_hosts = a->ad_patterns = NULL;
    a->nallow_hosts = a->nad_patterns = 0;
}

static void push(char ***list, size_t *n, const char *s)
{
    *list = util_realloc(*list, (*n + 2) * sizeof **list);
    (*list)[(*n)++] = util_strdup(s);
    (*list)[*n] = NULL;
}

static void key_allow_hosts(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k,
                            const yaml_dom_node_t *v)
{
    audit_conf_t *a = obj;
    size_t n;
    conf_pos_t *pos;
    char **list = conf_str_list(x, v, "audit.allow_hosts", &n, &pos);
    for (size_t i = 0; list && i < n; i++) {
        /* "*.example.cn" allows the subdomains, as in a CSP source. */
        char *h = list[i];
        bool wild = strncmp(h, "*.", 2) == 0;
        const char *why = conf_host_check(wild ? h + 2 : h);
        if (why)
            conf_err_at(x, pos[i], "audit.allow_hosts '%s': %s", h, why);
        else
            push(&a->allow_hosts, &a->nallow_hosts, h);
    }
    conf_str_list_free(list, n);
    free(pos);
}

static void key_ad_patterns(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k,
                            const yaml_dom_node_t *v)
{
    audit_conf_t *a = obj;
    size_t n;
    char **list = conf_str_list(x, v, "audit.ad_patterns", &n, NULL);
    if (!list)
        return;
    /* An empty list is allowed: an office that wants no ad rule says so explicitly. */
    if (!a->ad_patterns)
        a->ad_patterns = util_calloc(1, sizeof *a->ad_patterns);
    for (size_t i = 0; i < n; i++) {
        util_lower(list[i], strlen(list[i]));
        if (strcmp(list[i], "default") == 0) {
            for (const char *const *d = audit_conf_default_ads; *d; d++)
                push(&a->ad_patterns, &a->nad_patterns, *d);
        } else {
            push(&a->ad_patterns, &a->nad_patterns, list[i]);
        }
    }
    conf_str_list_free(list, n);
}

void audit_conf_key(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    audit_conf_t *a = obj;
    a->pos = conf_pos(x, v);
    static const conf_key_t list_keys[] = {
        {"allow_hosts", CONF_K_FN, 0, key_allow_hosts, false, 0},
        {"ad_patterns", CONF_K_FN, 0, key_ad_patterns, false, 0},
    };
    if (v->kind != YAML_DOM_MAPPING) {
        conf_walk(x, v, "audit", audit_num_keys, UTIL_ARRAY_LEN(audit_num_keys), a);
        return;
    }
    /* One table in two parts: the list keys are read into the audit struct as well. */
    conf_key_t keys[UTIL_ARRAY_LEN(audit_num_keys) + UTIL_ARRAY_LEN(list_keys)];
    memcpy(keys, audit_num_keys, sizeof audit_num_keys);
    memcpy(keys + UTIL_ARRAY_LEN(audit_num_keys), list_keys, sizeof list_keys);
    conf_walk(x, v, "audit", keys, UTIL_ARRAY_LEN(keys), a);
    if (a->probe_fail_percent > 100)
        conf_err(x, yaml_dom_get(v, "probe_fail_percent"),
                 "audit.probe_fail_percent is a percentage (at most 100), not %llu",
                 (unsigned long long)a->probe_fail_percent);
}

void audit_conf_finish(audit_conf_t *a)
{
    if (a->ad_patterns)
        return;
    for (const char *const *d = audit_conf_default_ads; *d; d++)
        push(&a->ad_patterns, &a->nad_patterns, *d);
}
