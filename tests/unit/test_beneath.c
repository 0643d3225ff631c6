/* tests/unit/test_beneath.c: core/beneath.c, the open that never leaves its folder:
 * lexical refusals (absolute, ".."), symbolic links as the file and as a folder on the
 * way, and the race `import` must survive: a folder replaced by a symlink to the outside
 * after it was listed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"

/* A temporary tree:
 *   T/outside/secret          "SECRET"
 *   T/root/a.txt              "A"
 *   T/root/sub/b.txt          "B"
 *   T/root/link -> ../outside/secret
 *   T/root/dirlink -> ../outside
 *   T/root/fifo               a named pipe */
static char tmp[64];
static int rootfd = -1;

static void put(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmp, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void at(char *buf, size_t cap, const char *rel)
{
    snprintf(buf, cap, "%s/%s", tmp, rel);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/jiyue-beneath-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    char p[256], q[256];
    at(p, sizeof p, "outside");
    mkdir(p, 0700);
    at(p, sizeof p, "root");
    mkdir(p, 0700);
    at(p, sizeof p, "root/sub");
    mkdir(p, 0700);
    put("outside/secret", "SECRET");
    put("root/a.txt", "A");
    put("root/sub/b.txt", "B");
    at(p, sizeof p, "root/link");
    if (symlink("../outside/secret", p) != 0)
        return -1;
    at(p, sizeof p, "root/dirlink");
    if (symlink("../outside", p) != 0)
        return -1;
    at(p, sizeof p, "root/fifo");
    if (mkfifo(p, 0600) != 0)
        return -1;
    at(q, sizeof q, "root");
    rootfd = open(q, O_RDONLY | O_DIRECTORY);
    return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    close(rootfd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* The first bytes of what beneath_open() opened, or NULL (errno kept) when it refused. */
static const char *read_rel(const char *rel)
{
    static char buf[32];
    int fd = beneath_open(rootfd, rel, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void expect_refused(const char *rel, int err)
{
    errno = 0;
    const char *got = read_rel(rel);
    if (got)
        fail_msg("\"%s\" was opened (read \"%s\"), expected errno %d", rel, got, err);
    if (errno != err)
        fail_msg("\"%s\": errno %d (%s), expected %d", rel, errno, strerror(errno), err);
}

static void test_path_ok(void **state)
{
    (void)state;
    assert_true(beneath_path_ok("a.pdf"));
    assert_true(beneath_path_ok("sub/b.txt"));
    assert_true(beneath_path_ok("./sub//b.txt"));
    assert_true(beneath_path_ok("..a/b..")); /* dots inside a name are just a name */
    assert_false(beneath_path_ok(""));
    assert_false(beneath_path_ok(NULL));
    assert_false(beneath_path_ok("."));
    assert_false(beneath_path_ok("./"));
    assert_false(beneath_path_ok("/etc/passwd"));
    assert_false(beneath_path_ok(".."));
    assert_false(beneath_path_ok("../x"));
    assert_false(beneath_path_ok("../../var/tls/default.key"));
    assert_false(beneath_path_ok("sub/../a.txt"));
    assert_false(beneath_path_ok("sub/.."));
}

static void test_opens_below(void **state)
{
    (void)state;
    assert_string_equal(read_rel("a.txt"), "A");
    assert_string_equal(read_rel("sub/b.txt"), "B");
    assert_string_equal(read_rel("./sub//b.txt"), "B");
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refused("/etc/passwd", EINVAL);
    expect_refused("../outside/secret", EINVAL);
    expect_refused("sub/../../outside/secret", EINVAL);
    expect_refused("link", ELOOP);            /* the file is a symlink */
    expect_refused("dirlink/secret", ELOOP);  /* a folder on the way is one */
    expect_refused("missing.txt", ENOENT);
    expect_refused("a.txt/x", ENOTDIR);
}

static void test_fifo_opens_without_blocking(void **state)
{
    (void)state;
    /* O_NONBLOCK passes through: the caller sees a fifo (and refuses it) instead of
     * hanging on it. */
    int fd = beneath_open(rootfd, "fifo", O_RDONLY | O_NONBLOCK);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    close(fd);
}

/* A walk listed root/sub as a folder; before the read, sub becomes a symlink to the
 * outside folder. The read must refuse, not follow it. */
static void test_folder_swapped_for_symlink(void **state)
{
    (void)state;
    char sub[256], moved[256];
    at(sub, sizeof sub, "root/sub");
    at(moved, sizeof moved, "root-sub-moved");
    assert_string_equal(read_rel("sub/b.txt"), "B"); /* what the walk saw */
    assert_int_equal(rename(sub, moved), 0);
    put("outside/b.txt", "OUTSIDE-B");
    assert_int_equal(symlink("../outside", sub), 0);
    expect_refused("sub/b.txt", ELOOP);
    /* and the secret beside it stays out of reach by every spelling */
    expect_refused("sub/secret", ELOOP);
    expect_refused("./sub/secret", ELOOP);
    assert_int_equal(unlink(sub), 0);
    assert_int_equal(rename(moved, sub), 0);
    assert_string_equal(read_rel("sub/b.txt"), "B");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_ok),
        cmocka_unit_test(test_opens_below),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_fifo_opens_without_blocking),
        cmocka_unit_test(test_folder_swapped_for_symlink),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
