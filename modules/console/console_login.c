/* modules/console/console_login.c: POST /api/login {user, password}.
 *
 * The path of one attempt, and why each step is where it is:
 *   1. On the worker: the body (JSON through libjansson), the Origin when one is sent,
 *      then the failed-login counters of the account and the address from the worker's
 *      read transaction: a throttled attempt gets 429 with Retry-After before any KDF is
 *      spent on it, whatever its password.
 *   2. On libuv's thread pool (uv_queue_work): the Argon2id verification (~0.15 s of one
 *      core), never on the event loop. An unknown name is verified against a fixed hash
 *      (account_password_verify(NULL, ...)), so it costs the same and answers the same as
 *      a wrong password; a disabled account answers the same too.
 *   3. On the writer thread (core/writer.h), in one transaction: the counters are read
 *      again (attempts verified in parallel must not slip past the limit), the outcome
 *      applied (account_login_record) and, on success, the new session stored.
 *   4. Back on the worker: 200 with the cookie and {"csrf"}, 401 or 429.
 * The password is wiped as soon as it is verified, and neither it, the session id nor the
 * CSRF token is ever logged (the access log has the request line only). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "console.h"
#include "console_api.h"
#include "console_guard.h"
#include "log.h"
#include "worker.h"
#include "writer.h"

#define LOGIN_FAILED "wrong user name or password"
/* Verifications queued or running at once, across the workers: each holds 19 MiB and
 * ~0.15 s of a core, so a burst of sign-ins (from addresses not yet throttled) waits for
 * a 503 rather than growing the pool's queue without bound. */
#define LOGIN_IN_FLIGHT_MAX 32
static atomic_int in_flight;

typedef struct login_job {
    uv_work_t work;
    request_deferred_t *d;
    worker_t *w;
    char user[ACCOUNT_NAME_MAX + 1];
    bool known; /* the name is an account's (when the attempt began) */
    char hash[ACCOUNT_HASH_MAX];
    char *pw;
    size_t pwlen;
    char addr[ACCOUNT_ADDRESS_MAX + 1];
    bool verified;
    bool counted; /* in in_flight */
    int rc;              /* the writer's outcome */
    int status;          /* 200, 401, 429 */
    int64_t retry_after; /* for 429 */
    console_session_t session;
    char id[CONSOLE_SESSION_HEX + 1];
} login_job_t;

static void job_free(login_job_t *j)
{
    if (j->counted)
        atomic_fetch_sub(&in_flight, 1);
    if (j->pw) {
        account_password_wipe(j->pw, j->pwlen);
        free(j->pw);
    }
    account_password_wipe(j->id, sizeof j->id);
    account_password_wipe(j->hash, sizeof j->hash);
    free(j);
}

static void respond_login(request_t *r, void *ud)
{
    login_job_t *j = ud;
    if (j->rc != 0) {
        log_error("console: login of %s could not be recorded: %s", j->user, store_strerror(j->rc));
        console_error(r, 503, "the sign-in could not be recorded; try again", NULL);
        return;
    }
    if (j->status == 429) {
        console_reply(r, 429, json_pack("{s:s}", "error", "too many failed sign-ins: wait and try again"),
                      NULL, j->retry_after);
        return;
    }
    if (j->status != 200) {
        console_error(r, 401, LOGIN_FAILED, NULL);
        return;
    }
    char cookie[CONSOLE_SESSION_HEX + 96];
    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s", CONSOLE_COOKIE,
             j->id, r->tls ? "; Secure" : "");
    console_reply(r, 200, json_pack("{s:s}", "csrf", j->session.csrf), cookie, 0);
    account_password_wipe(cookie, sizeof cookie);
}

static int apply_login(store_txn_t *t, void *ud)
{
    login_job_t *j = ud;
    int64_t now_ms = console_now_ms(), now = now_ms / 1000;
    account_t a;
    bool known = false;
    int rc = account_name_ok(j->user) ? account_get(t, j->user, &a) : STORE_NOTFOUND;
    if (rc == STORE_OK)
        known = true;
    else if (rc != STORE_NOTFOUND)
        return rc;
    account_throttle_t addr = {0};
    bool have_addr = account_address_ok(j->addr);
    if (have_addr && (rc = account_address_get(t, j->addr, &addr)) != STORE_OK)
        return rc;
    int64_t wait = account_login_wait(known ? &a.fails : NULL, &addr, now);
    if (wait > 0) {
        j->status = 429;
        j->retry_after = wait;
        return 0;
    }
    /* The hash verified must still be the account's (a password changed meanwhile). */
    bool ok = j->verified && known && j->known && !a.disabled && strcmp(a.hash, j->hash) == 0;
    account_login_record(known ? &a : NULL, &addr, ok, now);
    if (known && (rc = account_put(t, &a)) != STORE_OK)
        return rc;
    if (have_addr && (rc = account_address_put(t, j->addr, &addr)) != STORE_OK)
        return rc;
    if (!ok) {
        j->status = 401;
        return 0;
    }
    char key[CONSOLE_SESSION_KEY_MAX];
    console_session_t *s = &j->session;
    snprintf(s->account, sizeof s->account, "%s", a.name);
    s->created_ms = s->seen_ms = now_ms;
    if (console_session_token(j->id) != 0 || console_session_token(s->csrf) != 0 ||
        !console_session_key(j->id, strlen(j->id), key))
        return STORE_EIO;
    util_buf_t b = {0};
    console_session_encode(s, &b);
    rc = store_meta_put(t, key, b.data, b.len);
    util_buf_free(&b);
    if (rc != STORE_OK)
        return rc;
    j->status = 200;
    return 0;
}

