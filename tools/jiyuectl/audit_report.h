/* tools/jiyuectl/audit_report.h: the reports of `jiyuectl audit` over the findings of the
 * audit module's rules (modules/audit/audit.h): text and JSON (audit_report.c; the JSON
 * is built by modules/audit/audit_json.c) and the self-contained HTML file
 * (audit_html.c). cmd_audit.c runs the rules and writes one. */
#ifndef JIYUE_AUDIT_REPORT_H
#define JIYUE_AUDIT_REPORT_H

#include <stdio.h>

#include "audit.h"
#include "util.h"

void audit_write_text(FILE *out, const audit_t *a);
void audit_write_json(FILE *out, const audit_t *a);
void audit_write_html(FILE *out, const audit_t *a);

#endif
