/* tests/unit/test_message.c: modules/interaction/message*.c in a temporary store: records and indexes,
 * the reply trail (a correction is a new reply), counters, the rate-limit window, form
 * tokens (forged, expired, dated ahead, another site, another cookie), receipt codes,
 * UTF-8 checks, masking, the monthly statistics and overdue report, the submission limits
 * (address, network prefix, site's day, cluster budget, store reserve), the store's room,
 * and spam leaving every list and count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interaction_conf.h"
#include "content_columns.h"
#include "message.h"
#include "testutil.h"
#include "util.h"

typedef testutil_store_t fixture_t;

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-msg-XXXXXX", NULL);
}

static int teardown(void **state)
{
    return testutil_store_teardown(state);
}

/* 2026-03-10 10:00 UTC+8 */
#define T0 ((int64_t)1773108000)

static void add(store_t *s, const char *code, const char *title, int64_t created)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    message_new_t m = {"edu", "xx", title, "正文", "张三", "13812345678", "a@b.cn", "127.0.0.1",
                       created};
    assert_int_equal(message_put(w, &m, code), 0);
    assert_int_equal(store_commit(w), 0);
}

static void reply(store_t *s, const char *code, const char *text, int64_t when)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    uint32_t n = 0;
    assert_int_equal(message_reply_add(w, code, "市教育局", text, when, &n), 0);
    assert_int_equal(store_commit(w), 0);
}

typedef struct seen {
    char codes[8][MESSAGE_CODE_LEN + 1];
    size_t n;
} seen_t;

static int collect(void *ud, const message_t *m)
{
    seen_t *s = ud;
    if (s->n < 8)
        strcpy(s->codes[s->n++], m->code);
    return 0;
}

static int collect_reply(void *ud, const message_reply_t *r)
{
    util_buf_t *b = ud;
    util_buf_printf(b, "%u:%s;", r->n, r->text);
    return 0;
}

#define A "aaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbb"
#define C "cccccccccccccccccccc"

static void test_put_get_reply_trail(void **state)
{
    fixture_t *f = *state;
    add(f->s, A, "first", T0);
    add(f->s, B, "second", T0 + 100);
    add(f->s, C, "third", T0 + 200);
    store_txn_t *t = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(t), 0);
    message_t m;
    assert_int_equal(message_get(t, B, &m), 0);
    assert_string_equal(m.title, "second");
    assert_string_equal(m.phone, "13812345678");
    assert_int_equal(m.nreplies, 0);
    assert_int_equal(message_get(t, "dddddddddddddddddddd", &m), STORE_NOTFOUND);
    assert_int_equal(message_get(t, "../x", &m), STORE_NOTFOUND);
    seen_t all = {0};
    assert_int_equal(message_each(t, "edu", "xx", false, 0, SIZE_MAX, collect, &all), 0);
    assert_int_equal(all.n, 3);
    assert_string_equal(all.codes[0], C); /* newest first */
    assert_string_equal(all.codes[2], A);
    seen_t ans = {0};
    message_each(t, "edu", "xx", true, 0, SIZE_MAX, collect, &ans);
    assert_int_equal(ans.n, 0);
    uint64_t v0 = message_version(t, "edu");
    store_read_reset(t);

    /* The same code twice is refused: the caller draws another. */
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    message_new_t dup = {"edu", "xx", "dup", "b", "n", "1", "", "", T0};
    assert_int_equal(message_put(w, &dup, A), STORE_EKEY);
    store_abort(w);

    reply(f->s, B, "答复一", T0 + 3 * MESSAGE_DAY);
    reply(f->s, B, "更正后的答复", T0 + 4 * MESSAGE_DAY);
    assert_int_equal(store_read_renew(t), 0);
    assert_int_equal(message_get(t, B, &m), 0);
    assert_int_equal(m.nreplies, 2);
    assert_true(m.first_reply == T0 + 3 * MESSAGE_DAY);
    assert_true(m.last_reply == T0 + 4 * MESSAGE_DAY);
    util_buf_t trail = {0};
    message_replies_each(t, B, collect_reply, &trail);
    util_buf_append(&trail, "", 1);
    assert_string_equal(trail.data, "1:答复一;2:更正后的答复;"); /* both kept, in order */
    util_buf_free(&trail);
    message_reply_t latest;
    assert_int_equal(message_reply_latest(t, &m, &latest), 0);
    assert_string_equal(latest.text, "更正后的答复");
    seen_t ans2 = {0};
    message_each(t, "edu", "xx", true, 0, SIZE_MAX, collect, &ans2);
    assert_int_equal(ans2.n, 1); /* listed once, however many replies */
    uint64_t rec, an;
    message_counts(t, "edu", "xx", &rec, &an);
    assert_int_equal(rec, 3);
    assert_int_equal(an, 1);
    assert_true(message_version(t, "edu") > v0);
    /* paging */
    seen_t page = {0};
    message_each(t, "edu", "xx", false, 1, 1, collect, &page);
    assert_int_equal(page.n, 1);
    assert_string_equal(page.codes[0], B);
    store_txn_free(t);
}

