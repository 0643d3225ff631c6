/* core/handoff.c: the reload hand-off: how a new snapshot reaches every worker, and how
 * the old one is freed.
 *
 * Design. One message per worker per reload, there and back:
 *   1. The control thread builds the snapshot (core/server.c: it also records `result
 *      adopting` for the new generation first, so that whoever gets an answer from it
 *      finds it in the status file) and calls handoff_start, which gives each worker a
 *      message holding the new snapshot and one reference to it, posted to the worker's
 *      own mailbox (its mutex-guarded task list, woken with its uv_async_t:
 *      core/worker.c), and returns. The control loop never waits for a worker: signals,
 *      log reopening and shutdown are answered while workers adopt.
 *   2. The worker, in its own loop between callbacks, swaps the snapshot it serves new
 *      requests with (a request never outlives the callback it was parsed in, so none is
 *      cut in half, and keep-alive connections simply carry on), puts its old snapshot
 *      into the same message and hands it back: an atomic flag in the message, and a
 *      shared atomic counter of messages still out; the worker that brings it to zero
 *      wakes the control loop (uv_async_send on its ack handle), so the control thread
 *      is woken once per reload, not once per worker (on a busy machine a second wake-up
 *      of a thread that has just run waits milliseconds for the scheduler). The worker
 *      never drops a snapshot reference itself, so freeing a configuration (10,000
 *      sites: some 15 ms of conf_free) never stalls a worker between requests.
 *   3. The control loop's ack callback, woken by the last acknowledgement, first calls
 *      `done` (core/server.c logs "reloaded" and records the verdict for `jiyue -s
 *      reload`: once that says reloaded, every worker serves the new generation), then
 *      drops the old references the messages brought back: the old snapshot's last
 *      reference goes there, and it is freed on the control thread.
 * One hand-off is in flight at a time: a SIGHUP that arrives meanwhile is remembered by
 * core/server.c and loaded when this one is done, so reload records stay in order. If a
 * worker has not adopted after HANDOFF_WARN_MS, the error log says how many; the hand-off
 * still completes when they get there. At stop, acknowledgements that came too late for
 * the loop are collected by handoff_free once the workers are joined, so no reference is
 * lost. There is no global "current snapshot" slot: the snapshot travels only in the
 * messages, and each worker holds the one it serves.
 *
 * Before this, a reload set a flag per worker, the workers fetched the snapshot from a
 * global slot, a second task per worker re-posted itself until the swap had happened,
 * and the control thread sat in pthread_cond_timedwait for up to 5 s. */
#include "handoff.h"

#include <stdlib.h>

#include "log.h"
#include "util.h"

#define HANDOFF_WARN_MS 5000

struct handoff {
    uv_loop_t *loop;
    uv_async_t ack;   /* workers wake the control loop with it */
    uv_timer_t slow;  /* warns about a worker that has not adopted after HANDOFF_WARN_MS */
    int nclosed;      /* handles closed, at handoff_free */
    int n;
    handoff_send_fn send;
    handoff_done_fn done;
    void *ud;
    handoff_msg_t *msgs; /* n messages of the hand-off in flight, or NULL */
    int pending;         /* of them, not yet collected (control thread) */
    atomic_int outstanding; /* of them, not yet handed back: the worker that brings it
                             * to 0 wakes the control loop, once per hand-off */
    uint64_t generation;
};

/* Counts the acknowledgements that came back since the last call. */
static void collect(handoff_t *h)
{
    for (int i = 0; h->msgs && i < h->n; i++) {
        handoff_msg_t *m = &h->msgs[i];
        if (m->collected || !atomic_load_explicit(&m->back, memory_order_acquire))
            continue;
        m->collected = true;
        h->pending--;
    }
}

/* Drops the old references that came back so far. */
static void drop_returned(handoff_t *h)
{
    for (int i = 0; h->msgs && i < h->n; i++)
        if (h->msgs[i].collected && h->msgs[i].snap) {
            snapshot_unref(h->msgs[i].snap);
            h->msgs[i].snap = NULL;
        }
}

