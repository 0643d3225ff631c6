/* tests/unit/testutil.h: a fresh LMDB store in a temporary folder for the unit tests that
 * need one (test_store.c, test_message.c), as a cmocka fixture, and removing it again.
 * Header-only and static inline, so a test includes what it uses and nothing warns. */
#ifndef JIYUE_TESTUTIL_H
#define JIYUE_TESTUTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

/* rm -r of a folder that holds only files (an LMDB store: data.mdb and lock.mdb). */
static inline void testutil_rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = util_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

/* store_open() with an error on stderr (the test then fails on the NULL). ro: read-only,
 * else created when missing. */
static inline store_t *testutil_open(const char *dir, uint64_t map_size, bool ro)
{
    store_options_t opt = {.map_size = map_size, .read_only = ro, .create = !ro};
    char *err = NULL;
    store_t *s = store_open(dir, &opt, &err);
    if (!s)
        fprintf(stderr, "store_open: %s\n", err ? err : "?");
    free(err);
    return s;
}

typedef struct testutil_store {
    char dir[64]; /* the store's folder */
    char tmp[64]; /* the temporary folder made for it: dir itself or dir's parent */
    store_t *s;
} testutil_store_t;

/* For a cmocka setup: a new 16 MiB store in mkdtemp(tmpl), or in its subfolder `sub` (one
 * that does not exist yet, so store_open must create it) when sub is not NULL. */
static inline int testutil_store_setup(void **state, const char *tmpl, const char *sub)
{
    testutil_store_t *f = util_calloc(1, sizeof *f);
    snprintf(f->tmp, sizeof f->tmp, "%s", tmpl);
    if (!mkdtemp(f->tmp)) {
        free(f);
        return -1;
    }
    int n = snprintf(f->dir, sizeof f->dir, sub ? "%s/%s" : "%s", f->tmp, sub ? sub : "");
    f->s = n > 0 && (size_t)n < sizeof f->dir ? testutil_open(f->dir, 16u << 20, false) : NULL;
    if (!f->s) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static inline int testutil_store_teardown(void **state)
{
    testutil_store_t *f = *state;
    store_close(f->s);
    testutil_rm_dir(f->dir);
    if (strcmp(f->dir, f->tmp) != 0)
        rmdir(f->tmp);
    free(f);
    return 0;
}

#endif
