/* core/metrics.c: the per-worker request counters, the server-wide ones, the registry of
 * site slots and the text exposition (metrics.h). */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "strmap.h"

/* Upper bounds of the duration histogram, in nanoseconds (and as the `le` text). */
static const uint64_t bucket_ns[METRICS_DURATION_BUCKETS] = {
    100000,   250000,    500000,    1000000,   2500000,    5000000,    10000000,
    25000000, 50000000, 100000000, 250000000, 500000000, 1000000000, 5000000000ull,
};
static const char *const bucket_le[METRICS_DURATION_BUCKETS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
    "0.025",  "0.05",    "0.1",    "0.25",  "0.5",    "1",     "5",
};
static const char *const method_names[METRICS_METHODS] = {"GET", "HEAD", "POST", "other"};

static struct {
    pthread_mutex_t mu; /* guards the registry (slots, workers): never taken per request */
    strmap_t ids;
    char **names;
    uint32_t nslots, cap;
    metrics_worker_t *workers[METRICS_WORKERS_MAX];
    int nworkers;
} R = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Server-wide counters: atomics, each written where its event happens. */
static struct {
    uint64_t reloads_accepted, reloads_rejected, generation, last_reload_ok, last_reload_time;
    int64_t writer_queue;
    uint64_t commits_ok, commits_failed, commit_jobs, commit_ns;
} S = {.generation = 1, .last_reload_ok = 1};

static uint32_t slot_add_locked(const char *id)
{
    if (R.nslots == R.cap) {
        R.cap = R.cap ? R.cap * 2 : 64;
        R.names = util_realloc(R.names, R.cap * sizeof *R.names);
    }
    R.names[R.nslots] = util_strdup(id);
    strmap_put(&R.ids, id, strlen(id), (void *)(uintptr_t)(R.nslots + 1));
    return R.nslots++;
}

static void registry_init_locked(void)
{
    if (R.nslots)
        return;
    strmap_init(&R.ids);
    slot_add_locked("_none");  /* METRICS_SLOT_NONE */
    slot_add_locked("_admin"); /* METRICS_SLOT_ADMIN; site ids cannot begin with '_' */
}

uint32_t metrics_site_slot(const char *id)
{
    pthread_mutex_lock(&R.mu);
    registry_init_locked();
    uintptr_t v = (uintptr_t)strmap_get(&R.ids, id, strlen(id));
    uint32_t slot = METRICS_SLOT_NONE;
    if (v)
        slot = (uint32_t)(v - 1);
    else if (R.nslots < METRICS_CHUNK * METRICS_CHUNKS)
        slot = slot_add_locked(id);
    pthread_mutex_unlock(&R.mu);
    return slot;
}

void metrics_worker_register(metrics_worker_t *m)
{
    pthread_mutex_lock(&R.mu);
    registry_init_locked();
    if (R.nworkers < METRICS_WORKERS_MAX)
        R.workers[R.nworkers++] = m;
    pthread_mutex_unlock(&R.mu);
}

void metrics_workers_forget(void)
{
    pthread_mutex_lock(&R.mu);
    R.nworkers = 0;
    pthread_mutex_unlock(&R.mu);
}

void metrics_worker_free(metrics_worker_t *m)
{
    for (size_t i = 0; i < METRICS_CHUNKS; i++) {
        free(m->chunks[i]);
        m->chunks[i] = NULL;
    }
}

/* The worker's counters for a slot; the chunk is allocated on the first request of one
 * of its sites (rare: once per 256 sites per worker) and published for the scraper. */
static metrics_site_t *site_block(metrics_worker_t *m, uint32_t slot)
{
    metrics_site_t *chunk = __atomic_load_n(&m->chunks[slot / METRICS_CHUNK], __ATOMIC_RELAXED);
    if (!chunk) {
        chunk = util_calloc(METRICS_CHUNK, sizeof *chunk);
        __atomic_store_n(&m->chunks[slot / METRICS_CHUNK], chunk, __ATOMIC_RELEASE);
    }
    return &chunk[slot % METRICS_CHUNK];
}

