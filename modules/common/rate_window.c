/* modules/common/rate_window.c: the windows of rate_window.h (sliding and exact up to
 * RATE_WINDOW_EXACT events, one per clock span beyond). */
#include "rate_window.h"

#include "rec.h"

int rate_window_take(const void *old, size_t len, uint64_t limit, int64_t span, int64_t now,
                     int64_t *retry_after, util_buf_t *next)
{
    const char *v = old;
    bool have = v && len >= 1;
    if (limit > RATE_WINDOW_EXACT) {
        int64_t start = now - now % span;
        uint64_t count = 0;
        if (have && v[0] == 'W' && len == 17 && (int64_t)rec_u64_at(v, len, 9) == start)
            count = rec_u64_at(v, len, 1);
        if (count >= limit) {
            int64_t wait = start + span - now;
            *retry_after = wait < 1 ? 1 : wait;
            return 1;
        }
        next->len = 0;
        util_buf_append(next, "W", 1);
        rec_put_n(next, count + 1, 8);
        rec_put_n(next, (uint64_t)start, 8);
        return 0;
    }
    int64_t times[RATE_WINDOW_EXACT + 1];
    size_t n = 0;
    if (have && v[0] == 'L') {
        for (size_t off = 1; off + 8 <= len && n < RATE_WINDOW_EXACT; off += 8) {
            int64_t t = (int64_t)rec_u64_at(v, len, off);
            if (t > now - span)
                times[n++] = t;
        }
    }
    /* The newest `limit` count (a lowered limit applies at once). */
    size_t first = n > limit ? n - (size_t)limit : 0;
    if (n - first >= limit) {
        int64_t wait = (n > first ? times[first] : now) + span - now;
        *retry_after = wait < 1 ? 1 : wait;
        return 1;
    }
    times[n++] = now;
    next->len = 0;
    util_buf_append(next, "L", 1);
    for (size_t i = first; i < n; i++)
        rec_put_n(next, (uint64_t)times[i], 8);
    return 0;
}

int64_t rate_window_last(const void *v, size_t len)
{
    return len >= 9 ? (int64_t)rec_u64_at(v, len, len - 8) : 0;
}
