/* tests/unit/test_search_related.c: related searches (modules/search/search_related.c),
 * pure functions over (term, count) pairs (search_related_prepare) and a query
 * (search_related_pick): a shared Chinese bigram or ASCII
 * word makes a term related, a lone character of the query matches terms starting with it,
 * the query itself (folded) is left out, the ranking (shared terms, count, byte order),
 * the cap of SEARCH_RELATED_SHOW, and empty or garbage input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "search_related.h"

/* The picked terms joined with '|' ("" for none). */
static const char *pick(const search_hot_entry_t *e, size_t n, const char *q)
{
    static char buf[1024];
    const char *out[SEARCH_RELATED_SHOW];
    search_related_set_t *set = search_related_prepare(e, n);
    size_t k = search_related_pick(set, q, out);
    assert_true(k <= SEARCH_RELATED_SHOW);
    buf[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        if (i)
            strcat(buf, "|");
        strcat(buf, out[i]);
    }
    search_related_set_free(set);
    return buf;
}

#define N(a) (sizeof(a) / sizeof(a)[0])

static void test_shares_a_bigram(void **state)
{
    (void)state;
    const search_hot_entry_t e[] = {{"医保", 50}, {"社保卡办理", 3}, {"社保缴费", 7},
                                    {"保卡", 9}, {"卡办", 1}};
    /* 社保 is a bigram of 社保卡办理 and of 社保缴费; 医保 shares only the character 保 */
    assert_string_equal(pick(e, N(e), "社保"), "社保缴费|社保卡办理");
    /* 社保卡 gives 社保 and 保卡: 社保卡办理 has both */
    assert_string_equal(pick(e, N(e), "社保卡"), "社保卡办理|保卡|社保缴费");
    assert_string_equal(pick(e, N(e), "医疗"), "");
    /* full-width, spaces and punctuation are folded and split as the index does */
    assert_string_equal(pick(e, N(e), "“社保” 政策"), "社保缴费|社保卡办理");
}

static void test_ascii_words_whole(void **state)
{
    (void)state;
    const search_hot_entry_t e[] = {{"ic card", 4}, {"icbc", 9}, {"card 2026", 2},
                                    {"2026 年报", 1}, {"20", 5}};
    assert_string_equal(pick(e, N(e), "IC"), "ic card");
    assert_string_equal(pick(e, N(e), "ＣＡＲＤ"), "ic card|card 2026");
    /* a number is a word: 2026 is not 20 */
    assert_string_equal(pick(e, N(e), "2026"), "card 2026|2026 年报");
    /* the Chinese of a mixed term counts too */
    assert_string_equal(pick(e, N(e), "年报"), "2026 年报");
}

static void test_one_character_query_matches_as_a_prefix(void **state)
{
    (void)state;
    const search_hot_entry_t e[] = {{"社保卡", 2}, {"医保", 3}, {"社", 1}, {"公社", 9}};
    /* the search reads a lone character as every term starting with it: 公社's terms are
     * 公社 (starts with 公), not one starting with 社 */
    assert_string_equal(pick(e, N(e), "社"), "社保卡");
}

static void test_the_query_itself_is_left_out(void **state)
{
    (void)state;
    const search_hot_entry_t e[] = {{"社保卡", 20}, {"ic card", 9}, {"社保卡办理", 1}};
    assert_string_equal(pick(e, N(e), "社保卡"), "社保卡办理");
    /* compared folded: case, full width and spaces do not make it another query */
    assert_string_equal(pick(e, N(e), "  ＩＣ　Card "), "");
    assert_string_equal(pick(e, N(e), "社保卡！"), "社保卡办理");
}

static void test_ranked_by_shared_terms_then_count_then_bytes(void **state)
{
    (void)state;
    const search_hot_entry_t e[] = {{"社保 医保 报销", 1}, {"医保 报销", 5}, {"b 报销", 5},
                                    {"a 报销", 5}, {"医保", 8}};
    /* 社保医保报销: 社保 医保 报销 (and 保医 保报, in no stored term) */
    assert_string_equal(pick(e, N(e), "社保医保报销"),
                        "社保 医保 报销|医保 报销|医保|a 报销|b 报销");
    /* whatever order the entries come in */
    const search_hot_entry_t r[] = {{"医保", 8}, {"a 报销", 5}, {"b 报销", 5},
                                    {"医保 报销", 5}, {"社保 医保 报销", 1}};
    assert_string_equal(pick(r, N(r), "社保医保报销"),
                        "社保 医保 报销|医保 报销|医保|a 报销|b 报销");
}

static void test_at_most_eight(void **state)
{
    (void)state;
    static char terms[20][32];
    search_hot_entry_t e[20];
    for (int i = 0; i < 20; i++) {
        snprintf(terms[i], sizeof terms[i], "社保 %02d", i);
        e[i] = (search_hot_entry_t){terms[i], (uint64_t)(100 - i)};
    }
    const char *out[SEARCH_RELATED_SHOW];
    search_related_set_t *set = search_related_prepare(e, 20);
    assert_int_equal(search_related_pick(set, "社保", out), SEARCH_RELATED_SHOW);
    assert_string_equal(out[0], "社保 00");
    assert_string_equal(out[7], "社保 07");
    search_related_set_free(set);
}

static void test_empty_and_garbage(void **state)
{
    (void)state;
    const char *out[SEARCH_RELATED_SHOW];
    const search_hot_entry_t e[] = {{"社保卡", 2}, {"", 9}, {NULL, 9}, {"\xff\xfe社\xc3", 4},
                                    {"<社保>", 3}};
    assert_int_equal(search_related_pick(NULL, "社保", out), 0);
    assert_string_equal(pick(NULL, 0, "社保"), "");
    assert_string_equal(pick(e, 0, "社保"), "");
    search_related_set_t *set = search_related_prepare(e, N(e));
    assert_int_equal(search_related_pick(set, NULL, out), 0);
    search_related_set_free(set);
    /* a query with no term (punctuation, bytes that are not UTF-8) relates to nothing */
    assert_string_equal(pick(e, N(e), ""), "");
    assert_string_equal(pick(e, N(e), "!!! ..."), "");
    assert_string_equal(pick(e, N(e), "\xff\xfe"), "");
    /* a stored term that is not folded or not UTF-8 is split as the index would: the
     * caller shows it cleaned and escaped */
    assert_string_equal(pick(e, N(e), "社保"), "<社保>|社保卡");
    /* a very long query: its terms beyond the bound are not compared, nothing breaks */
    char q[4 * 3 * 100 + 1] = ""; /* 100 times four 3-byte characters */
    for (int i = 0; i < 100; i++)
        strcat(q, "社保医疗");
    assert_string_equal(pick(e, N(e), q), "<社保>|社保卡");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shares_a_bigram),
        cmocka_unit_test(test_ascii_words_whole),
        cmocka_unit_test(test_one_character_query_matches_as_a_prefix),
        cmocka_unit_test(test_the_query_itself_is_left_out),
        cmocka_unit_test(test_ranked_by_shared_terms_then_count_then_bytes),
        cmocka_unit_test(test_at_most_eight),
        cmocka_unit_test(test_empty_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
