/* core/worker.h: one worker thread = one libuv loop serving its own listening sockets
 * (SO_REUSEPORT spreads connections across workers in the kernel) with its own read
 * transaction, read buffer, output batch and access-log buffer, so workers share nothing
 * on the hot path but the read-only snapshot and the LMDB map.
 *
 * The control thread talks to a worker only through its mailbox: worker_notify() sets a
 * flag (stop), worker_post() and worker_send_snapshot() queue a task, and both wake the
 * loop with uv_async_send (the one libuv call that is safe from another thread). */
#ifndef JIYUE_WORKER_H
#define JIYUE_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <uv.h>

#include "handoff.h"
#include "metrics.h"
#include "resphead.h"
#include "sendcache.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"

#define WORKER_READ_BUF (64 * 1024)
#define WORKER_MAX_PARTS 64
#define WORKER_TLS_RECORD (16 * 1024)
#define WORKER_TIMER_QUEUES 8
#define WORKER_TICK_MS 100

enum {
    WORKER_MSG_STOP = 2,   /* stop accepting, finish in-flight work, exit the loop */
    WORKER_MSG_TASKS = 4   /* run the tasks posted with worker_post() */
};

typedef struct worker_task {
    void (*fn)(void *ud);
    void *ud;
} worker_task_t;

struct conn;

/* A hold on the read transaction values were read through in this loop iteration
 * (worker_store_hold): while any hold is alive, that transaction stays open, so the
 * values (pointers into LMDB's map) stay valid past the iteration. */
typedef struct worker_hold {
    store_txn_t *txn;
    unsigned refs;
} worker_hold_t;
/* Read transactions a worker may keep open for holds at once, besides its own, and all
 * workers together beyond their own: each is an LMDB reader slot (126 a store) and keeps
 * the pages of its snapshot from reuse, so clients that read slowly must not multiply
 * them; past these the holder copies. */
#define WORKER_HELD_TXNS 4
#define WORKER_EXTRA_TXNS_MAX 32

/* One piece of the output batch: bytes in the batch's own buffer (ext == NULL, at off) or
 * referenced elsewhere (a store value). Offsets, not pointers, because the buffer may move
 * while the batch grows. A store value may also have a sendfile copy (core/sendcache.h):
 * fd >= 0 holds the same bytes at file offset foff; plain connections send from it. */
typedef struct out_part {
    const void *ext;
    size_t off;
    size_t len;
    int fd;
    size_t foff;
} out_part_t;

typedef struct worker {
    int id;
    uv_thread_t thread;
    uv_sem_t *started;      /* posted once the modules' worker_init ran (workers_start waits) */
    uv_loop_t loop;
    uv_async_t wakeup;
    atomic_int msgs;
    pthread_mutex_t task_mu; /* guards tasks and loop_gone (worker_post from other threads) */
    worker_task_t *tasks;
    size_t ntasks, task_cap;
    bool loop_gone;
    size_t ndeferred; /* requests (and held jobs) waiting for the writer: the loop stays up for them */
    uv_timer_t tick; /* every WORKER_TICK_MS: timeouts, access log flush, shutdown */

    snapshot_t *snap; /* what new requests are served with */
    store_t *store;
    store_txn_t *rtxn;
    bool rtxn_active;
    uv_check_t store_check; /* ends the read transaction once per loop iteration */
    worker_hold_t *hold;    /* this iteration's hold on rtxn, or NULL */
    unsigned nholds;        /* holds alive (this iteration's included) */
    store_txn_t *spare;     /* a reset transaction to take rtxn's place, or NULL */

    int *listen_fds; /* one per listen address, bound by main before threads start */
    const bool *listen_tls; /* per listen address: serves TLS */
    const bool *listen_admin; /* per listen address: a management listener (`admin:`) */
    uv_tcp_t *listeners;
    size_t nlisteners;
    bool *accept_waiting; /* per listener: a connection waits for the next round */
    uint64_t accepted;    /* connections accepted in this loop iteration */
    bool stopping;
    uint64_t stop_deadline_ms;

    struct conn *tq_head[WORKER_TIMER_QUEUES]; /* connections by kind of timeout (conn.c) */
    struct conn *tq_tail[WORKER_TIMER_QUEUES];
    size_t nconns;

    char *rbuf; /* shared by this worker's connections: reads land here first */
    char *tls_rbuf; /* TLS connections' ciphertext lands here (OpenSSL reads it in place,
                     * core/tls_in.h); their plaintext then goes to rbuf */
    char *tls_stage; /* plaintext gathered into one TLS record */
    char *pathbuf;
    size_t pathbuf_cap;

    sendcache_t *sendcache; /* sendfile copies of large store values */
    util_buf_t out;                    /* the output batch being built */
    out_part_t parts[WORKER_MAX_PARTS];
    size_t nparts;
    resphead_t head; /* the response head being built (core/resphead.h) */

    time_t date_sec; /* cached Date header and log time, rebuilt once a second */
    char date_hdr[48]; /* "Date: Fri, 27 Nov 2026 05:00:00 GMT\r\n" */
    size_t date_hdr_len;
    char log_time[32]; /* "27/Nov/2026:05:00:00 +0000" */

    util_buf_t access; /* access log lines not yet written */

    /* Last-Modified values recently formatted (pages imported together share mtimes). */
    struct {
        int64_t t;
        char text[30];
    } lm_cache[16];
    int exit_code;
    metrics_worker_t metrics; /* this worker's counters (core/metrics.h) */
} worker_t;

