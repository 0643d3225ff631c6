/* modules/content/content_render.h: what content_render.c exports to the rest of the
 * content module: rendering a page of content_req_t (the data it is rendered over and
 * the template chosen), and which sites' articles other sites' pages list. Not an
 * interface for other modules. */
#ifndef JIYUE_CONTENT_RENDER_H
#define JIYUE_CONTENT_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "content.h"
#include "util.h"

/* Whether a site's articles may appear on other sites' pages (the portal's latest, a
 * parent's directory and sitemap): active sites and sites being redesigned (their live
 * generation), not suspended or closed ones. */
bool content_site_listed(const conf_site_t *s);

/* Renders the page. Returns 0 with the body appended to out, its type and modification
 * time; 1 when the module should decline (nothing of ours there: an article that does not
 * exist, a page number past the last); -1 on a store error. CP_ERROR reads nothing from
 * the store. */
int content_render(content_req_t *q, util_buf_t *out, const char **ctype, int64_t *mtime);

#endif