static void test_rate_limit(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    int64_t ra = 0;
    for (int i = 0; i < 3; i++)
        assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + i * 60, &ra), 0);
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 600, &ra), 1);
    assert_true(ra == 3600 - 600); /* the oldest leaves the window then */
    /* Another address and another site have their own windows. */
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.2", 3, T0 + 600, &ra), 0);
    assert_int_equal(message_rate_take(w, "fgw", "10.0.0.1", 3, T0 + 600, &ra), 0);
    /* An hour after the first, one more is allowed. */
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 3601, &ra), 0);
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 3602, &ra), 1);
    /* The sweep drops windows whose newest entry is over an hour old, and only those. */
    assert_int_equal(message_rate_sweep(w, T0 + 600 + 3601), 2);
    /* The window that was kept still counts its entry of T0 + 3601. */
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 4201, &ra), 0);
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 4202, &ra), 0);
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 3, T0 + 4203, &ra), 1);
    assert_true(ra == 3601 + 3600 - 4203);
    /* Above 64 an hour, a window per clock hour: T0 is on the hour. */
    for (int i = 0; i < 100; i++)
        assert_int_equal(message_rate_take(w, "big", "10.0.0.9", 100, T0 + 1000 + i, &ra), 0);
    assert_int_equal(message_rate_take(w, "big", "10.0.0.9", 100, T0 + 2000, &ra), 1);
    assert_true(ra == 3600 - 2000);
    assert_int_equal(message_rate_take(w, "big", "10.0.0.9", 100, T0 + 3600, &ra), 0);
    /* A limit lowered below what was sent applies at once. */
    assert_int_equal(message_rate_take(w, "edu", "10.0.0.1", 1, T0 + 4204, &ra), 1);
    assert_int_equal(store_commit(w), 0);
}

