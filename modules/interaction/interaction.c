/* modules/interaction/interaction.c: the message board (政民互动) of every column of type interaction.
 * URL layout below a site's mount, for such a column <c>:
 *   GET  /<c>/, /<c>/index_N.html   answered messages, newest first, paginated
 *   GET  /<c>/new                   the form (with a fresh token)
 *   POST /<c>/                      a message: 303 to its receipt once it is committed
 *   GET  /<c>/q/<code>              the receipt: the message, its status and the replies
 *   GET  /<c>/m/<seq>.html          an answered message's public page (as the list shows
 *                                   it; what search results link to: message_search.h)
 *   GET  /<c>/stats                 受理反馈统计 for the current year
 * Anything else below the column is declined to the next modules.
 *
 * The event loop never writes: a message (and the form secret, made on first use) goes to
 * the writer thread (core/writer.h) and the response waits, deferred, until the batch it
 * was in is committed and synced, so a 303 always points at a message that survives a
 * crash. The limits live in the store too (message_limit.c), written in the same
 * transaction as the message: every worker, and a restarted server, sees the same count.
 *
 * A form is good only from the browser it was given to: the form page sets a cookie
 * (jiyue_form, a random nonce: HttpOnly, SameSite=Lax, Secure over TLS, Path = the site's
 * mount) and its token is an HMAC over that nonce, so a token replayed without its cookie
 * is refused (double submit). A POST whose Origin (or, without one, Referer) names a host
 * outside the cluster is refused with 403 and the form again. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "interaction.h"

#include "care.h"
#include "interaction_metrics.h"
#include "content_columns.h"
#include "log.h"
#include "module.h"
#include "render_common.h"
#include "snapshot.h"
#include "url.h"
#include "writer.h"

/* The form secret, once read, per worker thread: it never changes once made, so it needs
 * no stamp or eviction, and a secret stays out of the shared cache (core/wcache.h). */
static _Thread_local bool tl_have_key;
static _Thread_local uint8_t tl_key[MESSAGE_SECRET_LEN];

typedef enum { IP_LIST, IP_FORM, IP_STATS, IP_RECEIPT, IP_MESSAGE } ipage_t;

