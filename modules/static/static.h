/* modules/static/static.h: serving one namespace of stored pages. static.c's module serves the
 * namespace request_pages_ns() names: the site's live generation, or the one a preview
 * shows (modules/lifecycle/lifecycle.c sets r->pages_ns and lets the chain go on). */
#ifndef JIYUE_MODULE_STATIC_H
#define JIYUE_MODULE_STATIC_H

#include "request.h"

/* Answers r from the pages of namespace `ns` ("edu" or "edu@v2") at r->rel: the page, a
 * folder's index.html, a redirect to add a folder's missing slash, the site's stored
 * redirect for an old URL of a migrated site (modules/static/redirect.h), else a 404. */
void static_serve_ns(request_t *r, const char *ns);

#endif