static void test_tokens(void **state)
{
    fixture_t *f = *state;
    int rc;
    uint8_t k1[MESSAGE_SECRET_LEN], k2[MESSAGE_SECRET_LEN];
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(message_secret_get(w, k1), STORE_NOTFOUND);
    assert_int_equal(message_secret_ensure(w, k1), 0);
    assert_int_equal(message_secret_ensure(w, k2), 0); /* made once, then kept */
    assert_memory_equal(k1, k2, sizeof k1);
    assert_int_equal(store_commit(w), 0);

    char tok[MESSAGE_TOKEN_MAX];
    const char *N1 = "0123456789abcdef0123456789abcdef", *N2 = "fedcba9876543210fedcba9876543210";
    message_token_make(k1, "edu", N1, T0, tok);
    size_t n = strlen(tok);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + 10), MESSAGE_TOKEN_OK);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + MESSAGE_TOKEN_TTL),
                     MESSAGE_TOKEN_OK);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + MESSAGE_TOKEN_TTL + 1),
                     MESSAGE_TOKEN_EXPIRED);
    assert_int_equal(message_token_check(k1, "fgw", N1, tok, n, T0 + 10), MESSAGE_TOKEN_BAD);
    /* Bound to its cookie: another nonce, none, or a malformed one is refused. */
    assert_int_equal(message_token_check(k1, "edu", N2, tok, n, T0 + 10), MESSAGE_TOKEN_BAD);
    assert_int_equal(message_token_check(k1, "edu", NULL, tok, n, T0 + 10), MESSAGE_TOKEN_BAD);
    assert_int_equal(message_token_check(k1, "edu", "", tok, n, T0 + 10), MESSAGE_TOKEN_BAD);
    assert_int_equal(message_token_check(k1, "edu", "0123456789ABCDEF0123456789ABCDEF", tok, n,
                                         T0 + 10), MESSAGE_TOKEN_BAD);
    /* ... even with a token made over that malformed nonce: the nonce's form is checked. */
    const char *bad_nonces[] = {"", "0123456789ABCDEF0123456789ABCDEF", "0123", "g123456789abcdef0123456789abcdef"};
    for (size_t i = 0; i < sizeof bad_nonces / sizeof *bad_nonces; i++) {
        char bt[MESSAGE_TOKEN_MAX];
        message_token_make(k1, "edu", bad_nonces[i], T0, bt);
        assert_int_equal(message_token_check(k1, "edu", bad_nonces[i], bt, strlen(bt), T0 + 10),
                         MESSAGE_TOKEN_BAD);
    }
    /* The limits themselves, in seconds: a token is good for a day, and may be dated at
     * most five minutes ahead (clock skew between processes). */
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + 86400), MESSAGE_TOKEN_OK);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + 86401), MESSAGE_TOKEN_EXPIRED);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 - 300), MESSAGE_TOKEN_OK);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 - 301), MESSAGE_TOKEN_BAD);
    /* Dated in the future: good within the clock skew allowed, refused beyond it, though
     * the MAC is right (a token the server did not make at that time). */
    message_token_make(k1, "edu", N1, T0 + MESSAGE_TOKEN_SKEW, tok);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, strlen(tok), T0), MESSAGE_TOKEN_OK);
    message_token_make(k1, "edu", N1, T0 + MESSAGE_TOKEN_SKEW + 1, tok);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, strlen(tok), T0), MESSAGE_TOKEN_BAD);
    message_token_make(k1, "edu", N1, T0 + 10 * MESSAGE_TOKEN_TTL, tok);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, strlen(tok), T0), MESSAGE_TOKEN_BAD);
    message_token_make(k1, "edu", N1, T0, tok);
    tok[n - 1] = tok[n - 1] == '0' ? '1' : '0';
    assert_int_equal(message_token_check(k1, "edu", N1, tok, n, T0 + 10), MESSAGE_TOKEN_BAD);
    /* Moving the time forward breaks the MAC. */
    message_token_make(k1, "edu", N1, T0 - MESSAGE_TOKEN_TTL - 5, tok);
    char forged[MESSAGE_TOKEN_MAX];
    snprintf(forged, sizeof forged, "%lld%s", (long long)T0, strchr(tok, '.'));
    assert_int_equal(message_token_check(k1, "edu", N1, forged, strlen(forged), T0 + 1),
                     MESSAGE_TOKEN_BAD);
    assert_int_equal(message_token_check(k1, "edu", N1, "", 0, T0), MESSAGE_TOKEN_BAD);
    assert_int_equal(message_token_check(k1, "edu", N1, "x.y", 3, T0), MESSAGE_TOKEN_BAD);
    memset(k2, 7, sizeof k2);
    message_token_make(k2, "edu", N1, T0, tok);
    assert_int_equal(message_token_check(k1, "edu", N1, tok, strlen(tok), T0), MESSAGE_TOKEN_BAD);

    char a[MESSAGE_NONCE_LEN + 1], b[MESSAGE_NONCE_LEN + 1];
    assert_int_equal(message_nonce_new(a), 0);
    assert_int_equal(message_nonce_new(b), 0);
    assert_true(message_nonce_ok(a, strlen(a)));
    assert_string_not_equal(a, b);
    assert_false(message_nonce_ok(a, MESSAGE_NONCE_LEN - 1));
    assert_false(message_nonce_ok("0123456789abcdef0123456789abcdeg", MESSAGE_NONCE_LEN));
}