/* "m/<seq>.html": the number (1 to 19 digits, no leading zero), or 0. */
static uint64_t message_page_seq(const char *s, size_t n)
{
    if (n < 8 || n > 2 + 19 + 5 || memcmp(s, "m/", 2) != 0 || memcmp(s + n - 5, ".html", 5) != 0)
        return 0;
    uint64_t v = 0;
    for (size_t i = 2; i < n - 5; i++) {
        if (s[i] < '0' || s[i] > '9' || (i == 2 && s[i] == '0'))
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    return v;
}

typedef struct job {
    enum { JOB_SUBMIT, JOB_SECRET } kind;
    interaction_page_t page; /* pointers into the snapshot the deferred request pins */
    request_deferred_t *d;
    interaction_form_t form;
    int status; /* JOB_SECRET: the form page's status (403 for a POST that came first) */
    char nonce[MESSAGE_NONCE_LEN + 1]; /* the form cookie (the headers are gone by then) */
    char addr[INET6_ADDRSTRLEN];
    int64_t now;
    message_limits_t limits;
    char code[MESSAGE_CODE_LEN + 1];
    uint8_t key[MESSAGE_SECRET_LEN];
    int rc;
    message_limit_kind_t fired;
    int64_t retry_after;
} job_t;

static bool have_key(request_t *r)
{
    if (tl_have_key)
        return true;
    store_txn_t *t = request_store(r);
    if (t && message_secret_get(t, tl_key) == 0)
        tl_have_key = true;
    return tl_have_key;
}

/* nonce: the request's (page_nonce), or the one a deferred job kept; "" makes one. */
static void form_page(request_t *r, const interaction_page_t *p, int status,
                      const interaction_form_t *f, int64_t retry_after, const char *nonce)
{
    char tok[MESSAGE_TOKEN_MAX], own[MESSAGE_NONCE_LEN + 1];
    bool key = tl_have_key || have_key(r);
    if (nonce && *nonce)
        snprintf(own, sizeof own, "%s", nonce);
    else if (message_nonce_new(own) != 0)
        key = false;
    util_buf_t cookie = {0};
    if (key) {
        message_token_make(tl_key, p->site->id, own, (int64_t)time(NULL), tok);
        util_buf_printf(&cookie, INTERACTION_COOKIE "=%s; Path=", own);
        url_append_path(&cookie, p->prefix, strlen(p->prefix));
        util_buf_printf(&cookie, "; Max-Age=%d; HttpOnly; SameSite=Lax%s", MESSAGE_TOKEN_TTL,
                        r->tls ? "; Secure" : "");
    }
    interaction_render_form(r, p, key ? status : (status == 200 ? 503 : status), f,
                            key ? tok : NULL, retry_after, key ? cookie.data : NULL);
    util_buf_free(&cookie);
}

/* ---- the error log: which limit refused, once a minute per limit at most ---- */

static _Atomic int_least64_t g_logged[MESSAGE_LIMIT_KINDS];
static atomic_uint_least64_t g_refused[MESSAGE_LIMIT_KINDS];

static void log_refusal(const job_t *j)
{
    message_limit_kind_t k = j->fired;
    atomic_fetch_add(&g_refused[k], 1);
    int_least64_t now = (int_least64_t)time(NULL), last = atomic_load(&g_logged[k]);
    if (now - last < INTERACTION_LOG_EVERY ||
        !atomic_compare_exchange_strong(&g_logged[k], &last, now))
        return;
    unsigned long long n = (unsigned long long)atomic_exchange(&g_refused[k], 0);
    const message_limits_t *l = &j->limits;
    char what[160];
    switch (k) {
    case MESSAGE_LIMIT_ADDRESS:
        snprintf(what, sizeof what, "%llu an hour from one address, to %s",
                 (unsigned long long)l->per_address, j->page.site->id);
        break;
    case MESSAGE_LIMIT_PREFIX:
        snprintf(what, sizeof what, "%llu an hour from one /24 or /64, to %s",
                 (unsigned long long)l->per_prefix, j->page.site->id);
        break;
    case MESSAGE_LIMIT_SITE_DAY:
        snprintf(what, sizeof what, "%llu a day to %s", (unsigned long long)l->per_site_day,
                 j->page.site->id);
        break;
    case MESSAGE_LIMIT_BUDGET:
        snprintf(what, sizeof what, "limits.message_bytes_per_day %llu",
                 (unsigned long long)l->bytes_per_day);
        break;
    default:
        snprintf(what, sizeof what, "store_reserve %llu bytes kept for publishing",
                 (unsigned long long)l->reserve);
        break;
    }
    log_error("interaction: messages refused by the %s (%s): %llu since the last report, "
              "the latest from %s to %s/%s; Retry-After %lld s",
              message_limit_name(k), what, n, j->addr, j->page.site->id, j->page.col->id,
              (long long)j->retry_after);
}

static void peer_text(const request_t *r, char *out, size_t cap)
{
    const struct sockaddr *sa = r->peer;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)r->peer)->sin_addr, out, (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)r->peer)->sin6_addr, out,
                  (socklen_t)cap);
    else
        snprintf(out, cap, "-");
}

static void method_not_allowed(request_t *r, bool post)
{
    static const char body[] = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>405"
                               "</title></head><body><h1>405 Method Not Allowed</h1></body></html>\n";
    response_begin(r, 405);
    response_header(r, "Content-Type", "text/html; charset=utf-8", 24);
    if (post)
        response_header(r, "Allow", "GET, HEAD, POST", 15);
    else
        response_header(r, "Allow", "GET, HEAD", 9);
    response_end_headers(r, sizeof body - 1);
    response_body(r, body, sizeof body - 1, false);
}

/* ------------------------------------------------------------------ writer jobs */

static int apply_secret(store_txn_t *t, void *ud)
{
    job_t *j = ud;
    return message_secret_ensure(t, j->key);
}

static uint64_t form_bytes(const job_t *j)
{
    const char *f[] = {j->form.title, j->form.body, j->form.name, j->form.phone, j->form.email};
    uint64_t n = strlen(j->addr);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(f); i++)
        n += f[i] ? strlen(f[i]) : 0;
    return n;
}

static int apply_submit(store_txn_t *t, void *ud)
{
    /* Only the writer thread runs apply: no lock needed. */
    static int64_t last_sweep;
    job_t *j = ud;
    if (j->now - last_sweep >= 600) {
        long n = message_rate_sweep(t, j->now);
        if (n >= 0)
            last_sweep = j->now;
    }
    int rc = message_admit(t, j->page.site->id, j->addr, &j->limits, form_bytes(j), j->now,
                           &j->fired, &j->retry_after);
    if (rc != 0 || j->fired != MESSAGE_LIMIT_NONE)
        return rc;
    message_new_t in = {j->page.site->id, j->page.col->id, j->form.title, j->form.body,
                        j->form.name, j->form.phone, j->form.email ? j->form.email : "",
                        j->addr, j->now};
    /* 100 random bits collide essentially never; a few draws make it certain. */
    for (int i = 0; i < 8; i++) {
        if (message_code_new(j->code) != 0)
            return STORE_EIO;
        rc = message_put(t, &in, j->code);
        if (rc != STORE_EKEY)
            return rc;
    }
    return rc;
}