static void login_done(int rc, void *ud)
{
    login_job_t *j = ud;
    j->rc = rc;
    request_resume(j->d, respond_login, j);
    job_free(j);
}

static void verify_work(uv_work_t *req)
{
    login_job_t *j = req->data;
    j->verified = account_password_verify(j->known ? j->hash : NULL, j->pw, j->pwlen);
    account_password_wipe(j->pw, j->pwlen);
}

static void respond_unavailable(request_t *r, void *ud)
{
    console_error(r, 503, "nothing can be written now", NULL);
}

static void verify_after(uv_work_t *req, int status)
{
    login_job_t *j = req->data;
    writer_job_t wj = {.apply = apply_login, .done = login_done, .ud = j, .worker = j->w};
    if (status == 0 && writer_submit(&wj) == 0)
        return;
    request_resume(j->d, respond_unavailable, NULL);
    job_free(j);
}

/* A string field of the body: NULL after answering 400 naming it. */
module_result_t console_api_login(request_t *r)
{
    const http1_header_t *origin = request_header(r, "Origin");
    if (origin && !console_origin_ok(origin->value.p, origin->value.len, r->tls, r->host,
                                     r->host_len)) {
        /* Sign-in from another site's page (login CSRF): a browser always sends Origin. */
        console_error(r, 403, "the request's Origin is not this console's", NULL);
        return MODULE_DONE;
    }
    json_t *o = console_body_json(r);
    if (!o)
        return MODULE_DONE;
    size_t ulen = 0, plen = 0;
    const char *user = console_field_str(r, o, "user", &ulen);
    const char *pw = user ? console_field_str(r, o, "password", &plen) : NULL;
    if (!user || !pw) {
        json_decref(o);
        return MODULE_DONE;
    }
    if (ulen > ACCOUNT_NAME_MAX || memchr(user, '\0', ulen)) {
        json_decref(o);
        console_error(r, 400, "too long (at most 32 characters)", "user");
        return MODULE_DONE;
    }
    if (plen > ACCOUNT_PASSWORD_MAX) {
        json_decref(o);
        console_error(r, 400, "too long (at most 1024 bytes)", "password");
        return MODULE_DONE;
    }
    login_job_t *j = util_calloc(1, sizeof *j);
    memcpy(j->user, user, ulen);
    j->pw = util_malloc(plen + 1);
    memcpy(j->pw, pw, plen);
    j->pwlen = plen;
    json_object_clear(o); /* the password's copy in the parsed body goes now */
    json_decref(o);
    console_peer_text(r, j->addr, sizeof j->addr);

    /* Throttled? Decided from the counters before any KDF is spent. */
    store_txn_t *t = request_store(r);
    account_t a;
    account_throttle_t addr = {0};
    int rc = t && account_name_ok(j->user) ? account_get(t, j->user, &a) : STORE_NOTFOUND;
    j->known = rc == STORE_OK;
    if (j->known)
        memcpy(j->hash, a.hash, sizeof j->hash);
    if (t && account_address_ok(j->addr))
        account_address_get(t, j->addr, &addr);
    int64_t wait = account_login_wait(j->known ? &a.fails : NULL, &addr, console_now_ms() / 1000);
    if (wait > 0) {
        job_free(j);
        console_reply(r, 429, json_pack("{s:s}", "error", "too many failed sign-ins: wait and try again"),
                      NULL, wait);
        return MODULE_DONE;
    }
    if (atomic_fetch_add(&in_flight, 1) >= LOGIN_IN_FLIGHT_MAX) {
        atomic_fetch_sub(&in_flight, 1);
        job_free(j);
        console_reply(r, 503, json_pack("{s:s}", "error", "too many sign-ins at once: try again"),
                      NULL, 1);
        return MODULE_DONE;
    }
    j->counted = true;
    j->w = r->worker;
    j->work.data = j;
    if (uv_queue_work(&r->worker->loop, &j->work, verify_work, verify_after) != 0) {
        job_free(j);
        console_error(r, 503, "the sign-in cannot be checked now", NULL);
        return MODULE_DONE;
    }
    j->d = request_defer(r);
    return MODULE_DONE;
}
