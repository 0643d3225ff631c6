/* core/server.c: the control thread: startup (config, logs, store, sockets, privileges,
 * pid file, workers), SIGHUP reload (and its record in the reload status file; the new
 * snapshot reaches the workers through core/handoff.c, without this loop waiting), SIGUSR1
 * log reopen, and graceful stop; and `jiyue -t` and `jiyue -s`, which talk to it. */
#include "server.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "conf.h"
#include "handoff.h"
#include "listener.h"
#include "log.h"
#include "module.h"
#include "metrics.h"
#include "notify.h"
#include "reload_status.h"
#include "snapshot.h"
#include "store.h"
#include "tls.h"
#include "worker.h"
#include "writer.h"

typedef struct control {
    uv_loop_t *loop;
    uv_signal_t sig_hup, sig_term, sig_int, sig_usr1;
    const char *conf_path;
    char *pid_file;
    worker_t *workers;
    int nworkers;
    uint64_t generation;
    conf_listen_t *listen_copy; /* what was bound: a reload cannot change it */
    size_t nlisten;
    bool stopping;
    store_t *store; /* for the modules' reports at start and reload */
    char *status_file; /* <pid_file>.reload (core/reload_status.h), or NULL */
    uint64_t reload_seq; /* reloads handled so far */
    size_t nsites;       /* in the generation serving now */
    handoff_t *handoff;  /* new snapshots to the workers (core/handoff.c) */
    uint64_t adopting_started; /* the reload being handed off: when it began, */
    diag_t adopting_diag;      /* and its diagnostics, for its record */
    bool reload_again;   /* a SIGHUP came during a hand-off: reload once it is done */
} control_t;

static void reload(control_t *ctl);

static conf_t *load_config(const char *path, diag_t *d)
{
    diag_init(d);
    return conf_load(path, -1, d);
}

/* Started as root with no `user`: every worker would serve the Internet as root. Said at
 * start and by `jiyue -t`, not refused (a container may run everything as root). */
static void warn_root(const conf_t *c, diag_t *d)
{
    if (c && geteuid() == 0 && !c->user)
        diag_warning(d, c->file, 0, 0,
                     "running as root without 'user': the server would keep root privileges "
                     "while serving; add e.g. user: jiyue");
}

/* "0.42 s", "12 ms": how long a check took, which is also how long a reload's check takes. */
static void format_took(uint64_t ms, char buf[32])
{
    if (ms < 1000)
        snprintf(buf, 32, "%llu ms", (unsigned long long)ms);
    else
        snprintf(buf, 32, "%llu.%02llu s", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000 / 10));
}

int server_test_config(const char *conf_path, int quiet)
{
    diag_t d;
    uint64_t t0 = util_now_ms();
    conf_t *c = load_config(conf_path, &d);
    char took[32];
    format_took(util_now_ms() - t0, took);
    warn_root(c, &d);
    diag_print(&d, stderr);
    if (c && !quiet)
        printf("jiyue: configuration %s is ok: %zu sites (checked in %s)\n", conf_path, c->nsites,
               took);
    else if (!c)
        fprintf(stderr, "jiyue: configuration %s has %zu error%s (checked in %s)\n", conf_path,
                d.errors, d.errors == 1 ? "" : "s", took);
    diag_free(&d);
    int rc = c ? 0 : 1;
    conf_free(c);
    return rc;
}

static pid_t read_pid(const char *pid_file)
{
    FILE *f = fopen(pid_file, "r");
    if (!f)
        return -1;
    long pid = -1;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = -1;
    fclose(f);
    return (pid_t)pid;
}

/* A pid file outlives its server (a crash, a kill -9), and its pid may since belong to any
 * process: only a jiyue is signalled. The process name is what /proc/PID/comm says (the
 * first 15 bytes of the executable's name), readable for any process; without /proc there
 * is nothing to check against, and the pid is trusted as before. */
static bool is_jiyue(pid_t pid, char *comm, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    snprintf(comm, cap, "?");
    FILE *f = fopen(path, "r");
    if (!f)
        return access("/proc/self/comm", R_OK) != 0; /* no /proc at all: cannot tell */
    bool ok = fgets(comm, (int)cap, f) != NULL;
    fclose(f);
    if (!ok)
        return false;
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, "jiyue") == 0;
}

