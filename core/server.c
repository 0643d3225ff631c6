/* core/server.c: the control thread: startup (config, logs, store, sockets, privileges,
 * pid file, workers), SIGHUP reload, SIGUSR1 log reopen, and graceful stop. */
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
#include "listener.h"
#include "log.h"
#include "message.h"
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
    store_t *store; /* for the overdue-message report at start and reload */
} control_t;

static conf_t *load_config(const char *path, diag_t *d)
{
    diag_init(d);
    return conf_load(path, -1, d);
}

int server_test_config(const char *conf_path, int quiet)
{
    diag_t d;
    conf_t *c = load_config(conf_path, &d);
    diag_print(&d, stderr);
    if (c && !quiet)
        printf("jiyue: configuration %s is ok: %zu sites\n", conf_path, c->nsites);
    else if (!c)
        fprintf(stderr, "jiyue: configuration %s has %zu error%s\n", conf_path, d.errors,
                d.errors == 1 ? "" : "s");
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
    diag_t d;
    conf_t *c = load_config(conf_path, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    if (!c) {
        /* Unlike nginx, a rejected reload is reported here, to the operator who asked,
         * and the running server is not disturbed. */
        fprintf(stderr, "jiyue: configuration rejected; the running server was not signalled\n");
        return 1;
    }
    int rc = 0;
    pid_t pid = c->pid_file ? read_pid(c->pid_file) : -1;
    if (pid <= 0) {
        fprintf(stderr, "jiyue: no running server (pid file %s)\n",
                c->pid_file ? c->pid_file : "not configured");
        rc = 1;
    } else if (kill(pid, sig) != 0) {
        fprintf(stderr, "jiyue: cannot signal pid %ld: %s\n", (long)pid, strerror(errno));
        rc = 1;
    }
    conf_free(c);
    return rc;
}

static bool same_listen(const control_t *ctl, const conf_t *c)
{
    if (c->nlisten != ctl->nlisten)
        return false;
    for (size_t i = 0; i < c->nlisten; i++)
        if (strcmp(c->listen[i].address, ctl->listen_copy[i].address) != 0 ||
            c->listen[i].tls != ctl->listen_copy[i].tls)
            return false;
    return true;
}

/* Citizens' messages past their site's reply limit go to the error log at start and at
 * each reload (core/message.h), so that 不回应 is seen before an inspection sees it. */
static void log_overdue_line(void *ud, const char *line)
{
    (void)ud;
    log_warn("interaction: %s", line);
}

static void report_overdue(store_t *store, const conf_t *c)
{
    store_txn_t *t = store ? store_read_txn_new(store) : NULL;
    if (t && store_read_renew(t) == 0) {
        long n = message_report_overdue(t, c, (int64_t)time(NULL), log_overdue_line, NULL);
        if (n > 0)
            log_warn("interaction: %ld message%s overdue (jiyuectl messages SITE --overdue)", n,
                     n == 1 ? "" : "s");
    }
    store_txn_free(t);
}

static void reload(control_t *ctl)
{
    diag_t d;
    conf_t *c = load_config(ctl->conf_path, &d);
    for (size_t i = 0; i < d.count; i++) {
        if (d.items[i].level == DIAG_ERROR)
            log_error("%s", d.items[i].text);
        else
            log_warn("%s", d.items[i].text);
    }
    if (!c) {
        log_error("reload rejected (%zu error%s): still serving configuration generation %llu",
                  d.errors, d.errors == 1 ? "" : "s", (unsigned long long)ctl->generation);
        diag_free(&d);
        return;
    }
    diag_free(&d);
    if (!same_listen(ctl, c))
        log_warn("listen addresses changed: restart jiyue to apply that; the rest is reloaded");
    char *err = NULL;
    if (log_open(c->error_log, c->access_log, &err) != 0) {
        log_error("reload: %s (keeping the old logs)", err);
        free(err);
    }
    ctl->generation++;
    size_t nsites = c->nsites;
    report_overdue(ctl->store, c);
    snapshot_publish(snapshot_new(c, ctl->generation));
    for (int i = 0; i < ctl->nworkers; i++)
        worker_notify(&ctl->workers[i], WORKER_MSG_RELOAD);
    log_info("reloaded: configuration generation %llu, %zu sites",
             (unsigned long long)ctl->generation, nsites);
}

static void stop(control_t *ctl)
{
    if (ctl->stopping)
        return;
    ctl->stopping = true;
    log_info("stopping: finishing requests in flight");
    for (int i = 0; i < ctl->nworkers; i++)
        worker_notify(&ctl->workers[i], WORKER_MSG_STOP);
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
    store_options_t opt = {.map_size = c->store_map_size, .create = true, .read_only = false};
    store_t *s = store_open(c->store, &opt, &err);
    *writable = s != NULL;
    if (!s) {
        /* A read-only store folder still serves what it holds (but takes no messages). */
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

int server_run(const char *conf_path)
{
    signal(SIGPIPE, SIG_IGN);
    diag_t d;
    conf_t *c = load_config(conf_path, &d);
    diag_print(&d, stderr);
    diag_free(&d);
    if (!c)
        return 1;
    char *err = NULL;
    if (log_open(c->error_log, c->access_log, &err) != 0) {
        fprintf(stderr, "jiyue: %s\n", err);
        free(err);
        conf_free(c);
        return 1;
    }
    bool writable = false;
    store_t *store = open_store(c, &writable);
    if (!store) {
        conf_free(c);
        return 1;
    }
    if (!writable)
        log_warn("store %s is read-only: serving it, but nothing can be written (messages)",
                 c->store);
    int nworkers = c->workers > 0 ? c->workers : 1;
    int *fds = NULL, *ports = NULL;
    if (listener_bind_all(c, nworkers, &fds, &ports, &err) != 0) {
        fprintf(stderr, "jiyue: %s\n", err);
        log_error("%s", err);
        free(err);
        store_close(store);
        conf_free(c);
        return 1;
    }
    if (drop_privileges(c->user) != 0) {
        fprintf(stderr, "jiyue: cannot drop privileges to user '%s'\n", c->user);
        return 1;
    }

    control_t ctl = {.conf_path = conf_path, .nworkers = nworkers, .generation = 1, .store = store};
    ctl.pid_file = c->pid_file ? util_strdup(c->pid_file) : NULL;
    ctl.nlisten = c->nlisten;
    ctl.listen_copy = util_calloc(c->nlisten ? c->nlisten : 1, sizeof *ctl.listen_copy);
    for (size_t i = 0; i < c->nlisten; i++) {
        ctl.listen_copy[i].address = util_strdup(c->listen[i].address);
        ctl.listen_copy[i].tls = c->listen[i].tls;
    }
    for (size_t i = 0; i < c->nlisten; i++) {
        const conf_listen_t *l = &c->listen[i];
        bool v6 = strchr(l->host, ':') != NULL;
        printf("jiyue: listening on %s://%s%s%s:%d/\n", l->tls ? "https" : "http", v6 ? "[" : "",
               l->host, v6 ? "]" : "", ports[i]);
    }
    printf("jiyue: serving %zu sites from %s with %d worker%s (pid %ld)\n", c->nsites, c->store,
           nworkers, nworkers == 1 ? "" : "s", (long)getpid());
    fflush(stdout);
    log_info("starting: %zu sites, %d workers, pid %ld", c->nsites, nworkers, (long)getpid());

    bool *tls = util_calloc(c->nlisten ? c->nlisten : 1, sizeof *tls);
    for (size_t i = 0; i < c->nlisten; i++)
        tls[i] = c->listen[i].tls;
    report_overdue(store, c);
    snapshot_publish(snapshot_new(c, 1));
    if (writable && writer_start(store) != 0)
        log_error("cannot start the writer thread: nothing can be written");
    if (workers_start(&ctl.workers, nworkers, store, fds, tls, ctl.nlisten) != 0)
        return 1;
    if (write_pid(ctl.pid_file) != 0) {
        /* Serving without a pid file would make -s reload fail later: refuse now. */
        for (int i = 0; i < nworkers; i++)
            worker_notify(&ctl.workers[i], WORKER_MSG_STOP);
        workers_join(ctl.workers, nworkers);
        return 1;
    }

    ctl.loop = uv_default_loop();
    uv_signal_t *sigs[] = {&ctl.sig_hup, &ctl.sig_term, &ctl.sig_int, &ctl.sig_usr1};
    int nums[] = {SIGHUP, SIGTERM, SIGINT, SIGUSR1};
    for (int i = 0; i < 4; i++) {
        uv_signal_init(ctl.loop, sigs[i]);
        sigs[i]->data = &ctl;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
    uv_run(ctl.loop, UV_RUN_DEFAULT);

    /* The writer finishes what is queued and posts each completion to its worker, which is
     * still draining; only then are the workers joined and freed. */
    writer_stop();
    workers_join(ctl.workers, nworkers);
    listener_close_all(fds, (size_t)nworkers * ctl.nlisten);
    free(fds);
    free(ports);
    if (ctl.pid_file)
        unlink(ctl.pid_file);
    log_info("stopped");
    snapshot_publish(NULL);
    store_close(store);
    for (size_t i = 0; i < ctl.nlisten; i++)
        free(ctl.listen_copy[i].address);
    free(ctl.listen_copy);
    free(ctl.pid_file);
    free(tls);
    tls_shutdown();
    uv_loop_close(ctl.loop);
    log_close();
    return 0;
}
