/* modules/console/console_page.h: what every server-rendered page of the console shares
 * (console_page.c): rendering a template of the console's own (console_*.html in the
 * default theme, so a themes folder may restyle them file by file like any page) over the
 * chrome every page has, the headers every page carries, the signed-in account of a page
 * request, and the HTML answer a form gets from the API (console_reply's form mode).
 *
 * Every page is `Cache-Control: private, no-store` (request_t.not_public), has a strict
 * Content-Security-Policy without any script ("default-src 'none'"; the stylesheet is the
 * console's own /console.css), and may not be framed by anyone (frame-ancestors 'none',
 * X-Frame-Options DENY); the one exception is the review page's preview, framed by the
 * console itself (console_review.c). */
#ifndef JIYUE_CONSOLE_PAGE_H
#define JIYUE_CONSOLE_PAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "accounts.h"
#include "console_session.h"
#include "module.h"
#include "template.h"

/* The policy of every console page. */
#define CONSOLE_PAGE_CSP                                                                      \
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "             \
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"

/* A page being built: its data tree, the root, and who is signed in (NULL before). */
typedef struct console_page {
    tpl_data_t *d;
    tpl_val_t *root;
    const account_t *a;
    const console_session_t *s;
    int care; /* the 适老化 mode: -1 (console_page_begin) reads the request's cookie */
} console_page_t;

/* Starts a page titled `title`: sets title, and for a signed-in page user (the account's
 * name) and csrf (the session's token, for the forms' hidden field). */
void console_page_begin(console_page_t *p, const char *title, const console_session_t *s,
                        const account_t *a);
/* Renders template `name` over the page and answers with `status`; frees the page. */
void console_page_finish(request_t *r, console_page_t *p, int status, const char *name);
/* Answers with an HTML body in the console's headers (set_cookie, retry_after as
 * console_reply's). */
void console_page_send(request_t *r, int status, const char *html, size_t len,
                       const char *set_cookie, int64_t retry_after);
/* A page in the console's look saying what went wrong: msg, the field named (shown by its
 * label), and a link back to `back` (a local path). */
void console_page_error(request_t *r, int status, const char *msg, const char *field,
                        const char *back, int64_t retry_after);

/* The signed-in account of a page request: STORE_OK, or answers (303 to /login without a
 * live session, an error page when the store fails) and returns the code. */
int console_page_session(request_t *r, console_session_t *s, account_t *a);

/* console_reply's form mode: `next` is a checked local path (console_next.h). A 2xx answer
 * becomes 303 See Other to next (its "{id}" replaced by obj's "id"), Set-Cookie kept; an
 * error answer becomes console_page_error with obj's "error" and "field". obj is not
 * consumed. */
void console_page_form_reply(request_t *r, int status, const json_t *obj, const char *next,
                             const char *set_cookie, int64_t retry_after);

/* Query parameter `name` of r, decoded, into out (at most cap-1 bytes of printable text):
 * false when absent, malformed or too long. */
bool console_page_query(const request_t *r, const char *name, char *out, size_t cap);

/* The label a form shows for a field name ("title" -> "标题"); the name itself when none. */
const char *console_page_field_label(const char *field);

#endif
