/* modules/static.h: serving one namespace of stored pages, shared by the modules that
 * decide WHICH namespace a request reads (static.c: the site's live generation;
 * lifecycle.c: a redesign's generation on its preview host or with a preview token). */
#ifndef JIYUE_MODULE_STATIC_H
#define JIYUE_MODULE_STATIC_H

#include "request.h"

/* Answers r from the pages of namespace `ns` ("edu" or "edu@v2") at r->rel: the page, a
 * folder's index.html, a redirect to add a folder's missing slash, the namespace's stored
 * redirect for an old URL of a migrated site (store_keys.h "redir/"), else a 404. */
void static_serve_ns(request_t *r, const char *ns);

#endif