static void on_ack(uv_async_t *a)
{
    handoff_t *h = a->data;
    if (!h->msgs || atomic_load_explicit(&h->outstanding, memory_order_acquire) > 0)
        return;
    collect(h);
    if (h->pending > 0) {
        drop_returned(h);
        return;
    }
    uv_timer_stop(&h->slow);
    handoff_msg_t *msgs = h->msgs;
    h->msgs = NULL;
    /* The verdict first, so that `jiyue -s reload` hears it as soon as every worker
     * serves the new generation; then the old snapshot's last references go (freeing a
     * large configuration takes milliseconds). done may start the next hand-off. */
    h->done(h->ud, h->generation);
    for (int i = 0; i < h->n; i++)
        snapshot_unref(msgs[i].snap);
    free(msgs);
}

static void on_slow(uv_timer_t *t)
{
    handoff_t *h = t->data;
    collect(h);
    drop_returned(h);
    if (h->pending > 0)
        log_warn("reload: %d worker%s had not taken up generation %llu after %d s: the "
                 "reload completes when %s",
                 h->pending, h->pending == 1 ? "" : "s", (unsigned long long)h->generation,
                 HANDOFF_WARN_MS / 1000, h->pending == 1 ? "it does" : "they do");
}

handoff_t *handoff_new(uv_loop_t *loop, int nworkers, handoff_send_fn send,
                       handoff_done_fn done, void *ud)
{
    handoff_t *h = util_calloc(1, sizeof *h);
    h->loop = loop;
    h->n = nworkers;
    h->send = send;
    h->done = done;
    h->ud = ud;
    uv_async_init(loop, &h->ack, on_ack);
    h->ack.data = h;
    uv_unref((uv_handle_t *)&h->ack);
    uv_timer_init(loop, &h->slow);
    h->slow.data = h;
    uv_unref((uv_handle_t *)&h->slow);
    return h;
}

bool handoff_busy(const handoff_t *h)
{
    return h->msgs != NULL;
}

int handoff_pending(const handoff_t *h)
{
    return h->msgs ? atomic_load_explicit(&h->outstanding, memory_order_acquire) : 0;
}

/* One message handed back; the last one wakes the control loop. */
static void hand_back(handoff_t *h)
{
    if (atomic_fetch_sub_explicit(&h->outstanding, 1, memory_order_acq_rel) == 1)
        uv_async_send(&h->ack);
}

int handoff_start(handoff_t *h, snapshot_t *s)
{
    if (h->msgs)
        return -1;
    h->msgs = util_calloc(h->n ? (size_t)h->n : 1, sizeof *h->msgs);
    h->pending = h->n;
    atomic_store_explicit(&h->outstanding, h->n, memory_order_relaxed);
    h->generation = s->generation;
    for (int i = 1; i < h->n; i++)
        snapshot_ref(s);
    for (int i = 0; i < h->n; i++) {
        handoff_msg_t *m = &h->msgs[i];
        m->snap = s;
        m->h = h;
        atomic_init(&m->back, false);
        /* A stopped worker never adopts: its reference comes straight back. */
        if (h->send(h->ud, i, m) != 0) {
            atomic_store_explicit(&m->back, true, memory_order_release);
            hand_back(h);
        }
    }
    if (h->n == 0) {
        snapshot_unref(s);
        uv_async_send(&h->ack);
    }
    /* Completion always comes from the loop (on_ack), never from inside this call. */
    uv_timer_start(&h->slow, on_slow, HANDOFF_WARN_MS, 0);
    return 0;
}

void handoff_adopted(handoff_msg_t *m, snapshot_t *old)
{
    handoff_t *h = m->h;
    m->snap = old;
    atomic_store_explicit(&m->back, true, memory_order_release);
    /* m may be freed by the control thread from here on; h lives until the workers are
     * joined (handoff_free). */
    hand_back(h);
}

static void on_closed(uv_handle_t *hd)
{
    handoff_t *h = hd->data;
    h->nclosed++;
}

void handoff_free(handoff_t *h)
{
    if (!h)
        return;
    /* Each message holds one reference: the old snapshot a worker gave back, or the new
     * one, sent and never adopted (the worker stopped first). */
    for (int i = 0; h->msgs && i < h->n; i++)
        snapshot_unref(h->msgs[i].snap);
    free(h->msgs);
    uv_close((uv_handle_t *)&h->ack, on_closed);
    uv_close((uv_handle_t *)&h->slow, on_closed);
    for (int i = 0; i < 10 && h->nclosed < 2; i++)
        uv_run(h->loop, UV_RUN_NOWAIT);
    free(h);
}
