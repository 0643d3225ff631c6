/* modules/console/console_next.h: the page a form returns to (console_next.c). The
 * console's pages post their forms to the same /api/... endpoints scripts call, with the
 * page to come back to in the query: POST /api/drafts/7/approve?next=/drafts/7. When a
 * request carries a `next` this file accepts, console_reply answers the form's way (303
 * See Other to it on success, an HTML page on an error) instead of JSON.
 *
 * Only a local console path is accepted, so a crafted link cannot bounce a signed-in
 * browser to another site (an open redirect): one leading '/', not "//" or "/\" (which
 * browsers read as another host), printable ASCII only (no control byte, no space, no
 * backslash: so no scheme can follow), at most CONSOLE_NEXT_MAX bytes. Anything else is
 * ignored: the answer stays JSON. */
#ifndef JIYUE_CONSOLE_NEXT_H
#define JIYUE_CONSOLE_NEXT_H

#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_NEXT_MAX 256

/* Whether the decoded value p[0..n) is a local console path. */
bool console_next_ok(const char *p, size_t n);
/* The `next` parameter of a query (without '?'; NULL or empty: none), percent-decoded and
 * checked, into out (NUL-terminated): false when absent, malformed or refused. */
bool console_next_from_query(const char *query, size_t qlen, char out[static CONSOLE_NEXT_MAX + 1]);
/* out = next with every "{id}" replaced by id (the answer's `id`, so "new draft" lands on
 * /drafts/{id}). False when next holds "{id}" and id is NULL, empty, longer than 64 bytes
 * or not [A-Za-z0-9._-], or when the result does not fit: the caller then goes to "/". */
bool console_next_expand(const char *next, const char *id, char out[static CONSOLE_NEXT_MAX + 1]);

#endif
