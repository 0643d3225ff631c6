/* tests/unit/test_audit_limits.c: every threshold of `jiyuectl audit` at its boundary, with
 * the default values (audit_conf_init) and the comparisons audit_rules.c makes
 * (modules/audit/audit_limits.c, in the unit-test link with the other modules). A limit of N days is met on day N and broken on day N+1; a veto count
 * of N fires at N, not N-1; 5% of probes failing is still fine, a little more is not. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "audit_conf.h"
#include "audit_limits.h"
#include "content_columns.h"

#define DAY AUDIT_LIMITS_DAY
static const int64_t AT = 1780000000; /* any moment */

static audit_conf_t defaults(void)
{
    audit_conf_t a;
    audit_conf_init(&a);
    return a;
}

/* The limit `days` holds at days-1 and days (and one second before days+1 days), breaks at
 * days+1 and one second after `days` days. */
static void check_days(uint64_t days, uint64_t expected)
{
    assert_int_equal(days, expected);
    int64_t d = (int64_t)days;
    assert_false(audit_limits_days_over(AT, AT - (d - 1) * DAY, days));
    assert_false(audit_limits_days_over(AT, AT - d * DAY, days));
    assert_true(audit_limits_days_over(AT, AT - d * DAY - 1, days));
    assert_true(audit_limits_days_over(AT, AT - (d + 1) * DAY, days));
}

static void test_homepage_14_days(void **state)
{
    audit_conf_t a = defaults();
    check_days(a.homepage_days, 14);
    /* the cases: 13 days is fresh, 15 stale */
    assert_false(audit_limits_days_over(AT, AT - 13 * DAY, a.homepage_days));
    assert_true(audit_limits_days_over(AT, AT - 15 * DAY, a.homepage_days));
}

static void test_column_days_by_type(void **state)
{
    audit_conf_t a = defaults();
    check_days(audit_limits_column_days(&a, COLUMN_DYNAMIC), 14);
    check_days(audit_limits_column_days(&a, COLUMN_NOTICE), 183);
    check_days(audit_limits_column_days(&a, COLUMN_POLICY), 183);
    check_days(audit_limits_column_days(&a, COLUMN_PERSONNEL), 365);
    check_days(audit_limits_column_days(&a, COLUMN_PLAN), 365);
    assert_int_equal(audit_limits_column_days(&a, COLUMN_STATIC), 0);
    assert_int_equal(audit_limits_column_days(&a, COLUMN_INTERACTION), 0);
    /* the cases: 182/184 and 364/366 */
    assert_false(audit_limits_days_over(AT, AT - 182 * DAY, a.notice_days));
    assert_true(audit_limits_days_over(AT, AT - 184 * DAY, a.notice_days));
    assert_false(audit_limits_days_over(AT, AT - 364 * DAY, a.plan_days));
    assert_true(audit_limits_days_over(AT, AT - 366 * DAY, a.plan_days));
}

static void test_five_columns_veto(void **state)
{
    audit_conf_t a = defaults();
    assert_int_equal(a.stale_columns_veto, 5);
    assert_int_equal(a.blank_columns_veto, 5);
    assert_false(audit_limits_count_veto(0, a.stale_columns_veto));
    assert_false(audit_limits_count_veto(4, a.stale_columns_veto));
    assert_true(audit_limits_count_veto(5, a.stale_columns_veto));
    assert_true(audit_limits_count_veto(6, a.stale_columns_veto));
    assert_false(audit_limits_count_veto(4, a.blank_columns_veto));
    assert_true(audit_limits_count_veto(5, a.blank_columns_veto));
}

static void test_unanswered_90_days_within_the_year(void **state)
{
    audit_conf_t a = defaults();
    check_days(a.unanswered_veto_days, 90);
    assert_false(audit_limits_days_over(AT, AT - 89 * DAY, a.unanswered_veto_days));
    assert_true(audit_limits_days_over(AT, AT - 91 * DAY, a.unanswered_veto_days));
    /* the veto counts messages received within the 365 days before the audit */
    assert_true(audit_limits_within_year(AT, AT));
    assert_true(audit_limits_within_year(AT, AT - 364 * DAY));
    assert_true(audit_limits_within_year(AT, AT - 365 * DAY));
    assert_false(audit_limits_within_year(AT, AT - 365 * DAY - 1));
    assert_false(audit_limits_within_year(AT, AT - 366 * DAY));
}

static void test_probes_5_percent(void **state)
{
    audit_conf_t a = defaults();
    assert_int_equal(a.probe_fail_percent, 5);
    assert_int_equal(a.probe_days, 7);
    assert_false(audit_limits_percent_over(0, 100, a.probe_fail_percent));
    assert_false(audit_limits_percent_over(4, 100, a.probe_fail_percent));
    assert_false(audit_limits_percent_over(5, 100, a.probe_fail_percent));   /* exactly 5% */
    assert_true(audit_limits_percent_over(6, 100, a.probe_fail_percent));
    assert_false(audit_limits_percent_over(1, 20, a.probe_fail_percent));    /* 5% */
    assert_true(audit_limits_percent_over(2, 20, a.probe_fail_percent));     /* 10% */
    assert_true(audit_limits_percent_over(1, 19, a.probe_fail_percent));     /* 5.3% */
    assert_true(audit_limits_percent_over(1, 1, a.probe_fail_percent));
    /* large counts do not wrap */
    assert_false(audit_limits_percent_over(SIZE_MAX / 200, SIZE_MAX / 10, a.probe_fail_percent));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_homepage_14_days),
        cmocka_unit_test(test_column_days_by_type),
        cmocka_unit_test(test_five_columns_veto),
        cmocka_unit_test(test_unanswered_90_days_within_the_year),
        cmocka_unit_test(test_probes_5_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
