/* tests/unit/test_accounts.c: web console accounts (modules/accounts/): login names, the
 * role syntax and what each role allows (SITE/\* over a parent chain, a disabled account),
 * records through the store and refused when malformed, Argon2id hashing and
 * verification, the password rules and generated passwords, and the failed-login limit
 * with exact times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "accounts.h"
#include "rec.h"
#include "testutil.h"

/* ------------------------------------------------------------------ names */

static void test_names(void **state)
{
    (void)state;
    const char *good[] = {"a", "li.hua", "edu_editor-2", "0day", "abcdefghijklmnopqrstuvwxyz012345"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!account_name_ok(good[i]))
            fail_msg("refused '%s'", good[i]);
    const char *bad[] = {"", "abcdefghijklmnopqrstuvwxyz0123456", "Li", ".a", "-a", "_a", "a/b",
                         "../x", "a b", "a\n", "李华", "a:b", "a*", "a@b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (account_name_ok(bad[i]))
            fail_msg("accepted '%s'", bad[i]);
}

/* ------------------------------------------------------------------ roles */

static account_role_t role(const char *text)
{
    account_role_t r;
    char err[160];
    if (!account_role_parse(text, &r, err, sizeof err))
        fail_msg("'%s' refused: %s", text, err);
    return r;
}

static void test_role_parse(void **state)
{
    (void)state;
    account_role_t r = role("editor:edu");
    assert_int_equal(r.kind, ACCOUNT_ROLE_EDITOR);
    assert_string_equal(r.site, "edu");
    assert_false(r.subtree);
    r = role("site_admin:anning/*");
    assert_int_equal(r.kind, ACCOUNT_ROLE_SITE_ADMIN);
    assert_string_equal(r.site, "anning");
    assert_true(r.subtree);
    r = role("cluster_admin");
    assert_int_equal(r.kind, ACCOUNT_ROLE_CLUSTER_ADMIN);
    assert_string_equal(r.site, "");
    r = role("replier:abcdefghijklmnopqrstuvwxyz-12345/*"); /* a 32-byte site id */
    assert_string_equal(r.site, "abcdefghijklmnopqrstuvwxyz-12345");

    const char *texts[] = {"editor:edu", "reviewer:xian/*", "replier:a-b", "site_admin:x/*",
                           "cluster_admin"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char buf[ACCOUNT_ROLE_TEXT_MAX];
        r = role(texts[i]);
        assert_string_equal(account_role_format(&r, buf), texts[i]);
    }

    struct {
        const char *text, *why;
    } bad[] = {
        {"editor", "needs a site"},
        {"editor:", "bad site"},
        {"editor:/*", "bad site"},
        {"editor:*", "bad site"},
        {"editor:a*b", "bad site"},
        {"editor:*/edu", "bad site"},
        {"editor:a/*/b", "bad site"},
        {"editor:edu/", "bad site"},
        {"editor:edu/**", "bad site"},
        {"editor:edu/x", "bad site"},
        {"editor:Edu", "bad site"},
        {"editor:edu:x", "bad site"},
        {"editor:ed u", "bad site"},
        {"editor:abcdefghijklmnopqrstuvwxyz-123456", "bad site"}, /* 33 bytes */
        {"cluster_admin:edu", "takes no site"},
        {"cluster_admin:", "takes no site"},
        {"Editor:edu", "unknown role"},
        {"root:edu", "unknown role"},
        {":edu", "unknown role"},
        {"", "unknown role"},
        {"site_admin:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[160] = "";
        if (account_role_parse(bad[i].text, &r, err, sizeof err))
            fail_msg("accepted '%s'", bad[i].text);
        if (!strstr(err, bad[i].why))
            fail_msg("'%s': '%s' does not say '%s'", bad[i].text, err, bad[i].why);
    }
}

/* A configuration of sites sorted by id, with parent links as conf_load makes them:
 * portal <- edu; portal <- xian <- zhen <- cun; portal <- anning. */
typedef struct fixture_conf {
    conf_t c;
    conf_site_t sites[6];
} fixture_conf_t;

static void make_conf(fixture_conf_t *f)
{
    memset(f, 0, sizeof *f);
    static const char *const ids[] = {"anning", "cun", "edu", "portal", "xian", "zhen"};
    static const int parent[] = {3, 5, 3, -1, 3, 4};
    for (size_t i = 0; i < 6; i++) {
        f->sites[i].id = (char *)ids[i];
        f->sites[i].parent = parent[i] >= 0 ? &f->sites[parent[i]] : NULL;
    }
    f->c.sites = f->sites;
    f->c.nsites = 6;
}

static account_t make_acct(const char *name, const char *const *roles, size_t n)
{
    account_t a = {0};
    snprintf(a.name, sizeof a.name, "%s", name);
    account_role_t rs[8];
    for (size_t i = 0; i < n; i++)
        rs[i] = role(roles[i]);
    assert_true(account_set_roles(&a, rs, n));
    return a;
}

static void test_permission(void **state)
{
    (void)state;
    fixture_conf_t f;
    make_conf(&f);
    const conf_t *c = &f.c;

    const char *r1[] = {"editor:xian/*"};
    account_t a = make_acct("a", r1, 1);
    assert_true(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "xian"));
    assert_true(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "zhen"));
    assert_true(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "cun")); /* two links up */
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "portal")); /* above, not under */
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "edu"));    /* a sibling */
    assert_false(account_may(&a, ACCOUNT_ROLE_REVIEWER, c, "zhen")); /* another role */
    assert_false(account_may(&a, ACCOUNT_ROLE_SITE_ADMIN, c, "xian"));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, NULL));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "nowhere"));

    const char *r2[] = {"editor:xian"};
    a = make_acct("b", r2, 1);
    assert_true(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "xian"));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "zhen")); /* without /\*: the site only */

    const char *r3[] = {"site_admin:zhen/*", "replier:edu"};
    a = make_acct("c", r3, 2);
    for (int k = ACCOUNT_ROLE_EDITOR; k <= ACCOUNT_ROLE_SITE_ADMIN; k++) {
        assert_true(account_may(&a, (account_role_kind_t)k, c, "zhen"));
        assert_true(account_may(&a, (account_role_kind_t)k, c, "cun"));
        assert_false(account_may(&a, (account_role_kind_t)k, c, "xian"));
    }
    assert_false(account_may(&a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, "zhen"));
    assert_true(account_may(&a, ACCOUNT_ROLE_REPLIER, c, "edu"));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "edu"));

    const char *r4[] = {"cluster_admin"};
    a = make_acct("d", r4, 1);
    for (size_t i = 0; i < 6; i++)
        for (int k = 0; k < ACCOUNT_ROLE_COUNT; k++)
            assert_true(account_may(&a, (account_role_kind_t)k, c, f.sites[i].id));
    assert_true(account_may(&a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, NULL));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "nowhere"));

    /* disabled: nothing, whatever the roles */
    a.disabled = true;
    assert_false(account_may(&a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, NULL));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "edu"));
    a = make_acct("e", r1, 1);
    a.disabled = true;
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "xian"));
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "zhen"));

    /* no roles: nothing */
    a = make_acct("f", NULL, 0);
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "edu"));

    /* a loop in hand-made parent links ends (conf_load refuses them) */
    f.sites[3].parent = &f.sites[5]; /* portal under zhen */
    a = make_acct("g", (const char *[]){"editor:anning/*"}, 1);
    assert_false(account_may(&a, ACCOUNT_ROLE_EDITOR, c, "cun"));
}

