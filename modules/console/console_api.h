/* modules/console/console_api.h: the console's JSON API handlers (console_api.c) and the
 * login (console_login.c); console.c routes requests to them. Each answers the request
 * (or defers it) and returns MODULE_DONE. */
#ifndef JIYUE_CONSOLE_API_H
#define JIYUE_CONSOLE_API_H

#include <jansson.h>

#include "accounts.h"
#include "console_body.h"
#include "console_session.h"
#include "module.h"

module_result_t console_api_login(request_t *r);
module_result_t console_api_logout(request_t *r);
module_result_t console_api_me(request_t *r);
module_result_t console_api_sites(request_t *r);

/* ---- shared by the handlers ---- */
/* Answers with obj as JSON (obj is consumed); set_cookie: a Set-Cookie value or NULL;
 * retry_after > 0 adds Retry-After. When the query names a page to return to (`next`,
 * console_next.h: a form of the console's pages), a 2xx answer is a 303 to it instead and
 * an error an HTML page (console_page_form_reply). */
void console_reply(request_t *r, int status, json_t *obj, const char *set_cookie,
                   int64_t retry_after);
/* {"error": msg} and, when field is not NULL, "field": field. */
void console_error(request_t *r, int status, const char *msg, const char *field);
/* The same without answering: on failure *status (401 or 503) and *why say what to
 * answer. */
int console_session_find(request_t *r, console_session_t *s, account_t *a,
                         char key[static CONSOLE_SESSION_KEY_MAX], int *status, const char **why);
/* The signed-in session of r: STORE_OK with *s, *a and key filled, or answers 401 (or 503)
 * and returns the code. Refreshes the session's last use through the writer when stale. */
int console_session_of(request_t *r, console_session_t *s, account_t *a,
                       char key[static CONSOLE_SESSION_KEY_MAX]);
/* A state-changing request's guards: the session's CSRF token (X-CSRF-Token, or a `csrf`
 * form field) and the listener's own Origin. False after answering 403. */
bool console_guard_write(request_t *r, const console_session_t *s);
/* The client's address as text (inet_ntop), "" when none. */
void console_peer_text(const request_t *r, char *out, size_t cap);
/* Milliseconds since the epoch. */
int64_t console_now_ms(void);

#endif
