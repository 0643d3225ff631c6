/* modules/interaction/interaction_guard.h: who may post a message form (defined in
 * interaction_guard.c): the form cookie's nonces and the origin check. Part of the
 * interaction module (interaction.h). */
#ifndef JIYUE_INTERACTION_GUARD_H
#define JIYUE_INTERACTION_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#include "message.h"
#include "request.h"

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

#endif
