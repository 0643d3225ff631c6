/* modules/stats/stats_record.h: a site's visits of one day in the store (stats_record.c).
 *
 * "content" database:
 *   vs/<site>/<YYYYMMDD>  record "JYVS" v1: u64 page views (people), u64 page views
 *                         (bots, by user agent), u8[STATS_HLL_REGS] the day's visitor sketch,
 *                         u16 n, then n u64 exact hashes (none when n is STATS_HLL_OVER)
 *   The days of a site sort in date order under "vs/<site>/". `jiyuectl purge` leaves them:
 *   like the accountability trail, they are what the annual report (年度报表) is made of.
 * "meta" database:
 *   stats/secret          16 random bytes: each day's salt is a hash of it and the date,
 *                         so a visitor's hash differs every day and no address is kept. */
#ifndef JIYUE_STATS_RECORD_H
#define JIYUE_STATS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats_hll.h"
#include "store.h"
#include "util.h"

#define STATS_KEY_PREFIX "vs/"
#define STATS_KEY_SECRET "stats/secret"
#define STATS_KEY_MAX 64

typedef struct stats_day {
    uint64_t views, bot_views;
    stats_hll_t visitors;
} stats_day_t;

/* "vs/<site>/<YYYYMMDD>" into key[STATS_KEY_MAX]; its length. day: yyyymmdd. */
size_t stats_key(char *key, const char *site, uint32_t day);
void stats_day_encode(const stats_day_t *d, util_buf_t *out);
/* 0, or STORE_ECORRUPT for a record of another kind or size. */
int stats_day_decode(const void *v, size_t len, stats_day_t *out);
/* Adds delta to the stored day (created when absent), in write transaction w. */
int stats_day_merge(store_txn_t *w, const char *site, uint32_t day, const stats_day_t *delta);

typedef int (*stats_day_fn)(void *ud, uint32_t day, const stats_day_t *d);
/* The stored days of a site in [from, to] (yyyymmdd, inclusive), in date order. */
int stats_days(store_txn_t *t, const char *site, uint32_t from, uint32_t to, stats_day_fn fn,
               void *ud);

#endif
