/* modules/console/console_audit.h: GET /api/audit?site=SITE (console_audit.c): the
 * self-inspection findings of a site as `jiyuectl audit SITE --format json` reports them
 * (the same rules, modules/audit/, and the same JSON, audit_json.h), as of now:
 *   {"at": "YYYY-MM-DD", "sites": [{"id", "name", "status", "status_name", "verdict",
 *                                   "findings": [{"rule", "severity", "detail",
 *                                                 "detail_zh", "url"}]}]}
 * Without `site`: every site the account may audit. Who: site_admin of the site (a
 * county's site_admin:anning/\* its townships too) or cluster_admin. The rules read only
 * the store and the theme's files (availability is judged from the probes `jiyuectl
 * probe` recorded: nothing is fetched), on the thread pool (console_work.h), at most
 * CONSOLE_AUDIT_IN_FLIGHT at once. */
#ifndef JIYUE_CONSOLE_AUDIT_H
#define JIYUE_CONSOLE_AUDIT_H

#include "module.h"

/* Audits at once (each reads a whole site's pages and articles on a pool thread, which
 * sign-ins share): more get 503 with Retry-After. */
#define CONSOLE_AUDIT_IN_FLIGHT 2

module_result_t console_api_audit(request_t *r);

#endif