static void job_free(job_t *j)
{
    interaction_form_free(&j->form);
    free(j);
}

static void respond_secret(request_t *r, void *ud)
{
    job_t *j = ud;
    if (j->rc == 0) {
        memcpy(tl_key, j->key, sizeof tl_key);
        tl_have_key = true;
    } else {
        log_error("interaction: the form secret could not be stored: %s", store_strerror(j->rc));
    }
    form_page(r, &j->page, j->status, j->status == 200 ? NULL : &j->form, 0, j->nonce);
}

static void respond_submit(request_t *r, void *ud)
{
    job_t *j = ud;
    if (j->rc != 0) {
        log_error("interaction: a message to %s/%s could not be stored: %s", j->page.site->id,
                  j->page.col->id, store_strerror(j->rc));
        interaction_metrics_count(IM_STORE);
        response_error(r, 503, "your message could not be stored; please send it again");
        return;
    }
    if (j->fired != MESSAGE_LIMIT_NONE) {
        /* Too many from one sender or to one site: 429. The cluster's budget or the
         * store's reserve: the service, not the sender, is out of room: 503. */
        log_refusal(j);
        int status = 429;
        const char *why = "提交过于频繁，请稍后再试";
        interaction_outcome_t o = IM_RATE;
        if (j->fired == MESSAGE_LIMIT_SITE_DAY) {
            why = "本站今日受理的留言已达上限，请明天再试";
            o = IM_SITE_DAY;
        } else if (j->fired == MESSAGE_LIMIT_BUDGET || j->fired == MESSAGE_LIMIT_RESERVE) {
            status = 503;
            why = "留言系统暂时无法受理更多留言，请稍后再试";
            o = IM_BUDGET;
        }
        interaction_metrics_count(o);
        interaction_form_error(&j->form, "form", why);
        form_page(r, &j->page, status, &j->form, j->retry_after, j->nonce);
        return;
    }
    interaction_metrics_count(IM_ACCEPTED);
    char loc[700];
    int n = snprintf(loc, sizeof loc, "%s%s/q/%s", j->page.prefix, j->page.col->id, j->code);
    response_redirect(r, 303, loc, (size_t)n);
}

static void job_done(int rc, void *ud)
{
    job_t *j = ud;
    j->rc = rc;
    request_resume(j->d, j->kind == JOB_SECRET ? respond_secret : respond_submit, j);
    job_free(j);
}

/* Hands the job to the writer and defers the response; false when no writer runs. The
 * done callback is posted to this worker's loop, so it cannot run before this callback
 * returns and j->d is set. */
static bool submit(request_t *r, job_t *j, int (*apply)(store_txn_t *, void *))
{
    writer_job_t wj = {.apply = apply, .done = job_done, .ud = j, .worker = r->worker};
    if (writer_submit(&wj) != 0)
        return false;
    j->d = request_defer(r);
    return true;
}

/* ------------------------------------------------------------------ requests */

/* The first form ever asked for (or posted) makes the secret, through the writer; the
 * page (status, with f's text and errors unless 200) is shown once it is stored. f is
 * moved into the job. */
static void make_secret(request_t *r, const interaction_page_t *p, int status,
                        interaction_form_t *f, const char *nonce)
{
    job_t *j = util_calloc(1, sizeof *j);
    j->kind = JOB_SECRET;
    j->page = *p;
    j->status = status;
    if (f) {
        j->form = *f;
        *f = (interaction_form_t){0};
    }
    snprintf(j->nonce, sizeof j->nonce, "%s", nonce);
    if (!submit(r, j, apply_secret)) {
        form_page(r, p, status == 200 ? 503 : status, status == 200 ? NULL : &j->form, 0, nonce);
        job_free(j);
    }
}

static void handle_form(request_t *r, const interaction_page_t *p)
{
    char nonce[MESSAGE_NONCE_LEN + 1] = "";
    interaction_page_nonce(r, nonce);
    if (have_key(r))
        form_page(r, p, 200, NULL, 0, nonce);
    else
        make_secret(r, p, 200, NULL, nonce);
}

