/* tests/unit/test_sendcache.c: the sendfile copies of large store values
 * (core/sendcache.c) and writing memory and file parts to a socket (core/sockwrite.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sendcache.h"
#include "sockwrite.h"

#define BIG (SENDCACHE_MIN_BYTES + 1000)

static char *pattern(size_t len, unsigned seed)
{
    char *p = malloc(len);
    for (size_t i = 0; i < len; i++)
        p[i] = (char)((i * 31 + seed) & 0xff);
    return p;
}

static void file_equals(int fd, const char *want, size_t len)
{
    char *got = malloc(len + 1);
    ssize_t n = pread(fd, got, len + 1, 0);
    assert_int_equal(n, (ssize_t)len);
    assert_memory_equal(got, want, len);
    free(got);
}

static void copied_on_second_request(void **state)
{
    sendcache_t *c = sendcache_new(16, *state);
    char *v = pattern(BIG, 1);
    assert_int_equal(sendcache_fd(c, v, BIG, "\"a\"", 3), -1); /* once: not worth a copy */
    int fd = sendcache_fd(c, v, BIG, "\"a\"", 3);
    assert_true(fd >= 0);
    file_equals(fd, v, BIG);
    assert_int_equal(sendcache_fd(c, v, BIG, "\"a\"", 3), fd); /* then reused */
    /* Sealed: nobody can change bytes the kernel may still be sending. */
    assert_true(write(fd, "x", 1) < 0);
    assert_true(ftruncate(fd, 10) < 0);
    /* An unnamed file on disk when a usable folder is given, a memfd otherwise. */
    char link[64], target[256] = "";
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t tn = readlink(link, target, sizeof target - 1);
    assert_true(tn > 0);
    target[tn] = '\0';
    if (*state && access(*state, W_OK) == 0)
        assert_non_null(strstr(target, (const char *)*state));
    else
        assert_non_null(strstr(target, "memfd:jiyue-sendcache"));
    sendcache_stats_t st;
    sendcache_stats(c, &st);
    assert_int_equal(st.copies, 1);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.files, 1);
    assert_int_equal(st.bytes, BIG);
    sendcache_free(c);
    free(v);
}

static void small_values_are_not_copied(void **state)
{
    sendcache_t *c = sendcache_new(16, *state);
    char *v = pattern(SENDCACHE_MIN_BYTES - 1, 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sendcache_fd(c, v, SENDCACHE_MIN_BYTES - 1, "\"s\"", 3), -1);
    sendcache_free(c);
    free(v);
}

/* A different value where the remembered one lay (a later import reused the pages) is
 * never answered with the old copy. */
static void new_value_at_same_place_is_not_the_old_copy(void **state)
{
    sendcache_t *c = sendcache_new(16, *state);
    char *v = pattern(BIG, 3);
    sendcache_fd(c, v, BIG, "\"old\"", 5);
    int old = sendcache_fd(c, v, BIG, "\"old\"", 5);
    assert_true(old >= 0);
    memset(v, 'N', BIG);
    assert_int_equal(sendcache_fd(c, v, BIG, "\"new\"", 5), -1);
    int fd = sendcache_fd(c, v, BIG, "\"new\"", 5);
    assert_true(fd >= 0);
    file_equals(fd, v, BIG);
    sendcache_release_evicted(c);
    sendcache_free(c);
    free(v);
}

/* Descriptors are bounded; the least recently used copy goes first, and an evicted
 * descriptor stays open until the worker says its batches are written. */
static void bounded_by_descriptors_lru_first(void **state)
{
    sendcache_t *c = sendcache_new(2, *state);
    char *v[3];
    int fd[3];
    for (int i = 0; i < 3; i++) {
        v[i] = pattern(BIG, 10 + (unsigned)i);
        sendcache_fd(c, v[i], BIG, "\"t\"", 3);
        fd[i] = sendcache_fd(c, v[i], BIG, "\"t\"", 3);
        if (i == 1) /* touch the first again: the second is now the oldest */
            assert_int_equal(sendcache_fd(c, v[0], BIG, "\"t\"", 3), fd[0]);
    }
    assert_true(fd[2] >= 0);
    sendcache_stats_t st;
    sendcache_stats(c, &st);
    assert_int_equal(st.files, 2);
    assert_int_equal(sendcache_fd(c, v[0], BIG, "\"t\"", 3), fd[0]);
    assert_true(fcntl(fd[1], F_GETFD) >= 0); /* evicted, not yet closed */
    sendcache_release_evicted(c);
    assert_true(fcntl(fd[1], F_GETFD) < 0);
    sendcache_free(c);
    for (int i = 0; i < 3; i++)
        free(v[i]);
}

