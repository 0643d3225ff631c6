/* modules/accounts/accounts.h: web console accounts in the store: the record, its keys,
 * and the permission rule the console asks before every act (account_may).
 *
 * modules/accounts/ is a library folder, not a module in modules_list: it has no request
 * handler, no configuration keys and no reload report yet. `jiyuectl user` (tools/jiyuectl/
 * cmd_user.c) and the console (modules/console/: sign-in, sessions) call it. Its
 * parts: accounts.c (records, keys, account_may), account_role.c (roles and what they
 * allow), account_password.c (Argon2id hashes, password rules, generated passwords),
 * account_throttle.c (the failed-login limit).
 *
 * Keys, in the named database "meta" (core/store_keys.h keeps the other families; these
 * are ours and spelt out only in accounts.c):
 *   account/<name>      one account (record below). <name> is a login name,
 *                       [a-z0-9][a-z0-9._-]{0,31}: no '/', so "account/" lists exactly the
 *                       accounts, in name order.
 *   login/<address>     failed logins from one client address (textual IPv4 or IPv6,
 *                       [0-9a-f.:], at most 45 bytes), value "JYLA" v1: u32 failures,
 *                       i64 window start (account_throttle.h). Absent: none; the console
 *                       deletes it rather than writing zeros.
 * Neither family belongs to a site, so `jiyuectl purge SITE` leaves them: a role on a
 * purged site grants nothing while the site is not in the configuration (account_role.h).
 *
 * Account record (the value of account/<name>), core/rec.h's layout, magic "JYAC" v1:
 *   str name, str password hash (the Argon2id encoded string), u8 disabled,
 *   i64 created, i64 changed (the last change by an administrator), i64 last login (0:
 *   never), u32 failed logins in the window, i64 the window's start,
 *   u32 number of roles, then per role: u8 kind (account_role_kind_t), u8 subtree
 *   (":SITE/\*"), str site ("" for cluster_admin).
 * A record that does not decode to exactly this (or names another account than its key)
 * is STORE_ECORRUPT and grants nothing. */
#ifndef JIYUE_ACCOUNTS_H
#define JIYUE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account_password.h"
#include "account_role.h"
#include "account_throttle.h"
#include "conf.h"
#include "store.h"
#include "util.h"

#define ACCOUNT_NAME_MAX 32
#define ACCOUNT_ROLES_MAX 32
#define ACCOUNT_ADDRESS_MAX 45 /* INET6_ADDRSTRLEN - 1 */

typedef struct account {
    char name[ACCOUNT_NAME_MAX + 1];
    char hash[ACCOUNT_HASH_MAX]; /* the encoded Argon2id string: never print or log it */
    bool disabled;
    int64_t created, changed, last_login; /* seconds since the epoch; last_login 0: never */
    account_throttle_t fails;             /* failed logins of this account */
    size_t nroles;
    account_role_t roles[ACCOUNT_ROLES_MAX];
} account_t;

/* Whether `name` is a login name: [a-z0-9][a-z0-9._-]{0,31}. */
bool account_name_ok(const char *name);

/* Sets a's roles to roles[0..n), each once (a repeated role is kept once, in first-given
 * order). Returns false when more than ACCOUNT_ROLES_MAX different roles remain. */
bool account_set_roles(account_t *a, const account_role_t *roles, size_t n);
/* The roles as text, ", "-separated ("editor:edu, reviewer:xian/\*"), into buf. */
void account_roles_text(const account_t *a, util_buf_t *buf);

/* The permission rule: may account a act as `want` on site `site_id` (NULL: the cluster's
 * own acts, such as managing accounts) under configuration c? A disabled account may
 * nothing; otherwise one of its roles must allow it (account_role_allows). */
bool account_may(const account_t *a, account_role_kind_t want, const conf_t *c,
                 const char *site_id);

/* The outcome of one login attempt applied to the counters the console stores back (one
 * write transaction): a success resets the account's failures and sets its last login; a
 * failure counts against the account (a may be NULL: the name has no account) and the
 * address. The console first asks account_login_wait, and verifies (account_password_
 * verify) only when it answers 0. */
void account_login_record(account_t *a, account_throttle_t *address, bool ok, int64_t now);

/* The record's bytes (appended to b) and back. account_decode returns STORE_OK or
 * STORE_ECORRUPT, whatever the bytes. */
void account_encode(const account_t *a, util_buf_t *b);
int account_decode(const void *data, size_t len, account_t *out);

/* STORE_OK with *out filled, STORE_NOTFOUND (also for a name that is not a login name),
 * or another STORE_E* code. */
int account_get(store_txn_t *t, const char *name, account_t *out);
/* Writes the account (new or replacing) in the caller's write transaction. STORE_EKEY for a
 * name that is not a login name. */
int account_put(store_txn_t *w, const account_t *a);
/* Calls fn for each account in name order; stops when fn returns non-zero and returns that
 * value. A record that does not decode stops the walk with STORE_ECORRUPT. */
typedef int (*account_fn)(void *ud, const account_t *a);
int account_each(store_txn_t *t, account_fn fn, void *ud);

/* Whether `addr` can name a login/<address> key: [0-9a-f.:], 1-45 bytes (as inet_ntop
 * writes it: one spelling per address, so one counter). */
bool account_address_ok(const char *addr);
/* The failed-login counter of a client address: zero when none is stored. Returns STORE_OK,
 * STORE_EKEY for an address account_address_ok refuses, or another STORE_E* code. */
int account_address_get(store_txn_t *t, const char *addr, account_throttle_t *out);
/* Stores it (deletes the key when it counts no failure). */
int account_address_put(store_txn_t *w, const char *addr, const account_throttle_t *th);

#endif
