/* modules/audit/audit_json.h: the audit's findings as JSON values (libjansson; defined in
 * audit_json.c), the one shape `jiyuectl audit --format json` writes and the console's
 * GET /api/audit answers:
 *   report: {"at": "YYYY-MM-DD", "sites": [site...]}
 *   site:   {"id", "name", "status", "status_name", "verdict": "pass"|"fail",
 *            "findings": [{"rule", "severity": "veto"|"deduct"|"info", "detail",
 *                          "detail_zh", "url"}]}
 * ("detail" English, "detail_zh" Chinese, "status_name" the status in Chinese; "url" null
 * for a finding without a page). The field names are an interface: never rename one.
 * Part of the audit module: its types are audit.h's. */
#ifndef JIYUE_AUDIT_JSON_H
#define JIYUE_AUDIT_JSON_H

#include <jansson.h>

#include "audit.h" /* the types */

/* One audited site (a new reference). */
json_t *audit_site_json(const audit_site_t *s);
/* The report over a->sites (a new reference). */
json_t *audit_report_json(const audit_t *a);

#endif