static void test_set_roles_dedup_and_cap(void **state)
{
    (void)state;
    account_t a = {0};
    account_role_t rs[ACCOUNT_ROLES_MAX + 1];
    rs[0] = role("editor:edu");
    rs[1] = role("editor:edu");
    rs[2] = role("editor:edu/*");
    assert_true(account_set_roles(&a, rs, 3));
    assert_int_equal(a.nroles, 2);
    util_buf_t b = {0};
    account_roles_text(&a, &b);
    util_buf_append(&b, "", 1);
    assert_string_equal(b.data, "editor:edu, editor:edu/*");
    util_buf_free(&b);
    for (size_t i = 0; i <= ACCOUNT_ROLES_MAX; i++) {
        char t[40];
        snprintf(t, sizeof t, "editor:s%zu", i);
        rs[i] = role(t);
    }
    assert_true(account_set_roles(&a, rs, ACCOUNT_ROLES_MAX));
    assert_false(account_set_roles(&a, rs, ACCOUNT_ROLES_MAX + 1));
}

/* ------------------------------------------------------------------ records */

static int setup(void **state)
{
    return testutil_store_setup(state, "/tmp/jiyue-accounts-XXXXXX", NULL);
}

static store_t *st(void **state)
{
    return ((testutil_store_t *)*state)->s;
}

