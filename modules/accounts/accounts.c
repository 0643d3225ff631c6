/* modules/accounts/accounts.c: account records and their keys in the store's "meta"
 * database, the address counters of failed logins, and the permission rule over an
 * account's roles (accounts.h has the layout). */
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "rec.h"

#define KEY_ACCOUNT "account/"
#define KEY_LOGIN "login/"
#define REC_ACCOUNT "JYAC"
#define REC_LOGIN "JYLA"
/* Room for "account/" or "login/" and a name or an address, and the NUL. */
#define KEYBUF 64

bool account_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ACCOUNT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

bool account_set_roles(account_t *a, const account_role_t *roles, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = account_role_equal(&a->roles[j], &roles[i]);
        if (seen)
            continue;
        if (k == ACCOUNT_ROLES_MAX)
            return false;
        a->roles[k++] = roles[i];
    }
    a->nroles = k;
    return true;
}

void account_roles_text(const account_t *a, util_buf_t *buf)
{
    char t[ACCOUNT_ROLE_TEXT_MAX];
    for (size_t i = 0; i < a->nroles; i++)
        util_buf_printf(buf, "%s%s", i ? ", " : "", account_role_format(&a->roles[i], t));
    if (a->nroles == 0)
        util_buf_appends(buf, "-");
}

bool account_may(const account_t *a, account_role_kind_t want, const conf_t *c,
                 const char *site_id)
{
    if (a->disabled)
        return false;
    for (size_t i = 0; i < a->nroles; i++)
        if (account_role_allows(&a->roles[i], want, c, site_id))
            return true;
    return false;
}

void account_login_record(account_t *a, account_throttle_t *address, bool ok, int64_t now)
{
    if (ok) {
        if (a) {
            account_throttle_reset(&a->fails);
            a->last_login = now;
        }
        return;
    }
    if (a)
        account_throttle_fail(&a->fails, now);
    account_throttle_fail(address, now);
}

/* ------------------------------------------------------------------ records */

void account_encode(const account_t *a, util_buf_t *b)
{
    rec_put_head(b, REC_ACCOUNT, 1);
    rec_put_str(b, a->name);
    rec_put_str(b, a->hash);
    rec_put_n(b, a->disabled ? 1 : 0, 1);
    rec_put_n(b, (uint64_t)a->created, 8);
    rec_put_n(b, (uint64_t)a->changed, 8);
    rec_put_n(b, (uint64_t)a->last_login, 8);
    rec_put_n(b, a->fails.failures, 4);
    rec_put_n(b, (uint64_t)a->fails.window_start, 8);
    rec_put_n(b, a->nroles, 4);
    for (size_t i = 0; i < a->nroles; i++) {
        rec_put_n(b, (uint64_t)a->roles[i].kind, 1);
        rec_put_n(b, a->roles[i].subtree ? 1 : 0, 1);
        rec_put_str(b, a->roles[i].site);
    }
}

int account_decode(const void *data, size_t len, account_t *out)
{
    *out = (account_t){0};
    rec_rd_t r = rec_reader(data, len);
    if (!rec_get_head(&r, REC_ACCOUNT, 1))
        return STORE_ECORRUPT;
    bool ok = rec_get_fixed(&r, out->name, sizeof out->name);
    ok = ok && rec_get_fixed(&r, out->hash, sizeof out->hash);
    uint64_t disabled = rec_get_n(&r, 1);
    out->disabled = disabled != 0;
    out->created = (int64_t)rec_get_n(&r, 8);
    out->changed = (int64_t)rec_get_n(&r, 8);
    out->last_login = (int64_t)rec_get_n(&r, 8);
    out->fails.failures = (uint32_t)rec_get_n(&r, 4);
    out->fails.window_start = (int64_t)rec_get_n(&r, 8);
    uint64_t nroles = rec_get_n(&r, 4);
    ok = ok && disabled <= 1 && nroles <= ACCOUNT_ROLES_MAX;
    for (uint64_t i = 0; ok && i < nroles; i++) {
        account_role_t *role = &out->roles[i];
        uint64_t kind = rec_get_n(&r, 1), subtree = rec_get_n(&r, 1);
        ok = kind < ACCOUNT_ROLE_COUNT && subtree <= 1 &&
             rec_get_fixed(&r, role->site, sizeof role->site) &&
             /* cluster_admin has no site; every other role has one */
             ((kind == ACCOUNT_ROLE_CLUSTER_ADMIN) == (role->site[0] == '\0')) &&
             !(kind == ACCOUNT_ROLE_CLUSTER_ADMIN && subtree);
        if (!ok)
            break;
        role->kind = (account_role_kind_t)kind;
        role->subtree = subtree == 1;
        /* and it reads back as the same role (a site id's syntax) */
        char text[ACCOUNT_ROLE_TEXT_MAX], err[8];
        account_role_t again;
        ok = account_role_parse(account_role_format(role, text), &again, err, sizeof err) &&
             account_role_equal(role, &again);
    }
    out->nroles = (size_t)nroles;
    if (!ok || r.bad || r.p != r.end || !account_name_ok(out->name)) {
        *out = (account_t){0};
        return STORE_ECORRUPT;
    }
    return STORE_OK;
}

