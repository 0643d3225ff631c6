/* modules/console/console_messages.h: citizens' messages in the console's API
 * (console_messages.c): the list a replier works from and the reply itself.
 *
 *   GET  /api/messages?site=SITE&state=open|overdue|all&page=N
 *        200 {"site", "state", "page", "per_page": 50, "total", "truncated",
 *             "messages": [{"code", "column", "subject", "question", "date", "deadline",
 *                           "state": "overdue"|"open"|"answered", "replies",
 *                           "reply": null | {"n", "by", "date", "text"}}]}
 *        overdue first (the longest waiting first), then open (the same), then answered
 *        (newest first); spam is never listed. Dates "YYYY-MM-DD HH:mm", UTC+8.
 *   POST /api/messages/CODE/reply {"text"}
 *        200 {"code", "reply": n, "correction": n > 1, "url"} (the public receipt's path)
 *
 * Who: an account that may act as `replier` on the message's site (site_admin and
 * cluster_admin imply it; ROLE:SITE/\* covers the sites under SITE); the reply's site is
 * the stored message's, never a field the client sends. The reply is recorded with the
 * account's name as who answered, through the writer thread, by the same library calls as
 * `jiyuectl reply` (message_reply_text_check, message_reply_add): a reply is never edited,
 * a second one is a correction shown with the trail. */
#ifndef JIYUE_CONSOLE_MESSAGES_H
#define JIYUE_CONSOLE_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"
#include "module.h"

#define CONSOLE_MESSAGES_PER_PAGE 50
#define CONSOLE_MESSAGES_PAGE_MAX 10000
/* Messages of one site read for one listing at most: a bound on one request's work. A
 * site with more (200 a day for years) lists the newest this many, with "truncated". */
#define CONSOLE_MESSAGES_SCAN_MAX 100000

/* One listed message as the order needs it. */
typedef enum {
    CONSOLE_MSG_OVERDUE = 0,
    CONSOLE_MSG_OPEN = 1,
    CONSOLE_MSG_ANSWERED = 2
} console_msg_state_t;

typedef struct console_msg_entry {
    char code[24];
    int64_t created;
    console_msg_state_t state;
} console_msg_entry_t;

/* Sorts entries into the order of the list: overdue, then open (each oldest first: the
 * nearest deadline), then answered (newest first); the code breaks ties. Pure. */
void console_messages_order(console_msg_entry_t *e, size_t n);

typedef enum {
    CONSOLE_MSG_WANT_OPEN = 0,    /* overdue and open */
    CONSOLE_MSG_WANT_OVERDUE = 1, /* overdue only */
    CONSOLE_MSG_WANT_ALL = 2      /* answered too */
} console_msg_want_t;

/* "open", "overdue", "all" into *want: false for anything else (NULL too). */
bool console_messages_want(const char *name, console_msg_want_t *want);

/* Page `page` (from 1) of site's messages as of `now` in the order above: the object GET
 * /api/messages answers (the console's messages page renders the same), into *out.
 * STORE_OK, or a STORE_E* code (logged). The caller checks the account's right. */
int console_messages_json(store_txn_t *t, const conf_site_t *site, console_msg_want_t want,
                          unsigned long page, int64_t now, json_t **out);

module_result_t console_api_messages(request_t *r);
/* POST /api/messages/CODE/reply: code[0..len) is the path's CODE part (anything). */
module_result_t console_api_message_reply(request_t *r, const char *code, size_t len);

#endif
