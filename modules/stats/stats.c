/* modules/stats/stats.c: counting page views and visitors in each worker, and flushing
 * them to the store (stats.h). */
#include "stats.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/rand.h>

#include "log.h"
#include "stats_record.h"
#include "worker.h"
#include "writer.h"

#define STATS_FLUSH_DEFAULT_MS 60000
#define STATS_FLUSH_MAX_MS 60000 /* the promise: at least once a minute */

#define STATS_UA_CACHE 256 /* longer UAs are judged every time */

static const stats_conf_t defaults = {.flush_ms = STATS_FLUSH_DEFAULT_MS};

/* One site's counts in this worker since the last flush. */
typedef struct site_acc {
    char id[64];
    stats_day_t d;
    bool dirty;
} site_acc_t;

/* Each worker's own: nothing here is shared, so nothing is locked. */
static __thread struct {
    worker_t *w;
    site_acc_t **sites; /* by the site's slot (conf_site_t.metrics_slot) */
    size_t cap;
    uint32_t day;
    time_t day_ends;
    uint8_t secret[16], salt[16];
    bool have_secret;
    uint64_t last_flush_ms;
    /* The last User-Agent judged and its verdict: most requests of a worker come from few
     * clients, whose UA does not change within a keep-alive connection. Keyed by all its
     * bytes, so a request with any other UA is judged afresh. */
    char last_ua[STATS_UA_CACHE];
    size_t last_ua_len; /* 0: none */
    bool last_bot;
} T;

/* ---- pure helpers ---- */

bool stats_is_page(const char *path, size_t len)
{
    if (len == 0 || path[len - 1] == '/')
        return true;
    size_t i = len;
    while (i > 0 && path[i - 1] != '/' && path[i - 1] != '.')
        i--;
    if (i == 0 || path[i - 1] == '/')
        return true; /* no extension */
    size_t ext = len - i;
    return (ext == 4 && !strncasecmp(path + i, "html", 4)) ||
           (ext == 3 && !strncasecmp(path + i, "htm", 3));
}

/* The marks of a robot's User-Agent, matched case-insensitively (ASCII: the server runs
 * in the C locale) anywhere in it. Every mark is lower case. */
static const char *const bot_marks[] = {"bot",  "spider", "crawl", "slurp",   "curl/",
                                        "wget", "python", "java/", "go-http", "headless",
                                        "scan", "monitor"};
_Static_assert(sizeof bot_marks / sizeof *bot_marks <= 16, "bot_first holds 16 marks");

/* By byte: the marks (bit i = bot_marks[i]) that start with it, either case, so one pass
 * over the User-Agent tries a mark only where its first letter is (h2load's user agent cost
 * ~15,000 instructions a request through strncasecmp for each mark at each offset; this
 * costs a few a byte). Kept in step with bot_marks by test_stats.c's comparison with the
 * list. */
