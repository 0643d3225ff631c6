/* tests/unit/test_audit_personal.c: the audit's search for unmasked personal data in
 * visible text (modules/audit/audit_personal.c, the rules personal-id and
 * personal-phone): the GB 11643 check character, birth dates that are no real day or
 * lie after the audit's day, numbers inside longer runs, masked forms, full-width digits,
 * the ways a mobile number is written, and samples that never show a whole number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit_personal.h"

#define AT 20260315L /* the audit's day */

/* 17 digits and their check character, computed here independently of the code. */
static const char *with_check(const char *seventeen)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static char out[19];
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (seventeen[i] - '0') * w[i];
    snprintf(out, sizeof out, "%s%c", seventeen, "10X98765432"[sum % 11]);
    return out;
}

static audit_personal_t scan(const char *text)
{
    audit_personal_t p = {0};
    audit_personal_scan(&p, text, strlen(text), AT);
    return p;
}

static size_t ids(const char *text)
{
    return scan(text).ids;
}

static size_t phones(const char *text)
{
    return scan(text).phones;
}

static void test_check_character(void **state)
{
    (void)state;
    assert_string_equal(with_check("53010219900101123"), "530102199001011231");
    assert_true(audit_personal_id_valid("530102199001011231", AT));
    assert_false(audit_personal_id_valid("530102199001011234", AT)); /* wrong check digit */
    assert_false(audit_personal_id_valid("530102199001011230", AT));
    /* remainder 2 is X, in either case */
    assert_string_equal(with_check("11010519491231002"), "11010519491231002X");
    assert_true(audit_personal_id_valid("11010519491231002X", AT));
    assert_true(audit_personal_id_valid("11010519491231002x", AT));
    assert_false(audit_personal_id_valid("110105194912310020", AT));
    /* every other check digit of a number is wrong */
    char id[19];
    memcpy(id, with_check("44030419850612345"), 19);
    char right = id[17];
    for (const char *c = "0123456789X"; *c; c++) {
        id[17] = *c;
        assert_int_equal(audit_personal_id_valid(id, AT), *c == right);
    }
    /* the region code does not begin with 0 */
    assert_false(audit_personal_id_valid(with_check("03010219900101123"), AT));
    assert_int_equal(ids("身份证号：530102199001011231。"), 1);
    assert_int_equal(ids("身份证号：530102199001011234。"), 0);
}

static void test_birth_dates(void **state)
{
    (void)state;
    assert_true(audit_personal_id_valid(with_check("44030420000229123"), AT));  /* leap */
    assert_false(audit_personal_id_valid(with_check("53010220250229123"), AT)); /* not leap */
    assert_false(audit_personal_id_valid(with_check("53010219000229123"), AT)); /* 1900: not */
    assert_false(audit_personal_id_valid(with_check("53010219990230123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010219990431123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010219991301123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010219990001123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010219990100123"), AT));
    assert_true(audit_personal_id_valid(with_check("53010219000101123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010218991231123"), AT));
    /* not born after the audit's day: the day itself is still possible */
    assert_true(audit_personal_id_valid(with_check("53010220260315123"), AT));
    assert_false(audit_personal_id_valid(with_check("53010220260316123"), AT));
    assert_false(audit_personal_id_valid(with_check("11010120991231123"), AT));
}

static void test_runs_and_masks(void **state)
{
    (void)state;
    const char *id = "530102199001011231";
    char buf[128];
    /* a longer run of digits or letters is something else (an order number) */
    snprintf(buf, sizeof buf, "订单号 12%s 已发货", id);
    assert_int_equal(ids(buf), 0);
    snprintf(buf, sizeof buf, "订单号 %s7", id);
    assert_int_equal(ids(buf), 0);
    snprintf(buf, sizeof buf, "编号A%s", id);
    assert_int_equal(ids(buf), 0);
    snprintf(buf, sizeof buf, "%sb", id);
    assert_int_equal(ids(buf), 0);
    /* bounded by anything else, it is one */
    snprintf(buf, sizeof buf, "%s", id);
    assert_int_equal(ids(buf), 1);
    snprintf(buf, sizeof buf, "(%s),id=%s;", id, id);
    assert_int_equal(ids(buf), 2);
    /* masked forms never match */
    assert_int_equal(ids("5301**********1234"), 0);
    assert_int_equal(ids("530102********1231"), 0);
    assert_int_equal(ids("53010219900101123*"), 0);
    assert_int_equal(ids("*530102199001011231"), 0);
    assert_int_equal(ids("530102199001011231＊"), 0);
    assert_int_equal(ids("53010219900101123"), 0); /* 17 characters */
}

