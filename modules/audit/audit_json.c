/* modules/audit/audit_json.c: the audit's findings as JSON (audit_json.h), escaped by
 * libjansson; details quote text from stored pages (a link's target, a host), which need
 * not be UTF-8, so every string goes through json_common_text. */
#include "audit_json.h"

#include "json_common.h"
#include "lifecycle.h"

static json_t *finding_json(const audit_finding_t *f)
{
    return json_pack("{s:o, s:s, s:o, s:o, s:o}", "rule", json_common_text(f->rule), "severity",
                     audit_sev_name(f->sev), "detail", json_common_text(f->detail), "detail_zh",
                     json_common_text(audit_detail(f)), "url", json_common_text(f->url));
}

json_t *audit_site_json(const audit_site_t *s)
{
    json_t *findings = json_array();
    for (size_t j = 0; j < s->nf; j++)
        json_array_append_new(findings, finding_json(&s->f[j]));
    lifecycle_state_t st = lifecycle_conf(s->conf)->state;
    return json_pack("{s:o, s:o, s:o, s:o, s:s, s:o}", "id", json_common_text(s->conf->id),
                     "name", json_common_text(s->conf->name), "status",
                     json_common_text(lifecycle_state_name(st)), "status_name",
                     json_common_text(lifecycle_state_name_zh(st)), "verdict",
                     audit_site_fails(s) ? "fail" : "pass", "findings", findings);
}

json_t *audit_report_json(const audit_t *a)
{
    json_t *sites = json_array();
    for (size_t i = 0; i < a->nsites; i++)
        json_array_append_new(sites, audit_site_json(&a->sites[i]));
    return json_pack("{s:o, s:o}", "at", json_common_text(a->at_day), "sites", sites);
}
