/* core/server.h: the running server as main sees it: start, reload, stop. The main
 * thread is the control thread: it owns the signals, builds new snapshots on SIGHUP and
 * serves no requests itself. */
#ifndef JIYUE_SERVER_H
#define JIYUE_SERVER_H

/* Runs the server in the foreground until SIGTERM/SIGINT. Returns the exit code. */
int server_run(const char *conf_path);
/* `jiyue -t`: loads and validates the whole configuration, prints every diagnostic.
 * Returns 0 or 1. */
int server_test_config(const char *conf_path, int quiet);
/* `jiyue -s reload|stop`: validates first (reload), then signals the pid in pid_file.
 * Returns 0, 1 (config rejected or no server running) or 2 (usage). */
int server_signal(const char *conf_path, const char *action);

#endif