static void test_prefixes(void **state)
{
    (void)state;
    char p[64];
    assert_true(message_addr_prefix("203.0.113.77", p, sizeof p));
    assert_string_equal(p, "203.0.113.0/24");
    assert_true(message_addr_prefix("::ffff:203.0.113.9", p, sizeof p));
    assert_string_equal(p, "203.0.113.0/24"); /* mapped: the same network */
    assert_true(message_addr_prefix("2001:db8:1:2:aaaa:bbbb:cccc:dddd", p, sizeof p));
    assert_string_equal(p, "2001:db8:1:2::/64");
    assert_true(message_addr_prefix("2001:db8:1:2::1", p, sizeof p));
    assert_string_equal(p, "2001:db8:1:2::/64");
    assert_true(message_addr_prefix("2001:db8:1:3::1", p, sizeof p));
    assert_string_equal(p, "2001:db8:1:3::/64");
    assert_false(message_addr_prefix("-", p, sizeof p));
    assert_false(message_addr_prefix("203.0.113", p, sizeof p));
    assert_false(message_addr_prefix("203.0.113.77", p, 8)); /* does not fit */
}

static message_limit_kind_t admit(store_t *s, const char *site, const char *addr,
                                  const message_limits_t *l, uint64_t bytes, int64_t now,
                                  int64_t *ra)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    assert_non_null(w);
    message_limit_kind_t k = MESSAGE_LIMIT_KINDS;
    assert_int_equal(message_admit(w, site, addr, l, bytes, now, &k, ra), 0);
    assert_int_equal(store_commit(w), 0);
    return k;
}

static void test_admit(void **state)
{
    fixture_t *f = *state;
    int64_t ra = 0;
    message_limits_t l = {.per_address = 2, .per_prefix = 3, .per_site_day = 5,
                          .bytes_per_day = 1000, .reserve = 0};
    /* Two from one address, then its limit; a third from its /24 passes, a fourth from
     * the same /24 is the network's limit, and a refusal takes no count of another. */
    assert_int_equal(admit(f->s, "edu", "10.1.2.3", &l, 10, T0, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "edu", "10.1.2.3", &l, 10, T0 + 1, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "edu", "10.1.2.3", &l, 10, T0 + 2, &ra), MESSAGE_LIMIT_ADDRESS);
    assert_true(ra == 3600 - 2);
    assert_int_equal(admit(f->s, "edu", "10.1.2.4", &l, 10, T0 + 3, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "edu", "10.1.2.5", &l, 10, T0 + 4, &ra), MESSAGE_LIMIT_PREFIX);
    assert_true(ra == 3600 - 4);
    /* IPv6: one /64 is one network, whatever the interface identifiers. */
    assert_int_equal(admit(f->s, "fgw", "2001:db8::1", &l, 10, T0, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "fgw", "2001:db8::2", &l, 10, T0, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "fgw", "2001:db8::3", &l, 10, T0, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "fgw", "2001:db8::4", &l, 10, T0, &ra), MESSAGE_LIMIT_PREFIX);
    assert_int_equal(admit(f->s, "fgw", "2001:db8:0:1::4", &l, 10, T0, &ra), MESSAGE_LIMIT_NONE);
    /* edu has 3 today; two more from elsewhere fill its day (5), then the day's cap. T0
     * is 10:00 in UTC+8: 14 hours to midnight. */
    assert_int_equal(admit(f->s, "edu", "10.9.0.1", &l, 10, T0 + 5, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "edu", "10.8.0.1", &l, 10, T0 + 6, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "edu", "10.7.0.1", &l, 10, T0 + 7, &ra), MESSAGE_LIMIT_SITE_DAY);
    assert_true(ra == 14 * 3600 - 7);
    /* The next day the site takes messages again. */
    assert_int_equal(admit(f->s, "edu", "10.7.0.1", &l, 10, T0 + 14 * 3600, &ra),
                     MESSAGE_LIMIT_NONE);
    /* The byte budget is the cluster's: 1000 a day across sites. 9 x 10 so far today on
     * the 10th (fgw 4, edu 5); a message of 911 does not fit, one of 910 does. */
    assert_int_equal(admit(f->s, "zzz", "10.6.0.1", &l, 911, T0 + 8, &ra), MESSAGE_LIMIT_BUDGET);
    assert_true(ra == 14 * 3600 - 8);
    assert_int_equal(admit(f->s, "zzz", "10.6.0.1", &l, 910, T0 + 9, &ra), MESSAGE_LIMIT_NONE);
    assert_int_equal(admit(f->s, "zzz", "10.6.0.2", &l, 1, T0 + 10, &ra), MESSAGE_LIMIT_BUDGET);
    /* The reserve: more than the whole store (16 MiB) is never there. */
    message_limits_t big = l;
    big.reserve = 16u << 20;
    assert_int_equal(admit(f->s, "res", "10.5.0.1", &big, 1, T0 + 14 * 3600, &ra),
                     MESSAGE_LIMIT_RESERVE);
    assert_true(ra == 3600);
    big.reserve = 1u << 20;
    assert_int_equal(admit(f->s, "res", "10.5.0.1", &big, 1, T0 + 14 * 3600, &ra),
                     MESSAGE_LIMIT_NONE);
    /* The sweep drops the hour windows past their hour and the counts of past days. */
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_true(message_rate_sweep(w, T0 + 14 * 3600 + 3600) > 0);
    assert_int_equal(message_rate_sweep(w, T0 + 14 * 3600 + 3600), 0);
    assert_int_equal(store_commit(w), 0);
}