static account_t sample(const char *name)
{
    const char *roles[] = {"editor:edu", "reviewer:xian/*", "cluster_admin"};
    account_t a = make_acct(name, roles, 3);
    snprintf(a.hash, sizeof a.hash, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    a.created = 1700000000;
    a.changed = 1700000100;
    a.last_login = 1700000200;
    a.fails = (account_throttle_t){3, 1700000300};
    return a;
}

static void expect_same(const account_t *a, const account_t *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->hash, b->hash);
    assert_int_equal(a->disabled, b->disabled);
    assert_int_equal(a->created, b->created);
    assert_int_equal(a->changed, b->changed);
    assert_int_equal(a->last_login, b->last_login);
    assert_int_equal(a->fails.failures, b->fails.failures);
    assert_int_equal(a->fails.window_start, b->fails.window_start);
    assert_int_equal(a->nroles, b->nroles);
    for (size_t i = 0; i < a->nroles; i++)
        assert_true(account_role_equal(&a->roles[i], &b->roles[i]));
}

typedef struct names {
    char v[8][ACCOUNT_NAME_MAX + 1];
    size_t n;
} names_t;

static int collect(void *ud, const account_t *a)
{
    names_t *n = ud;
    snprintf(n->v[n->n++], sizeof n->v[0], "%s", a->name);
    return 0;
}

static void test_records_round_trip(void **state)
{
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    assert_non_null(w);
    account_t a = sample("li.hua"), b = sample("a-admin"), c = sample("zz");
    c.disabled = true;
    c.nroles = 0;
    assert_int_equal(account_put(w, &a), 0);
    assert_int_equal(account_put(w, &b), 0);
    assert_int_equal(account_put(w, &c), 0);
    account_t bad = sample("x");
    snprintf(bad.name, sizeof bad.name, "a/b");
    assert_int_equal(account_put(w, &bad), STORE_EKEY);
    assert_int_equal(store_commit(w), 0);

    store_txn_t *t = store_read_txn_new(st(state));
    assert_int_equal(store_read_renew(t), 0);
    account_t got;
    assert_int_equal(account_get(t, "li.hua", &got), 0);
    expect_same(&a, &got);
    assert_int_equal(account_get(t, "zz", &got), 0);
    expect_same(&c, &got);
    assert_true(got.disabled);
    assert_int_equal(account_get(t, "nobody", &got), STORE_NOTFOUND);
    assert_int_equal(account_get(t, "a/b", &got), STORE_NOTFOUND);
    assert_int_equal(account_get(t, "", &got), STORE_NOTFOUND);
    names_t n = {0};
    assert_int_equal(account_each(t, collect, &n), 0);
    assert_int_equal(n.n, 3);
    assert_string_equal(n.v[0], "a-admin");
    assert_string_equal(n.v[1], "li.hua");
    assert_string_equal(n.v[2], "zz");
    store_txn_free(t);
}

static void test_records_malformed(void **state)
{
    account_t a = sample("li.hua"), out;
    util_buf_t b = {0};
    account_encode(&a, &b);
    assert_int_equal(account_decode(b.data, b.len, &out), 0);
    /* every truncation, and one byte more, is refused */
    for (size_t len = 0; len < b.len; len++)
        if (account_decode(b.data, len, &out) != STORE_ECORRUPT)
            fail_msg("a record cut at %zu of %zu decoded", len, b.len);
    util_buf_append(&b, "x", 1);
    assert_int_equal(account_decode(b.data, b.len, &out), STORE_ECORRUPT);
    util_buf_free(&b);

    /* a role kind out of range, a site that is not a site id (or holds a NUL), a role without
     * a site, a cluster_admin with one */
    struct {
        uint8_t kind, subtree;
        const char *site;
        size_t len; /* of site, when not strlen's */
    } roles[] = {{ACCOUNT_ROLE_COUNT, 0, "edu", 0},   {ACCOUNT_ROLE_EDITOR, 0, "a*b", 0},
                 {ACCOUNT_ROLE_EDITOR, 0, "", 0},        {ACCOUNT_ROLE_CLUSTER_ADMIN, 0, "edu", 0},
                 {ACCOUNT_ROLE_CLUSTER_ADMIN, 1, "", 0}, {ACCOUNT_ROLE_EDITOR, 2, "edu", 0},
                 {ACCOUNT_ROLE_EDITOR, 0, "edu\0x", 5}};
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
        util_buf_t r = {0};
        rec_put_head(&r, "JYAC", 1);
        rec_put_str(&r, "li.hua");
        rec_put_str(&r, "h");
        rec_put_n(&r, 0, 1);
        for (int k = 0; k < 3; k++)
            rec_put_n(&r, 0, 8);
        rec_put_n(&r, 0, 4);
        rec_put_n(&r, 0, 8);
        rec_put_n(&r, 1, 4);
        rec_put_n(&r, roles[i].kind, 1);
        rec_put_n(&r, roles[i].subtree, 1);
        rec_put_strn(&r, roles[i].site, roles[i].len ? roles[i].len : strlen(roles[i].site));
        if (account_decode(r.data, r.len, &out) != STORE_ECORRUPT)
            fail_msg("role %zu decoded", i);
        util_buf_free(&r);
    }

    /* a record stored under another account's key is not that account */
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    util_buf_t v = {0};
    account_encode(&a, &v);
    assert_int_equal(store_meta_put(w, "account/admin", v.data, v.len), 0);
    util_buf_free(&v);
    assert_int_equal(account_get(w, "admin", &out), STORE_ECORRUPT);
    assert_false(out.nroles);
    names_t n = {0};
    assert_int_equal(account_each(w, collect, &n), STORE_ECORRUPT);
    store_abort(w);
}

