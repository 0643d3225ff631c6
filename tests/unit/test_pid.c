/* tests/unit/test_pid.c: getpid() without a system call (core/pid.c). It answers the
 * kernel's process id; a forked child, which inherits the parent's memory, gets its own id
 * and not the parent's (the page the id is kept on is wiped in the child), also in a child's
 * child; and before pid_cache_init() it asks the kernel every time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pid.h"

static pid_t kernel_pid(void)
{
    return (pid_t)syscall(SYS_getpid);
}

static void test_answers_the_kernels_id(void **state)
{
    (void)state;
    assert_int_equal(getpid(), kernel_pid()); /* before init: the system call */
    pid_cache_init();
    assert_int_equal(getpid(), kernel_pid());
    assert_int_equal(getpid(), kernel_pid()); /* from the page now */
}

/* In a child: exits 0 when getpid() is the child's own id, also in a grandchild. */
static int child_checks(int depth)
{
    if (getpid() != kernel_pid())
        return 1;
    if (depth == 0)
        return 0;
    pid_t g = fork();
    if (g < 0)
        return 2;
    if (g == 0)
        _exit(child_checks(depth - 1));
    int st;
    if (waitpid(g, &st, 0) != g || !WIFEXITED(st))
        return 3;
    return WEXITSTATUS(st);
}

static void test_forked_child_gets_its_own(void **state)
{
    (void)state;
    pid_cache_init();
    pid_t parent = getpid(); /* cached in the parent before the fork */
    assert_int_equal(parent, kernel_pid());
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0)
        _exit(child_checks(1));
    int st;
    assert_int_equal(waitpid(c, &st, 0), c);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(getpid(), parent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_the_kernels_id),
        cmocka_unit_test(test_forked_child_gets_its_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