static void test_store_room(void **state)
{
    fixture_t *f = *state;
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    uint64_t before = 0, after = 0;
    assert_int_equal(store_room(w, &before), 0);
    assert_true(before > (15u << 20) && before <= (16u << 20));
    static char big[256 * 1024];
    memset(big, 'x', sizeof big);
    assert_int_equal(store_content_put(w, "big", 3, big, sizeof big), 0);
    /* The transaction sees its own writes: at least the value's pages are gone. */
    assert_int_equal(store_room(w, &after), 0);
    assert_true(after <= before - sizeof big);
    assert_int_equal(store_commit(w), 0);
    /* Deleted, its pages go to the free list, which counts as room again. */
    w = store_write_begin(f->s, &rc);
    assert_int_equal(store_content_del(w, "big", 3), 0);
    assert_int_equal(store_commit(w), 0);
    w = store_write_begin(f->s, &rc);
    assert_int_equal(store_room(w, &after), 0);
    assert_true(after + 8 * 4096 >= before);
    store_abort(w);
}

static void test_codes(void **state)
{
    char a[MESSAGE_CODE_LEN + 1], b[MESSAGE_CODE_LEN + 1];
    assert_int_equal(message_code_new(a), 0);
    assert_int_equal(message_code_new(b), 0);
    assert_int_equal(strlen(a), MESSAGE_CODE_LEN);
    assert_true(message_code_ok(a, strlen(a)));
    assert_string_not_equal(a, b);
    assert_false(message_code_ok("AAAAAAAAAAAAAAAAAAAA", 20));
    assert_false(message_code_ok("aaaa", 4));
    assert_false(message_code_ok("aaaaaaaaaaaaaaaaaaa1", 20));
}