#define RELOAD_WAIT_MS 60000 /* a reload of 10,000 site files takes well under a second */
#define RELOAD_POLL_US 10000

typedef enum { WAIT_DONE, WAIT_TIMEOUT, WAIT_GONE } wait_result_t;

/* Waits for the server's verdict on a reload that began after `sent_ns` (not one that was
 * already running when the signal was sent): accepted once every worker serves it, or
 * rejected; `adopting` is the record of a reload still on its way to the workers. */
static wait_result_t wait_reload(const char *status_file, pid_t pid, uint64_t sent_ns,
                                 reload_status_t *st)
{
    uint64_t deadline = util_now_ms() + RELOAD_WAIT_MS;
    for (;;) {
        if (reload_status_read(status_file, st) == 0) {
            if (st->pid == (long)pid && st->result != RELOAD_STARTED &&
                st->result != RELOAD_ADOPTING && st->started_ns >= sent_ns)
                return WAIT_DONE;
            reload_status_free(st);
        }
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return WAIT_GONE;
        if (util_now_ms() >= deadline)
            return WAIT_TIMEOUT;
        usleep(RELOAD_POLL_US);
    }
}

/* Prints what the server made of the reload; returns the exit code. */
static int report_reload(const reload_status_t *st)
{
    fputs(st->text, stderr);
    if (st->result == RELOAD_REJECTED) {
        fprintf(stderr,
                "jiyue: configuration rejected (%llu error%s); the running server keeps serving "
                "configuration generation %llu\n",
                (unsigned long long)st->errors, st->errors == 1 ? "" : "s",
                (unsigned long long)st->generation);
        return 1;
    }
    printf("jiyue: reloaded: configuration generation %llu, %llu sites\n",
           (unsigned long long)st->generation, (unsigned long long)st->sites);
    return 0;
}

/* `-s reload`: the server validates the configuration itself (a rejected one leaves it on
 * its old generation) and records the outcome, with every diagnostic, in the status file;
 * this waits for that record and reports it. Loading 10,000 site files here too, as this
 * once did, doubled the time a reload took on a busy machine. */
static int reload_and_report(const char *pid_file, pid_t pid)
{
    char *status_file = reload_status_path(pid_file);
    reload_status_t st;
    /* A server that wrote no record at start is an older jiyue: it reloads, but says
     * nothing back. */
    bool reports = reload_status_read(status_file, &st) == 0 && st.pid == (long)pid;
    reload_status_free(&st);
    uint64_t sent = reload_status_now_ns();
    int rc;
    if (kill(pid, SIGHUP) != 0) {
        fprintf(stderr, "jiyue: cannot signal pid %ld: %s\n", (long)pid, strerror(errno));
        rc = 1;
    } else if (!reports) {
        fprintf(stderr,
                "jiyue: signalled pid %ld, but it keeps no reload status (%s): a server "
                "started by an older jiyue? Whether the reload was applied is in its error log\n",
                (long)pid, status_file);
        rc = 3;
    } else {
        switch (wait_reload(status_file, pid, sent, &st)) {
        case WAIT_DONE:
            rc = report_reload(&st);
            reload_status_free(&st);
            break;
        case WAIT_GONE:
            fprintf(stderr, "jiyue: the server (pid %ld) exited during the reload\n", (long)pid);
            rc = 1;
            break;
        default:
            fprintf(stderr,
                    "jiyue: signalled pid %ld, but it recorded no reload outcome in %s within "
                    "%d s: see its error log\n",
                    (long)pid, status_file, RELOAD_WAIT_MS / 1000);
            rc = 3;
        }
    }
    free(status_file);
    return rc;
}

