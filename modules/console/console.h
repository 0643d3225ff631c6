/* modules/console/console.h: the web console, served only on the management listener
 * (core's `admin:`; module_t.admin_handle). Its JSON API so far: POST /api/login, POST
 * /api/logout, GET /api/me, GET /api/sites; GET /api/messages, POST
 * /api/messages/CODE/reply (console_messages.h); GET /api/history (console_history.h);
 * GET /api/audit (console_audit.h).
 *
 * Its keys under `admin:` (beside core's `listen` and `allow`):
 *   session_ttl   absolute lifetime of a session (default 8h)
 *   session_idle  a session not used for this long ends (default 30m)
 *   publish_interval  how often drafts whose scheduled time has come are published
 *                 (default 30s; console_schedule.c)
 * (`admin.max_upload`, the body cap of the management listener, is core's:
 * conf_t.admin_max_upload, applied by core/conn.c as bodies arrive.)
 * Parts: console.c (the module, its keys, the routes), console_api.c (the handlers, JSON
 * through libjansson), console_login.c (verification on libuv's thread pool, counters and
 * the new session through the writer), console_session.c (ids, records, store keys,
 * expiry), console_guard.c (cookie, CSRF, Origin), console_messages.c, console_history.c,
 * console_audit.c (their endpoints), console_work.c (answers built on the thread pool),
 * console_query.c (query parameters); the server-rendered pages outside /api/
 * (console_pages.h: console_pages.c, console_page*.c, console_diff.c) and the API's form
 * mode (console_next.c, console_page.c). */
#ifndef JIYUE_CONSOLE_H
#define JIYUE_CONSOLE_H

#include <stdint.h>

#include "conf.h"
#include "module.h"

typedef struct console_conf {
    uint64_t session_ttl_ms;
    uint64_t session_idle_ms;
    uint64_t publish_interval_ms; /* admin.publish_interval: scheduled drafts' clock */
} console_conf_t;

extern module_t module_console;

/* The console's keys of configuration c (defaults when `admin:` is absent). */
const console_conf_t *console_conf(const conf_t *c);
/* 405 with Allow: allow, for a route that exists under another method. */
module_result_t console_method_not_allowed(request_t *r, const char *allow);

#endif