/* ------------------------------------------------------------------ the store */

static bool key_account(char k[KEYBUF], const char *name)
{
    if (!account_name_ok(name))
        return false;
    snprintf(k, KEYBUF, KEY_ACCOUNT "%s", name);
    return true;
}

int account_get(store_txn_t *t, const char *name, account_t *out)
{
    char k[KEYBUF];
    if (!key_account(k, name))
        return STORE_NOTFOUND;
    const void *v;
    size_t len;
    int rc = store_meta_get(t, k, &v, &len);
    if (rc != STORE_OK)
        return rc;
    rc = account_decode(v, len, out);
    if (rc == STORE_OK && strcmp(out->name, name) != 0) {
        *out = (account_t){0};
        return STORE_ECORRUPT;
    }
    return rc;
}

int account_put(store_txn_t *w, const account_t *a)
{
    char k[KEYBUF];
    if (!key_account(k, a->name))
        return STORE_EKEY;
    util_buf_t b = {0};
    account_encode(a, &b);
    int rc = store_meta_put(w, k, b.data, b.len);
    /* The record holds the password's hash: leave no copy in freed memory. */
    account_password_wipe(b.data, b.len);
    util_buf_free(&b);
    return rc;
}

typedef struct each {
    account_fn fn;
    void *ud;
} each_t;

static int each_cb(void *ud, const char *key, size_t key_len, const void *val, size_t len)
{
    each_t *e = ud;
    account_t a;
    if (account_decode(val, len, &a) != STORE_OK ||
        key_len != sizeof KEY_ACCOUNT - 1 + strlen(a.name) ||
        memcmp(key + sizeof KEY_ACCOUNT - 1, a.name, strlen(a.name)) != 0)
        return STORE_ECORRUPT;
    return e->fn(e->ud, &a);
}

int account_each(store_txn_t *t, account_fn fn, void *ud)
{
    each_t e = {fn, ud};
    int rc = store_meta_each(t, KEY_ACCOUNT, each_cb, &e);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ------------------------------------------------------------------ addresses */

bool account_address_ok(const char *addr)
{
    size_t n = strlen(addr);
    if (n == 0 || n > ACCOUNT_ADDRESS_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = addr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.' || c == ':'))
            return false;
    }
    return true;
}

int account_address_get(store_txn_t *t, const char *addr, account_throttle_t *out)
{
    *out = (account_throttle_t){0};
    if (!account_address_ok(addr))
        return STORE_EKEY;
    char k[KEYBUF];
    snprintf(k, sizeof k, KEY_LOGIN "%s", addr);
    const void *v;
    size_t len;
    int rc = store_meta_get(t, k, &v, &len);
    if (rc == STORE_NOTFOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    rec_rd_t r = rec_reader(v, len);
    if (!rec_get_head(&r, REC_LOGIN, 1))
        return STORE_ECORRUPT;
    out->failures = (uint32_t)rec_get_n(&r, 4);
    out->window_start = (int64_t)rec_get_n(&r, 8);
    if (r.bad || r.p != r.end) {
        *out = (account_throttle_t){0};
        return STORE_ECORRUPT;
    }
    return STORE_OK;
}

int account_address_put(store_txn_t *w, const char *addr, const account_throttle_t *th)
{
    if (!account_address_ok(addr))
        return STORE_EKEY;
    char k[KEYBUF];
    snprintf(k, sizeof k, KEY_LOGIN "%s", addr);
    if (th->failures == 0) {
        int rc = store_meta_del(w, k);
        return rc == STORE_NOTFOUND ? STORE_OK : rc;
    }
    util_buf_t b = {0};
    rec_put_head(&b, REC_LOGIN, 1);
    rec_put_n(&b, th->failures, 4);
    rec_put_n(&b, (uint64_t)th->window_start, 8);
    int rc = store_meta_put(w, k, b.data, b.len);
    util_buf_free(&b);
    return rc;
}
