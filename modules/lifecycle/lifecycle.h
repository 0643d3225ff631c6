/* modules/lifecycle/lifecycle.h: the site lifecycle as visitors meet it (the seed's rules on
 * suspension, closure and redesign; the rules of a site's `status:` are in lifecycle_conf.h).
 *
 *  suspended  the home page shows a notice (why, and when the site returns; once that
 *             day has come, that it is being restored); every other URL answers 503 with
 *             Retry-After and the same notice.
 *  closed     the home page shows a closure notice naming the migration target; every
 *             other URL answers 301 to its new place (status.paths, else the target's home).
 *  redesign   the live generation keeps serving (modules/static/static.c); the generation named
 *             in status.generation is shown to a browser holding a preview token
 *             (`jiyuectl preview SITE`, or its cookie) on status.preview_host and on the
 *             site's own URLs, resolved by the same modules in the same order as the live
 *             pages (request.h pages_ns), with headers that keep it out of shared caches
 *             and search engines. Without a token the preview host answers 403.
 *
 * Notices are rendered once per configuration (lifecycle_conf.c), never per request.
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

#include "lifecycle_conf.h"  /* lifecycle_conf.c: `status:`, its rules and derived data */
#include "lifecycle_token.h" /* lifecycle_token.c: preview tokens */
#include "module.h"

extern module_t module_lifecycle;

/* The notice page of a suspended or closed site `s` in state `st` (full HTML, UTF-8). `target` is the
 * migration target's site (NULL for a URL target or a suspension). `overdue`: a
 * suspension past its `until` says the site is being restored (正在恢复) and names no date.
 * The page holds two marks filled per request (lifecycle.c's notice(): the 适老化 mode,
 * care.h): LIFECYCLE_MARK_MODE where <html> gets class="care", LIFECYCLE_MARK_LINK where
 * the header's mode switch goes. */
#define LIFECYCLE_MARK_MODE '\x01'
#define LIFECYCLE_MARK_LINK '\x02'
void lifecycle_render_notice(const conf_site_t *s, const lifecycle_conf_t *st,
                             const router_site_t *target, bool overdue, util_buf_t *out);

/* Where a closed site's page at `rel` (the path below the site's mount) has gone,
 * relative to the migration target: status.paths' exact entry, else the longest entry
 * ending in '/' that is a prefix of rel (the rest of rel appended when that entry's target
 * also ends in '/' and is not "/" alone), else "/" (the target's home). A site path comes
 * back decoded (the caller encodes it); an absolute URL in the map comes back ready to
 * send, the appended rest percent-encoded; *absolute says which. */
void lifecycle_closed_path(const lifecycle_conf_t *st, const char *rel, size_t rel_len,
                           util_buf_t *out, bool *absolute);

/* The moment a suspension ends: 00:00 Beijing time (UTC+8) on `until`; -1 when invalid. */
time_t lifecycle_until_time(const char *until);

#endif
