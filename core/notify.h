/* core/notify.h: telling the service manager how the server is doing (notify.c), the
 * protocol of systemd's Type=notify services without linking libsystemd: one datagram of
 * "KEY=value" lines to the socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace). Without $NOTIFY_SOCKET every call does nothing. */
#ifndef JIYUE_NOTIFY_H
#define JIYUE_NOTIFY_H

/* Reads $NOTIFY_SOCKET and opens the datagram socket; call before dropping privileges
 * (the socket stays usable after). 0, or -1 when the variable names no usable socket
 * (said in *err, to be freed; the server runs on without notifying). */
int notify_open(char **err);
/* Sends the lines (printf format, e.g. "READY=1\nSTATUS=serving 40 sites"); best effort:
 * a manager that is gone must not stop the server. */
void notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RELOADING=1 with MONOTONIC_USEC (what systemd wants around a reload), then a status. */
void notify_reloading(void);
void notify_close(void);

#endif
