/* tools/jiyuectl/audit_report.c: the audit's text report (for a terminal and for mail
 * from cron) and its JSON (the interface for other tools):
 *   {"at": "YYYY-MM-DD", "sites": [{"id", "name", "status", "status_name", "verdict":
 *     "pass"|"fail", "findings": [{"rule", "severity": "veto"|"deduct"|"info", "detail",
 *     "detail_zh", "url"}]}]}
 * ("detail" is English, "detail_zh" Chinese, "status_name" the status in Chinese). The
 * text report shows the Chinese details.
 * Also the escaping helpers the HTML report shares. */
#include <string.h>

#include "audit.h"
#include "lifecycle.h"
#include "audit_report.h"

void audit_json_str(util_buf_t *b, const char *s)
{
    if (!s)
        util_buf_appends(b, "null");
    else
        util_buf_json_str(b, s, strlen(s), false);
}

void audit_write_json(FILE *out, const audit_t *a)
{
    util_buf_t b = {0};
    util_buf_appends(&b, "{\"at\": ");
    audit_json_str(&b, a->at_day);
    util_buf_appends(&b, ", \"sites\": [");
    for (size_t i = 0; i < a->nsites; i++) {
        const audit_site_t *s = &a->sites[i];
        util_buf_appends(&b, i ? ",\n  {\"id\": " : "\n  {\"id\": ");
        audit_json_str(&b, s->conf->id);
        util_buf_appends(&b, ", \"name\": ");
        audit_json_str(&b, s->conf->name);
        util_buf_appends(&b, ", \"status\": ");
        audit_json_str(&b, lifecycle_state_name(lifecycle_conf(s->conf)->state));
        util_buf_appends(&b, ", \"status_name\": ");
        audit_json_str(&b, lifecycle_state_name_zh(lifecycle_conf(s->conf)->state));
        util_buf_printf(&b, ", \"verdict\": \"%s\", \"findings\": [",
                        audit_site_fails(s) ? "fail" : "pass");
        for (size_t j = 0; j < s->nf; j++) {
            const audit_finding_t *f = &s->f[j];
            util_buf_appends(&b, j ? ",\n    {\"rule\": " : "\n    {\"rule\": ");
            audit_json_str(&b, f->rule);
            util_buf_printf(&b, ", \"severity\": \"%s\", \"detail\": ", audit_sev_name(f->sev));
            audit_json_str(&b, f->detail);
            util_buf_appends(&b, ", \"detail_zh\": ");
            audit_json_str(&b, audit_detail(f));
            util_buf_appends(&b, ", \"url\": ");
            audit_json_str(&b, f->url);
            util_buf_append(&b, "}", 1);
        }
        util_buf_appends(&b, s->nf ? "\n  ]}" : "]}");
        if (b.len > 1 << 20) {
            fwrite(b.data, 1, b.len, out);
            b.len = 0;
        }
    }
    util_buf_appends(&b, a->nsites ? "\n]}\n" : "]}\n");
    fwrite(b.data, 1, b.len, out);
    util_buf_free(&b);
}

void audit_write_text(FILE *out, const audit_t *a)
{
    size_t fail = 0, totals[3] = {0};
    for (size_t i = 0; i < a->nsites; i++) {
        const audit_site_t *s = &a->sites[i];
        size_t n[3];
        audit_counts(s, n);
        for (int k = 0; k < 3; k++)
            totals[k] += n[k];
        bool f = audit_site_fails(s);
        fail += f;
        fprintf(out, "%s  %s  %s (%s): %zu veto, %zu deduct, %zu info\n", f ? "FAIL" : "pass",
                s->conf->id, s->conf->name, lifecycle_state_name_zh(lifecycle_conf(s->conf)->state), n[0], n[1],
                n[2]);
        for (size_t j = 0; j < s->nf; j++) {
            const audit_finding_t *x = &s->f[j];
            fprintf(out, "    %-6s %-19s %s%s%s\n", audit_sev_name(x->sev), x->rule, audit_detail(x),
                    x->url ? "  " : "", x->url ? x->url : "");
        }
    }
    fprintf(out, "audit as of %s: %zu site%s, %zu fail; %zu veto, %zu deduct, %zu info "
                 "(%zu articles, %zu pages, %zu links read)\n",
            a->at_day, a->nsites, a->nsites == 1 ? "" : "s", fail, totals[0], totals[1],
            totals[2], a->scanned_articles, a->scanned_pages, a->scanned_links);
}