static void test_text(void **state)
{
    size_t n = 0;
    assert_true(message_text_ok("张三abc", strlen("张三abc"), false, &n));
    assert_int_equal(n, 5); /* characters, not bytes */
    assert_true(message_text_ok("a\r\nb", 4, true, &n));
    assert_false(message_text_ok("a\nb", 3, false, &n));
    assert_false(message_text_ok("a\0b", 3, true, &n));
    assert_false(message_text_ok("\xff", 1, true, &n));
    assert_false(message_text_ok("\xc0\xaf", 2, true, &n));     /* overlong '/' */
    assert_false(message_text_ok("\xed\xa0\x80", 3, true, &n)); /* surrogate */
    assert_false(message_text_ok("\xe5\xbc", 2, true, &n));     /* truncated */
    assert_false(message_text_ok("\xf4\x90\x80\x80", 4, true, &n));

    util_buf_t b = {0};
    message_mask_name(&b, "张三");
    util_buf_appends(&b, "|");
    message_mask_name(&b, "欧阳修文");
    util_buf_appends(&b, "|");
    message_mask_phone(&b, "13812345678");
    util_buf_appends(&b, "|");
    message_mask_phone(&b, "12345");
    util_buf_appends(&b, "|");
    message_mask_name(&b, "李");
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, "张*|欧***|138****5678|***45|李*");
    util_buf_free(&b);

    assert_int_equal(message_days(T0, T0 + 3600), 1);
    assert_int_equal(message_days(T0, T0 + MESSAGE_DAY), 1);
    assert_int_equal(message_days(T0, T0 + MESSAGE_DAY + 1), 2);
}

/* A hand-made site with the interaction module's settings in its slot, as conf_load gives
 * a loaded site (core/module.h); slots has room for every module. */
static void with_reply_days(conf_site_t *site, void **slots, interaction_site_conf_t *ic,
                            uint64_t days)
{
    *ic = *interaction_site_conf(NULL);
    ic->reply_days = days;
    assert_true(modules_count() <= 16);
    for (size_t i = 0; modules_list[i]; i++)
        slots[i] = modules_list[i] == &module_interaction ? (void *)ic : NULL;
    site->mod = slots;
}

typedef struct lines {
    int n;
    char last[512];
} lines_t;

static void emit(void *ud, const char *line)
{
    lines_t *l = ud;
    l->n++;
    snprintf(l->last, sizeof l->last, "%s", line);
}

static void test_stats_and_overdue(void **state)
{
    fixture_t *f = *state;
    /* March 2026: one answered in 2 days, one in 20, one open; April: one open, recent.
     * December 2025 does not count in 2026. */
    int64_t now = T0 + 40 * MESSAGE_DAY; /* 2026-04-19 */
    add(f->s, A, "fast", T0);
    add(f->s, B, "slow", T0 + 3600);
    add(f->s, C, "open", T0 + 7200);
    add(f->s, "dddddddddddddddddddd", "april", now - 2 * MESSAGE_DAY);
    add(f->s, "eeeeeeeeeeeeeeeeeeee", "last year", T0 - 90 * MESSAGE_DAY);
    reply(f->s, A, "ok", T0 + 2 * MESSAGE_DAY);
    reply(f->s, B, "ok", T0 + 3600 + 20 * MESSAGE_DAY);
    store_txn_t *t = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(t), 0);
    message_stat_t mo[12], tot;
    assert_int_equal(message_stats(t, "edu", "xx", 2026, 15, now, mo, &tot), 0);
    assert_int_equal(mo[2].received, 3);
    assert_int_equal(mo[2].answered, 2);
    assert_int_equal(mo[2].in_time, 1);
    assert_int_equal(mo[2].overdue, 1);
    assert_true(mo[2].days_sum > 21.9 && mo[2].days_sum < 22.1);
    assert_int_equal(mo[3].received, 1);
    assert_int_equal(mo[3].overdue, 0);
    assert_int_equal(mo[11].received, 0);
    assert_int_equal(tot.received, 4);
    assert_int_equal(tot.overdue, 1);

    conf_site_t site = {.id = "edu"};
    void *slots[16];
    interaction_site_conf_t ic;
    with_reply_days(&site, slots, &ic, 15);
    conf_column_t col = {.id = "xx", .type = COLUMN_INTERACTION};
    site.columns = &col;
    site.ncolumns = 1;
    conf_t c = {.sites = &site, .nsites = 1};
    lines_t l = {0};
    /* "open" (39 days) and "last year" (130 days) are overdue; "april" is not. */
    assert_int_equal(message_report_overdue(t, &c, now, emit, &l), 2);
    assert_int_equal(l.n, 2);
    assert_non_null(strstr(l.last, "edu/xx: message eeeeeeeeeeeeeeeeeeee"));
    ic.reply_days = 200;
    l.n = 0;
    assert_int_equal(message_report_overdue(t, &c, now, emit, &l), 0);
    store_txn_free(t);
}

