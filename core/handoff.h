/* core/handoff.h: handing a new snapshot from the control thread to every worker (the
 * design is at the top of core/handoff.c). The control thread starts a hand-off and
 * carries on; it hears that every worker serves the new generation through a callback
 * on its own loop. */
#ifndef JIYUE_HANDOFF_H
#define JIYUE_HANDOFF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "snapshot.h"

typedef struct handoff handoff_t;

/* The one message a worker gets per reload, and gives back as its acknowledgement. */
typedef struct handoff_msg {
    snapshot_t *snap; /* out: the new snapshot (a reference for the worker); back: the
                       * snapshot the worker let go of (its reference, for the control
                       * thread to drop) */
    void *to;         /* the sender's, to find its worker again (core/worker.c) */
    handoff_t *h;
    atomic_bool back; /* set by the worker, once snap is its old one */
    bool collected;   /* control thread only: its acknowledgement was counted */
} handoff_msg_t;

/* Delivers m to worker i; the worker later calls handoff_adopted(m, ...) on its own
 * thread. Returns 0, or -1 when that worker has stopped and will never see m. */
typedef int (*handoff_send_fn)(void *ud, int worker, handoff_msg_t *m);
/* On the control thread, once per handoff_start, when every worker serves generation. */
typedef void (*handoff_done_fn)(void *ud, uint64_t generation);

/* A hand-off channel for n workers on the control thread's loop. Its handles do not keep
 * the loop alive. */
handoff_t *handoff_new(uv_loop_t *loop, int nworkers, handoff_send_fn send,
                       handoff_done_fn done, void *ud);
/* Sends s (the caller's reference is taken over) to every worker and returns at once.
 * Returns -1, and leaves s to the caller, while an earlier hand-off is still in flight. */
int handoff_start(handoff_t *h, snapshot_t *s);
bool handoff_busy(const handoff_t *h);
/* Workers still to acknowledge the hand-off in flight (0 when none is). */
int handoff_pending(const handoff_t *h);
/* Worker side, on the worker's thread: it now serves m->snap and gives back `old`. */
void handoff_adopted(handoff_msg_t *m, snapshot_t *old);
/* After the workers are joined: drops every reference still in a message, closes the
 * handles (running the loop once for their close callbacks) and frees h. */
void handoff_free(handoff_t *h);

#endif