void metrics_request(metrics_worker_t *m, uint32_t slot, http_method_t method, int status,
                     uint64_t bytes, uint64_t ns)
{
    int mi = method == HTTP_M_GET ? 0 : method == HTTP_M_HEAD ? 1 : method == HTTP_M_POST ? 2 : 3;
    int ci = status >= 100 && status < 600 ? status / 100 - 1 : 4;
    metrics_site_t *b = site_block(m, slot);
    metrics_add(&b->requests[mi][ci], 1);
    metrics_add(&b->bytes, bytes);
    int i = 0;
    while (i < METRICS_DURATION_BUCKETS && ns > bucket_ns[i])
        i++;
    metrics_add(&m->duration[i], 1);
    metrics_add(&m->duration_sum_ns, ns);
}

void metrics_reload(bool accepted, uint64_t generation)
{
    __atomic_add_fetch(accepted ? &S.reloads_accepted : &S.reloads_rejected, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&S.last_reload_ok, accepted ? 1 : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&S.last_reload_time, (uint64_t)time(NULL), __ATOMIC_RELAXED);
    __atomic_store_n(&S.generation, generation, __ATOMIC_RELAXED);
}

void metrics_writer_queued(int64_t delta)
{
    __atomic_add_fetch(&S.writer_queue, delta, __ATOMIC_RELAXED);
}

void metrics_writer_commit(uint64_t ns, uint64_t jobs, bool ok)
{
    __atomic_add_fetch(ok ? &S.commits_ok : &S.commits_failed, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&S.commit_jobs, jobs, __ATOMIC_RELAXED);
    __atomic_add_fetch(&S.commit_ns, ns, __ATOMIC_RELAXED);
}

/* ---- the exposition ---- */

