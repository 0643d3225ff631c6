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

#include <stdbool.h>

#include "accounts.h"
#include "conf.h"
#include "console_work.h"
#include "module.h"

/* Audits at once (each reads a whole site's pages and articles on a pool thread, which
 * sign-ins share): more get 503 with Retry-After. */
#define CONSOLE_AUDIT_IN_FLIGHT 2

/* Audits `site` (NULL: every site a may audit) on the thread pool and answers r: the
 * API's JSON when page is NULL, else page->render's HTML (the console's audit page).
 * false, answering nothing, when a may audit none of them (the caller's 403). */
bool console_audit_submit(request_t *r, const account_t *a, const conf_site_t *site,
                          const console_work_page_t *page);

module_result_t console_api_audit(request_t *r);

#endif
