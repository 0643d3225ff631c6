/* tools/jiyuectl/walk.h: the list of files under a folder that `import` stores: regular
 * files only, dotfiles and symlinks skipped (so nothing outside the folder is ever read),
 * names that the server could never be asked for skipped with a warning. */
#ifndef JIYUE_CTL_WALK_H
#define JIYUE_CTL_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

#define WALK_MAX_DEPTH 64

typedef struct walk {
    /* in */
    size_t max_path;     /* longest "/" + relative path the store can key */
    uint64_t max_file;   /* larger regular files are an error */
    /* out */
    char **files;        /* relative paths with '/' separators, sorted bytewise */
    size_t nfiles;
    size_t cap;
    size_t dotfiles;     /* skipped silently: .git, .htaccess, editor files... */
    size_t skipped;      /* skipped with a warning: symlinks, devices, bad names */
} walk_t;

/* Walks the folder open as `rootfd` (named `root` in messages; the caller keeps rootfd
 * and reads the files listed relative to the same descriptor, so the folder listed is the
 * folder read). Returns CTL_OK, or CTL_FAIL after reporting an unreadable folder or file,
 * or one over max_file. */
int walk_tree(ctl_t *ctl, const char *root, int rootfd, walk_t *w);
void walk_free(walk_t *w);

/* True when a file name can be stored and asked for: valid UTF-8 without control
 * characters (C0, DEL, C1) or '\\', which the server's path normaliser refuses. */
bool walk_name_ok(const char *name, size_t len);

#endif
