/* modules/stats/stats.h: the visit statistics module (网站访问量), stats.c: page views and
 * unique visitors per site per day, counted in the workers (module_t.request_done) and
 * flushed to the store through the writer at least every `stats_flush_interval` (default
 * 60s, module_t.worker_tick), and once more when a worker exits. Bots (by user
 * agent) are counted apart. Visitors are estimated by a HyperLogLog sketch over a hash of
 * address and user agent salted per day (stats_hll.h): no address is stored.
 *
 * What counts as a page view: a GET answered 200 or 304 on a public listener by a site,
 * for a page (a path ending in '/', ".html" or ".htm", or with no extension): not a
 * stylesheet, an image, a feed or a redirect. */
#ifndef JIYUE_STATS_H
#define JIYUE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "module.h"

typedef struct stats_conf {
    uint64_t flush_ms;
} stats_conf_t;

extern module_t module_stats;

/* Whether a path below a site's mount names a page (see above). */
bool stats_is_page(const char *path, size_t len);
/* Whether a User-Agent is a crawler's or a script's (empty counts as one). */
bool stats_is_bot(const char *ua, size_t len);
/* The day of t in China Standard Time as yyyymmdd, and when it ends (the next midnight
 * there). */
uint32_t stats_day_of(time_t t, time_t *ends);

#endif
