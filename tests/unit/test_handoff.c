/* tests/unit/test_handoff.c: the reload hand-off (core/handoff.c) with stand-in workers:
 * starting one returns at once, the verdict comes only with the last acknowledgement, the
 * old snapshot's references come back in the messages and are dropped by the control
 * thread when the last acknowledgement arrives, a hand-off in flight refuses a second one, a
 * stopped worker's reference comes straight back, and nothing is left held at the end. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "handoff.h"

#define NW 2

typedef struct fake {
    uv_loop_t loop;
    uv_timer_t keep; /* keeps the loop alive: the hand-off's own handles do not */
    handoff_t *h;
    snapshot_t *serving[NW]; /* each stand-in worker's snapshot (its reference) */
    handoff_msg_t *inbox[NW];
    bool stopped[NW];
    int done_calls;
    uint64_t done_gen;
} fake_t;

/* A snapshot with no configuration: snapshot_unref frees only the struct. */
static snapshot_t *fake_snapshot(uint64_t gen)
{
    snapshot_t *s = calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->generation = gen;
    return s;
}

static int refs(snapshot_t *s)
{
    return atomic_load(&s->refs);
}

static int fake_send(void *ud, int i, handoff_msg_t *m)
{
    fake_t *f = ud;
    if (f->stopped[i])
        return -1;
    assert_null(f->inbox[i]);
    f->inbox[i] = m;
    return 0;
}

static void fake_done(void *ud, uint64_t gen)
{
    fake_t *f = ud;
    f->done_calls++;
    f->done_gen = gen;
}

static void on_keep(uv_timer_t *t)
{
    (void)t;
}

static void pump(fake_t *f)
{
    for (int i = 0; i < 5; i++)
        uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* Worker i adopts what is in its inbox, on a thread of its own, as a worker would. */
static void *adopt_thread(void *arg)
{
    void **a = arg;
    fake_t *f = a[0];
    int i = (int)(intptr_t)a[1];
    handoff_msg_t *m = f->inbox[i];
    f->inbox[i] = NULL;
    snapshot_t *old = f->serving[i];
    f->serving[i] = m->snap;
    handoff_adopted(m, old);
    return NULL;
}

static void adopt(fake_t *f, int i)
{
    assert_non_null(f->inbox[i]);
    pthread_t t;
    void *a[2] = {f, (void *)(intptr_t)i};
    assert_int_equal(pthread_create(&t, NULL, adopt_thread, a), 0);
    pthread_join(t, NULL);
    pump(f);
}

/* Both stand-ins serve `first`, which the test also holds (one reference more). */
static fake_t *fake_new(snapshot_t *first)
{
    fake_t *f = calloc(1, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    uv_timer_init(&f->loop, &f->keep);
    uv_timer_start(&f->keep, on_keep, 60000, 0);
    f->h = handoff_new(&f->loop, NW, fake_send, fake_done, f);
    for (int i = 0; i < NW; i++) {
        snapshot_ref(first);
        f->serving[i] = first;
    }
    return f;
}

static void fake_free(fake_t *f)
{
    handoff_free(f->h);
    for (int i = 0; i < NW; i++)
        snapshot_unref(f->serving[i]);
    uv_close((uv_handle_t *)&f->keep, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
}

static void test_verdict_and_free_with_last_ack(void **state)
{
    (void)state;
    snapshot_t *old = fake_snapshot(1);
    fake_t *f = fake_new(old);
    assert_int_equal(refs(old), 3); /* the test's and two workers' */
    snapshot_t *s = fake_snapshot(2);
    snapshot_ref(s); /* the test's, to look at it */
    assert_int_equal(handoff_start(f->h, s), 0);
    /* Returned at once: both messages sent, none adopted, no verdict, nothing waited. */
    assert_non_null(f->inbox[0]);
    assert_non_null(f->inbox[1]);
    assert_true(f->inbox[0]->snap == s && f->inbox[1]->snap == s);
    assert_int_equal(refs(s), 3);
    pump(f);
    assert_int_equal(f->done_calls, 0);
    assert_true(handoff_busy(f->h));
    assert_int_equal(handoff_pending(f->h), 2);

    adopt(f, 1);
    assert_int_equal(f->done_calls, 0);
    assert_int_equal(handoff_pending(f->h), 1);
    assert_int_equal(refs(old), 3); /* worker 1's came back, in its message */

    adopt(f, 0);
    assert_int_equal(f->done_calls, 1);
    assert_int_equal(f->done_gen, 2);
    assert_false(handoff_busy(f->h));
    assert_int_equal(refs(old), 1); /* only the test's is left: it would be freed now */
    assert_int_equal(refs(s), 3);
    assert_true(f->serving[0] == s && f->serving[1] == s);
    snapshot_unref(old);
    snapshot_unref(s);
    fake_free(f);
}

static void test_one_handoff_at_a_time(void **state)
{
    (void)state;
    snapshot_t *first = fake_snapshot(1);
    fake_t *f = fake_new(first);
    snapshot_unref(first);
    assert_int_equal(handoff_start(f->h, fake_snapshot(2)), 0);
    snapshot_t *next = fake_snapshot(3);
    assert_int_equal(handoff_start(f->h, next), -1);
    assert_int_equal(refs(next), 1); /* still the caller's */
    adopt(f, 0);
    adopt(f, 1);
    assert_int_equal(f->done_calls, 1);
    assert_int_equal(handoff_start(f->h, next), 0);
    adopt(f, 0);
    adopt(f, 1);
    assert_int_equal(f->done_calls, 2);
    assert_int_equal(f->done_gen, 3);
    assert_int_equal(f->serving[0]->generation, 3);
    fake_free(f);
}

static void test_stopped_worker_gives_its_reference_back(void **state)
{
    (void)state;
    snapshot_t *first = fake_snapshot(1);
    fake_t *f = fake_new(first);
    snapshot_unref(first);
    f->stopped[1] = true;
    snapshot_t *s = fake_snapshot(2);
    snapshot_ref(s);
    assert_int_equal(handoff_start(f->h, s), 0);
    assert_null(f->inbox[1]);
    pump(f);
    assert_int_equal(handoff_pending(f->h), 1);
    assert_int_equal(refs(s), 3); /* the test's and the two messages' */
    adopt(f, 0);
    assert_int_equal(f->done_calls, 1);
    assert_int_equal(refs(s), 2); /* the test's and worker 0's */
    snapshot_unref(s);
    fake_free(f);
}

static void test_free_drops_what_was_never_adopted(void **state)
{
    (void)state;
    snapshot_t *first = fake_snapshot(1);
    fake_t *f = fake_new(first); /* first: the test's reference and the two workers' */
    snapshot_t *s = fake_snapshot(2);
    snapshot_ref(s);
    assert_int_equal(handoff_start(f->h, s), 0);
    /* Worker 0 adopted but its acknowledgement was never collected (the loop had
     * stopped); worker 1 never saw its message. */
    handoff_msg_t *m = f->inbox[0];
    f->inbox[0] = NULL;
    snapshot_t *old = f->serving[0];
    f->serving[0] = m->snap;
    handoff_adopted(m, old);
    f->inbox[1] = NULL;
    fake_free(f); /* the stand-ins' references go too */
    assert_int_equal(refs(first), 1);
    assert_int_equal(refs(s), 1);
    snapshot_unref(first);
    snapshot_unref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_and_free_with_last_ack),
        cmocka_unit_test(test_one_handoff_at_a_time),
        cmocka_unit_test(test_stopped_worker_gives_its_reference_back),
        cmocka_unit_test(test_free_drops_what_was_never_adopted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
