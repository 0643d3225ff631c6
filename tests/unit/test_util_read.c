/* tests/unit/test_util_read.c: util_read_fd, the one reader of whole files (site YAML,
 * article files and attachments, imported pages): it reads to the end whatever fstat said,
 * stops with EFBIG one byte past the limit, and NUL-terminates. Pipes stand in for files
 * that change size between fstat and read. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* A pipe holding n bytes of 'a'..'z' and then closed for writing; returns the read end. */
static int pipe_of(size_t n)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    for (size_t i = 0; i < n; i++) {
        char c = (char)('a' + i % 26);
        assert_int_equal(write(p[1], &c, 1), 1);
    }
    close(p[1]);
    return p[0];
}

static void test_reads_past_the_hint(void **state)
{
    (void)state;
    int fd = pipe_of(5000); /* the file grew: fstat said 10 bytes */
    size_t len = 0;
    char *buf = util_read_fd(fd, 10, 1 << 20, &len);
    close(fd);
    assert_non_null(buf);
    assert_int_equal(len, 5000);
    assert_int_equal(buf[4999], 'a' + 4999 % 26);
    assert_int_equal(buf[5000], '\0');
    free(buf);
}

static void test_limit_exact_and_one_past(void **state)
{
    (void)state;
    size_t len = 0;
    int fd = pipe_of(4096);
    char *buf = util_read_fd(fd, 0, 4096, &len);
    close(fd);
    assert_non_null(buf);
    assert_int_equal(len, 4096);
    free(buf);

    fd = pipe_of(4097);
    errno = 0;
    len = 7;
    buf = util_read_fd(fd, 4096, 4096, &len);
    close(fd);
    assert_null(buf);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(len, 7); /* untouched on failure */
}

static void test_empty_and_bad_fd(void **state)
{
    (void)state;
    size_t len = 9;
    int fd = pipe_of(0);
    char *buf = util_read_fd(fd, 100, 10, &len);
    close(fd);
    assert_non_null(buf);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], '\0');
    free(buf);

    errno = 0;
    assert_null(util_read_fd(-1, 10, 10, &len));
    assert_int_equal(errno, EBADF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_past_the_hint),
        cmocka_unit_test(test_limit_exact_and_one_past),
        cmocka_unit_test(test_empty_and_bad_fd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