/* The token against every form cookie the browser sent: OK with any, else EXPIRED when
 * one says so, else BAD. */
static int check_token(request_t *r, const interaction_page_t *p, const char *tok, int64_t now)
{
    char nonces[4][MESSAGE_NONCE_LEN + 1];
    size_t n = interaction_cookie_nonces(r, nonces, 4);
    int best = MESSAGE_TOKEN_BAD;
    for (size_t i = 0; i < n && best != MESSAGE_TOKEN_OK; i++) {
        int rc = message_token_check(tl_key, p->site->id, nonces[i], tok, strlen(tok), now);
        if (rc == MESSAGE_TOKEN_OK || rc == MESSAGE_TOKEN_EXPIRED)
            best = rc;
    }
    return best;
}

static void handle_post(request_t *r, const interaction_page_t *p)
{
    const http1_header_t *ct = request_header(r, "Content-Type");
    if (!ct || !interaction_form_type_ok(ct->value.p, ct->value.len)) {
        interaction_metrics_count(IM_MEDIA_TYPE);
        response_error(r, 415, "send the form as application/x-www-form-urlencoded (UTF-8)");
        return;
    }
    job_t *j = util_calloc(1, sizeof *j);
    j->kind = JOB_SUBMIT;
    j->page = *p;
    j->now = (int64_t)time(NULL);
    interaction_page_nonce(r, j->nonce);
    interaction_form_parse(&j->form, r->body, r->body_len);
    if (j->form.bad_encoding) {
        interaction_metrics_count(IM_ENCODING);
        form_page(r, p, 400, &j->form, 0, j->nonce);
        job_free(j);
        return;
    }
    if (!interaction_origin_ok(r)) {
        interaction_form_error(&j->form, "form",
                               "提交来源不是本网站，留言未受理。请在本页核对后重新提交");
        interaction_metrics_count(IM_ORIGIN);
        form_page(r, p, 403, &j->form, 0, j->nonce);
        job_free(j);
        return;
    }
    int tok = MESSAGE_TOKEN_BAD;
    bool key = have_key(r);
    if (j->form.token && key)
        tok = check_token(r, p, j->form.token, j->now);
    if (tok != MESSAGE_TOKEN_OK) {
        interaction_form_error(&j->form, "token",
                               tok == MESSAGE_TOKEN_EXPIRED ? "表单已过期（超过一天），请重新提交"
                                                            : "表单无效，请在本页重新提交");
        interaction_metrics_count(IM_TOKEN);
        if (key)
            form_page(r, p, 403, &j->form, 0, j->nonce);
        else
            make_secret(r, p, 403, &j->form, j->nonce);
        job_free(j);
        return;
    }
    if (j->form.honeypot && *j->form.honeypot) {
        /* A bot: it is told what a person is told, and nothing is stored. */
        interaction_metrics_count(IM_HONEYPOT);
        char loc[700], code[MESSAGE_CODE_LEN + 1];
        if (message_code_new(code) != 0)
            snprintf(code, sizeof code, "%s", "aaaaaaaaaaaaaaaaaaaa");
        int n = snprintf(loc, sizeof loc, "%s%s/q/%s", p->prefix, p->col->id, code);
        response_redirect(r, 303, loc, (size_t)n);
        job_free(j);
        return;
    }
    interaction_form_check(&j->form);
    if (j->form.nerrors) {
        interaction_metrics_count(IM_INVALID);
        form_page(r, p, 400, &j->form, 0, j->nonce);
        job_free(j);
        return;
    }
    peer_text(r, j->addr, sizeof j->addr);
    const conf_t *c = r->snap->conf;
    const interaction_site_conf_t *ic = interaction_site_conf(p->site);
    uint64_t per = ic->rate_limit, mult = ic->prefix_multiple;
    j->limits = (message_limits_t){
        .per_address = per,
        .per_prefix = per > UINT64_MAX / mult ? UINT64_MAX : per * mult,
        .per_site_day = ic->daily_limit,
        .bytes_per_day = interaction_server_conf(c)->message_bytes_per_day,
        .reserve = c->store_reserve,
    };
    if (!submit(r, j, apply_submit)) {
        job_free(j);
        interaction_metrics_count(IM_STORE);
        response_error(r, 503, "messages cannot be received right now; please try again later");
    }
}

