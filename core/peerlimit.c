/* core/peerlimit.c: the per-address connection counts behind peerlimit.h. A connection
 * from one address may land on any worker (SO_REUSEPORT hashes the whole 4-tuple), so the
 * counts are shared: a hash table in shards, each behind its own mutex, touched once when a
 * connection opens and once when it closes, never per request. An entry lives only while
 * its address has a connection open, so the table holds at most max_connections entries. */
#include "peerlimit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util.h"

#define SHARDS 16
#define BUCKETS 1024 /* per shard */

typedef struct entry {
    unsigned char key[16];
    uint64_t count;
    struct entry *next;
} entry_t;

static struct shard {
    pthread_mutex_t mu;
    entry_t *buckets[BUCKETS];
} shards[SHARDS] = {
#define S {.mu = PTHREAD_MUTEX_INITIALIZER}
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S,
#undef S
};
_Static_assert(SHARDS == 16, "one initialiser per shard");

/* The address as IPv4-mapped IPv6 in a[16]; false for anything that is not IP. */
static bool to_v6(const struct sockaddr *sa, unsigned char a[16])
{
    memset(a, 0, 16);
    if (sa->sa_family == AF_INET) {
        a[10] = a[11] = 0xff;
        memcpy(a + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

static bool is_v4_mapped(const unsigned char a[16])
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, prefix, 12) == 0;
}

/* What is counted: the IPv4 address, or the IPv6 /64. */
static bool make_key(const struct sockaddr *sa, unsigned char key[16])
{
    if (!to_v6(sa, key))
        return false;
    if (!is_v4_mapped(key))
        memset(key + 8, 0, 8);
    return true;
}

/* Seeded per process, so that nobody can pick addresses that all land in one bucket. */
static uint64_t seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&seed;
}

static uint64_t hash(const unsigned char key[16])
{
    pthread_once(&seed_once, seed_init);
    uint64_t h = 1469598103934665603ull ^ seed; /* FNV-1a */
    for (int i = 0; i < 16; i++) {
        h ^= key[i];
        h *= 1099511628211ull;
    }
    return h;
}

peerlimit_result_t peerlimit_enter(const struct sockaddr *sa, const conf_limits_t *lim)
{
    unsigned char addr[16], key[16];
    if (!to_v6(sa, addr) || !make_key(sa, key))
        return PEERLIMIT_EXEMPT;
    for (size_t i = 0; i < lim->nexempt; i++)
        if (conf_net_contains(&lim->exempt[i], addr))
            return PEERLIMIT_EXEMPT;
    uint64_t h = hash(key);
    struct shard *s = &shards[h % SHARDS];
    entry_t **b = &s->buckets[(h / SHARDS) % BUCKETS];
    peerlimit_result_t r = PEERLIMIT_COUNTED;
    pthread_mutex_lock(&s->mu);
    entry_t *e = *b;
    while (e && memcmp(e->key, key, 16) != 0)
        e = e->next;
    if (!e) {
        e = util_calloc(1, sizeof *e);
        memcpy(e->key, key, 16);
        e->next = *b;
        *b = e;
    }
    if (e->count >= lim->max_connections_per_address)
        r = PEERLIMIT_OVER; /* e has a count >= 1 here: it stays for those connections */
    else
        e->count++;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void peerlimit_leave(const struct sockaddr *sa)
{
    unsigned char key[16];
    if (!make_key(sa, key))
        return;
    uint64_t h = hash(key);
    struct shard *s = &shards[h % SHARDS];
    pthread_mutex_lock(&s->mu);
    for (entry_t **p = &s->buckets[(h / SHARDS) % BUCKETS]; *p; p = &(*p)->next) {
        entry_t *e = *p;
        if (memcmp(e->key, key, 16) != 0)
            continue;
        if (e->count > 0 && --e->count == 0) {
            *p = e->next;
            free(e);
        }
        break;
    }
    pthread_mutex_unlock(&s->mu);
}

uint64_t peerlimit_count(const struct sockaddr *sa)
{
    unsigned char key[16];
    if (!make_key(sa, key))
        return 0;
    uint64_t h = hash(key), n = 0;
    struct shard *s = &shards[h % SHARDS];
    pthread_mutex_lock(&s->mu);
    for (entry_t *e = s->buckets[(h / SHARDS) % BUCKETS]; e; e = e->next)
        if (memcmp(e->key, key, 16) == 0)
            n = e->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}
