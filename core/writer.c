/* core/writer.c: the writer thread (group commit of queued jobs); each job's done callback
 * goes back to its worker through worker_post() (core/worker.c). */
#include "writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "log.h"
#include "metrics.h"
#include "util.h"
#include "worker.h"

#define WRITER_BATCH_MAX 256 /* jobs per transaction: bounds the time a batch holds the lock */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    writer_job_t *q;
    size_t n, cap;
    bool running, stop;
    store_t *store;
    uv_thread_t thread;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

typedef struct done_call {
    writer_job_t job;
    int rc;
} done_call_t;

static void run_done(void *ud)
{
    done_call_t *d = ud;
    d->job.done(d->rc, d->job.ud);
    free(d);
}

static void finish(const writer_job_t *job, int rc)
{
    if (!job->worker) { /* no loop waits for it: done runs here */
        if (job->done)
            job->done(rc, job->ud);
        return;
    }
    done_call_t *d = util_malloc(sizeof *d);
    d->job = *job;
    d->rc = rc;
    worker_post(job->worker, run_done, d);
}

/* One batch: every job in its own nested transaction inside one write transaction, one
 * durable commit for all. */
static void run_batch(writer_job_t *jobs, size_t n)
{
    int rc = 0;
    int *results = util_calloc(n, sizeof *results);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    store_txn_t *t = store_write_begin(W.store, &rc);
    if (t) {
        for (size_t i = 0; i < n; i++) {
            int crc = 0;
            store_txn_t *child = store_write_child(t, &crc);
            if (!child) {
                results[i] = crc;
                continue;
            }
            results[i] = jobs[i].apply(child, jobs[i].ud);
            if (results[i] == 0)
                results[i] = store_commit(child);
            else
                store_abort(child);
        }
        rc = store_commit(t);
        if (rc != 0)
            log_error("writer: commit failed: %s", store_strerror(rc));
    } else {
        log_error("writer: cannot begin a write transaction: %s", store_strerror(rc));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    metrics_writer_commit((uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
                              (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec,
                          n, rc == 0);
    for (size_t i = 0; i < n; i++)
        finish(&jobs[i], rc != 0 ? rc : results[i]);
    free(results);
}

static void writer_main(void *arg)
{
    (void)arg;
    writer_job_t *batch = util_calloc(WRITER_BATCH_MAX, sizeof *batch);
    for (;;) {
        pthread_mutex_lock(&W.mu);
        while (W.n == 0 && !W.stop)
            pthread_cond_wait(&W.cv, &W.mu);
        if (W.n == 0 && W.stop) {
            pthread_mutex_unlock(&W.mu);
            break;
        }
        size_t n = W.n < WRITER_BATCH_MAX ? W.n : WRITER_BATCH_MAX;
        memcpy(batch, W.q, n * sizeof *batch);
        memmove(W.q, W.q + n, (W.n - n) * sizeof *W.q);
        W.n -= n;
        pthread_mutex_unlock(&W.mu);
        metrics_writer_queued(-(int64_t)n);
        run_batch(batch, n);
    }
    free(batch);
}

int writer_start(store_t *store)
{
    W.store = store;
    W.stop = false;
    if (uv_thread_create(&W.thread, writer_main, NULL) != 0)
        return -1;
    W.running = true;
    return 0;
}

int writer_submit(const writer_job_t *job)
{
    pthread_mutex_lock(&W.mu);
    if (!W.running || W.stop) {
        pthread_mutex_unlock(&W.mu);
        return -1;
    }
    if (W.n == W.cap) {
        W.cap = W.cap ? W.cap * 2 : 64;
        W.q = util_realloc(W.q, W.cap * sizeof *W.q);
    }
    W.q[W.n++] = *job;
    pthread_cond_signal(&W.cv);
    pthread_mutex_unlock(&W.mu);
    metrics_writer_queued(1);
    return 0;
}

void writer_stop(void)
{
    pthread_mutex_lock(&W.mu);
    bool running = W.running;
    W.stop = true;
    pthread_cond_signal(&W.cv);
    pthread_mutex_unlock(&W.mu);
    if (running)
        uv_thread_join(&W.thread);
    W.running = false;
    free(W.q);
    W.q = NULL;
    W.n = W.cap = 0;
}