static int collect_all(void *ud, const message_t *m)
{
    return collect(ud, m);
}

static void test_spam(void **state)
{
    fixture_t *f = *state;
    add(f->s, A, "real", T0);
    add(f->s, B, "spam answered", T0 + 100);
    add(f->s, C, "spam open", T0 + MESSAGE_DAY);
    reply(f->s, B, "ok", T0 + 200);
    int rc;
    store_txn_t *w = store_write_begin(f->s, &rc);
    assert_int_equal(message_mark_spam(w, B, "管理员", T0 + 300), 0);
    assert_int_equal(message_mark_spam(w, C, "管理员", T0 + 300), 0);
    assert_int_equal(message_mark_spam(w, C, "another", T0 + 400), 1); /* once */
    assert_int_equal(message_mark_spam(w, "dddddddddddddddddddd", "x", T0), STORE_NOTFOUND);
    assert_int_equal(store_commit(w), 0);
    store_txn_t *t = store_read_txn_new(f->s);
    assert_int_equal(store_read_renew(t), 0);
    seen_t all = {0}, ans = {0}, spam = {0};
    assert_int_equal(message_each(t, "edu", "xx", false, 0, SIZE_MAX, collect, &all), 0);
    assert_int_equal(all.n, 1);
    assert_string_equal(all.codes[0], A);
    message_each(t, "edu", "xx", true, 0, SIZE_MAX, collect, &ans);
    assert_int_equal(ans.n, 0);
    assert_int_equal(message_spam_each(t, "edu", "xx", collect_all, &spam), 0);
    assert_int_equal(spam.n, 2);
    assert_string_equal(spam.codes[0], C);
    uint64_t rec, an;
    message_counts(t, "edu", "xx", &rec, &an);
    assert_int_equal(rec, 1);
    assert_int_equal(an, 0);
    message_t m;
    assert_int_equal(message_get(t, C, &m), 0);
    assert_true(m.spam_time == T0 + 300);
    assert_string_equal(m.spam_by, "管理员");
    assert_string_equal(m.title, "spam open");
    assert_int_equal(message_get(t, A, &m), 0);
    assert_true(m.spam_time == 0);
    assert_string_equal(m.spam_by, "");
    /* Out of the statistics and the overdue report too. */
    message_stat_t mo[12], tot;
    assert_int_equal(message_stats(t, "edu", "xx", 2026, 15, T0 + 40 * MESSAGE_DAY, mo, &tot), 0);
    assert_int_equal(tot.received, 1);
    conf_site_t site = {.id = "edu"};
    void *slots[16];
    interaction_site_conf_t ic;
    with_reply_days(&site, slots, &ic, 15);
    conf_column_t col = {.id = "xx", .type = COLUMN_INTERACTION};
    site.columns = &col;
    site.ncolumns = 1;
    conf_t c = {.sites = &site, .nsites = 1};
    lines_t l = {0};
    assert_int_equal(message_report_overdue(t, &c, T0 + 40 * MESSAGE_DAY, emit, &l), 1);
    store_read_reset(t);
    /* A reply to a spam message keeps it out of the public list. */
    reply(f->s, C, "ignored", T0 + 500);
    assert_int_equal(store_read_renew(t), 0);
    seen_t ans2 = {0};
    message_each(t, "edu", "xx", true, 0, SIZE_MAX, collect, &ans2);
    assert_int_equal(ans2.n, 0);
    assert_int_equal(message_get(t, C, &m), 0);
    assert_int_equal(m.nreplies, 1);
    assert_string_equal(m.spam_by, "管理员");
    store_txn_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_reply_trail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_text),
        cmocka_unit_test_setup_teardown(test_stats_and_overdue, setup, teardown),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test_setup_teardown(test_admit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spam, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
