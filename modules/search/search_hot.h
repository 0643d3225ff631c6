/* modules/search/search_hot.h: hot searches (热搜词), search_hot.c. A search that found
 * something, on its first page, counts its query (folded by search_hot_term) for the
 * site it was made on and the day (UTC+8). Counts gather in the worker that answered
 * (no lock, no store write per search) and reach the store through the writer thread in
 * one job per worker at every `search.hot_flush` (at most a minute) and when the worker
 * stops. The store keeps, per site and day, at most SEARCH_HOT_DAY_TERMS terms, the most
 * searched (key family xh/ in search_keys.h); the search page shows the
 * SEARCH_HOT_SHOW most searched of the last SEARCH_HOT_DAYS days, and the related
 * searches (search_related.h) are picked from the same days' terms. */
#ifndef JIYUE_SEARCH_HOT_H
#define JIYUE_SEARCH_HOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_keys.h"

#define SEARCH_HOT_TERM_CHARS 20   /* longer queries are not counted */
#define SEARCH_HOT_TERM_BYTES (SEARCH_HOT_TERM_CHARS * 4)
#define SEARCH_HOT_DAY_TERMS 100   /* kept per site and day */
#define SEARCH_HOT_PENDING 1024    /* distinct (site, day, term) a worker holds between flushes */
#define SEARCH_HOT_DAYS 7
#define SEARCH_HOT_SHOW 10

struct worker;

/* The query as a hot term: its terms' characters folded as the index folds them (full
 * width to ASCII, ASCII lower case), every run of anything else one space, trimmed.
 * False (nothing to count) when that is empty, longer than SEARCH_HOT_TERM_CHARS
 * characters, or does not fit in cap. */
bool search_hot_term(const char *q, char *out, size_t cap);

/* Counts one search of q on site at time now in this worker (search_hot_worker_init must
 * have run on this thread; else nothing is counted). */
void search_hot_count(const char *site, const char *q, int64_t now);

/* The worker's batch (the module's worker_init / worker_exit, the last batch at exit) and
 * its flush every search.hot_flush on the worker's tick (module_t.worker_tick, so the
 * interval has the tick's granularity, WORKER_TICK_MS). */
void search_hot_worker_init(struct worker *w);
void search_hot_worker_tick(struct worker *w);
void search_hot_worker_exit(struct worker *w);

/* Adds count to term's count of site on day (YYYYMMDD) in the store (the writer's side);
 * drops the site's days older than SEARCH_HOT_DAYS + 1. Returns 0 or a STORE_E* code. */
int search_hot_add(store_txn_t *w, const char *site, uint32_t day, const char *term,
                   uint32_t count);

/* One term of the week with its count: search_hot_week. */
typedef struct search_hot_entry {
    const char *term; /* NUL-terminated */
    uint64_t count;
} search_hot_entry_t;

/* Every term of the site of the last SEARCH_HOT_DAYS days (today included), once each with
 * its days' counts summed, most searched first (ties: in byte order); at most
 * SEARCH_HOT_DAYS * SEARCH_HOT_DAY_TERMS of them. *out points into a per-worker cache,
 * valid until the current callback returns (read again when the store changed). Returns
 * how many. */
size_t search_hot_week(store_txn_t *t, const char *site, int64_t now,
                       const search_hot_entry_t **out);

/* The per-worker cache key of the site's week as of now (the site and the day): what
 * search_hot_week's list and anything made from it (the related searches' set) are kept
 * under. Its length, or 0 when the site's name does not fit. */
size_t search_hot_week_key(const char *site, int64_t now, char ck[STORE_KEY_MAX + 1]);

/* The site's SEARCH_HOT_SHOW most searched terms of the last SEARCH_HOT_DAYS days (today
 * included), most searched first (ties: in byte order): pointers into a per-worker cache
 * valid until the current callback returns. Returns how many. */
size_t search_hot_top(store_txn_t *t, const char *site, int64_t now,
                      const char *out[SEARCH_HOT_SHOW]);

/* Removes every day of a site (jiyuectl purge). Returns 0 or a STORE_E* code. */
int search_hot_purge(store_txn_t *w, const char *site);

/* The local (UTC+8) day of t as YYYYMMDD. */
uint32_t search_hot_day(int64_t t);

#endif
