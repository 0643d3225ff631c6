/* modules/content/content_preview.h: an article that is not stored yet (a draft under
 * review in the console) rendered exactly as its public page will be: the same function
 * that renders a stored article's page (content_render.c), the site's theme, links as on
 * the site's canonical host and mount, and nothing written or cached. The console's review
 * page frames it (modules/console/console_page_review.c). */
#ifndef JIYUE_CONTENT_PREVIEW_H
#define JIYUE_CONTENT_PREVIEW_H

#include "article.h"
#include "request.h"
#include "util.h"

/* Renders `a` (its site and column must be the configuration's; body is HTML, as
 * markdown_to_html makes it at publication) into out, for request r (its snapshot and
 * read transaction are used; it may be on any listener). Returns 0, 1 when the site,
 * column or theme is missing, -1 on a store error. */
int content_preview(request_t *r, const article_t *a, util_buf_t *out);

#endif