static void test_full_width(void **state)
{
    (void)state;
    assert_int_equal(ids("身份证：５３０１０２１９９００１０１１２３１"), 1);
    assert_int_equal(ids("１１０１０５１９４９１２３１００２Ｘ"), 1);
    assert_int_equal(ids("１１０１０５１９４９１２３１００２ｘ"), 1);
    assert_int_equal(ids("１５３０１０２１９９００１０１１２３１"), 0); /* 19 in a run */
    audit_personal_t p = scan("５３０１０２１９９００１０１１２３１");
    assert_string_equal(p.id_sample, "530102********1231");
    assert_int_equal(phones("手机：１３８１２３４５６７８"), 1);
    assert_int_equal(phones("手机：１３８－１２３４－５６７８"), 1);
}

static void test_phone_forms(void **state)
{
    (void)state;
    assert_int_equal(phones("联系电话13812345678。"), 1);
    assert_int_equal(phones("138-1234-5678"), 1);
    assert_int_equal(phones("138 1234 5678"), 1);
    assert_int_equal(phones("+8613812345678"), 1);
    assert_int_equal(phones("+86 138 1234 5678"), 1);
    assert_int_equal(phones("86-13912345678"), 1);
    assert_int_equal(phones("8613812345678"), 1);
    assert_int_equal(phones("19912345678 and 15012345678"), 2);
    /* not a mainland mobile, or not written as one */
    assert_int_equal(phones("12812345678"), 0);
    assert_int_equal(phones("10012345678"), 0);
    assert_int_equal(phones("0871-12345678"), 0);
    assert_int_equal(phones("138-1234 5678"), 0);  /* two kinds of separator */
    assert_int_equal(phones("138  1234  5678"), 0); /* not single */
    assert_int_equal(phones("1381-234-5678"), 0);
    assert_int_equal(phones("1381234-5678"), 0);
    assert_int_equal(phones("138-12345678"), 0);
    /* longer runs */
    assert_int_equal(phones("138123456789"), 0);
    assert_int_equal(phones("213812345678"), 0);
    assert_int_equal(phones("138 1234 56789"), 0);
    assert_int_equal(phones("No13812345678"), 0);
    assert_int_equal(phones("530102199001011231"), 0); /* an ID is not a phone */
    /* masked */
    assert_int_equal(phones("138****5678"), 0);
    assert_int_equal(phones("138-****-5678"), 0);
    assert_int_equal(phones("1381234567*"), 0);
}

static void test_samples_are_masked(void **state)
{
    (void)state;
    audit_personal_t p = {0};
    const char *a = "张三 530102199001011231 电话 138-1234-5678";
    const char *b = "李四 11010519491231002X 电话 13912345678";
    audit_personal_scan(&p, a, strlen(a), AT);
    audit_personal_scan(&p, b, strlen(b), AT); /* counts add up, the first sample stays */
    assert_int_equal(p.ids, 2);
    assert_int_equal(p.phones, 2);
    assert_string_equal(p.id_sample, "530102********1231");
    assert_string_equal(p.phone_sample, "138****5678");
    audit_personal_t none = scan("没有个人信息 2026-03-15 0871-12345678");
    assert_int_equal(none.ids + none.phones, 0);
    assert_string_equal(none.id_sample, "");
    assert_string_equal(none.phone_sample, "");
    audit_personal_scan(&none, NULL, 0, AT);
    assert_int_equal(none.ids + none.phones, 0);
}

/* Truncated UTF-8 and bytes of every value at the end: nothing read past the input. */
static void test_ragged_input(void **state)
{
    (void)state;
    const char *cut[] = {"\xef", "\xef\xbc", "１３８１２３４５６７\xef\xbc", "138-1234-", "+86",
                         "86", "5301021990010112"};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        audit_personal_t p = scan(cut[i]);
        assert_int_equal(p.ids + p.phones, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_character), cmocka_unit_test(test_birth_dates),
        cmocka_unit_test(test_runs_and_masks),  cmocka_unit_test(test_full_width),
        cmocka_unit_test(test_phone_forms),     cmocka_unit_test(test_samples_are_masked),
        cmocka_unit_test(test_ragged_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