/* Starts n workers on snap (each takes a reference of its own); fds[i * nfds + j] is
 * worker i's socket for listen address j, tls[j] says whether that address serves TLS,
 * admin[j] whether it is a management listener. Returns 0 or -1. */
int workers_start(worker_t **out, int n, store_t *store, snapshot_t *snap, int *fds,
                  const bool *tls, const bool *admin, size_t nfds);
void worker_notify(worker_t *w, int msg);
/* Runs fn(ud) on w's loop thread soon. Safe from any thread (the writer's done callbacks,
 * the control thread). */
void worker_post(worker_t *w, void (*fn)(void *ud), void *ud);
/* Queues a reload hand-off message (core/handoff.h): the worker adopts m->snap in its own
 * loop and hands m back. Returns 0, or -1 when the worker has stopped (m not queued). */
int worker_send_snapshot(worker_t *w, handoff_msg_t *m);
/* Waits for the worker threads to end; workers_free then frees them (after the writer has
 * stopped: a job queued late still names its worker, core/writer.h). */
void workers_join(worker_t *ws, int n);
void workers_free(worker_t *ws, int n);

/* A writer job no request waits for (a module's fire-and-forget update) still has its
 * done callback run on this worker: worker_hold before writer_submit keeps the loop up at
 * shutdown until the matching worker_release (in done), as a deferred request does. On
 * w's loop thread only. */
static inline void worker_hold(worker_t *w)
{
    w->ndeferred++;
}
static inline void worker_release(worker_t *w)
{
    if (w->ndeferred > 0) /* zeroed when the shutdown deadline passed */
        w->ndeferred--;
}

/* Refreshes the cached date strings when the second has changed. */
void worker_update_time(worker_t *w);
/* The HTTP date for t (29 characters), from a small per-worker cache. */
const char *worker_http_date(worker_t *w, int64_t t);
/* Appends bytes to the output batch: copied, or formatted in place (reserve room for at
 * most n bytes, write them, commit how many were written). */
void worker_out_copy(worker_t *w, const void *p, size_t len);
char *worker_out_reserve(worker_t *w, size_t n);
void worker_out_commit(worker_t *w, size_t len);
/* Formatting into reserved room: appends n bytes at p and returns the end. */
static inline char *worker_put(char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define WORKER_PUT_LIT(p, lit) worker_put(p, lit, sizeof lit - 1)
void worker_out_ref(worker_t *w, const void *p, size_t len);
/* A store value that also lies in file fd from offset foff (a sendcache copy). */
void worker_out_file(worker_t *w, const void *p, size_t len, int fd, size_t foff);
/* Ends the worker's read transaction if one is active (values read become invalid). The
 * worker does this itself after each loop iteration's I/O callbacks, so all the requests
 * answered in one iteration share one transaction (one renew, one reset), and none is
 * held while the loop waits. */
void worker_store_release(worker_t *w);
/* Keeps the values read through request_store() in this iteration valid until
 * worker_store_drop(): at the iteration's end the worker hands its transaction to the
 * hold and takes a spare one. NULL when no transaction is active or WORKER_HELD_TXNS are
 * held already (then copy the bytes). One hold per iteration, shared by reference. */
worker_hold_t *worker_store_hold(worker_t *w);
void worker_store_drop(worker_t *w, worker_hold_t *h);
/* Whether w takes one more new connection in this loop iteration (limits.accept_burst per
 * iteration; the rest wait in the kernel's queue for the next). */
bool worker_may_accept(const worker_t *w);

#endif
