/* modules/console/console_pages.h: the console's server-rendered pages, GETs on the
 * management listener outside /api/ (console.c hands them here). They never take a POST:
 * their forms post to the same /api/... endpoints scripts call, with the CSRF token in a
 * hidden `csrf` field and the page to return to in `?next=` (console_next.h).
 *   /console.css       the console's own stylesheet (no outside asset anywhere)
 *   /login             the sign-in form (posts to /api/login?next=/)
 *   /                  my sites and my roles there
 *   /drafts            my drafts, and the drafts awaiting my review (console_page_list.c)
 *   /drafts/new        the editor for a new draft (console_page_editor.c)
 *   /drafts/ID         the editor of draft ID, its state and its attachments
 *   /review/ID         a submitted draft: preview, changes, approve / reject
 *                      (console_page_review.c)
 *   /review/ID/preview the draft rendered exactly as its public page will be
 *   /messages?site=SITE&state=open|overdue|all
 *                      the site's citizens' messages with a reply form for each open one
 *                      (a replier of the site; console_page_inbox.c)
 *   /history?site=SITE the site's trail, the newest CONSOLE_HISTORY_LIMIT (any role there)
 *   /audit?site=SITE   the site's self-inspection findings (site_admin, cluster_admin)
 * Without a live session every page but /login and /console.css answers 303 to /login; a
 * draft the account may not read answers 403 as the API does (workflow_read). */
#ifndef JIYUE_CONSOLE_PAGES_H
#define JIYUE_CONSOLE_PAGES_H

#include "console_page.h"
#include "module.h"

/* The templates of the pages, in the default theme (console.c checks them at load). */
#define CONSOLE_TEMPLATES                                                                   \
    {"console.css", "console_care.css", "console_head.html", "console_header.html",         \
     "console_error.html",                                                                  \
     "console_login.html", "console_sites.html", "console_drafts.html",                    \
     "console_editor.html", "console_review.html", "console_messages.html",               \
     "console_history.html", "console_audit.html", "console_personal.html"}

/* Any request outside /api/: MODULE_DONE always (404 in the console's look for a path
 * that is no page, 405 for a method other than GET and HEAD). */
module_result_t console_pages_handle(request_t *r);

/* The pages, each given the signed-in account (console_pages.c routes to them). id is the
 * path's draft id (checked by workflow_read). */
void console_page_drafts(request_t *r, const console_session_t *s, const account_t *a);
void console_page_editor(request_t *r, const console_session_t *s, const account_t *a,
                         const char *id);
void console_page_review(request_t *r, const console_session_t *s, const account_t *a,
                         const char *id);
void console_page_preview(request_t *r, const account_t *a, const char *id);
void console_page_messages(request_t *r, const console_session_t *s, const account_t *a);
void console_page_history(request_t *r, const console_session_t *s, const account_t *a);
/* /offer?site=&column=&id=: the 报送 form (console_page_offer.c). */
void console_page_offer(request_t *r, const console_session_t *s, const account_t *a);
void console_page_audit(request_t *r, const console_session_t *s, const account_t *a);

/* A draft state's label ("草稿", "待审核"...; workflow_state_t). */
const char *console_page_state_label(int state);
/* Sets draft fields every page shows on map m: id, site (name), column (name), title,
 * state (its Chinese label) and state_name, editor, updated (minute, UTC+8), links. */
struct workflow_draft;
void console_page_draft_summary(console_page_t *p, tpl_val_t *m, const struct workflow_draft *d,
                                const conf_t *c);
/* Sets "personal" (ids, phones, id_sample, phone_sample: masked) on the page when d shows
 * unmasked ID or mobile numbers (workflow_personal.h): the 个人信息提示 its editor sees
 * before submitting and its reviewer before approving (console_personal.html). */
void console_page_personal(console_page_t *p, const struct workflow_draft *d);

#endif
