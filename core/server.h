/* core/server.h: the running server as main sees it: start, reload, stop. The main
 * thread is the control thread: it owns the signals, builds new snapshots on SIGHUP,
 * records each reload's outcome for `jiyue -s reload`, and serves no requests itself. */
#ifndef JIYUE_SERVER_H
#define JIYUE_SERVER_H

/* Runs the server in the foreground until SIGTERM/SIGINT. Returns the exit code. */
int server_run(const char *conf_path);
/* `jiyue -t`: loads and validates the whole configuration, prints every diagnostic.
 * Returns 0 or 1. */
int server_test_config(const char *conf_path, int quiet);
/* `jiyue -s reload|stop|reopen`: signals the pid in pid_file (the only key read here).
 * For reload, waits for the server's record of the outcome (core/reload_status.h) and
 * prints its diagnostics. Returns 0; 1 (configuration rejected, no server running, cannot
 * signal); 2 (usage); 3 (signalled, but the server reported no outcome: an older server
 * without a status file, or none within 60 s). */
int server_signal(const char *conf_path, const char *action);

#endif
