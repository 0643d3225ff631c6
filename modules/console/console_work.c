/* modules/console/console_work.c: answers built on libuv's thread pool (console_work.h).
 * The job copies nothing from the request but the snapshot pointer, which the deferred
 * request keeps pinned until it is answered; its read transaction is begun and
 * ended on the pool thread (the store is opened with MDB_NOTLS, so any thread may hold
 * one). */
#include "console_work.h"

#include <stdlib.h>

#include <uv.h>

#include "console_api.h"
#include "log.h"
#include "worker.h"

typedef struct work {
    uv_work_t req;
    request_deferred_t *d;
    store_t *store;
    const snapshot_t *snap;
    console_work_fn fn;
    void *ud;
    void (*ud_free)(void *);
    atomic_int *in_flight;
    json_t *answer;
    int status;
    bool page; /* answered by pg.render, not as JSON */
    console_work_page_t pg;
} work_t;

static void work_free(work_t *w)
{
    atomic_fetch_sub(w->in_flight, 1);
    if (w->ud_free)
        w->ud_free(w->ud);
    json_decref(w->answer);
    free(w);
}

static void run(uv_work_t *req)
{
    work_t *w = req->data;
    w->status = 503;
    store_txn_t *t = store_read_txn_new(w->store);
    if (!t)
        return;
    if (store_read_renew(t) == STORE_OK) {
        w->status = 200;
        w->answer = w->fn(t, w->snap, w->ud, &w->status);
        if (!w->answer && w->status == 200)
            w->status = 503;
    }
    store_txn_free(t);
}

static void respond(request_t *r, void *ud)
{
    work_t *w = ud;
    if (w->page) {
        w->pg.render(r, w->answer ? w->status : (w->status == 200 ? 503 : w->status), w->answer,
                     &w->pg);
        return;
    }
    if (!w->answer) {
        console_error(r, w->status == 503 ? 503 : w->status, "the store cannot be read now", NULL);
        return;
    }
    json_t *a = w->answer;
    w->answer = NULL;
    console_reply(r, w->status, a, NULL, 0);
}

static void after(uv_work_t *req, int status)
{
    work_t *w = req->data;
    if (status != 0) {
        json_decref(w->answer);
        w->answer = NULL;
        w->status = 503;
    }
    request_resume(w->d, respond, w);
    work_free(w);
}

static void submit(request_t *r, console_work_fn fn, void *ud, void (*ud_free)(void *),
                   atomic_int *in_flight, int max, const console_work_page_t *page)
{
    if (atomic_fetch_add(in_flight, 1) >= max) {
        atomic_fetch_sub(in_flight, 1);
        if (ud_free)
            ud_free(ud);
        if (page)
            page->render(r, 503, NULL, page);
        else
            console_reply(r, 503,
                          json_pack("{s:s}", "error", "busy with other such requests: try again"),
                          NULL, 1);
        return;
    }
    work_t *w = util_calloc(1, sizeof *w);
    if (page) {
        w->page = true;
        w->pg = *page;
    }
    w->store = r->worker->store;
    w->snap = r->snap;
    w->fn = fn;
    w->ud = ud;
    w->ud_free = ud_free;
    w->in_flight = in_flight;
    w->req.data = w;
    if (uv_queue_work(&r->worker->loop, &w->req, run, after) != 0) {
        work_free(w);
        if (page)
            page->render(r, 503, NULL, page);
        else
            console_error(r, 503, "the answer cannot be prepared now", NULL);
        return;
    }
    w->d = request_defer(r);
}

void console_work_submit(request_t *r, console_work_fn fn, void *ud, void (*ud_free)(void *),
                         atomic_int *in_flight, int max)
{
    submit(r, fn, ud, ud_free, in_flight, max, NULL);
}

void console_work_submit_page(request_t *r, console_work_fn fn, void *ud,
                              void (*ud_free)(void *), atomic_int *in_flight, int max,
                              const console_work_page_t *page)
{
    submit(r, fn, ud, ud_free, in_flight, max, page);
}
