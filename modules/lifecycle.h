/* modules/lifecycle.h: the site lifecycle as visitors meet it (the seed's rules on
 * suspension, closure and redesign; the rules themselves are checked by core/conf*.c).
 *
 *  suspended  the home page shows a notice (why, and when the site returns); every other
 *             URL answers 503 with Retry-After and the same notice.
 *  closed     the home page shows a closure notice naming the migration target; every
 *             other URL answers 301 to its new place (status.paths, else the target's home).
 *  redesign   the live generation keeps serving (modules/static.c); the generation named
 *             in status.generation is served on status.preview_host, and on the site's own
 *             URLs to a browser holding a preview token (`jiyuectl preview SITE`).
 *
 * Notices are rendered once per configuration snapshot in each worker, never per request.
 * The functions below are the module's pure parts, public for jiyuectl and the tests. */
#ifndef JIYUE_MODULE_LIFECYCLE_H
#define JIYUE_MODULE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "router.h"
#include "util.h"

/* The preview token of generation `gen` of `site`: the first 16 bytes of
 * HMAC-SHA256(secret, "<site>@<gen>") in lower-case hex. No state on the server: any
 * token the secret (store_keys.h "secret/preview") signs is valid. */
#define LIFECYCLE_TOKEN_LEN 32
void lifecycle_preview_token(const void *secret, size_t secret_len, const char *site,
                             const char *gen, char out[LIFECYCLE_TOKEN_LEN + 1]);
/* Cookie and query parameter that carry it. */
#define LIFECYCLE_PREVIEW_PARAM "preview"
#define LIFECYCLE_PREVIEW_COOKIE "jiyue_preview"

/* The notice page of a suspended or closed site (full HTML, UTF-8). `target` is the
 * migration target's site (NULL for a URL target or a suspension). */
void lifecycle_render_notice(const conf_site_t *s, const router_site_t *target, util_buf_t *out);

/* Where a closed site's page at `rel` (the path below the site's mount) has gone,
 * relative to the migration target: status.paths' exact entry, else the longest entry
 * ending in '/' that is a prefix of rel (the rest of rel appended when that entry's target
 * also ends in '/' and is not "/" alone), else "/" (the target's home). An absolute URL in the map is returned
 * as is; *absolute says so. */
void lifecycle_closed_path(const conf_status_t *st, const char *rel, size_t rel_len,
                           util_buf_t *out, bool *absolute);

/* The moment a suspension ends: 00:00 Beijing time (UTC+8) on `until`; -1 when invalid. */
time_t lifecycle_until_time(const char *until);

#endif
