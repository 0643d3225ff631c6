/* modules/console/console_drafts.h: the drafts API of the console (console_drafts.c), over
 * the workflow library (modules/workflow/workflow.h):
 *   GET  /api/drafts?site=&view=mine|queue   my drafts / submitted drafts I may review
 *   POST /api/drafts                         a new draft -> 201 {id}
 *   GET  /api/drafts/ID                      every field, its state, who did what
 *   PUT  /api/drafts/ID                      its fields, replaced
 *   POST /api/drafts/ID/submit
 *   POST /api/drafts/ID/approve {secrecy_review: true} -> {url}
 *   POST /api/drafts/ID/reject {reason}
 *   POST /api/articles/unpublish {site, column, id, reason}
 *   POST /api/drafts/ID/attachments          files (multipart)
 *   DELETE /api/drafts/ID/attachments/NAME   one removed (a form: POST .../NAME/delete)
 *   POST /api/articles/offer {site, column, id, to_site, to_column} -> 201 {id}: 报送
 *                                            (workflow_offer), an offer in to_site's queue
 * Statuses: 401 without a session, 403 outside the account's roles (also for a draft of
 * another site that exists: draft ids are a public sequence, so existence is not hidden),
 * 400 naming the field, 404 an unknown id, 409 a wrong state or self-review. */
#ifndef JIYUE_CONSOLE_DRAFTS_H
#define JIYUE_CONSOLE_DRAFTS_H

#include <jansson.h>

#include "module.h"
#include "workflow.h"

/* Answers a request under /api/drafts, /api/articles/unpublish or /api/articles/offer;
 * MODULE_DECLINED for any other path. */
module_result_t console_drafts_handle(request_t *r);

/* A draft as the API shows it (GET /api/drafts/ID): a new JSON object. */
json_t *console_draft_json(const conf_t *c, const workflow_draft_t *d);

#endif
