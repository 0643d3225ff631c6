/* tools/jiyuectl/audit_report.c: the audit's text report (for a terminal and for mail
 * from cron; it shows the Chinese details) and its JSON (the interface for other tools),
 * whose shape and building are the audit module's (modules/audit/audit_json.h, through
 * libjansson), shared with the console's GET /api/audit. */
#include <string.h>

#include "audit.h"
#include "audit_json.h"
#include "audit_report.h"
#include "lifecycle.h"

void audit_write_json(FILE *out, const audit_t *a)
{
    json_t *report = audit_report_json(a);
    json_dumpf(report, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(report);
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