void metrics_family(util_buf_t *out, const char *name, const char *type, const char *help)
{
    util_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_sample(util_buf_t *out, const char *name, const char *labels, uint64_t value)
{
    if (labels && *labels)
        util_buf_printf(out, "%s{%s} %llu\n", name, labels, (unsigned long long)value);
    else
        util_buf_printf(out, "%s %llu\n", name, (unsigned long long)value);
}

/* Seconds from nanoseconds, exactly enough for the format (no float drift in tests). */
static void sample_seconds(util_buf_t *out, const char *name, const char *labels, uint64_t ns)
{
    util_buf_printf(out, "%s%s%s%s %llu.%09llu\n", name, labels ? "{" : "", labels ? labels : "",
                    labels ? "}" : "", (unsigned long long)(ns / 1000000000u),
                    (unsigned long long)(ns % 1000000000u));
}

static uint64_t sum_workers(size_t offset)
{
    uint64_t n = 0;
    for (int w = 0; w < R.nworkers; w++)
        n += metrics_read((const uint64_t *)((const char *)R.workers[w] + offset));
    return n;
}

#define SUM(field) sum_workers(offsetof(metrics_worker_t, field))

static void render_requests(util_buf_t *out)
{
    metrics_family(out, "jiyue_http_requests_total", "counter",
                   "HTTP requests answered, by site id, method and status class.");
    util_buf_t bytes = {0};
    metrics_family(&bytes, "jiyue_http_response_bytes_total", "counter",
                   "Response body bytes sent, by site id.");
    for (uint32_t slot = 0; slot < R.nslots; slot++) {
        metrics_site_t sum = {0};
        bool any = false;
        for (int w = 0; w < R.nworkers; w++) {
            const metrics_site_t *chunk =
                __atomic_load_n(&R.workers[w]->chunks[slot / METRICS_CHUNK], __ATOMIC_ACQUIRE);
            if (!chunk)
                continue;
            const metrics_site_t *b = &chunk[slot % METRICS_CHUNK];
            for (int m = 0; m < METRICS_METHODS; m++)
                for (int c = 0; c < METRICS_CLASSES; c++)
                    sum.requests[m][c] += metrics_read(&b->requests[m][c]);
            sum.bytes += metrics_read(&b->bytes);
            any = true;
        }
        if (!any)
            continue;
        char labels[128];
        for (int m = 0; m < METRICS_METHODS; m++)
            for (int c = 0; c < METRICS_CLASSES; c++) {
                if (!sum.requests[m][c])
                    continue; /* only the series that happened: sites x 20 would be noise */
                snprintf(labels, sizeof labels, "site=\"%s\",method=\"%s\",status=\"%dxx\"",
                         R.names[slot], method_names[m], c + 1);
                metrics_sample(out, "jiyue_http_requests_total", labels, sum.requests[m][c]);
            }
        snprintf(labels, sizeof labels, "site=\"%s\"", R.names[slot]);
        metrics_sample(&bytes, "jiyue_http_response_bytes_total", labels, sum.bytes);
    }
    util_buf_append(out, bytes.data, bytes.len);
    util_buf_free(&bytes);

    metrics_family(out, "jiyue_http_request_duration_seconds", "histogram",
                   "Time from the request's head to its response being queued.");
    uint64_t cum = 0;
    for (int i = 0; i <= METRICS_DURATION_BUCKETS; i++) {
        cum += sum_workers(offsetof(metrics_worker_t, duration) + (size_t)i * sizeof(uint64_t));
        char labels[32];
        snprintf(labels, sizeof labels, "le=\"%s\"", i < METRICS_DURATION_BUCKETS ? bucket_le[i] : "+Inf");
        metrics_sample(out, "jiyue_http_request_duration_seconds_bucket", labels, cum);
    }
    sample_seconds(out, "jiyue_http_request_duration_seconds_sum", NULL, SUM(duration_sum_ns));
    metrics_sample(out, "jiyue_http_request_duration_seconds_count", NULL, cum);
}

static void render_connections(util_buf_t *out)
{
    uint64_t acc = SUM(conns_accepted), closed = SUM(conns_closed);
    metrics_family(out, "jiyue_connections_accepted_total", "counter", "Connections accepted.");
    metrics_sample(out, "jiyue_connections_accepted_total", NULL, acc);
    metrics_family(out, "jiyue_connections_open", "gauge", "Connections open now.");
    metrics_sample(out, "jiyue_connections_open", NULL, acc >= closed ? acc - closed : 0);
    metrics_family(out, "jiyue_tls_handshakes_total", "counter",
                   "TLS handshakes completed, full or resumed.");
    metrics_sample(out, "jiyue_tls_handshakes_total", NULL, SUM(tls_handshakes));
    metrics_family(out, "jiyue_tls_resumptions_total", "counter",
                   "TLS handshakes that resumed an earlier session.");
    metrics_sample(out, "jiyue_tls_resumptions_total", NULL, SUM(tls_resumed));
    metrics_family(out, "jiyue_sendfile_cache_lookups_total", "counter",
                   "Lookups of sendfile copies of large values, by result.");
    metrics_sample(out, "jiyue_sendfile_cache_lookups_total", "result=\"hit\"", SUM(sendcache_hits));
    metrics_sample(out, "jiyue_sendfile_cache_lookups_total", "result=\"miss\"", SUM(sendcache_misses));
    metrics_family(out, "jiyue_http2_data_bytes_total", "counter",
                   "HTTP/2 response body bytes framed without a copy by nghttp2, by where they "
                   "came from: the store's map, or a stream's own copy.");
    metrics_sample(out, "jiyue_http2_data_bytes_total", "source=\"map\"", SUM(h2_data_map));
    metrics_sample(out, "jiyue_http2_data_bytes_total", "source=\"buffer\"", SUM(h2_data_buffer));
}

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static void render_tls_sessions(util_buf_t *out, const metrics_tls_sessions_t *tls)
{
    if (!tls || !tls->on)
        return;
    metrics_family(out, "jiyue_tls_session_cache_sessions", "gauge",
                   "TLS sessions held for resumption.");
    metrics_sample(out, "jiyue_tls_session_cache_sessions", NULL, tls->sessions);
    metrics_family(out, "jiyue_tls_session_cache_evictions_total", "counter",
                   "Sessions dropped from a full cache, since the default certificate was loaded.");
    metrics_sample(out, "jiyue_tls_session_cache_evictions_total", NULL, tls->evicted);
}

static void render_server(util_buf_t *out, store_t *store)
{
    metrics_family(out, "jiyue_reloads_total", "counter", "Configuration reloads, by result.");
    metrics_sample(out, "jiyue_reloads_total", "result=\"accepted\"", LOAD(S.reloads_accepted));
    metrics_sample(out, "jiyue_reloads_total", "result=\"rejected\"", LOAD(S.reloads_rejected));
    metrics_family(out, "jiyue_reload_last_success", "gauge",
                   "1 when the last reload was accepted (or none was tried), else 0.");
    metrics_sample(out, "jiyue_reload_last_success", NULL, LOAD(S.last_reload_ok));
    metrics_family(out, "jiyue_reload_last_timestamp_seconds", "gauge",
                   "When the last reload was decided (0: none since start).");
    metrics_sample(out, "jiyue_reload_last_timestamp_seconds", NULL, LOAD(S.last_reload_time));
    metrics_family(out, "jiyue_config_generation", "gauge", "The configuration generation serving.");
    metrics_sample(out, "jiyue_config_generation", NULL, LOAD(S.generation));

    store_stats_t st;
    if (store && store_stats(store, &st) == 0) {
        metrics_family(out, "jiyue_store_size_bytes", "gauge", "Bytes of the store's file in use.");
        metrics_sample(out, "jiyue_store_size_bytes", NULL, st.pages_used * st.page_size);
        metrics_family(out, "jiyue_store_map_size_bytes", "gauge", "The store's map size (its limit).");
        metrics_sample(out, "jiyue_store_map_size_bytes", NULL, st.map_size);
        metrics_family(out, "jiyue_store_free_pages", "gauge", "Pages on the store's free list.");
        metrics_sample(out, "jiyue_store_free_pages", NULL, st.pages_free);
    }
    int64_t q = LOAD(S.writer_queue);
    metrics_family(out, "jiyue_writer_queue_jobs", "gauge", "Jobs waiting for the writer thread.");
    metrics_sample(out, "jiyue_writer_queue_jobs", NULL, q > 0 ? (uint64_t)q : 0);
    metrics_family(out, "jiyue_writer_commits_total", "counter", "Writer transactions, by result.");
    metrics_sample(out, "jiyue_writer_commits_total", "result=\"ok\"", LOAD(S.commits_ok));
    metrics_sample(out, "jiyue_writer_commits_total", "result=\"failed\"", LOAD(S.commits_failed));
    metrics_family(out, "jiyue_writer_jobs_total", "counter", "Jobs the writer ran.");
    metrics_sample(out, "jiyue_writer_jobs_total", NULL, LOAD(S.commit_jobs));
    metrics_family(out, "jiyue_writer_commit_seconds_total", "counter",
                   "Time the writer spent in transactions (with _commits_total: the mean latency).");
    sample_seconds(out, "jiyue_writer_commit_seconds_total", NULL, LOAD(S.commit_ns));
}

void metrics_render(util_buf_t *out, store_t *store, const metrics_tls_sessions_t *tls)
{
    pthread_mutex_lock(&R.mu);
    registry_init_locked();
    render_requests(out);
    render_connections(out);
    pthread_mutex_unlock(&R.mu);
    render_tls_sessions(out, tls);
    render_server(out, store);
    for (module_t *const *m = modules_list; *m; m++)
        if ((*m)->metrics)
            (*m)->metrics(out);
}
