/* modules/interaction.h: what the parts of the interaction module share (interaction.c:
 * URLs, methods, the writer jobs; interaction_form.c: reading and checking a submitted
 * form; interaction_guard.c: the form cookie and the origin check; interaction_render.c:
 * the pages, rendered in the site's theme). Not an interface for other modules. */
#ifndef JIYUE_INTERACTION_H
#define JIYUE_INTERACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "message.h"
#include "request.h"
#include "util.h"

#define INTERACTION_PER_PAGE 10
#define INTERACTION_HONEYPOT "website" /* a field people never see and bots fill in */
#define INTERACTION_MAX_ERRORS 8
#define INTERACTION_COOKIE "jiyue_form" /* the form's nonce (double submit) */
#define INTERACTION_LOG_EVERY 60 /* seconds: at most one error-log line per limit */

/* A submitted form: the fields decoded, trimmed and checked. Heap strings (NULL when the
 * field was absent). */
typedef struct interaction_form {
    char *title, *body, *name, *phone, *email, *token, *honeypot;
    struct {
        const char *field; /* "title", "body", ... or "form" */
        const char *text;  /* what is wrong, for the citizen */
    } errors[INTERACTION_MAX_ERRORS];
    size_t nerrors;
    bool bad_encoding; /* not a well-formed urlencoded body of UTF-8 text */
} interaction_form_t;

/* Media type check: application/x-www-form-urlencoded, charset absent or UTF-8. */
bool interaction_form_type_ok(const char *ct, size_t len);
/* Decodes the body into f (fields only; errors for what is malformed). */
void interaction_form_parse(interaction_form_t *f, const char *body, size_t len);
/* Checks the fields a message needs; adds an error per problem. */
void interaction_form_check(interaction_form_t *f);
void interaction_form_error(interaction_form_t *f, const char *field, const char *text);
void interaction_form_free(interaction_form_t *f);

/* ---- interaction_guard.c ---- */
/* The well-formed form-cookie nonces the request carries (a browser may send one per
 * matching Path), at most max; how many. */
size_t interaction_cookie_nonces(const request_t *r, char out[][MESSAGE_NONCE_LEN + 1],
                                 size_t max);
/* The nonce a form page binds its token to: the browser's own when it sends one, else a
 * fresh one. False when none can be made. */
bool interaction_page_nonce(const request_t *r, char nonce[MESSAGE_NONCE_LEN + 1]);
/* False for a POST whose Origin (or, without one, Referer) names a host that is not the
 * request's own, one of the cluster's (hosts, aliases) or a redesign's preview host;
 * "Origin: null" counts as no Origin; neither header: true. */
bool interaction_origin_ok(const request_t *r);

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
