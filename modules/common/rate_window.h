/* modules/common/rate_window.h: the one rate limiter of the modules (rate_window.c): how
 * many events a key (an address, a network) had in a window of time, as a small value the
 * caller keeps where it needs it: in the store for citizens' messages
 * (interaction/message_limit.c: every worker and a restart see the same count), in memory
 * for searches (search/search_limit.c: no store write per search).
 *
 * Up to RATE_WINDOW_EXACT events the window slides and is exact: 'L' then the event times
 * (i64) within the last span, oldest first. Beyond that (a limit opened to a gateway) one
 * window per clock span, one small value to rewrite: 'W', the count (u64), the window's
 * start (i64). Either way the last 8 bytes are a time after which the value still matters
 * for a span (what a sweep looks at, rate_window_last). */
#ifndef JIYUE_RATE_WINDOW_H
#define JIYUE_RATE_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define RATE_WINDOW_EXACT 64

/* One more event at `now` against the value old[0..len) (len 0: none yet), at most
 * `limit` a `span` seconds. Returns 0 with the value to keep in *next (replaced), or 1
 * when the limit is reached, with *retry_after (seconds, at least 1) until one more is
 * allowed (next untouched). A lowered limit applies at once. */
int rate_window_take(const void *old, size_t len, uint64_t limit, int64_t span, int64_t now,
                     int64_t *retry_after, util_buf_t *next);

/* The time the value's newest event or window refers to (0 for a value too short). */
int64_t rate_window_last(const void *v, size_t len);

#endif
