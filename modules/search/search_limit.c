/* modules/search/search_limit.c: the per-address search counts behind search_limit.h: a
 * hash table of rate windows (modules/common/rate_window.h) behind one mutex, taken once
 * per search (which reads far more than this costs), seeded per process so that nobody
 * can pick addresses that share a bucket. */
#include "search_limit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "rate_window.h"
#include "util.h"

#define BUCKETS 1024

typedef struct entry {
    unsigned char key[16];
    util_buf_t v; /* the window */
    int64_t last;
    struct entry *next;
} entry_t;

static struct {
    pthread_mutex_t mu;
    entry_t *buckets[BUCKETS];
    size_t n;
    uint64_t seed;
    bool seeded;
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The IPv4 address, or the IPv6 /64, as 16 bytes; false for a peer that is not IP. */
static bool make_key(const struct sockaddr *sa, unsigned char key[16])
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    memset(key, 0, 16);
    if (sa && sa->sa_family == AF_INET) {
        memcpy(key, mapped, 12);
        memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        if (memcmp(key, mapped, 12) != 0)
            memset(key + 8, 0, 8);
        return true;
    }
    return false;
}

static void entry_free(entry_t *e)
{
    util_buf_free(&e->v);
    free(e);
}

/* Makes room for one more address: drops those idle for a span, else the longest idle. */
static void make_room(int64_t now)
{
    entry_t *oldest = NULL;
    for (size_t b = 0; b < BUCKETS; b++)
        for (entry_t **p = &T.buckets[b]; *p;) {
            entry_t *e = *p;
            if (e->last <= now - SEARCH_LIMIT_SPAN) {
                *p = e->next;
                entry_free(e);
                T.n--;
                continue;
            }
            if (!oldest || e->last < oldest->last)
                oldest = e;
            p = &e->next;
        }
    if (T.n < SEARCH_LIMIT_ADDRESSES || !oldest)
        return;
    for (size_t b = 0; b < BUCKETS; b++)
        for (entry_t **p = &T.buckets[b]; *p; p = &(*p)->next)
            if (*p == oldest) {
                *p = oldest->next;
                entry_free(oldest);
                T.n--;
                return;
            }
}

bool search_limit_take(const struct sockaddr *sa, const conf_limits_t *lim, uint64_t per_minute,
                       int64_t now, int64_t *retry_after)
{
    unsigned char key[16];
    if (!make_key(sa, key) || (lim && conf_nets_match(lim->exempt, lim->nexempt, sa)))
        return true;
    pthread_mutex_lock(&T.mu);
    if (!T.seeded) {
        if (getrandom(&T.seed, sizeof T.seed, 0) != (ssize_t)sizeof T.seed)
            T.seed = (uint64_t)(uintptr_t)&T ^ (uint64_t)now;
        T.seeded = true;
    }
    size_t b = util_hash_bytes(T.seed, key, 16) & (BUCKETS - 1);
    entry_t *e = T.buckets[b];
    while (e && memcmp(e->key, key, 16) != 0)
        e = e->next;
    if (!e) {
        if (T.n >= SEARCH_LIMIT_ADDRESSES)
            make_room(now);
        e = util_calloc(1, sizeof *e);
        memcpy(e->key, key, 16);
        e->next = T.buckets[b];
        T.buckets[b] = e;
        T.n++;
    }
    util_buf_t next = {0};
    bool ok = rate_window_take(e->v.data, e->v.len, per_minute, SEARCH_LIMIT_SPAN, now,
                               retry_after, &next) == 0;
    if (ok) {
        util_buf_free(&e->v);
        e->v = next;
        e->last = now;
    } else {
        util_buf_free(&next);
    }
    pthread_mutex_unlock(&T.mu);
    return ok;
}

void search_limit_reset(void)
{
    pthread_mutex_lock(&T.mu);
    for (size_t b = 0; b < BUCKETS; b++) {
        while (T.buckets[b]) {
            entry_t *e = T.buckets[b];
            T.buckets[b] = e->next;
            entry_free(e);
        }
    }
    T.n = 0;
    pthread_mutex_unlock(&T.mu);
}
