/* core/writer.h: the server's one writer thread, and responses that wait for it.
 *
 * The event loops never write to the store: a module that must (a citizen's message, a
 * counter) hands a job to the writer thread and defers its response. The writer takes
 * every job queued, runs them in ONE write transaction (group commit: a burst of 200
 * submissions costs a few fsyncs, not 200), commits durably (LMDB syncs on commit), and
 * only then hands each job's `done` back to the worker loop it came from, where the
 * deferred response is finally written. A crash before the commit loses no acknowledged
 * work, because nothing was acknowledged yet.
 *
 * If a job's apply() fails, only that job is rolled back (the others in the batch are
 * re-run in a fresh transaction), so one bad submission never fails the rest. */
#ifndef JIYUE_WRITER_H
#define JIYUE_WRITER_H

#include <stddef.h>

#include "request.h"
#include "store.h"

struct worker;

/* A response that waits: returned by request_defer(), consumed by request_resume(). */
typedef struct request_deferred request_deferred_t;

/* Called by a module inside its handle(): the request will be answered later. The
 * connection stops reading until then; the request's snapshot stays pinned. The module
 * returns MODULE_DONE without writing a response. */
request_deferred_t *request_defer(request_t *r);

/* Called on the request's worker loop thread (e.g. from a writer job's done callback):
 * rebuilds the request (method, site, keep-alive, TLS; not the headers or body, which are
 * gone) and calls respond(r, ud), which answers with the usual response_* functions. The
 * response is written, the access-log line recorded, and the connection resumes. If the
 * client went away meanwhile, respond is not called and everything is freed. */
void request_resume(request_deferred_t *d, void (*respond)(request_t *r, void *ud), void *ud);

/* The worker a deferred request belongs to (to post its completion there). */
struct worker *request_deferred_worker(const request_deferred_t *d);

typedef struct writer_job {
    /* Runs on the writer thread inside the batch's write transaction. Returns 0, or a
     * STORE_E* code to have this job's changes rolled back. Must not touch the loop. */
    int (*apply)(store_txn_t *t, void *ud);
    /* Runs on `worker`'s loop thread after the commit (rc: apply's result, or the commit's
     * failure). Typically calls request_resume(). */
    void (*done)(int rc, void *ud);
    void *ud;
    struct worker *worker;
} writer_job_t;

/* Starts the writer thread on the server's store (called once by the server). */
int writer_start(store_t *store);
/* Queues a job (copied). Safe from any thread. Returns 0, or -1 when no writer runs (then
 * done is never called: answer 503). */
int writer_submit(const writer_job_t *job);
/* Finishes the queued jobs and stops the thread (at shutdown, after the workers stop
 * accepting requests). */
void writer_stop(void);

/* Runs fn(ud) on w's loop thread soon. Safe from any thread. */
void worker_post(struct worker *w, void (*fn)(void *ud), void *ud);

#endif
