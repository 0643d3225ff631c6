/* tests/unit/test_wcache.c: the per-worker cache (core/wcache.c): a value is found only
 * with its owner, key and stamp; the bound evicts the least recently used entry; a value
 * that leaves the cache is freed by the owner's function, but not before the collect (a
 * response may still reference it); each thread has its own table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "wcache.h"

/* Values are ints allocated here; freeing one records which. */
static int freed[64];
static int nfreed;

static void free_int(void *v)
{
    int *p = v;
    if (nfreed < 64)
        freed[nfreed++] = *p;
    free(p);
}

static const wcache_owner_t owner = {"test", free_int};
static const wcache_owner_t other = {"other", free_int};

static int *val(int n)
{
    int *p = malloc(sizeof *p);
    assert_non_null(p);
    *p = n;
    return p;
}

static int *get(const wcache_owner_t *o, const char *key, uint64_t gen, uint64_t ver)
{
    const wcache_stamp_t st = {.generation = gen, .version = ver};
    return wcache_get(o, key, strlen(key), &st);
}

static void put(const wcache_owner_t *o, const char *key, uint64_t gen, uint64_t ver, int n,
                size_t bytes)
{
    const wcache_stamp_t st = {.generation = gen, .version = ver};
    int *p = val(n);
    assert_ptr_equal(wcache_put(o, key, strlen(key), &st, p, bytes), p);
}

static int setup(void **state)
{
    (void)state;
    nfreed = 0;
    wcache_set_bound(0, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    wcache_exit();
    return 0;
}

static void hit_and_miss(void **state)
{
    (void)state;
    assert_null(get(&owner, "a", 1, 1)); /* nothing yet */
    put(&owner, "a", 1, 1, 10, 4);
    int *p = get(&owner, "a", 1, 1);
    assert_non_null(p);
    assert_int_equal(*p, 10);
    assert_ptr_equal(get(&owner, "a", 1, 1), p); /* the same value, not a copy */
    assert_null(get(&owner, "ab", 1, 1));        /* another key */
    assert_null(get(&other, "a", 1, 1));         /* another owner, same bytes */
    wcache_stats_t s;
    wcache_stats(&s);
    assert_int_equal(s.entries, 1);
    assert_int_equal(s.hits, 2);
    assert_int_equal(s.misses, 3);
    /* A key of zero bytes is a key like any other. */
    put(&other, "", 1, 0, 11, 4);
    assert_int_equal(*get(&other, "", 1, 0), 11);
}

static void miss_on_a_changed_stamp(void **state)
{
    (void)state;
    put(&owner, "page", 7, 3, 1, 4);
    assert_non_null(get(&owner, "page", 7, 3));
    const wcache_stamp_t txn = {.generation = 7, .version = 3, .txn = 9};
    assert_null(wcache_get(&owner, "page", 4, &txn)); /* another store transaction */
    /* That dropped the stale entry: parked (not freed yet), then freed by the collect. */
    wcache_stats_t s;
    wcache_stats(&s);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.parked, 1);
    assert_int_equal(nfreed, 0);
    wcache_collect();
    assert_int_equal(nfreed, 1);
    assert_int_equal(freed[0], 1);

    put(&owner, "page", 7, 3, 2, 4);
    assert_null(get(&owner, "page", 8, 3)); /* a reload */
    put(&owner, "page", 8, 3, 3, 4);
    assert_null(get(&owner, "page", 8, 4)); /* a publish */
    put(&owner, "page", 8, 4, 4, 4);
    assert_int_equal(*get(&owner, "page", 8, 4), 4);
}

