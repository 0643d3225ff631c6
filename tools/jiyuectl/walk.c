/* tools/jiyuectl/walk.c: collects the files `import` stores. It never follows a symlink
 * (neither a file nor a folder), which is the simplest way to be sure an import reads only
 * what is inside the folder it was given. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "util.h"

bool walk_name_ok(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    if (len == 0 || !path_utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\')
            return false;
        /* U+0080..U+009F (C1 controls) are 0xC2 0x80..0x9F in UTF-8. */
        if (s[i] == 0xc2 && i + 1 < len && s[i + 1] <= 0x9f)
            return false;
    }
    return true;
}

/* A name that failed walk_name_ok(), made safe to print on a terminal. */
static char *shown(const char *name)
{
    size_t n = strlen(name);
    bool utf8 = path_utf8_valid((const unsigned char *)name, n);
    util_buf_t b = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && !utf8))
            util_buf_printf(&b, "\\x%02x", c);
        else
            util_buf_append(&b, &name[i], 1);
    }
    util_buf_append(&b, "", 1);
    return b.data;
}

static void add_file(walk_t *w, char *rel)
{
    if (w->nfiles == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 256;
        w->files = util_realloc(w->files, w->cap * sizeof *w->files);
    }
    w->files[w->nfiles++] = rel;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Takes ownership of dfd. `rel` is the folder's path relative to the root ("" for it). */
static int walk_dir(ctl_t *ctl, const char *root, walk_t *w, int dfd, const char *rel,
                    int depth)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return ctl_fail(ctl, "cannot read %s%s%s: %s", root, rel[0] ? "/" : "", rel,
                        strerror(errno));
    }
    int rc = CTL_OK;
    struct dirent *e;
    for (errno = 0; rc == CTL_OK && (e = readdir(d)); errno = 0) {
        const char *name = e->d_name;
        if (name[0] == '.') {
            if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
                w->dotfiles++;
            continue;
        }
        char *child = rel[0] ? util_asprintf("%s/%s", rel, name) : util_strdup(name);
        struct stat st;
        if (!walk_name_ok(name, strlen(name))) {
            char *safe = shown(child);
            ctl_warn(ctl, "skipped %s/%s: the name is not printable UTF-8", root, safe);
            free(safe);
            w->skipped++;
        } else if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = ctl_fail(ctl, "cannot read %s/%s: %s", root, child, strerror(errno));
        } else if (S_ISLNK(st.st_mode)) {
            ctl_warn(ctl, "skipped %s/%s: symbolic links are not followed", root, child);
            w->skipped++;
        } else if (S_ISDIR(st.st_mode)) {
            int cfd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (depth >= WALK_MAX_DEPTH) {
                if (cfd >= 0)
                    close(cfd);
                ctl_warn(ctl, "skipped %s/%s: more than %d folders deep", root, child,
                         WALK_MAX_DEPTH);
                w->skipped++;
            } else if (cfd < 0) {
                rc = ctl_fail(ctl, "cannot read %s/%s: %s", root, child, strerror(errno));
            } else {
                rc = walk_dir(ctl, root, w, cfd, child, depth + 1);
            }
        } else if (!S_ISREG(st.st_mode)) {
            ctl_warn(ctl, "skipped %s/%s: not a regular file", root, child);
            w->skipped++;
        } else if (1 + strlen(child) > w->max_path) {
            ctl_warn(ctl, "skipped %s/%s: path longer than the store allows (%zu bytes)", root,
                     child, w->max_path);
            w->skipped++;
        } else if ((uint64_t)st.st_size > w->max_file) {
            char a[32], b[32];
            rc = ctl_fail(ctl, "%s/%s is %s, over the %s limit for one file", root, child,
                          ctl_size((uint64_t)st.st_size, a), ctl_size(w->max_file, b));
        } else {
            add_file(w, child);
            child = NULL;
        }
        free(child);
    }
    if (rc == CTL_OK && errno != 0)
        rc = ctl_fail(ctl, "cannot read %s%s%s: %s", root, rel[0] ? "/" : "", rel,
                      strerror(errno));
    closedir(d);
    return rc;
}

int walk_tree(ctl_t *ctl, const char *root, int rootfd, walk_t *w)
{
    int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0); /* walk_dir owns (and closes) its fd */
    if (fd < 0)
        return ctl_fail(ctl, "cannot read %s: %s", root, strerror(errno));
    int rc = walk_dir(ctl, root, w, fd, "", 0);
    if (rc == CTL_OK)
        qsort(w->files, w->nfiles, sizeof *w->files, name_cmp);
    return rc;
}

void walk_free(walk_t *w)
{
    for (size_t i = 0; i < w->nfiles; i++)
        free(w->files[i]);
    free(w->files);
    w->files = NULL;
    w->nfiles = w->cap = 0;
}
