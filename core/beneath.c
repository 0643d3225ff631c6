/* core/beneath.c: see beneath.h. One openat() per component with O_NOFOLLOW rather than
 * openat2(RESOLVE_BENEATH): it works on every kernel and libc the project builds on, and
 * there is a single code path to test. The cost (one open per folder level) is nothing
 * next to reading the file. */
#include "beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest single component: NAME_MAX on Linux. */
#define BENEATH_NAME_MAX 255

bool beneath_path_ok(const char *rel)
{
    if (!rel || !*rel || rel[0] == '/')
        return false;
    bool any = false;
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return false;
        if (n > BENEATH_NAME_MAX)
            return false;
        any |= n > 0 && !(n == 1 && p[0] == '.');
        p += n;
        while (*p == '/')
            p++;
    }
    return any; /* "." or "./" names the folder itself, not a file below it */
}

/* After a failed O_NOFOLLOW open, says ELOOP when the component is a symlink: Linux
 * reports ENOTDIR, not ELOOP, for O_DIRECTORY|O_NOFOLLOW on a symlink to a folder. */
static int why(int dfd, const char *name, int err)
{
    struct stat st;
    if (err != ELOOP && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return ELOOP;
    return err;
}

int beneath_open(int dirfd, const char *rel, int flags)
{
    if (!beneath_path_ok(rel)) {
        errno = EINVAL;
        return -1;
    }
    char name[BENEATH_NAME_MAX + 1];
    int dfd = dirfd; /* owned (to close) once it differs from dirfd */
    const char *p = rel;
    for (;;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *next = p + n;
        while (*next == '/')
            next++;
        memcpy(name, p, n);
        name[n] = '\0';
        bool last = *next == '\0';
        if (n == 1 && name[0] == '.' && !last) { /* "./a": the same folder */
            p = next;
            continue;
        }
        int fd;
        if (last)
            fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
        else
            fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int err = fd < 0 ? why(dfd, name, errno) : 0;
        if (dfd != dirfd)
            close(dfd);
        if (fd < 0) {
            errno = err;
            return -1;
        }
        if (last)
            return fd;
        dfd = fd;
        p = next;
    }
}