static void test_address_counters(void **state)
{
    assert_true(account_address_ok("203.0.113.7"));
    assert_true(account_address_ok("2001:db8::1"));
    assert_true(account_address_ok("::ffff:203.0.113.7"));
    assert_false(account_address_ok(""));
    assert_false(account_address_ok("2001:DB8::1")); /* one spelling per address */
    assert_false(account_address_ok("1.2.3.4/24"));
    assert_false(account_address_ok("x"));
    assert_false(account_address_ok("1111:2222:3333:4444:5555:6666:7777:8888:9999:0"));
    int rc;
    store_txn_t *w = store_write_begin(st(state), &rc);
    account_throttle_t th = {7, 1700000000}, got = {1, 1};
    assert_int_equal(account_address_get(w, "203.0.113.7", &got), 0);
    assert_int_equal(got.failures, 0);
    assert_int_equal(account_address_put(w, "203.0.113.7", &th), 0);
    assert_int_equal(account_address_get(w, "203.0.113.7", &got), 0);
    assert_int_equal(got.failures, 7);
    assert_int_equal(got.window_start, 1700000000);
    assert_int_equal(account_address_put(w, "1.2.3.4/8", &th), STORE_EKEY);
    assert_int_equal(account_address_get(w, "../x", &got), STORE_EKEY);
    th = (account_throttle_t){0};
    assert_int_equal(account_address_put(w, "203.0.113.7", &th), 0);
    const void *v;
    size_t len;
    assert_int_equal(store_meta_get(w, "login/203.0.113.7", &v, &len), STORE_NOTFOUND);
    assert_int_equal(account_address_put(w, "203.0.113.7", &th), 0); /* deleting none: fine */
    store_abort(w);
}

/* ------------------------------------------------------------------ passwords */

static void test_hash_and_verify(void **state)
{
    (void)state;
    const char *pw = "correct horse battery";
    char h1[ACCOUNT_HASH_MAX], h2[ACCOUNT_HASH_MAX], err[160];
    assert_int_equal(account_password_hash(pw, strlen(pw), h1, sizeof h1, err, sizeof err), 0);
    assert_int_equal(account_password_hash(pw, strlen(pw), h2, sizeof h2, err, sizeof err), 0);
    /* the standard encoding with at least OWASP's parameters, a 16-byte salt (22 base64
     * characters) and a 32-byte hash (43) */
    const char *head = "$argon2id$v=19$m=19456,t=2,p=1$";
    assert_memory_equal(h1, head, strlen(head));
    const char *salt = h1 + strlen(head), *dollar = strchr(salt, '$');
    assert_non_null(dollar);
    assert_int_equal(dollar - salt, 22);
    assert_int_equal(strlen(dollar + 1), 43);
    assert_string_not_equal(h1, h2); /* a fresh salt each time */
    assert_null(strstr(h1, pw));

    assert_true(account_password_verify(h1, pw, strlen(pw)));
    assert_true(account_password_verify(h2, pw, strlen(pw)));
    assert_false(account_password_verify(h1, "correct horse batterY", strlen(pw)));
    assert_false(account_password_verify(h1, pw, strlen(pw) - 1));
    assert_false(account_password_verify(h1, "", 0));
    assert_false(account_password_verify(NULL, pw, strlen(pw)));
    assert_false(account_password_verify("", pw, strlen(pw)));
    assert_false(account_password_verify("plain text", pw, strlen(pw)));
    char other[ACCOUNT_HASH_MAX];
    snprintf(other, sizeof other, "%s", h1);
    other[strlen(other) - 2] ^= 1; /* one bit of the stored hash */
    assert_false(account_password_verify(other, pw, strlen(pw)));
    /* an Argon2i hash of the same password is not accepted as Argon2id */
    memcpy(other, "$argon2i$", 9);
    memmove(other + 9, h1 + 10, strlen(h1 + 10) + 1);
    assert_false(account_password_verify(other, pw, strlen(pw)));
}

