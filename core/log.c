/* core/log.c: error log lines and the access log descriptor, with reopen for logrotate. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int error_fd = 2;
static int access_fd = -1;
static char *error_path;
static char *access_path;

static int open_append(const char *path, char **err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0 && err)
        *err = util_asprintf("cannot open log %s: %s", path, strerror(errno));
    return fd;
}

/* Replaces *slot's descriptor with fd, keeping the descriptor number stable once it is a
 * file, so that concurrent writers never write to a closed or reused descriptor. */
static void install_fd(int *slot, int fd, int fallback)
{
    if (*slot > 2) {
        dup2(fd, *slot);
        close(fd);
    } else if (*slot == fallback || *slot < 0) {
        *slot = fd;
    }
}

int log_open(const char *err_path, const char *acc_path, char **err)
{
    int efd = -1, afd = -1;
    bool access_on = acc_path && strcmp(acc_path, "off") != 0;
    if (err_path && (efd = open_append(err_path, err)) < 0)
        return -1;
    if (access_on && (afd = open_append(acc_path, err)) < 0) {
        if (efd >= 0)
            close(efd);
        return -1;
    }
    pthread_mutex_lock(&log_lock);
    if (efd >= 0) {
        install_fd(&error_fd, efd, 2);
    } else if (error_fd > 2) {
        dup2(2, error_fd); /* back to stderr, keeping the number stable */
    }
    free(error_path);
    error_path = err_path ? util_strdup(err_path) : NULL;
    if (afd >= 0)
        install_fd(&access_fd, afd, -1);
    else if (access_fd >= 0) {
        /* Disabled: point the slot at /dev/null rather than closing it under a writer. */
        int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (nul >= 0)
            install_fd(&access_fd, nul, -1);
    }
    free(access_path);
    access_path = access_on ? util_strdup(acc_path) : NULL;
    pthread_mutex_unlock(&log_lock);
    return 0;
}

int log_reopen(void)
{
    int rc = 0;
    pthread_mutex_lock(&log_lock);
    if (error_path) {
        int fd = open_append(error_path, NULL);
        if (fd >= 0)
            install_fd(&error_fd, fd, 2);
        else
            rc = -1;
    }
    if (access_path) {
        int fd = open_append(access_path, NULL);
        if (fd >= 0)
            install_fd(&access_fd, fd, -1);
        else
            rc = -1;
    }
    pthread_mutex_unlock(&log_lock);
    return rc;
}

void log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (error_fd > 2)
        close(error_fd);
    error_fd = 2;
    if (access_fd >= 0)
        close(access_fd);
    access_fd = -1;
    free(error_path);
    free(access_path);
    error_path = access_path = NULL;
    pthread_mutex_unlock(&log_lock);
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info"};
    char line[4096];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, " [%s] ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += (size_t)m;
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(error_fd, line, n);
    (void)w; /* nowhere to report a failing error log */
}

bool log_access_enabled(void)
{
    return access_fd >= 0 && access_path != NULL;
}

void log_access_write(const char *data, size_t len)
{
    while (len > 0 && access_fd >= 0) {
        ssize_t w = write(access_fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += w;
        len -= (size_t)w;
    }
}
