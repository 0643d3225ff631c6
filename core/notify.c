/* core/notify.c: the sd_notify datagram (notify.h). One socket for the process, opened at
 * start while the server may still read $NOTIFY_SOCKET's path, written from the control
 * loop only. */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_len;

int notify_open(char **err)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return 0;
    size_t n = strlen(path);
    /* "@name" is the abstract namespace: a leading NUL in the address. */
    if ((path[0] != '/' && path[0] != '@') || n >= sizeof notify_addr.sun_path) {
        *err = util_strdup("NOTIFY_SOCKET is neither an absolute path nor @name (ignored)");
        return -1;
    }
    memset(&notify_addr, 0, sizeof notify_addr);
    notify_addr.sun_family = AF_UNIX;
    memcpy(notify_addr.sun_path, path, n);
    if (path[0] == '@')
        notify_addr.sun_path[0] = '\0';
    notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (notify_fd < 0) {
        char buf[160];
        snprintf(buf, sizeof buf, "NOTIFY_SOCKET: socket: %s (not notifying)", strerror(errno));
        *err = util_strdup(buf);
        return -1;
    }
    return 0;
}

void notify_send(const char *fmt, ...)
{
    if (notify_fd < 0)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    /* MSG_NOSIGNAL and no retry loop: best effort, never blocking the control loop long. */
    (void)sendto(notify_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT,
                 (const struct sockaddr *)&notify_addr, notify_len);
}

void notify_reloading(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    notify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the configuration",
                (unsigned long long)ts.tv_sec * 1000000ull +
                    (unsigned long long)ts.tv_nsec / 1000);
}

void notify_close(void)
{
    if (notify_fd >= 0)
        close(notify_fd);
    notify_fd = -1;
}
