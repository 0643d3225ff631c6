/* core/beneath.h: opening a file strictly below a folder, never following a symbolic link
 * on the way. `jiyuectl publish` reads attachments and `jiyuectl import` reads the files it
 * walked this way, so neither can be tricked into reading something outside the folder
 * it was given (`../../var/tls/default.key`, `/etc/shadow`, a symlink, or a folder swapped
 * for a symlink after it was listed). */
#ifndef JIYUE_BENEATH_H
#define JIYUE_BENEATH_H

#include <stdbool.h>

/* True when `rel` can only name something below its folder: not empty, not absolute, no
 * ".." component. Empty and "." components ("a//b", "./a") are allowed and ignored. */
bool beneath_path_ok(const char *rel);

/* Opens `rel` below the folder open as `dirfd`, one component at a time with O_NOFOLLOW,
 * so no symbolic link is followed anywhere in the path (the kernel checks each component
 * at the moment it is opened: a folder replaced by a symlink after a listing is refused,
 * not followed). `flags` are the open flags for the last component (O_RDONLY,
 * O_NONBLOCK...); O_NOFOLLOW and O_CLOEXEC are added. Returns the descriptor, or -1 with
 * errno: EINVAL when !beneath_path_ok(rel), ELOOP when a component is a symbolic link,
 * ENOTDIR when a middle component is not a folder, or whatever openat() reported. The
 * caller still checks what it opened (fstat: a regular file?). */
int beneath_open(int dirfd, const char *rel, int flags);

#endif