int server_signal(const char *conf_path, const char *action)
{
    int sig;
    if (strcmp(action, "reload") == 0)
        sig = SIGHUP;
    else if (strcmp(action, "stop") == 0)
        sig = SIGTERM;
    else if (strcmp(action, "reopen") == 0)
        sig = SIGUSR1;
    else {
        fprintf(stderr, "jiyue: -s takes reload, stop or reopen, not '%s'\n", action);
        return 2;
    }
    /* Only the server file's pid_file: the server checks everything else itself. */
    diag_t d;
    diag_init(&d);
    char *pid_file = NULL;
    int bad = conf_read_pid_file(conf_path, &pid_file, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    if (bad) {
        fprintf(stderr, "jiyue: configuration rejected; the running server was not signalled\n");
        return 1;
    }
    int rc = 0;
    pid_t pid = pid_file ? read_pid(pid_file) : -1;
    char comm[64];
    if (pid <= 0) {
        fprintf(stderr, "jiyue: no running server (pid file %s)\n",
                pid_file ? pid_file : "not configured");
        rc = 1;
    } else if (kill(pid, 0) != 0 && errno == ESRCH) {
        fprintf(stderr, "jiyue: no running server (pid file %s names pid %ld, which has exited)\n",
                pid_file, (long)pid);
        rc = 1;
    } else if (!is_jiyue(pid, comm, sizeof comm)) {
        fprintf(stderr,
                "jiyue: pid file %s names pid %ld, which is '%s', not jiyue: not signalled "
                "(a stale pid file? remove it)\n",
                pid_file, (long)pid, comm);
        rc = 1;
    } else if (sig == SIGHUP) {
        rc = reload_and_report(pid_file, pid);
    } else if (kill(pid, sig) != 0) {
        fprintf(stderr, "jiyue: cannot signal pid %ld: %s\n", (long)pid, strerror(errno));
        rc = 1;
    }
    free(pid_file);
    return rc;
}

static bool same_listen(const control_t *ctl, const conf_t *c)
{
    if (c->nlisten != ctl->nlisten)
        return false;
    for (size_t i = 0; i < c->nlisten; i++)
        if (strcmp(c->listen[i].address, ctl->listen_copy[i].address) != 0 ||
            c->listen[i].tls != ctl->listen_copy[i].tls ||
            c->listen[i].admin != ctl->listen_copy[i].admin)
            return false;
    return true;
}

/* The modules' reload reports (module_t.reload_report) go to the error log at start and
 * at each accepted reload, one warning per line, prefixed with the module's name: what an
 * operator should see before an inspection does (e.g. replies overdue). */
static void log_report_line(void *ud, const module_t *m, const char *line)
{
    (void)ud;
    log_warn("%s: %s", m->name, line);
}

static void modules_report(store_t *store, const conf_t *c)
{
    store_txn_t *t = store ? store_read_txn_new(store) : NULL;
    if (t && store_read_renew(t) == 0)
        modules_reload_report(c, t, (int64_t)time(NULL), log_report_line, NULL);
    store_txn_free(t);
}

/* Writes the outcome of reload number ctl->reload_seq (0: the start) for `jiyue -s
 * reload`. A failure is logged; the reload itself stands. */
static void record_reload(control_t *ctl, uint64_t started_ns, reload_result_t result,
                          const diag_t *d)
{
    if (!ctl->status_file)
        return;
    util_buf_t text = {0};
    for (size_t i = 0; d && i < d->count; i++) {
        util_buf_appends(&text, d->items[i].text);
        util_buf_append(&text, "\n", 1);
    }
    util_buf_append(&text, "", 1);
    reload_status_t st = {
        .pid = (long)getpid(),
        .seq = ctl->reload_seq,
        .started_ns = started_ns,
        .result = result,
        .generation = ctl->generation,
        .sites = ctl->nsites,
        .errors = d ? d->errors : 0,
        .warnings = d ? d->warnings : 0,
        .text = text.data,
    };
    char *err = NULL;
    if (reload_status_write(ctl->status_file, &st, &err) != 0) {
        log_error("reload status: %s (jiyue -s reload cannot report this reload)", err);
        free(err);
    }
    util_buf_free(&text);
}

/* The one problem a valid configuration can still have at reload: what it asks for
 * cannot be applied without a restart. Reported at the first listen entry. */
static void note_listen_change(const control_t *ctl, const conf_t *c, diag_t *d)
{
    if (same_listen(ctl, c))
        return;
    conf_pos_t p = c->nlisten ? c->listen[0].pos : (conf_pos_t){c->file, 0, 0};
    diag_warning(d, p.file, p.line, p.col,
                 "listen addresses changed: restart jiyue to apply that; the rest is reloaded");
}

/* The workers are started once; a new count takes a restart, like listen addresses. */
static void note_workers_change(const control_t *ctl, const conf_t *c, diag_t *d)
{
    int want = c->workers > 0 ? c->workers : 1;
    if (want == ctl->nworkers)
        return;
    conf_pos_t p = c->workers_pos.line ? c->workers_pos : (conf_pos_t){c->file, 0, 0};
    diag_warning(d, p.file, p.line, p.col,
                 "workers changed from %d to %d: restart jiyue to apply that; the rest is reloaded",
                 ctl->nworkers, want);
}

/* A reload whose snapshot is on its way to the workers: its verdict is recorded when the
 * last of them has taken it up (core/handoff.c). */
static void on_adopted(void *ud, uint64_t generation)
{
    control_t *ctl = ud;
    log_info("reloaded: configuration generation %llu, %zu sites",
             (unsigned long long)generation, ctl->nsites);
    record_reload(ctl, ctl->adopting_started, RELOAD_ACCEPTED, &ctl->adopting_diag);
    diag_free(&ctl->adopting_diag);
    metrics_reload(true, generation);
    notify_send("READY=1\nSTATUS=serving %zu sites (configuration generation %llu)",
                ctl->nsites, (unsigned long long)generation);
    if (ctl->reload_again && !ctl->stopping) {
        ctl->reload_again = false;
        reload(ctl);
    }
}

static int send_snapshot(void *ud, int i, handoff_msg_t *m)
{
    control_t *ctl = ud;
    return worker_send_snapshot(&ctl->workers[i], m);
}

static void reload(control_t *ctl)
{
    if (handoff_busy(ctl->handoff)) {
        /* One hand-off at a time, so verdicts are recorded in order: this signal is
         * loaded (from the files as they are then) when the one in flight is done. */
        ctl->reload_again = true;
        return;
    }
    uint64_t started = reload_status_now_ns();
    ctl->reload_seq++;
    notify_reloading();
    diag_t d;
    conf_t *c = load_config(ctl->conf_path, &d);
    if (c) {
        note_listen_change(ctl, c, &d);
        note_workers_change(ctl, c, &d);
    }
    for (size_t i = 0; i < d.count; i++) {
        if (d.items[i].level == DIAG_ERROR)
            log_error("%s", d.items[i].text);
        else
            log_warn("%s", d.items[i].text);
    }
    if (!c) {
        log_error("reload rejected (%zu error%s): still serving configuration generation %llu",
                  d.errors, d.errors == 1 ? "" : "s", (unsigned long long)ctl->generation);
        record_reload(ctl, started, RELOAD_REJECTED, &d);
        diag_free(&d);
        metrics_reload(false, ctl->generation);
        /* Still serving the old configuration: ready again, and saying why. */
        notify_send("READY=1\nSTATUS=reload rejected; serving configuration generation %llu",
                    (unsigned long long)ctl->generation);
        return;
    }
    char *err = NULL;
    if (log_open(c->error_log, c->access_log, &err) != 0) {
        log_error("reload: %s (keeping the old logs)", err);
        diag_warning(&d, c->file, 0, 0, "%s (the server keeps its old logs)", err);
        free(err);
    }
    ctl->generation++;
    ctl->nsites = c->nsites;
    modules_report(ctl->store, c);
    ctl->adopting_started = started;
    ctl->adopting_diag = d;
    record_reload(ctl, started, RELOAD_ADOPTING, &d);
    /* Not busy (checked above): the snapshot is on its way, and this loop carries on. */
    handoff_start(ctl->handoff, snapshot_new(c, ctl->generation));
}

static void stop(control_t *ctl)
{
    if (ctl->stopping)
        return;
    ctl->stopping = true;
    notify_send("STOPPING=1\nSTATUS=stopping: finishing requests in flight");
    log_info("stopping: finishing requests in flight");
    for (int i = 0; i < ctl->nworkers; i++)
        worker_notify(&ctl->workers[i], WORKER_MSG_STOP);
    /* With the signals closed, nothing keeps the loop alive (the hand-off's handles do
     * not): uv_run returns, and server_run joins the workers. */
    uv_close((uv_handle_t *)&ctl->sig_hup, NULL);
    uv_close((uv_handle_t *)&ctl->sig_term, NULL);
    uv_close((uv_handle_t *)&ctl->sig_int, NULL);
    uv_close((uv_handle_t *)&ctl->sig_usr1, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    control_t *ctl = h->data;
    if (signum == SIGHUP)
        reload(ctl);
    else if (signum == SIGUSR1) {
        if (log_reopen() != 0)
            log_error("SIGUSR1: could not reopen every log file");
        else
            log_info("logs reopened");
    } else
        stop(ctl);
}

static int drop_privileges(const char *user)
{
    if (geteuid() != 0 || !user)
        return 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        log_error("user '%s' does not exist", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        log_error("cannot switch to user '%s': %s", user, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_pid(const char *path)
{
    if (!path)
        return 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        log_error("cannot write pid file %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
    return 0;
}

static store_t *open_store(const conf_t *c, bool *writable)
{
    char *err = NULL;
    store_options_t opt = {.map_size = c->store_map_size, .create = true, .read_only = false,
                           .owner = c->user};
    store_t *s = store_open(c->store, &opt, &err);
    *writable = s != NULL;
    if (!s) {
        /* A read-only store folder still serves what it holds (but takes no writes). */
        free(err);
        err = NULL;
        opt.read_only = true;
        opt.create = false;
        s = store_open(c->store, &opt, &err);
    }
    if (!s) {
        log_error("store %s: %s", c->store, err ? err : "cannot open");
        fprintf(stderr, "jiyue: store %s: %s\n", c->store, err ? err : "cannot open");
    }
    free(err);
    return s;
}

/* The configuration and the logs at start: NULL (said on stderr) when there is no
 * valid configuration or its logs cannot be opened. */
static conf_t *start_config(const char *conf_path)
{
    diag_t d;
    conf_t *c = load_config(conf_path, &d);
    warn_root(c, &d);
    diag_print(&d, stderr);
    if (!c) {
        diag_free(&d);
        return NULL;
    }
    char *err = NULL;
    if (log_open(c->error_log, c->access_log, &err) != 0) {
        fprintf(stderr, "jiyue: %s\n", err);
        free(err);
        conf_free(c);
        diag_free(&d);
        return NULL;
    }
    /* the error log keeps the warnings too: stderr may go nowhere under a service manager */
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].level == DIAG_WARNING)
            log_warn("%s", d.items[i].text);
    diag_free(&d);
    return c;
}

/* What was bound, kept for the reload check (a reload cannot change it). */
static void keep_listen(control_t *ctl, const conf_t *c)
{
    ctl->nlisten = c->nlisten;
    ctl->listen_copy = util_calloc(c->nlisten ? c->nlisten : 1, sizeof *ctl->listen_copy);
    for (size_t i = 0; i < c->nlisten; i++) {
        ctl->listen_copy[i].address = util_strdup(c->listen[i].address);
        ctl->listen_copy[i].tls = c->listen[i].tls;
        ctl->listen_copy[i].admin = c->listen[i].admin;
    }
}

static void announce(const conf_t *c, const int *ports, int nworkers)
{
    for (size_t i = 0; i < c->nlisten; i++) {
        const conf_listen_t *l = &c->listen[i];
        bool v6 = strchr(l->host, ':') != NULL;
        printf("jiyue: %s on %s://%s%s%s:%d/\n", l->admin ? "admin listener" : "listening",
               l->tls ? "https" : "http", v6 ? "[" : "", l->host, v6 ? "]" : "", ports[i]);
    }
    printf("jiyue: serving %zu sites from %s with %d worker%s (pid %ld)\n", c->nsites, c->store,
           nworkers, nworkers == 1 ? "" : "s", (long)getpid());
    fflush(stdout);
    log_info("starting: %zu sites, %d workers, pid %ld", c->nsites, nworkers, (long)getpid());
}

/* Signals are caught before the pid file tells anyone where to send them (SIGHUP's
 * default action would end the process); they wait in the loop until uv_run. */
static void catch_signals(control_t *ctl)
{
    uv_signal_t *sigs[] = {&ctl->sig_hup, &ctl->sig_term, &ctl->sig_int, &ctl->sig_usr1};
    int nums[] = {SIGHUP, SIGTERM, SIGINT, SIGUSR1};
    for (int i = 0; i < 4; i++) {
        uv_signal_init(ctl->loop, sigs[i]);
        sigs[i]->data = ctl;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
}

/* After uv_run: the workers drain while the writer still runs (each completion goes back
 * to its worker, which waits for the jobs it holds), then a worker's modules may queue a
 * last job at worker_exit (batched counters); only once every worker is joined does the
 * writer finish what is queued and stop. Then the references a hand-off still holds are
 * dropped. */
static void finish(control_t *ctl)
{
    workers_join(ctl->workers, ctl->nworkers);
    writer_stop();
    workers_free(ctl->workers, ctl->nworkers);
    handoff_free(ctl->handoff);
    diag_free(&ctl->adopting_diag); /* a hand-off cut short by the stop */
    if (ctl->pid_file)
        unlink(ctl->pid_file);
    if (ctl->status_file)
        unlink(ctl->status_file);
    for (size_t i = 0; i < ctl->nlisten; i++)
        free(ctl->listen_copy[i].address);
    free(ctl->listen_copy);
    free(ctl->pid_file);
    free(ctl->status_file);
}

int server_run(const char *conf_path)
{
    signal(SIGPIPE, SIG_IGN);
    conf_t *c = start_config(conf_path);
    if (!c)
        return 1;
    bool writable = false;
    store_t *store = open_store(c, &writable);
    if (!store) {
        conf_free(c);
        return 1;
    }
    if (!writable)
        log_warn("store %s is read-only: serving it, but nothing can be written (submissions fail)",
                 c->store);
    int nworkers = c->workers > 0 ? c->workers : 1;
    int *fds = NULL, *ports = NULL;
    char *err = NULL;
    if (listener_bind_all(c, nworkers, &fds, &ports, &err) != 0) {
        fprintf(stderr, "jiyue: %s\n", err);
        log_error("%s", err);
        free(err);
        store_close(store);
        conf_free(c);
        return 1;
    }
    char *nerr = NULL;
    if (notify_open(&nerr) != 0) {
        log_warn("%s", nerr);
        free(nerr);
    }
    if (drop_privileges(c->user) != 0) {
        fprintf(stderr, "jiyue: cannot drop privileges to user '%s'\n", c->user);
        return 1;
    }

    control_t ctl = {.conf_path = conf_path, .nworkers = nworkers, .generation = 1, .store = store};
    ctl.pid_file = c->pid_file ? util_strdup(c->pid_file) : NULL;
    ctl.status_file = c->pid_file ? reload_status_path(c->pid_file) : NULL;
    ctl.nsites = c->nsites;
    keep_listen(&ctl, c);
    announce(c, ports, nworkers);
    bool *tls = util_calloc(c->nlisten ? c->nlisten : 1, sizeof *tls);
    bool *admin = util_calloc(c->nlisten ? c->nlisten : 1, sizeof *admin);
    for (size_t i = 0; i < c->nlisten; i++) {
        tls[i] = c->listen[i].tls;
        admin[i] = c->listen[i].admin;
    }
    modules_report(store, c);
    if (writable && writer_start(store) != 0)
        log_error("cannot start the writer thread: nothing can be written");
    /* The workers hold the only references to the first snapshot from here on. */
    snapshot_t *first = snapshot_new(c, 1);
    int started = workers_start(&ctl.workers, nworkers, store, first, fds, tls, admin,
                                ctl.nlisten);
    snapshot_unref(first);
    if (started != 0)
        return 1;
    ctl.loop = uv_default_loop();
    ctl.handoff = handoff_new(ctl.loop, nworkers, send_snapshot, on_adopted, &ctl);
    catch_signals(&ctl);
    /* The first record before the pid file: whoever finds the pid also finds a status
     * file, which is how `jiyue -s reload` knows this server reports its reloads. */
    record_reload(&ctl, 0, RELOAD_STARTED, NULL);
    int rc = 0;
    if (write_pid(ctl.pid_file) != 0) {
        /* Serving without a pid file would make -s reload fail later: refuse now (and
         * leave alone whatever is at that path). */
        free(ctl.pid_file);
        ctl.pid_file = NULL;
        stop(&ctl);
        rc = 1;
    } else {
        /* Listening, the workers started and the pid file written: ready. */
        notify_send("READY=1\nMAINPID=%ld\nSTATUS=serving %zu sites", (long)getpid(),
                    ctl.nsites);
    }
    uv_run(ctl.loop, UV_RUN_DEFAULT);
    finish(&ctl);
    listener_close_all(fds, (size_t)nworkers * ctl.nlisten);
    free(fds);
    free(ports);
    if (rc == 0)
        log_info("stopped");
    store_close(store);
    free(tls);
    free(admin);
    tls_shutdown();
    notify_close();
    uv_loop_close(ctl.loop);
    log_close();
    return rc;
}
