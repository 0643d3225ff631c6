/* core/sockwrite.h: one attempt to write a batch of parts to a non-blocking socket, memory
 * parts with sendmsg and parts backed by a file with sendfile(2), in order, stopping where
 * the socket is full. conn.c queues whatever is left. */
#ifndef JIYUE_SOCKWRITE_H
#define JIYUE_SOCKWRITE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct sock_part {
    const void *p; /* the bytes (always valid, also for file parts: the fallback) */
    size_t len;
    int fd;      /* >= 0: the same bytes lie in this file from offset foff */
    off_t foff;
} sock_part_t;

/* Writes parts[0..n) to sock until done, the socket would block, or an error. Returns the
 * bytes written, or -errno for an error before any byte (EAGAIN is not an error: it
 * returns what was written so far). A failed sendfile on a part's file falls back to its
 * bytes, so a bad cache file costs speed, not a response. */
ssize_t sock_write_parts(int sock, const sock_part_t *parts, size_t n);

#endif
