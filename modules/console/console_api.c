/* modules/console/console_api.c: the console's JSON API after sign-in: who am I
 * (/api/me), my sites and my roles there (/api/sites), logout; and what every handler
 * shares: JSON bodies and answers through libjansson, the session of a request, the
 * guards of a state-changing request. */
#include "console_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "console.h"
#include "console_guard.h"
#include "console_next.h"
#include "console_page.h"
#include "log.h"
#include "worker.h"
#include "writer.h"

int64_t console_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void console_peer_text(const request_t *r, char *out, size_t cap)
{
    const struct sockaddr *sa = r->peer;
    out[0] = '\0';
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

void console_reply(request_t *r, int status, json_t *obj, const char *set_cookie,
                   int64_t retry_after)
{
    /* A form of the console's pages names the page to return to: answer it the form's
     * way (console_page.h); without `next`, JSON clients see no change. */
    char next[CONSOLE_NEXT_MAX + 1];
    if (console_next_from_query(r->query, r->query_len, next)) {
        console_page_form_reply(r, status, obj, next, set_cookie, retry_after);
        json_decref(obj);
        return;
    }
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    size_t n = text ? strlen(text) : 0;
    r->not_public = true;
    response_begin(r, status);
    response_header(r, "Content-Type", "application/json", 16);
    response_header(r, "X-Content-Type-Options", "nosniff", 7);
    if (set_cookie)
        response_header(r, "Set-Cookie", set_cookie, strlen(set_cookie));
    if (retry_after > 0)
        response_header_fmt(r, "Retry-After", "%lld", (long long)retry_after);
    response_end_headers(r, n);
    response_body(r, text, n, true);
    free(text);
}

void console_error(request_t *r, int status, const char *msg, const char *field)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    if (field)
        json_object_set_new(o, "field", json_string(field));
    console_reply(r, status, o, NULL, 0);
}

/* ---- sessions ---- */

typedef struct touch_job {
    worker_t *w;
    char key[CONSOLE_SESSION_KEY_MAX];
    int64_t now_ms;
    bool drop; /* expired: delete it */
} touch_job_t;

static int apply_touch(store_txn_t *t, void *ud)
{
    touch_job_t *j = ud;
    if (j->drop) {
        int rc = store_meta_del(t, j->key);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    const void *v;
    size_t len;
    console_session_t s;
    if (store_meta_get(t, j->key, &v, &len) != STORE_OK ||
        console_session_decode(v, len, &s) != STORE_OK)
        return 0; /* logged out meanwhile: nothing to refresh */
    if (j->now_ms <= s.seen_ms)
        return 0;
    s.seen_ms = j->now_ms;
    util_buf_t b = {0};
    console_session_encode(&s, &b);
    int rc = store_meta_put(t, j->key, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

static void touch_done(int rc, void *ud)
{
    touch_job_t *j = ud;
    worker_release(j->w);
    free(j);
}

/* Fire and forget: the request is answered now; the writer records the use (or removes
 * an expired session) with its next batch. */
static void touch(request_t *r, const char *key, int64_t now_ms, bool drop)
{
    touch_job_t *j = util_calloc(1, sizeof *j);
    snprintf(j->key, sizeof j->key, "%s", key);
    j->now_ms = now_ms;
    j->drop = drop;
    j->w = r->worker;
    writer_job_t wj = {.apply = apply_touch, .done = touch_done, .ud = j, .worker = r->worker};
    worker_hold(r->worker); /* its done must run even if the server stops meanwhile */
    if (writer_submit(&wj) != 0) {
        worker_release(r->worker);
        free(j);
    }
}

int console_session_find(request_t *r, console_session_t *s, account_t *a,
                         char key[static CONSOLE_SESSION_KEY_MAX], int *status, const char **why)
{
    *status = 401;
    *why = "not signed in";
    const http1_header_t *ck = request_header(r, "Cookie");
    const char *id = NULL;
    size_t idlen = 0;
    if (!ck || !console_cookie_find(ck->value.p, ck->value.len, CONSOLE_COOKIE, &id, &idlen) ||
        !console_session_key(id, idlen, key))
        return STORE_NOTFOUND;
    store_txn_t *t = request_store(r);
    const void *v;
    size_t len;
    int rc = t ? store_meta_get(t, key, &v, &len) : STORE_EIO;
    if (rc == STORE_OK)
        rc = console_session_decode(v, len, s);
    if (rc != STORE_OK) {
        if (rc != STORE_NOTFOUND && rc != STORE_ECORRUPT) {
            log_error("console: reading a session: %s", store_strerror(rc));
            *status = 503;
            *why = "the store cannot be read";
            return rc;
        }
        return STORE_NOTFOUND;
    }
    const console_conf_t *cc = console_conf(r->snap->conf);
    int64_t now = console_now_ms();
    if (console_session_state(s, now, cc->session_ttl_ms, cc->session_idle_ms) !=
        CONSOLE_SESSION_LIVE) {
        touch(r, key, now, true);
        *why = "the session has expired: sign in again";
        return STORE_NOTFOUND;
    }
    rc = account_get(t, s->account, a);
    if (rc != STORE_OK || a->disabled)
        return STORE_NOTFOUND; /* a disabled (or deleted) account's sessions stop at once */
    /* The last use is written when it is older than a quarter of the idle time (at most
     * a minute): idle expiry stays accurate to that, and a busy console does not write on
     * every request. */
    uint64_t every = cc->session_idle_ms / 4 < 60000 ? cc->session_idle_ms / 4 : 60000;
    if ((uint64_t)(now - s->seen_ms) >= every)
        touch(r, key, now, false);
    return STORE_OK;
}

int console_session_of(request_t *r, console_session_t *s, account_t *a,
                       char key[static CONSOLE_SESSION_KEY_MAX])
{
    int status;
    const char *why;
    int rc = console_session_find(r, s, a, key, &status, &why);
    if (rc != STORE_OK)
        console_error(r, status, why, NULL);
    return rc;
}

bool console_guard_write(request_t *r, const console_session_t *s)
{
    const http1_header_t *tok = request_header(r, "X-CSRF-Token");
    const char *given = tok ? tok->value.p : NULL;
    size_t glen = tok ? tok->value.len : 0;
    const http1_header_t *ct = request_header(r, "Content-Type");
    if (!tok && ct && ct->value.len >= 33 &&
        strncasecmp(ct->value.p, "application/x-www-form-urlencoded", 33) == 0 && r->body)
        console_form_field(r->body, r->body_len, "csrf", &given, &glen);
    else if (!tok && ct)
        console_multipart_field(r->body, r->body_len, ct->value.p, ct->value.len, "csrf",
                                &given, &glen); /* an upload form's csrf field */
    if (!given || !console_csrf_equal(s->csrf, given, glen)) {
        console_error(r, 403, "missing or wrong CSRF token (X-CSRF-Token)", NULL);
        return false;
    }
    const http1_header_t *origin = request_header(r, "Origin");
    if (!origin || !console_origin_ok(origin->value.p, origin->value.len, r->tls, r->host,
                                      r->host_len)) {
        console_error(r, 403, "the request's Origin is not this console's", NULL);
        return false;
    }
    return true;
}

/* ---- GET /api/me, GET /api/sites ---- */

static json_t *roles_json(const account_t *a)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < a->nroles; i++) {
        char buf[ACCOUNT_ROLE_TEXT_MAX];
        json_array_append_new(arr, json_string(account_role_format(&a->roles[i], buf)));
    }
    return arr;
}

module_result_t console_api_me(request_t *r)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK)
        return MODULE_DONE;
    json_t *o = json_pack("{s:s, s:o}", "user", a.name, "roles", roles_json(&a));
    console_reply(r, 200, o, NULL, 0);
    return MODULE_DONE;
}