static void test_password_rules(void **state)
{
    (void)state;
    char err[160];
    assert_false(account_password_ok("123456789", 9, err, sizeof err));
    assert_non_null(strstr(err, "at least 10 characters"));
    assert_true(account_password_ok("1234567890", 10, err, sizeof err));
    const char *cn9 = "一二三四五六七八九", *cn10 = "一二三四五六七八九十";
    assert_false(account_password_ok(cn9, strlen(cn9), err, sizeof err)); /* 27 bytes, 9 characters */
    assert_true(account_password_ok(cn10, strlen(cn10), err, sizeof err));
    assert_false(account_password_ok("1234567890\nx", 12, err, sizeof err));
    assert_non_null(strstr(err, "one line"));
    assert_false(account_password_ok("1234567890\0x", 12, err, sizeof err));
    assert_false(account_password_ok("12345\t67890", 11, err, sizeof err));
    assert_false(account_password_ok("12345\x7f" "67890", 11, err, sizeof err));
    char big[ACCOUNT_PASSWORD_MAX + 1];
    memset(big, 'a', sizeof big);
    assert_true(account_password_ok(big, ACCOUNT_PASSWORD_MAX, err, sizeof err));
    assert_false(account_password_ok(big, ACCOUNT_PASSWORD_MAX + 1, err, sizeof err));
    assert_non_null(strstr(err, "too long"));
    assert_null(strstr(err, "aaaa")); /* never the password */
}

static void test_generated_passwords(void **state)
{
    (void)state;
    char a[32], b[32], err[160];
    assert_int_equal(account_password_generate(a, sizeof a), 0);
    assert_int_equal(account_password_generate(b, sizeof b), 0);
    assert_int_equal(strlen(a), ACCOUNT_PASSWORD_GEN_LEN);
    assert_string_not_equal(a, b);
    for (size_t i = 0; a[i]; i++)
        assert_non_null(strchr("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", a[i]));
    assert_true(account_password_ok(a, strlen(a), err, sizeof err));
    assert_int_equal(account_password_generate(a, ACCOUNT_PASSWORD_GEN_LEN), -1); /* no room */
}

/* ------------------------------------------------------------------ the throttle */

static void test_throttle_account(void **state)
{
    (void)state;
    account_throttle_t t = {0};
    const uint32_t max = ACCOUNT_THROTTLE_PER_ACCOUNT;
    assert_int_equal(max, 5);
    assert_int_equal(ACCOUNT_THROTTLE_WINDOW, 900);
    assert_int_equal(account_throttle_wait(&t, max, 1000), 0);
    for (int i = 0; i < 4; i++) {
        account_throttle_fail(&t, 1000 + i);
        assert_int_equal(account_throttle_wait(&t, max, 1000 + i), 0); /* 1..4 failures: go on */
    }
    account_throttle_fail(&t, 1004); /* the 5th within the window opened at 1000 */
    assert_int_equal(t.failures, 5);
    assert_int_equal(t.window_start, 1000);
    assert_int_equal(account_throttle_wait(&t, max, 1004), 896);
    assert_int_equal(account_throttle_wait(&t, max, 1899), 1);
    assert_int_equal(account_throttle_wait(&t, max, 1900), 0); /* the window has closed */
    account_throttle_fail(&t, 1900);                           /* opens a new one */
    assert_int_equal(t.failures, 1);
    assert_int_equal(t.window_start, 1900);
    assert_int_equal(account_throttle_wait(&t, max, 1900), 0);

    /* failures spread out: the 5th at 1000 + 899 still counts, one at 1000 + 900 does not */
    t = (account_throttle_t){0};
    for (int i = 0; i < 4; i++)
        account_throttle_fail(&t, 1000 + 200 * i);
    account_throttle_fail(&t, 1899);
    assert_int_equal(account_throttle_wait(&t, max, 1899), 1);
    t = (account_throttle_t){0};
    for (int i = 0; i < 4; i++)
        account_throttle_fail(&t, 1000 + 200 * i);
    account_throttle_fail(&t, 1900);
    assert_int_equal(t.failures, 1);
    assert_int_equal(account_throttle_wait(&t, max, 1900), 0);

    /* a success resets */
    t = (account_throttle_t){5, 1000};
    account_throttle_reset(&t);
    assert_int_equal(account_throttle_wait(&t, max, 1001), 0);
    assert_int_equal(t.failures, 0);

    /* a clock set back: the window "in the future" is over, not stretched */
    t = (account_throttle_t){5, 5000};
    assert_int_equal(account_throttle_wait(&t, max, 4000), 0);
    account_throttle_fail(&t, 4000);
    assert_int_equal(t.failures, 1);
    assert_int_equal(t.window_start, 4000);

    /* the count saturates */
    t = (account_throttle_t){UINT32_MAX, 1000};
    account_throttle_fail(&t, 1001);
    assert_int_equal(t.failures, UINT32_MAX);
}

