/* modules/console/console_history.h: GET /api/history?site=SITE&limit=N
 * (console_history.c): the audit trail `jiyuectl history SITE` prints, as JSON, newest
 * first:
 *   {"site", "total", "limit", "records": [{"seq", "time", "action", "kind", "site",
 *     "column", "id", "title", ...}]}
 * "seq" is the record's number in `jiyuectl history SITE` (the cluster's trail: in
 * `jiyuectl history`), "time" "YYYY-MM-DD HH:mm" (UTC+8), "kind" article_trail_kind's:
 *   article  publish, update: "revision", "publisher", "reviewer", "secrecy_review" (the
 *            article's 保密审查 account while that revision is the one in force, else
 *            null: the trail record does not keep it), "disclosure"
 *   removal  unpublish, spam: "by", "reason" ("revision" for unpublish); a spam record's
 *            "id" (the citizen's receipt code) is null unless the account may answer the
 *            site's messages
 *   draft    draft-*: "by" (the account), "note"
 *   account  user-*: "by" (the OS user), "roles", "note"; no site: only in the whole
 *            cluster's trail (no `site`), which is cluster_admin's alone
 * Who: any role on the site (editor, reviewer, replier, site_admin; cluster_admin). */
#ifndef JIYUE_CONSOLE_HISTORY_H
#define JIYUE_CONSOLE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "accounts.h"
#include "conf.h"
#include "console_work.h"
#include "module.h"

#define CONSOLE_HISTORY_LIMIT 50
#define CONSOLE_HISTORY_LIMIT_MAX 500

/* The newest `limit` records of site's trail (NULL: the whole cluster's), newest first,
 * as the answer's "records" and "total" (accounts: include user-* records; codes: show
 * spam records' receipt codes). STORE_OK with *out (the answer object without "site" and
 * "limit"), or a STORE_E* code. */
int console_history_json(store_txn_t *t, const char *site, size_t limit, bool accounts,
                         bool codes, json_t **out);

/* May account a read site's trail (NULL: the whole cluster's, cluster_admin's alone)?
 * *codes: may it see spam records' receipt codes (a replier of the site, cluster_admin). */
bool console_history_may(const account_t *a, const conf_t *c, const conf_site_t *site,
                         bool *codes);
/* Builds the answer on the thread pool (console_work.h) and answers r with it: the API's
 * JSON when page is NULL, else page->render's HTML (the console's history page). */
void console_history_submit(request_t *r, const char *site, size_t limit, bool accounts,
                            bool codes, const console_work_page_t *page);

module_result_t console_api_history(request_t *r);

#endif
