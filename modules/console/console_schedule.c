/* modules/console/console_schedule.c: scheduled publication's timer and its writer job
 * (console_schedule.h). The timer never keeps the loop alive (uv_unref): shutdown does not
 * wait for it; a job already handed to the writer holds the worker (worker_hold) until its
 * done runs. One job at a time: the next interval starts when the last job is done. */
#include "console_schedule.h"

#include <stdlib.h>
#include <time.h>

#include "console.h"
#include "log.h"
#include "worker.h"
#include "workflow.h"
#include "writer.h"

/* The shortest interval taken: a mistaken 0 must not spin the writer. */
#define SCHEDULE_MIN_MS 100

static uv_timer_t timer;
static worker_t *home; /* the worker whose loop runs the timer; NULL when none */
static bool in_flight;

typedef struct due_job {
    worker_t *w;
    snapshot_t *snap; /* the configuration the drafts are published under */
    size_t published;
    workflow_rc_t rc;
    workflow_err_t e;
} due_job_t;

static void on_timer(uv_timer_t *h);

static void arm(void)
{
    if (!home)
        return;
    uint64_t ms = console_conf(home->snap->conf)->publish_interval_ms;
    uv_timer_start(&timer, on_timer, ms < SCHEDULE_MIN_MS ? SCHEDULE_MIN_MS : ms, 0);
}

static int apply_due(store_txn_t *t, void *ud)
{
    due_job_t *j = ud;
    workflow_ctx_t x = {.w = t, .conf = j->snap->conf, .now = (int64_t)time(NULL)};
    j->published = 0;
    j->rc = workflow_publish_due(&x, 0, &j->published, &j->e);
    return j->rc == WORKFLOW_ESTORE ? STORE_EIO : 0; /* nothing of a failed run stays */
}

static void due_done(int rc, void *ud)
{
    due_job_t *j = ud;
    if (j->rc == WORKFLOW_ESTORE)
        log_error("console: scheduled publication: %s (tried again in one interval)", j->e.msg);
    else if (rc != 0)
        log_error("console: scheduled publication could not be written: %s",
                  store_strerror(rc));
    else if (j->published)
        log_info("console: published %zu scheduled draft%s", j->published,
                 j->published == 1 ? "" : "s");
    snapshot_unref(j->snap);
    worker_release(j->w);
    free(j);
    in_flight = false;
    arm();
}

static void on_timer(uv_timer_t *h)
{
    (void)h;
    if (!home || in_flight || home->stopping)
        return;
    due_job_t *j = util_calloc(1, sizeof *j);
    j->w = home;
    j->snap = home->snap;
    snapshot_ref(j->snap);
    writer_job_t wj = {.apply = apply_due, .done = due_done, .ud = j, .worker = home};
    worker_hold(home);
    if (writer_submit(&wj) != 0) {
        /* no writer (a read-only store): nothing to do, look again later */
        worker_release(home);
        snapshot_unref(j->snap);
        free(j);
        arm();
        return;
    }
    in_flight = true;
}

void console_schedule_start(worker_t *w)
{
    if (w->id != 0 || home)
        return;
    if (uv_timer_init(&w->loop, &timer) != 0)
        return;
    uv_unref((uv_handle_t *)&timer);
    home = w;
    /* at start, what fell due while the server was down goes out at once */
    uv_timer_start(&timer, on_timer, 0, 0);
}

void console_schedule_stop(worker_t *w)
{
    if (w != home)
        return;
    home = NULL;
    uv_close((uv_handle_t *)&timer, NULL);
    uv_run(&w->loop, UV_RUN_NOWAIT); /* let the close complete before the loop is closed */
}
