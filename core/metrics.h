/* core/metrics.h: the server's Prometheus metrics (metrics.c), served at GET /metrics on
 * the management listener in the text exposition format 0.0.4.
 *
 * Counters on the request path are per worker and written only by their worker, with
 * relaxed atomic loads and stores (a plain add, no lock, no allocation); a scrape sums
 * every worker's. Requests are counted by site (label values are site ids from the
 * configuration, bounded, never paths), method and status class. A site gets a slot
 * number once per process (metrics_site_slot): a reload that adds a site adds a slot, a
 * removed site keeps its counts (counters never go back). The rest (reloads, the writer,
 * the store) is counted where it happens, with atomics, off the request path. */
#ifndef JIYUE_METRICS_H
#define JIYUE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "http1.h"
#include "store.h"
#include "util.h"

#define METRICS_METHODS 4        /* GET, HEAD, POST, other */
#define METRICS_CLASSES 5        /* 1xx .. 5xx */
#define METRICS_CHUNK 256        /* site slots per chunk */
#define METRICS_CHUNKS 256       /* so at most 65,536 site slots a process */
#define METRICS_DURATION_BUCKETS 14
#define METRICS_SLOT_NONE 0      /* requests no site answered (no such host, bad request) */
#define METRICS_SLOT_ADMIN 1     /* the management listener */
#define METRICS_WORKERS_MAX 256

typedef struct metrics_site {
    uint64_t requests[METRICS_METHODS][METRICS_CLASSES];
    uint64_t bytes;
} metrics_site_t;

typedef struct metrics_worker {
    metrics_site_t *chunks[METRICS_CHUNKS]; /* allocated by the worker, published atomically */
    uint64_t duration[METRICS_DURATION_BUCKETS + 1]; /* per bucket (not cumulative), +Inf last */
    uint64_t duration_sum_ns;
    uint64_t conns_accepted, conns_closed;
    uint64_t tls_handshakes, tls_resumed;
    uint64_t sendcache_hits, sendcache_misses;
    /* HTTP/2 DATA payload bytes written without nghttp2's copy (core/http2.c): straight
     * from the store's map, or from a stream's one copy of a body that was not in it. */
    uint64_t h2_data_map, h2_data_buffer;
} metrics_worker_t;

/* Adds one to a counter of the calling worker's own block (readers use metrics_read). */
static inline void metrics_add(uint64_t *c, uint64_t n)
{
    __atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}
static inline uint64_t metrics_read(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* A worker's block joins the scrape (at worker start; the block lives until exit). */
void metrics_worker_register(metrics_worker_t *m);
/* At exit, after every worker has stopped: the scrape forgets the blocks, which are freed. */
void metrics_workers_forget(void);
void metrics_worker_free(metrics_worker_t *m);
/* The slot of a site id, the same for the life of the process (the control thread calls
 * it when it builds a snapshot; never on the request path). */
uint32_t metrics_site_slot(const char *id);
/* One answered request: its site slot, method, status, body bytes and time taken. */
void metrics_request(metrics_worker_t *m, uint32_t slot, http_method_t method, int status,
                     uint64_t bytes, uint64_t ns);

/* Server-wide events, from any thread. */
void metrics_reload(bool accepted, uint64_t generation); /* generation: the one now serving */
void metrics_writer_queued(int64_t delta);             /* jobs waiting for the writer */
void metrics_writer_commit(uint64_t ns, uint64_t jobs, bool ok);

/* The TLS session cache as the caller read it (core/tls.h's tls_session_stats). */
typedef struct metrics_tls_sessions {
    bool on; /* the server has a default certificate */
    uint64_t sessions, evicted;
} metrics_tls_sessions_t;

/* The whole exposition (core's metrics, then each module's module_t.metrics). */
void metrics_render(util_buf_t *out, store_t *store, const metrics_tls_sessions_t *tls);
/* Appends one sample line: name{labels} value (labels may be NULL or ""). */
void metrics_sample(util_buf_t *out, const char *name, const char *labels, uint64_t value);
/* Appends the # HELP and # TYPE lines of a metric family. */
void metrics_family(util_buf_t *out, const char *name, const char *type, const char *help);

#endif
