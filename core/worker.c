/* core/worker.c: the worker threads: loop setup, accepting on the worker's own sockets,
 * the mailbox (tasks, stop, and adopting a new snapshot: the worker's half of
 * core/handoff.c), the once-a-second tick, and draining at shutdown. */
#include "worker.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "httpdate.h"
#include "log.h"
#include "module.h"
#include "writer.h"
#include "wcache.h"

void worker_update_time(worker_t *w)
{
    time_t now = time(NULL);
    if (now == w->date_sec)
        return;
    w->date_sec = now;
    char d[HTTPDATE_LEN + 1];
    httpdate_format(now, d);
    w->date_hdr_len = (size_t)snprintf(w->date_hdr, sizeof w->date_hdr, "Date: %s\r\n", d);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(w->log_time, sizeof w->log_time, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

const char *worker_http_date(worker_t *w, int64_t t)
{
    unsigned slot = (unsigned)t & 15;
    if (w->lm_cache[slot].t != t || !w->lm_cache[slot].text[0]) {
        httpdate_format((time_t)t, w->lm_cache[slot].text);
        w->lm_cache[slot].t = t;
    }
    return w->lm_cache[slot].text;
}

char *worker_out_reserve(worker_t *w, size_t n)
{
    if (w->out.len + n > w->out.cap)
        util_buf_reserve(&w->out, n);
    return w->out.data + w->out.len;
}

void worker_out_commit(worker_t *w, size_t len)
{
    size_t off = w->out.len;
    w->out.len += len;
    out_part_t *last = w->nparts ? &w->parts[w->nparts - 1] : NULL;
    /* Consecutive copied bytes form one part, so a response head is one iovec. */
    if (last && !last->ext && last->off + last->len == off) {
        last->len += len;
        return;
    }
    if (w->nparts == WORKER_MAX_PARTS)
        UTIL_FATAL("output batch overflow"); /* conn.c flushes well before this */
    w->parts[w->nparts++] = (out_part_t){.ext = NULL, .off = off, .len = len, .fd = -1};
}

void worker_out_copy(worker_t *w, const void *p, size_t len)
{
    memcpy(worker_out_reserve(w, len), p, len);
    worker_out_commit(w, len);
}

void worker_out_ref(worker_t *w, const void *p, size_t len)
{
    worker_out_file(w, p, len, -1, 0);
}

void worker_out_file(worker_t *w, const void *p, size_t len, int fd, size_t foff)
{
    if (w->nparts == WORKER_MAX_PARTS)
        UTIL_FATAL("output batch overflow");
    w->parts[w->nparts++] = (out_part_t){.ext = p, .off = 0, .len = len, .fd = fd, .foff = foff};
}

void worker_store_release(worker_t *w)
{
    if (w->hold) {
        /* Values of this iteration are still referenced (HTTP/2 DATA waiting for the
         * client's window): their transaction goes with them; the worker takes the spare
         * worker_store_hold() made sure of, so later requests see later imports. */
        w->rtxn = w->spare;
        w->spare = NULL;
        w->hold = NULL;
        w->rtxn_active = false;
    } else if (w->rtxn_active) {
        store_read_reset(w->rtxn);
        w->rtxn_active = false;
    }
    /* Every batch of this iteration has been written: evicted copies can go. */
    sendcache_release_evicted(w->sendcache);
}

/* Transactions that exist beyond each worker's own rtxn (held ones and spares), all
 * workers together (WORKER_EXTRA_TXNS_MAX). */
static atomic_uint extra_txns;

worker_hold_t *worker_store_hold(worker_t *w)
{
    if (!w->rtxn_active)
        return NULL;
    if (w->hold) {
        w->hold->refs++;
        return w->hold;
    }
    if (w->nholds >= WORKER_HELD_TXNS)
        return NULL;
    if (!w->spare) {
        if (atomic_fetch_add(&extra_txns, 1) >= WORKER_EXTRA_TXNS_MAX) {
            atomic_fetch_sub(&extra_txns, 1);
            return NULL;
        }
        w->spare = store_read_txn_new(w->store);
        if (!w->spare) {
            atomic_fetch_sub(&extra_txns, 1);
            return NULL; /* no reader slot: the caller copies */
        }
    }
    w->hold = util_calloc(1, sizeof *w->hold);
    w->hold->txn = w->rtxn;
    w->hold->refs = 1;
    w->nholds++;
    return w->hold;
}

void worker_store_drop(worker_t *w, worker_hold_t *h)
{
    if (!h || --h->refs)
        return;
    w->nholds--;
    if (h == w->hold) {
        w->hold = NULL; /* still this iteration's: the transaction is the worker's own */
    } else {
        store_read_reset(h->txn);
        if (!w->spare) {
            w->spare = h->txn;
        } else {
            store_txn_free(h->txn);
            atomic_fetch_sub(&extra_txns, 1);
        }
    }
    free(h);
}

/* At most this many new connections per loop iteration: the kernel queue keeps the rest
 * for the next one, so a burst of new connections (each a TLS handshake, the costliest
 * thing a worker does) cannot delay the requests of connections already open. */
#define ACCEPTS_PER_ROUND 1
/* At most limits.accept_burst new connections per loop iteration: the kernel queue keeps
 * the rest for the next one, so a burst of new connections (each a TLS handshake, the
 * costliest thing a worker does) delays the requests of connections already open by at most
 * that many handshakes per turn; and a listener with a backlog is not held to one handshake
 * per turn (each turn costs an epoll_wait and the listener's re-arming). A stopping worker
 * takes whatever comes, to close it at once. */
bool worker_may_accept(const worker_t *w)
{
    return w->stopping || w->accepted < w->snap->conf->limits.accept_burst;
}

static void accept_waiting(worker_t *w)
{
    w->accepted = 0;
    for (size_t i = 0; i < w->nlisteners; i++) {
        if (!w->accept_waiting[i])
            continue;
        w->accept_waiting[i] = false;
        w->accepted++;
        conn_accept(w, (uv_stream_t *)&w->listeners[i], w->listen_tls[i], w->listen_admin[i]);
    }
}

static void on_store_check(uv_check_t *h)
{
    worker_t *w = h->data;
    worker_store_release(w);
    accept_waiting(w);
}

static void flush_access_log(worker_t *w)
{
    if (w->access.len) {
        log_access_write(w->access.data, w->access.len);
        w->access.len = 0;
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    worker_t *w = server->data;
    if (status < 0) {
        log_error("accept failed: %s", uv_strerror(status));
        return;
    }
    size_t i = (size_t)((uv_tcp_t *)server - w->listeners);
    if (!worker_may_accept(w)) {
        /* Not accepted: libuv stops watching this listener until on_store_check does. */
        w->accept_waiting[i] = true;
        return;
    }
    w->accepted++;
    conn_accept(w, server, w->listen_tls[i], w->listen_admin[i]);
}

static void close_cb_noop(uv_handle_t *h)
{
    (void)h;
}

static void run_tasks(worker_t *w);

static void finish_if_drained(worker_t *w)
{
    if (!w->stopping || w->nconns > 0 || w->ndeferred > 0)
        return;
    flush_access_log(w);
    pthread_mutex_lock(&w->task_mu);
    w->loop_gone = true;
    pthread_mutex_unlock(&w->task_mu);
    run_tasks(w); /* anything posted before the door closed */
    uv_close((uv_handle_t *)&w->tick, close_cb_noop);
    uv_close((uv_handle_t *)&w->wakeup, close_cb_noop);
    uv_close((uv_handle_t *)&w->store_check, close_cb_noop);
}

static void on_tick(uv_timer_t *t)
{
    worker_t *w = t->data;
    conn_sweep(w);
    flush_access_log(w);
    for (module_t *const *m = modules_tick_handlers; *m; m++)
        (*m)->worker_tick(w);
    if (w->stopping) {
        if ((w->nconns > 0 || w->ndeferred > 0) && util_now_ms() >= w->stop_deadline_ms) {
            log_warn("worker %d: shutdown timeout: closing %zu connections", w->id, w->nconns);
            conn_close_all(w);
            w->ndeferred = 0; /* their completions will find the loop gone */
        }
        finish_if_drained(w);
    }
}

static void begin_stop(worker_t *w)
{
    if (w->stopping)
        return;
    w->stopping = true;
    w->stop_deadline_ms = util_now_ms() + w->snap->conf->limits.shutdown_timeout_ms;
    for (size_t i = 0; i < w->nlisteners; i++)
        uv_close((uv_handle_t *)&w->listeners[i], close_cb_noop);
    conn_shutdown_all(w);
    finish_if_drained(w);
}

static void run_tasks(worker_t *w)
{
    pthread_mutex_lock(&w->task_mu);
    worker_task_t *tasks = w->tasks;
    size_t n = w->ntasks;
    w->tasks = NULL;
    w->ntasks = w->task_cap = 0;
    pthread_mutex_unlock(&w->task_mu);
    for (size_t i = 0; i < n; i++)
        tasks[i].fn(tasks[i].ud);
    free(tasks);
}

/* Queues fn(ud) for w's loop; false once the loop is gone (nothing queued). */
static bool post_task(worker_t *w, void (*fn)(void *ud), void *ud)
{
    pthread_mutex_lock(&w->task_mu);
    if (w->loop_gone) {
        pthread_mutex_unlock(&w->task_mu);
        return false;
    }
    if (w->ntasks == w->task_cap) {
        w->task_cap = w->task_cap ? w->task_cap * 2 : 16;
        w->tasks = util_realloc(w->tasks, w->task_cap * sizeof *w->tasks);
    }
    w->tasks[w->ntasks++] = (worker_task_t){fn, ud};
    atomic_fetch_or(&w->msgs, WORKER_MSG_TASKS);
    uv_async_send(&w->wakeup);
    pthread_mutex_unlock(&w->task_mu);
    return true;
}

void worker_post(worker_t *w, void (*fn)(void *ud), void *ud)
{
    /* Refused only at shutdown, after the deadline closed everything: nobody waits. */
    if (!post_task(w, fn, ud))
        log_warn("worker %d: a completion arrived after the worker stopped", w->id);
}

/* The reload hand-off (core/handoff.c), on this worker's thread: new requests are served
 * with the new snapshot from here on; the old one goes back to the control thread, which
 * drops the reference (and frees the configuration when it was the last). */
static void adopt_snapshot(void *ud)
{
    handoff_msg_t *m = ud;
    worker_t *w = m->to;
    snapshot_t *s = m->snap, *old = w->snap;
    w->snap = s;
    size_t need = s->conf->limits.max_request_line + 1;
    if (need > w->pathbuf_cap) {
        w->pathbuf = util_realloc(w->pathbuf, need);
        w->pathbuf_cap = need;
    }
    handoff_adopted(m, old);
}

int worker_send_snapshot(worker_t *w, handoff_msg_t *m)
{
    m->to = w;
    return post_task(w, adopt_snapshot, m) ? 0 : -1;
}

static void on_wakeup(uv_async_t *a)
{
    worker_t *w = a->data;
    int msgs = atomic_exchange(&w->msgs, 0);
    if (msgs & WORKER_MSG_TASKS)
        run_tasks(w);
    if (msgs & WORKER_MSG_STOP)
        begin_stop(w);
}

void worker_notify(worker_t *w, int msg)
{
    atomic_fetch_or(&w->msgs, msg);
    uv_async_send(&w->wakeup);
}

static void worker_main(void *arg)
{
    worker_t *w = arg;
    w->rtxn = store_read_txn_new(w->store);
    if (!w->rtxn)
        log_error("worker %d: cannot create a read transaction", w->id);
    for (size_t i = 0; i < w->nlisteners; i++) {
        uv_tcp_init(&w->loop, &w->listeners[i]);
        w->listeners[i].data = w;
        int rc = uv_tcp_open(&w->listeners[i], w->listen_fds[i]);
        if (rc == 0)
            rc = uv_listen((uv_stream_t *)&w->listeners[i], 511, on_connection);
        if (rc != 0)
            log_error("worker %d: listen: %s", w->id, uv_strerror(rc));
    }
    wcache_init(&w->loop);
    for (module_t *const *m = modules_list; *m; m++)
        if ((*m)->worker_init)
            (*m)->worker_init(w);
    uv_sem_post(w->started);
    uv_timer_start(&w->tick, on_tick, WORKER_TICK_MS, WORKER_TICK_MS);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    for (module_t *const *m = modules_list; *m; m++)
        if ((*m)->worker_exit)
            (*m)->worker_exit(w);
    wcache_exit();
    worker_store_release(w);
    store_txn_free(w->rtxn);
    w->rtxn = NULL;
    if (w->spare) {
        store_txn_free(w->spare);
        w->spare = NULL;
        atomic_fetch_sub(&extra_txns, 1);
    }
    if (uv_loop_close(&w->loop) != 0)
        log_warn("worker %d: loop closed with handles open", w->id);
}

int workers_start(worker_t **out, int n, store_t *store, snapshot_t *snap, int *fds,
                  const bool *tls, const bool *admin, size_t nfds)
{
    worker_t *ws = util_calloc((size_t)n, sizeof *ws);
    for (int i = 0; i < n; i++) {
        worker_t *w = &ws[i];
        w->id = i;
        w->store = store;
        snapshot_ref(snap);
        w->snap = snap;
        w->listen_fds = &fds[(size_t)i * nfds];
        w->listen_tls = tls;
        w->listen_admin = admin;
        w->nlisteners = nfds;
        w->listeners = util_calloc(nfds ? nfds : 1, sizeof *w->listeners);
        w->accept_waiting = util_calloc(nfds ? nfds : 1, sizeof *w->accept_waiting);
        /* Cache-line aligned: the parser's memchr/memcmp scans of request heads then cost
         * the same whatever the heap's layout (callgrind saw 24 instructions a request
         * come and go with it). */
        w->rbuf = aligned_alloc(64, WORKER_READ_BUF);
        w->tls_rbuf = malloc(WORKER_READ_BUF);
        if (!w->rbuf || !w->tls_rbuf)
            UTIL_FATAL("out of memory");
        w->sendcache = sendcache_new(sendcache_default_files() / (size_t)n, w->snap->conf->store);
        w->pathbuf_cap = w->snap->conf->limits.max_request_line + 1;
        w->pathbuf = util_malloc(w->pathbuf_cap);
        atomic_init(&w->msgs, 0);
        pthread_mutex_init(&w->task_mu, NULL);
        uv_loop_init(&w->loop);
        uv_async_init(&w->loop, &w->wakeup, on_wakeup);
        w->wakeup.data = w;
        uv_timer_init(&w->loop, &w->tick);
        w->tick.data = w;
        uv_check_init(&w->loop, &w->store_check);
        w->store_check.data = w;
        uv_check_start(&w->store_check, on_store_check);
        uv_unref((uv_handle_t *)&w->store_check); /* it never keeps the loop alive */
        worker_update_time(w);
        metrics_worker_register(&w->metrics);
    }
    /* Started means initialized: the modules' worker_init (which may write to the store,
     * e.g. the statistics' secret on a new store) has run in every worker before the
     * caller writes the pid file and tells systemd it is ready, so whoever sees "ready"
     * sees a server that writes nothing on its own until the next request or tick. */
    uv_sem_t started;
    if (uv_sem_init(&started, 0) != 0) {
        log_error("cannot create the workers' start semaphore");
        return -1;
    }
    int running = 0;
    for (int i = 0; i < n; i++) {
        ws[i].started = &started;
        if (uv_thread_create(&ws[i].thread, worker_main, &ws[i]) != 0) {
            log_error("cannot start worker thread %d", i);
            break;
        }
        running++;
    }
    for (int i = 0; i < running; i++)
        uv_sem_wait(&started);
    uv_sem_destroy(&started);
    for (int i = 0; i < n; i++)
        ws[i].started = NULL;
    if (running < n)
        return -1;
    *out = ws;
    return 0;
}

void workers_join(worker_t *ws, int n)
{
    for (int i = 0; i < n; i++)
        uv_thread_join(&ws[i].thread);
    metrics_workers_forget(); /* no scrape can run now: every worker has stopped */
}

void workers_free(worker_t *ws, int n)
{
    for (int i = 0; i < n; i++) {
        snapshot_unref(ws[i].snap);
        free(ws[i].listeners);
        free(ws[i].accept_waiting);
        free(ws[i].rbuf);
        free(ws[i].tls_rbuf);
        sendcache_free(ws[i].sendcache);
        free(ws[i].tls_stage);
        free(ws[i].tasks);
        pthread_mutex_destroy(&ws[i].task_mu);
        free(ws[i].pathbuf);
        util_buf_free(&ws[i].out);
        resphead_free(&ws[i].head);
        util_buf_free(&ws[i].access);
        metrics_worker_free(&ws[i].metrics);
    }
    free(ws);
}