static void lru_eviction_under_the_entry_bound(void **state)
{
    (void)state;
    wcache_set_bound(3, 0);
    put(&owner, "a", 1, 0, 1, 4);
    put(&owner, "b", 1, 0, 2, 4);
    put(&owner, "c", 1, 0, 3, 4);
    assert_non_null(get(&owner, "a", 1, 0)); /* a is now the most recently used: b is oldest */
    put(&owner, "d", 1, 0, 4, 4);
    assert_null(get(&owner, "b", 1, 0));
    assert_non_null(get(&owner, "c", 1, 0)); /* order now: a d c (oldest first) */
    put(&owner, "e", 1, 0, 5, 4);
    assert_null(get(&owner, "a", 1, 0));
    assert_non_null(get(&owner, "c", 1, 0));
    assert_non_null(get(&owner, "d", 1, 0));
    assert_non_null(get(&owner, "e", 1, 0));
    wcache_stats_t s;
    wcache_stats(&s);
    assert_int_equal(s.entries, 3);
    assert_int_equal(s.evictions, 2);
    wcache_collect();
    assert_int_equal(nfreed, 2);
    assert_int_equal(freed[0] + freed[1], 2 + 1); /* b and a */
}

static void lru_eviction_under_the_byte_bound(void **state)
{
    (void)state;
    put(&owner, "probe", 1, 0, 0, 0);
    wcache_stats_t s;
    wcache_stats(&s);
    size_t overhead = s.bytes - strlen("probe"); /* what an entry costs besides key and value */
    wcache_exit();
    nfreed = 0;
    /* Room for two 1000-byte values with one-byte keys, not three. */
    wcache_set_bound(100, 2 * (overhead + 1 + 1000) + 10);
    put(&owner, "x", 1, 0, 1, 1000);
    put(&owner, "y", 1, 0, 2, 1000);
    assert_non_null(get(&owner, "x", 1, 0)); /* y is the oldest now */
    put(&owner, "z", 1, 0, 3, 1000);
    assert_null(get(&owner, "y", 1, 0));
    assert_non_null(get(&owner, "x", 1, 0));
    assert_non_null(get(&owner, "z", 1, 0));
    /* A value larger than the whole bound is not kept, evicts nothing, and is still valid
     * until the collect. */
    const wcache_stamp_t st = {.generation = 1};
    int *big = val(4);
    assert_ptr_equal(wcache_put(&owner, "w", 1, &st, big, 1 << 20), big);
    assert_int_equal(*big, 4);
    assert_null(get(&owner, "w", 1, 0));
    assert_non_null(get(&owner, "x", 1, 0));
    wcache_collect();
    assert_int_equal(nfreed, 2);
    assert_int_equal(freed[0] + freed[1], 4 + 2); /* w and y */
}

static void replacing_frees_the_old_value(void **state)
{
    (void)state;
    put(&owner, "k", 1, 0, 1, 4);
    int *old = get(&owner, "k", 1, 0);
    put(&owner, "k", 1, 0, 2, 4);
    assert_int_equal(*old, 1); /* still readable until the collect */
    assert_int_equal(nfreed, 0);
    assert_int_equal(*get(&owner, "k", 1, 0), 2);
    wcache_stats_t s;
    wcache_stats(&s);
    assert_int_equal(s.entries, 1);
    wcache_collect();
    assert_int_equal(nfreed, 1);
    assert_int_equal(freed[0], 1);
    /* wcache_exit frees what is still cached. */
    wcache_exit();
    assert_int_equal(nfreed, 2);
    assert_int_equal(freed[1], 2);
}

static void *other_thread(void *arg)
{
    int *out = arg;
    out[0] = get(&owner, "shared", 1, 0) != NULL; /* not this thread's table */
    put(&owner, "shared", 1, 0, 20, 4);
    out[1] = *get(&owner, "shared", 1, 0);
    wcache_exit();
    return NULL;
}

static void each_thread_has_its_own_table(void **state)
{
    (void)state;
    put(&owner, "shared", 1, 0, 10, 4);
    int out[2] = {-1, -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, other_thread, out), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 20);
    assert_int_equal(*get(&owner, "shared", 1, 0), 10); /* untouched by the other thread */
    assert_int_equal(nfreed, 1);
    assert_int_equal(freed[0], 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hit_and_miss, setup, teardown),
        cmocka_unit_test_setup_teardown(miss_on_a_changed_stamp, setup, teardown),
        cmocka_unit_test_setup_teardown(lru_eviction_under_the_entry_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(lru_eviction_under_the_byte_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(replacing_frees_the_old_value, setup, teardown),
        cmocka_unit_test_setup_teardown(each_thread_has_its_own_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
