/* modules/search/search_limit.h: searches a minute from one address (search_limit.c),
 * `limits.search_per_minute`: beyond it, 429 with Retry-After. An IPv6 client counts per
 * /64 (one host commonly holds a whole /64), an IPv4-mapped address as the IPv4 address
 * it is; limits.exempt_addresses are not counted. The counts are the modules' one rate
 * limiter (modules/common/rate_window.h, as citizens' messages use it) kept in memory and
 * shared by every worker: a search writes nothing to the store, and a restart forgets
 * them (a minute's worth). At most SEARCH_LIMIT_ADDRESSES addresses are held: beyond, the
 * idle ones go first, then the longest idle. */
#ifndef JIYUE_SEARCH_LIMIT_H
#define JIYUE_SEARCH_LIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"

#define SEARCH_LIMIT_ADDRESSES 4096
#define SEARCH_LIMIT_SPAN 60

/* One search from sa at now, at most per_minute a minute. True when allowed; false with
 * *retry_after (seconds) when not. Thread-safe. */
bool search_limit_take(const struct sockaddr *sa, const conf_limits_t *lim, uint64_t per_minute,
                       int64_t now, int64_t *retry_after);

/* Forgets every count (tests). */
void search_limit_reset(void);

#endif
