/* modules/accounts/account_throttle.h: the limit on failed logins, per account and per
 * address, as pure functions over stored counters with the time passed in (the console
 * reads the counters from the store, asks account_login_wait before it spends a KDF on a
 * guess, and writes the updated counters back through the writer).
 *
 * A counter is a fixed window opened by a failure: the first failure at T opens
 * [T, T + ACCOUNT_THROTTLE_WINDOW); once `max` failures fall in it, further tries wait until
 * it closes. So an account takes at most 5 wrong passwords per 15 minutes from anywhere,
 * and an address at most 20 per 15 minutes over every name it tries (a guesser spreading
 * over many accounts). A successful login resets the account's counter, never the
 * address's: one valid account must not buy a guesser fresh tries at the others. A
 * password set by `jiyuectl user passwd` resets the account's counter too. */
#ifndef JIYUE_ACCOUNT_THROTTLE_H
#define JIYUE_ACCOUNT_THROTTLE_H

#include <stdint.h>

#define ACCOUNT_THROTTLE_WINDOW (15 * 60) /* seconds */
#define ACCOUNT_THROTTLE_PER_ACCOUNT 5    /* failures per window before an account waits */
#define ACCOUNT_THROTTLE_PER_ADDRESS 20   /* failures per window before an address waits */

typedef struct account_throttle {
    uint32_t failures;    /* failures counted in the window */
    int64_t window_start; /* when the window opened (the first of them); 0: none */
} account_throttle_t;

/* Seconds a login must wait under counter t with limit max at time now: 0 when it may be
 * tried now. */
int64_t account_throttle_wait(const account_throttle_t *t, uint32_t max, int64_t now);
/* Counts one failure at time now (opening a new window when the last one has closed). */
void account_throttle_fail(account_throttle_t *t, int64_t now);
/* Forgets every failure (a successful login, a new password). */
void account_throttle_reset(account_throttle_t *t);

/* The console's question: may a login for an account (its counter; NULL when the name has
 * no account) be tried now from an address (its counter)? Returns 0 or the seconds to wait,
 * the longer of the two limits. */
int64_t account_login_wait(const account_throttle_t *account, const account_throttle_t *address,
                           int64_t now);

#endif