static void test_throttle_address_and_login(void **state)
{
    (void)state;
    assert_int_equal(ACCOUNT_THROTTLE_PER_ADDRESS, 20);
    account_throttle_t addr = {0}, acc = {0};
    /* 19 failures over many names from one address: still allowed */
    for (int i = 0; i < 19; i++)
        account_throttle_fail(&addr, 2000 + i);
    assert_int_equal(account_login_wait(NULL, &addr, 2019), 0);
    assert_int_equal(account_login_wait(&acc, &addr, 2019), 0);
    account_throttle_fail(&addr, 2019); /* the 20th */
    assert_int_equal(account_login_wait(NULL, &addr, 2019), 881);
    assert_int_equal(account_login_wait(&acc, &addr, 2100), 800);
    assert_int_equal(account_login_wait(&acc, &addr, 2900), 0);
    /* the account's limit alone, and the longer of the two */
    addr = (account_throttle_t){0};
    acc = (account_throttle_t){5, 3000};
    assert_int_equal(account_login_wait(&acc, &addr, 3100), 800);
    assert_int_equal(account_login_wait(&acc, NULL, 3100), 800);
    addr = (account_throttle_t){20, 3050};
    assert_int_equal(account_login_wait(&acc, &addr, 3100), 850);
    acc = (account_throttle_t){4, 3000};
    assert_int_equal(account_login_wait(&acc, &addr, 3100), 850);
    addr = (account_throttle_t){19, 3050};
    assert_int_equal(account_login_wait(&acc, &addr, 3100), 0);
    assert_int_equal(account_login_wait(NULL, NULL, 3100), 0);
}

/* A console's sequence: ask, verify, record; with the limits' exact numbers. */
static void test_login_record(void **state)
{
    (void)state;
    account_t a = {0};
    account_throttle_t addr = {0};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(account_login_wait(&a.fails, &addr, 100 + i), 0);
        account_login_record(&a, &addr, false, 100 + i);
    }
    assert_int_equal(account_login_wait(&a.fails, &addr, 104), 896); /* the account waits */
    assert_int_equal(addr.failures, 5);
    /* unknown names count against the address only: 15 more make 20 */
    for (int i = 0; i < 15; i++)
        account_login_record(NULL, &addr, false, 200 + i);
    assert_int_equal(addr.failures, 20);
    assert_int_equal(a.fails.failures, 5);
    account_t b = {0};
    assert_int_equal(account_login_wait(&b.fails, &addr, 214), 786); /* another name waits too */
    /* once both windows are over a success resets the account, not the address */
    account_login_record(&a, &addr, true, 1000);
    assert_int_equal(a.fails.failures, 0);
    assert_int_equal(a.last_login, 1000);
    assert_int_equal(addr.failures, 20);
    assert_int_equal(addr.window_start, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_role_parse),
        cmocka_unit_test(test_permission),
        cmocka_unit_test(test_set_roles_dedup_and_cap),
        cmocka_unit_test_setup_teardown(test_records_round_trip, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_records_malformed, setup, testutil_store_teardown),
        cmocka_unit_test_setup_teardown(test_address_counters, setup, testutil_store_teardown),
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test(test_generated_passwords),
        cmocka_unit_test(test_throttle_account),
        cmocka_unit_test(test_throttle_address_and_login),
        cmocka_unit_test(test_login_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
