/* core/sockwrite.c: writes a batch of memory and file parts to a non-blocking socket (see
 * sockwrite.h). Consecutive memory parts go out in one sendmsg; MSG_MORE tells TCP that a
 * file part follows, so a response head and its sendfile body leave in full segments
 * without the two setsockopt calls of TCP_CORK. */
#include "sockwrite.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define MAX_IOV 64

/* Sends memory parts [i, j) starting `skip` bytes into part i. */
static ssize_t send_memory(int sock, const sock_part_t *parts, size_t i, size_t j, size_t skip,
                           bool more)
{
    struct iovec iov[MAX_IOV];
    size_t k = 0;
    for (; i < j && k < MAX_IOV; i++, k++) {
        iov[k].iov_base = (char *)parts[i].p + skip;
        iov[k].iov_len = parts[i].len - skip;
        skip = 0;
    }
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = k};
    ssize_t r;
    do
        r = sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT | (more ? MSG_MORE : 0));
    while (r < 0 && errno == EINTR);
    return r;
}

static ssize_t send_file(int sock, const sock_part_t *part, size_t skip)
{
    off_t off = part->foff + (off_t)skip;
    size_t want = part->len - skip;
    if (want > (size_t)INT_MAX)
        want = (size_t)INT_MAX;
    ssize_t r;
    do
        r = sendfile(sock, part->fd, &off, want);
    while (r < 0 && errno == EINTR);
    return r;
}

ssize_t sock_write_parts(int sock, const sock_part_t *parts, size_t n)
{
    size_t total = 0;
    size_t i = 0, skip = 0; /* next part, and bytes of it already written */
    bool file_broken = false;
    while (i < n) {
        ssize_t r;
        size_t want;
        if (parts[i].fd >= 0 && !file_broken) {
            want = parts[i].len - skip;
            r = send_file(sock, &parts[i], skip);
            if (r < 0 && errno != EAGAIN && errno != EPIPE && errno != ECONNRESET) {
                /* The file failed us (not the socket): send this part from memory. */
                file_broken = true;
                continue;
            }
        } else {
            size_t j = i + 1;
            while (j < n && parts[j].fd < 0 && j - i < MAX_IOV)
                j++;
            want = 0;
            for (size_t k = i; k < j; k++)
                want += parts[k].len;
            want -= skip;
            r = send_memory(sock, parts, i, j, skip, j < n);
        }
        if (r < 0) {
            if (errno == EAGAIN)
                break;
            return total > 0 ? (ssize_t)total : -errno;
        }
        total += (size_t)r;
        /* Advance (i, skip) by r bytes. */
        size_t adv = (size_t)r + skip;
        while (i < n && adv >= parts[i].len) {
            adv -= parts[i].len;
            i++;
            file_broken = false;
        }
        skip = adv;
        if ((size_t)r < want)
            break; /* the socket took less: it is full */
    }
    return (ssize_t)total;
}
