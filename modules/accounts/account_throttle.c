/* modules/accounts/account_throttle.c: failed-login windows, per account and per address
 * (account_throttle.h). Pure: the counters and the time come from the caller. */
#include <stddef.h>

#include "account_throttle.h"

/* Whether the window of t is still open at now. One that opened "in the future" (the clock
 * was set back) is over: counting it would keep a window open for as long as the clock
 * jumped, and nobody outside can move the clock. */
static int window_open(const account_throttle_t *t, int64_t now)
{
    return t->failures > 0 && now >= t->window_start &&
           now - t->window_start < ACCOUNT_THROTTLE_WINDOW;
}

int64_t account_throttle_wait(const account_throttle_t *t, uint32_t max, int64_t now)
{
    if (!window_open(t, now) || t->failures < max)
        return 0;
    return t->window_start + ACCOUNT_THROTTLE_WINDOW - now;
}

void account_throttle_fail(account_throttle_t *t, int64_t now)
{
    if (!window_open(t, now)) {
        t->failures = 1;
        t->window_start = now;
    } else if (t->failures < UINT32_MAX) {
        t->failures++;
    }
}

void account_throttle_reset(account_throttle_t *t)
{
    *t = (account_throttle_t){0};
}

int64_t account_login_wait(const account_throttle_t *account, const account_throttle_t *address,
                           int64_t now)
{
    int64_t a = account ? account_throttle_wait(account, ACCOUNT_THROTTLE_PER_ACCOUNT, now) : 0;
    int64_t b = address ? account_throttle_wait(address, ACCOUNT_THROTTLE_PER_ADDRESS, now) : 0;
    return a > b ? a : b;
}
