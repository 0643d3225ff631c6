/* core/writer.h: the server's one writer thread, and responses that wait for it.
 *
 * The event loops never write to the store: a module that must (a submitted form, a
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

#include "store.h"

struct worker;

typedef struct writer_job {
    /* Runs on the writer thread inside the batch's write transaction. Returns 0, or a
     * STORE_E* code to have this job's changes rolled back. Must not touch the loop. */
    int (*apply)(store_txn_t *t, void *ud);
    /* Runs on `worker`'s loop thread after the commit (rc: apply's result, or the commit's
     * failure). Typically calls request_resume(). With worker NULL (a job queued by a
     * worker whose loop has ended, e.g. a module's last batch at worker_exit) it runs on
     * the writer thread and must only free what the job owns; may be NULL then. */
    void (*done)(int rc, void *ud);
    void *ud;
    struct worker *worker;
} writer_job_t;

/* Starts the writer thread on the server's store (called once by the server). */
int writer_start(store_t *store);
/* Queues a job (copied). Safe from any thread. Returns 0, or -1 when no writer runs (then
 * done is never called: answer 503). */
int writer_submit(const writer_job_t *job);
/* Finishes the queued jobs and stops the thread (at shutdown, after the workers have been
 * joined: until then a worker may still queue jobs, its last ones from worker_exit). */
void writer_stop(void);

#endif
