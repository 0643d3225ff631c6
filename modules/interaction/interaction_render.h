/* modules/interaction/interaction_render.h: the message board's pages, rendered in the
 * site's theme (defined in interaction_render.c): list, form, receipt and statistics. */
#ifndef JIYUE_INTERACTION_RENDER_H
#define JIYUE_INTERACTION_RENDER_H

#include <stdint.h>

#include "conf.h"
#include "interaction_form.h"
#include "request.h"

/* What a page is about, carried through a deferred response (the request path is gone
 * by then). */
typedef struct interaction_page {
    const conf_site_t *site;
    const conf_column_t *col;
    char prefix[512]; /* the site's mount in the request path, with a final '/' */
    bool care;        /* the 适老化 rendering (care.h), read before a job defers the
                       * request (a resumed request has no headers) */
} interaction_page_t;

/* The pages. Each answers the request with a complete response. token: a fresh form
 * token, or NULL when none can be made (the form then says the board is unavailable);
 * cookie: the Set-Cookie value that goes with it. */
void interaction_render_form(request_t *r, const interaction_page_t *p, int status,
                             const interaction_form_t *f, const char *token,
                             int64_t retry_after, const char *cookie);
/* 0, or STORE_NOTFOUND (the caller answers 404), or another STORE_E* code. */
int interaction_render_receipt(request_t *r, const interaction_page_t *p, const char *code);
/* 0, 1 when the page number is past the end, or a STORE_E* code. */
int interaction_render_list(request_t *r, const interaction_page_t *p, unsigned page);
int interaction_render_stats(request_t *r, const interaction_page_t *p);
/* An answered message's public page (<c>/m/<seq>.html): the list's template with that one
 * message. 0, or STORE_NOTFOUND for a number that is not an answered, public message of
 * this board, or another STORE_E* code. */
int interaction_render_message(request_t *r, const interaction_page_t *p, uint64_t seq);

#endif
