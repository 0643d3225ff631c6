/* core/log.h: the error log and the access log.
 *
 * The error log takes whole lines ("2026-11-27T05:00:00Z [error] message") written with
 * one write() each, so lines from several threads never interleave. The access log is
 * buffered per worker (log_access_buf_t) and flushed when the buffer fills or once a second,
 * because a write() per request would cost more than serving a cached page.
 *
 * Both logs are files opened O_APPEND. SIGUSR1 reopens them for logrotate: the new file is
 * dup2()'d over the old descriptor number, so threads that are writing at that instant
 * never see a closed descriptor. */
#ifndef JIYUE_LOG_H
#define JIYUE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef enum { LOG_ERROR, LOG_WARN, LOG_INFO } log_level_t;

/* Opens the logs; error_path NULL means stderr, access_path NULL or "off" disables the
 * access log. Returns 0 or -1 with a reason in *err (heap string). May be called again
 * (on reload) with new paths. */
int log_open(const char *error_path, const char *access_path, char **err);
/* Reopens the same files (after logrotate renamed them). Returns 0 or -1. */
int log_reopen(void);
void log_close(void);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)

bool log_access_enabled(void);
/* Appends raw, complete lines to the access log (one write). */
void log_access_write(const char *data, size_t len);

#endif