#define BM(i) (uint16_t)(1u << (i))
static const uint16_t bot_first[256] = {
    ['b'] = BM(0), ['B'] = BM(0),
    ['s'] = BM(1) | BM(3) | BM(10), ['S'] = BM(1) | BM(3) | BM(10),
    ['c'] = BM(2) | BM(4), ['C'] = BM(2) | BM(4),
    ['w'] = BM(5), ['W'] = BM(5),
    ['p'] = BM(6), ['P'] = BM(6),
    ['j'] = BM(7), ['J'] = BM(7),
    ['g'] = BM(8), ['G'] = BM(8),
    ['h'] = BM(9), ['H'] = BM(9),
    ['m'] = BM(11), ['M'] = BM(11),
};

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool stats_is_bot(const char *ua, size_t len)
{
    if (!ua || len == 0)
        return true;
    const unsigned char *u = (const unsigned char *)ua;
    for (size_t i = 0; i < len; i++) {
        unsigned cand = bot_first[u[i]];
        while (cand) {
            unsigned m = (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            const char *w = bot_marks[m];
            size_t j = 1;
            while (w[j] && i + j < len && fold(u[i + j]) == (unsigned char)w[j])
                j++;
            if (!w[j])
                return true;
        }
    }
    return false;
}

/* Days are China Standard Time's (UTC+8 all year), as every date the platform shows,
 * whatever the server's own time zone. */
#define STATS_TZ_OFFSET (8 * 3600)

uint32_t stats_day_of(time_t t, time_t *ends)
{
    time_t local = t + STATS_TZ_OFFSET;
    struct tm tm;
    gmtime_r(&local, &tm);
    uint32_t day = (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
    if (ends)
        *ends = (local / 86400 + 1) * 86400 - STATS_TZ_OFFSET;
    return day;
}

/* ---- the secret and the day's salt ---- */

static void make_salt(void)
{
    char date[16];
    snprintf(date, sizeof date, "%08u", T.day);
    uint64_t a = stats_hash(T.secret, date, 8, 1), b = stats_hash(T.secret, date, 8, 2);
    memcpy(T.salt, &a, 8);
    memcpy(T.salt + 8, &b, 8);
}

/* The store's secret, made the first time any worker starts on a store: in a write
 * transaction of the worker's own, before it serves anything, so no visitor of the first
 * minutes goes unhashed (LMDB lets one writer in at a time: a second worker, or the writer
 * thread, waits, then finds the secret made). False on a read-only store. */
static bool load_secret(store_t *store)
{
    int rc = 0;
    store_txn_t *t = store_write_begin(store, &rc);
    if (!t)
        return false;
    const void *v;
    size_t len;
    if (store_meta_get(t, STATS_KEY_SECRET, &v, &len) == 0 && len == sizeof T.secret) {
        memcpy(T.secret, v, sizeof T.secret);
        store_abort(t);
        return true;
    }
    if (RAND_bytes(T.secret, sizeof T.secret) != 1 ||
        store_meta_put(t, STATS_KEY_SECRET, T.secret, sizeof T.secret) != 0) {
        store_abort(t);
        return false;
    }
    return store_commit(t) == 0;
}

/* ---- flushing ---- */

typedef struct flush_item {
    char site[64];
    uint32_t day;
    stats_day_t d;
} flush_item_t;

typedef struct flush_job {
    worker_t *w;
    size_t n;
    flush_item_t *items;
} flush_job_t;

static int apply_flush(store_txn_t *t, void *ud)
{
    flush_job_t *j = ud;
    for (size_t i = 0; i < j->n; i++) {
        int rc = stats_day_merge(t, j->items[i].site, j->items[i].day, &j->items[i].d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void flush_free(flush_job_t *j)
{
    free(j->items);
    free(j);
}

static void flush_done(int rc, void *ud)
{
    flush_job_t *j = ud;
    if (rc != 0)
        log_error("stats: %zu sites' visits could not be stored: %s", j->n, store_strerror(rc));
    worker_release(j->w);
    flush_free(j);
}

/* What the worker counted since the last flush, as one job; the counters start again. */
static flush_job_t *take_counts(worker_t *w)
{
    size_t n = 0;
    for (size_t i = 0; i < T.cap; i++)
        n += T.sites[i] && T.sites[i]->dirty;
    if (!n)
        return NULL;
    flush_job_t *j = util_calloc(1, sizeof *j);
    j->w = w;
    j->items = util_calloc(n, sizeof *j->items);
    for (size_t i = 0; i < T.cap; i++) {
        site_acc_t *a = T.sites[i];
        if (!a || !a->dirty)
            continue;
        flush_item_t *it = &j->items[j->n++];
        memcpy(it->site, a->id, sizeof it->site);
        it->day = T.day;
        it->d = a->d;
        memset(&a->d, 0, sizeof a->d);
        a->dirty = false;
    }
    return j;
}

static void flush(worker_t *w)
{
    T.last_flush_ms = util_now_ms();
    flush_job_t *j = take_counts(w);
    if (!j)
        return;
    writer_job_t wj = {.apply = apply_flush, .done = flush_done, .ud = j, .worker = w};
    worker_hold(w);
    if (writer_submit(&wj) != 0) {
        /* No writer (read-only store, or stopping): the counts are lost, and said so. */
        worker_release(w);
        log_warn("stats: no writer: %zu sites' visits of this minute are not stored", j->n);
        flush_free(j);
    }
}

/* ---- the module's hooks ---- */

static void stats_worker_init(worker_t *w)
{
    memset(&T, 0, sizeof T);
    T.w = w;
    T.day = stats_day_of(time(NULL), &T.day_ends);
    T.last_flush_ms = util_now_ms();
    if (load_secret(w->store)) {
        T.have_secret = true;
        make_salt();
    } else {
        log_warn("stats: worker %d: no visitor salt (read-only store?): page views are counted, "
                 "unique visitors are not", w->id);
    }
}

static site_acc_t *acc_for(const conf_site_t *s)
{
    uint32_t slot = s->metrics_slot;
    if (slot >= T.cap) {
        size_t cap = T.cap ? T.cap : 64;
        while (cap <= slot)
            cap *= 2;
        T.sites = util_realloc(T.sites, cap * sizeof *T.sites);
        memset(T.sites + T.cap, 0, (cap - T.cap) * sizeof *T.sites);
        T.cap = cap;
    }
    if (!T.sites[slot]) {
        T.sites[slot] = util_calloc(1, sizeof **T.sites);
        snprintf(T.sites[slot]->id, sizeof T.sites[slot]->id, "%s", s->id);
    }
    return T.sites[slot];
}

static uint64_t visitor_hash(const request_t *r, const char *ua, size_t ua_len)
{
    uint8_t buf[16 + 512];
    size_t n = 0;
    const struct sockaddr *sa = r->peer;
    if (sa && sa->sa_family == AF_INET) {
        memcpy(buf, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        n = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(buf, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        n = 16;
    }
    size_t take = ua_len < 512 ? ua_len : 512;
    memcpy(buf + n, ua, take);
    return stats_hash(T.salt, buf, n + take, 0);
}

static bool is_bot_cached(const char *ua, size_t len)
{
    if (len == 0 || len > sizeof T.last_ua)
        return stats_is_bot(ua, len);
    if (len == T.last_ua_len && !memcmp(T.last_ua, ua, len))
        return T.last_bot;
    bool bot = stats_is_bot(ua, len);
    memcpy(T.last_ua, ua, len);
    T.last_ua_len = len;
    T.last_bot = bot;
    return bot;
}

static void stats_request_done(const request_t *r)
{
    if (r->admin || !r->site || r->method != HTTP_M_GET || (r->status != 200 && r->status != 304) ||
        !r->rel || !stats_is_page(r->rel, r->rel_len))
        return;
    time_t now = r->worker->date_sec;
    if (now >= T.day_ends) {
        /* Midnight: what was counted belongs to the day that ended. */
        flush(r->worker);
        T.day = stats_day_of(now, &T.day_ends);
        if (T.have_secret)
            make_salt();
    }
    const http1_header_t *h = r->h ? http1_find_header(r->h, "User-Agent") : NULL;
    const char *ua = h ? h->value.p : NULL;
    size_t ua_len = h ? h->value.len : 0;
    site_acc_t *a = acc_for(r->site);
    a->dirty = true;
    if (is_bot_cached(ua, ua_len)) {
        a->d.bot_views++;
        return;
    }
    a->d.views++;
    if (T.have_secret)
        stats_hll_add(&a->d.visitors, visitor_hash(r, ua, ua_len));
}

static const stats_conf_t *conf_of(const worker_t *w)
{
    const stats_conf_t *c = module_server_conf(w->snap->conf, &module_stats);
    return c ? c : &defaults;
}

static void stats_worker_tick(worker_t *w)
{
    if (util_now_ms() - T.last_flush_ms >= conf_of(w)->flush_ms)
        flush(w);
}

static void exit_done(int rc, void *ud)
{
    flush_job_t *j = ud;
    if (rc != 0)
        log_error("stats: the last visits of a worker could not be stored: %s", store_strerror(rc));
    flush_free(j);
}

/* The loop has ended; the writer still runs (the server stops it after joining the
 * workers), so the last counts go to it as a job with no worker: its done runs on the
 * writer thread. */
static void stats_worker_exit(worker_t *w)
{
    flush_job_t *j = take_counts(w);
    if (j) {
        writer_job_t wj = {.apply = apply_flush, .done = exit_done, .ud = j, .worker = NULL};
        if (writer_submit(&wj) != 0) {
            log_warn("stats: no writer: worker %d's last %zu sites' visits are not stored", w->id,
                     j->n);
            flush_free(j);
        }
    }
    for (size_t i = 0; i < T.cap; i++)
        free(T.sites[i]);
    free(T.sites);
    memset(&T, 0, sizeof T);
}

static void conf_init(void *slot)
{
    *(stats_conf_t *)slot = defaults;
}

/* `stats_flush_interval`: how long counts may wait in a worker, 100ms to 60s (a minute at
 * most is the promise made to the web office; shorter serves tests). */
static void key_flush(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    (void)k;
    const char *s = conf_str(x, v, "stats_flush_interval", "a duration such as 60s");
    uint64_t ms;
    if (!s)
        return;
    if (util_parse_duration(s, &ms) != 0 || ms < 100 || ms > STATS_FLUSH_MAX_MS) {
        conf_err(x, v, "'stats_flush_interval' must be a duration from 100ms to 60s, not '%s'", s);
        return;
    }
    ((stats_conf_t *)obj)->flush_ms = ms;
}

static const conf_key_t server_keys[] = {
    {"stats_flush_interval", CONF_K_FN, 0, key_flush, false, 0},
};

module_t module_stats = {
    .name = "stats",
    .server_keys = server_keys,
    .nserver_keys = UTIL_ARRAY_LEN(server_keys),
    .server_conf_size = sizeof(stats_conf_t),
    .server_conf_init = conf_init,
    .request_done = stats_request_done,
    .worker_init = stats_worker_init,
    .worker_exit = stats_worker_exit,
    .worker_tick = stats_worker_tick,
};