static void disabled_without_descriptors(void **state)
{
    sendcache_t *c = sendcache_new(0, *state);
    char *v = pattern(BIG, 4);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sendcache_fd(c, v, BIG, "\"d\"", 3), -1);
    sendcache_free(c);
    free(v);
}

/* --- sock_write_parts --- */

static int memfd_with(const char *p, size_t len)
{
    int fd = memfd_create("test", MFD_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, len), (ssize_t)len);
    return fd;
}

static void read_all(int fd, char *out, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, out + got, len - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
}

/* Head, file body at an offset, another head and a body from memory: the reader gets the
 * bytes in order. */
static void parts_arrive_in_order(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    int big = 4 << 20;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    char *body = pattern(20000, 5);
    int fd = memfd_with(body, 20000);
    sock_part_t parts[] = {
        {.p = "HEAD1", .len = 5, .fd = -1},
        {.p = body + 100, .len = 5000, .fd = fd, .foff = 100},
        {.p = "HEAD2", .len = 5, .fd = -1},
        {.p = body, .len = 300, .fd = -1},
    };
    ssize_t n = sock_write_parts(sv[0], parts, 4);
    assert_int_equal(n, 5 + 5000 + 5 + 300);
    char got[5310];
    read_all(sv[1], got, sizeof got);
    assert_memory_equal(got, "HEAD1", 5);
    assert_memory_equal(got + 5, body + 100, 5000);
    assert_memory_equal(got + 5005, "HEAD2", 5);
    assert_memory_equal(got + 5010, body, 300);
    close(fd);
    close(sv[0]);
    close(sv[1]);
    free(body);
}

/* A socket that fills up: the count says where to go on, and going on from there with
 * the same parts (as conn.c's queued copy does) gives the reader every byte once. */
static void full_socket_reports_what_went(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    size_t len = 1 << 20;
    char *body = pattern(len, 6);
    int fd = memfd_with(body, len);
    sock_part_t parts[] = {{.p = "H", .len = 1, .fd = -1},
                           {.p = body, .len = len, .fd = fd, .foff = 0}};
    ssize_t n = sock_write_parts(sv[0], parts, 2);
    assert_true(n > 0 && (size_t)n < len + 1);
    char *got = malloc(len + 1);
    size_t have = 0;
    /* Drain and send the rest from memory. */
    size_t sent = (size_t)n;
    while (have < len + 1) {
        ssize_t r = read(sv[1], got + have, len + 1 - have);
        if (r > 0)
            have += (size_t)r;
        if (sent < len + 1) {
            ssize_t w = write(sv[0], body + (sent - 1), len + 1 - sent);
            if (w > 0)
                sent += (size_t)w;
        }
    }
    assert_memory_equal(got, "H", 1);
    assert_memory_equal(got + 1, body, len);
    free(got);
    close(fd);
    close(sv[0]);
    close(sv[1]);
    free(body);
}

/* A file that cannot be sent from (here: closed) costs the sendfile, not the response. */
static void broken_file_falls_back_to_memory(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    int fd = memfd_with("xxxx", 4);
    close(fd);
    sock_part_t parts[] = {{.p = "abcd", .len = 4, .fd = fd, .foff = 0},
                           {.p = "ef", .len = 2, .fd = -1}};
    assert_int_equal(sock_write_parts(sv[0], parts, 2), 6);
    char got[6];
    read_all(sv[1], got, 6);
    assert_memory_equal(got, "abcdef", 6);
    close(sv[0]);
    close(sv[1]);
}

static void closed_peer_is_an_error(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    close(sv[1]);
    sock_part_t parts[] = {{.p = "abcd", .len = 4, .fd = -1}};
    assert_true(sock_write_parts(sv[0], parts, 1) < 0);
    close(sv[0]);
}

int main(void)
{
    /* Each cache test runs with copies in unnamed files in a folder, and in memfds. */
    static char folder[] = "/tmp";
#define BOTH(t) cmocka_unit_test_prestate(t, folder), cmocka_unit_test_prestate(t, NULL)
    const struct CMUnitTest tests[] = {
        BOTH(copied_on_second_request),
        BOTH(small_values_are_not_copied),
        BOTH(new_value_at_same_place_is_not_the_old_copy),
        BOTH(bounded_by_descriptors_lru_first),
        BOTH(disabled_without_descriptors),
        cmocka_unit_test_prestate(copied_on_second_request, "/nonexistent-folder"),
        cmocka_unit_test(parts_arrive_in_order),
        cmocka_unit_test(full_socket_reports_what_went),
        cmocka_unit_test(broken_file_falls_back_to_memory),
        cmocka_unit_test(closed_peer_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
