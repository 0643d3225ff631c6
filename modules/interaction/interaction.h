/* modules/interaction.h: what the parts of the interaction module share (interaction.c:
 * URLs, methods, the writer jobs; interaction_form.c: reading and checking a submitted
 * form, interaction_form.h; interaction_guard.c: the form cookie and the origin check,
 * interaction_guard.h; interaction_render.c: the pages, rendered in the site's theme,
 * declared here). Not an interface for other modules. */
#ifndef JIYUE_INTERACTION_H
#define JIYUE_INTERACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "message.h"
#include "request.h"
#include "util.h"

#include "interaction_conf.h"  /* interaction_conf.c */
#include "interaction_form.h"  /* interaction_form.c */
#include "interaction_guard.h" /* interaction_guard.c */

#define INTERACTION_PER_PAGE 10
#define INTERACTION_HONEYPOT "website" /* a field people never see and bots fill in */
#define INTERACTION_COOKIE "jiyue_form" /* the form's nonce (double submit) */
#define INTERACTION_LOG_EVERY 60 /* seconds: at most one error-log line per limit */

/* What a page is about, carried through a deferred response (the request path is gone
 * by then). */
typedef struct interaction_page {
    const conf_site_t *site;
    const conf_column_t *col;
    char prefix[512]; /* the site's mount in the request path, with a final '/' */
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

#endif
