/* tests/unit/test_worker_accept.c: how many new connections a worker takes per turn of
 * its loop (core/worker.c, limits.accept_burst): exactly the burst, then none until the
 * next turn; a stopping worker takes all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "worker.h"

static unsigned taken_in_one_turn(worker_t *w)
{
    unsigned n = 0;
    w->accepted = 0; /* what the loop's check phase does at each turn */
    while (n < 10000 && worker_may_accept(w)) {
        w->accepted++;
        n++;
    }
    return n;
}

static void burst_per_turn(void **state)
{
    (void)state;
    static conf_t conf;
    static snapshot_t snap;
    static worker_t w;
    snap.conf = &conf;
    w.snap = &snap;
    conf.limits.accept_burst = 16;
    assert_int_equal(taken_in_one_turn(&w), 16);
    assert_int_equal(taken_in_one_turn(&w), 16); /* again at the next turn */
    conf.limits.accept_burst = 1;
    assert_int_equal(taken_in_one_turn(&w), 1);
    w.stopping = true;
    assert_int_equal(taken_in_one_turn(&w), 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_per_turn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
