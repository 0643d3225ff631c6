/* modules/interaction/message_limit.h: the limits on citizens' submissions (defined in
 * message_limit.c): per address, per network prefix, per site and day, the cluster's
 * daily byte budget and the store's reserve, counted in the store. */
#ifndef JIYUE_MESSAGE_LIMIT_H
#define JIYUE_MESSAGE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* ---- submission limits (message_limit.c) ---- */
typedef enum message_limit_kind {
    MESSAGE_LIMIT_NONE = 0,
    MESSAGE_LIMIT_ADDRESS,  /* interaction.rate_limit an hour from one address */
    MESSAGE_LIMIT_PREFIX,   /* that times interaction.prefix_multiple from one /24 or /64 */
    MESSAGE_LIMIT_SITE_DAY, /* interaction.daily_limit a day to one site */
    MESSAGE_LIMIT_BUDGET,   /* limits.message_bytes_per_day across the cluster */
    MESSAGE_LIMIT_RESERVE,  /* the store's room is down to store_reserve */
    MESSAGE_LIMIT_KINDS
} message_limit_kind_t;

typedef struct message_limits {
    uint64_t per_address, per_prefix; /* an hour, per site */
    uint64_t per_site_day;            /* a day (UTC+8), per site */
    uint64_t bytes_per_day;           /* a day, the whole cluster */
    uint64_t reserve;                 /* bytes of the store's room citizens never use */
} message_limits_t;

/* The network an address belongs to for the prefix limit: "203.0.113.0/24" (IPv4, also
 * when mapped into IPv6) or "2001:db8:1:2::/64". False when addr is not an address. */
bool message_addr_prefix(const char *addr, char *out, size_t cap);
/* "per-address limit", "store reserve"...: what the error log names. */
const char *message_limit_name(message_limit_kind_t k);
/* Admits one submission of `bytes` from addr to site, or says which limit refuses it.
 * Returns 0 with *fired == MESSAGE_LIMIT_NONE and every count taken (in w, with the
 * message), 0 with *fired set and *retry_after (seconds) when refused (nothing written),
 * or a STORE_E* code. Checked in the order of message_limit_kind_t. */
int message_admit(store_txn_t *w, const char *site, const char *addr,
                  const message_limits_t *l, uint64_t bytes, int64_t now,
                  message_limit_kind_t *fired, int64_t *retry_after);

/* Rate limit per site and address over the last hour, kept in the store so that every
 * worker and a restart see the same count. Returns 0 and records `now` when another
 * message is allowed, 1 when `limit` were already sent within the hour (*retry_after:
 * seconds until one more is allowed), or a STORE_E* code. Limits up to 64 are exact over
 * a sliding hour; higher ones count per clock hour (one small value per address). */
int message_rate_take(store_txn_t *w, const char *site, const char *addr, uint64_t limit,
                      int64_t now, int64_t *retry_after);
/* Drops rate-limit entries older than an hour and daily counts of past days; returns how
 * many or a STORE_E* code. */
long message_rate_sweep(store_txn_t *w, int64_t now);

#endif