module_result_t console_api_sites(request_t *r)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK)
        return MODULE_DONE;
    const conf_t *c = r->snap->conf;
    static const account_role_kind_t kinds[] = {ACCOUNT_ROLE_EDITOR, ACCOUNT_ROLE_REVIEWER,
                                                ACCOUNT_ROLE_REPLIER, ACCOUNT_ROLE_SITE_ADMIN};
    json_t *sites = json_array();
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *site = &c->sites[i];
        json_t *roles = json_array();
        for (size_t k = 0; k < UTIL_ARRAY_LEN(kinds); k++)
            if (account_may(&a, kinds[k], c, site->id))
                json_array_append_new(roles, json_string(account_role_name(kinds[k])));
        if (json_array_size(roles) == 0) {
            json_decref(roles);
            continue;
        }
        json_array_append_new(sites, json_pack("{s:s, s:s, s:o}", "id", site->id, "name",
                                               site->name, "roles", roles));
    }
    console_reply(r, 200, json_pack("{s:o}", "sites", sites), NULL, 0);
    return MODULE_DONE;
}

/* ---- POST /api/logout ---- */

typedef struct logout_job {
    char key[CONSOLE_SESSION_KEY_MAX];
    request_deferred_t *d;
    int rc;
} logout_job_t;

static int apply_logout(store_txn_t *t, void *ud)
{
    logout_job_t *j = ud;
    int rc = store_meta_del(t, j->key);
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static void respond_logout(request_t *r, void *ud)
{
    logout_job_t *j = ud;
    if (j->rc != 0) {
        log_error("console: logout: %s", store_strerror(j->rc));
        console_error(r, 503, "the session could not be ended; try again", NULL);
        return;
    }
    char cookie[128];
    snprintf(cookie, sizeof cookie, "%s=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/%s",
             CONSOLE_COOKIE, r->tls ? "; Secure" : "");
    console_reply(r, 200, json_pack("{s:b}", "ok", 1), cookie, 0);
}

static void logout_done(int rc, void *ud)
{
    logout_job_t *j = ud;
    j->rc = rc;
    request_resume(j->d, respond_logout, j);
    free(j);
}

module_result_t console_api_logout(request_t *r)
{
    console_session_t s;
    account_t a;
    logout_job_t *j = util_calloc(1, sizeof *j);
    if (console_session_of(r, &s, &a, j->key) != STORE_OK || !console_guard_write(r, &s)) {
        free(j);
        return MODULE_DONE;
    }
    writer_job_t wj = {.apply = apply_logout, .done = logout_done, .ud = j, .worker = r->worker};
    if (writer_submit(&wj) != 0) {
        free(j);
        console_error(r, 503, "nothing can be written now", NULL);
        return MODULE_DONE;
    }
    j->d = request_defer(r);
    return MODULE_DONE;
}