static module_result_t interaction_handle(request_t *r)
{
    if (!r->site || r->rel_len < 2 || r->rel[0] != '/')
        return MODULE_DECLINED;
    const char *seg = r->rel + 1, *end = r->rel + r->rel_len;
    const char *slash = memchr(seg, '/', (size_t)(end - seg));
    if (!slash)
        return MODULE_DECLINED;
    const conf_site_t *s = r->site;
    const conf_column_t *col = NULL;
    for (size_t i = 0; i < s->ncolumns && !col; i++)
        if (s->columns[i].type == COLUMN_INTERACTION &&
            strlen(s->columns[i].id) == (size_t)(slash - seg) &&
            memcmp(s->columns[i].id, seg, (size_t)(slash - seg)) == 0)
            col = &s->columns[i];
    if (!col)
        return MODULE_DECLINED;
    const char *rest = slash + 1;
    size_t rn = (size_t)(end - rest);
    ipage_t kind;
    unsigned page = 1;
    char code[MESSAGE_CODE_LEN + 1] = "";
    uint64_t seq = 0;
    if (rn == 0 || (rn == 10 && memcmp(rest, "index.html", 10) == 0)) {
        kind = IP_LIST;
    } else if (render_index_page(rest, rn, &page) && page >= 2) {
        kind = IP_LIST;
    } else if (rn == 3 && memcmp(rest, "new", 3) == 0) {
        kind = IP_FORM;
    } else if (rn == 5 && memcmp(rest, "stats", 5) == 0) {
        kind = IP_STATS;
    } else if (rn == 2 + MESSAGE_CODE_LEN && memcmp(rest, "q/", 2) == 0 &&
               message_code_ok(rest + 2, MESSAGE_CODE_LEN)) {
        kind = IP_RECEIPT;
        memcpy(code, rest + 2, MESSAGE_CODE_LEN);
        code[MESSAGE_CODE_LEN] = '\0';
    } else if ((seq = message_page_seq(rest, rn)) != 0) {
        kind = IP_MESSAGE;
    } else {
        return MODULE_DECLINED;
    }

    interaction_page_t p = {.site = s, .col = col, .care = care_mode(r)};
    if (!render_mount_prefix(r, p.prefix, sizeof p.prefix))
        return MODULE_DECLINED;

    bool post_here = kind == IP_LIST && rn == 0;
    if (r->method == HTTP_M_POST && post_here) {
        handle_post(r, &p);
        return MODULE_DONE;
    }
    if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD) {
        method_not_allowed(r, post_here);
        return MODULE_DONE;
    }
    int rc = 0;
    switch (kind) {
    case IP_FORM:
        handle_form(r, &p);
        return MODULE_DONE;
    case IP_LIST:
        rc = interaction_render_list(r, &p, page);
        break;
    case IP_STATS:
        rc = interaction_render_stats(r, &p);
        break;
    case IP_RECEIPT:
        rc = interaction_render_receipt(r, &p, code);
        break;
    case IP_MESSAGE:
        rc = interaction_render_message(r, &p, seq);
        break;
    }
    if (rc == 1 || rc == STORE_NOTFOUND)
        response_error(r, 404, kind == IP_RECEIPT ? "no message with this receipt code" : "not found");
    else if (rc < 0)
        response_error(r, 500, "the messages could not be read");
    return MODULE_DONE;
}

/* Citizens' messages past their site's reply limit, at start and at each reload: 不回应
 * is seen in the error log before an inspection sees it. */
static void interaction_report(const conf_t *c, store_txn_t *t, int64_t now, module_report_fn warn,
                               void *ud)
{
    long n = message_report_overdue(t, c, now, warn, ud);
    if (n > 0) {
        char line[128];
        snprintf(line, sizeof line, "%ld message%s overdue (jiyuectl messages SITE --overdue)", n,
                 n == 1 ? "" : "s");
        warn(ud, line);
    }
}

module_t module_interaction = {
    .name = "interaction",
    .handle = interaction_handle,
    .accepts_any_method = 1,
    .reload_report = interaction_report,
    .metrics = interaction_metrics_render,
    .site_keys = interaction_site_keys,
    .nsite_keys = INTERACTION_NSITE_KEYS,
    .site_conf_size = sizeof(interaction_site_conf_t),
    .site_conf_init = interaction_site_conf_init,
    .limit_keys = interaction_limit_keys,
    .nlimit_keys = INTERACTION_NLIMIT_KEYS,
    .server_conf_size = sizeof(interaction_server_conf_t),
    .server_conf_init = interaction_server_conf_init,
};
