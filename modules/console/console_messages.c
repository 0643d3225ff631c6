/* modules/console/console_messages.c: GET /api/messages and POST /api/messages/CODE/reply
 * (the answers' shapes are in console_messages.h).
 *
 * The list reads the site's interaction columns from the worker's read transaction (a
 * bounded walk: CONSOLE_MESSAGES_SCAN_MAX), orders what it found and fills one page. The
 * reply is checked on the worker (session, CSRF and Origin, the text, the message and the
 * account's right on the message's own site) and written by the writer thread, which
 * reads the message again in its transaction; the response waits for the commit, so the
 * public receipt and list show the reply on the next request. */
#include "console_messages.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "article.h"
#include "console_api.h"
#include "console_query.h"
#include "content_columns.h"
#include "json_common.h"
#include "log.h"
#include "message.h"
#include "writer.h"

/* ---- the order ---- */

static int entry_cmp(const void *pa, const void *pb)
{
    const console_msg_entry_t *a = pa, *b = pb;
    if (a->state != b->state)
        return a->state < b->state ? -1 : 1;
    if (a->created != b->created) {
        bool older_first = a->state != CONSOLE_MSG_ANSWERED;
        return (a->created < b->created) == older_first ? -1 : 1;
    }
    return strcmp(a->code, b->code);
}

void console_messages_order(console_msg_entry_t *e, size_t n)
{
    if (n > 1)
        qsort(e, n, sizeof *e, entry_cmp);
}

/* ---- GET /api/messages ---- */

typedef struct scan {
    const conf_site_t *site;
    int64_t now;
    console_msg_want_t want;
    console_msg_entry_t *e;
    size_t n, cap, scanned;
    bool truncated;
} scan_t;

static int scan_cb(void *ud, const message_t *m)
{
    scan_t *s = ud;
    if (s->scanned++ >= CONSOLE_MESSAGES_SCAN_MAX) {
        s->truncated = true;
        return 1;
    }
    console_msg_state_t st = m->nreplies                          ? CONSOLE_MSG_ANSWERED
                             : message_overdue(s->site, m, s->now) ? CONSOLE_MSG_OVERDUE
                                                                   : CONSOLE_MSG_OPEN;
    if ((s->want == CONSOLE_MSG_WANT_OPEN && st == CONSOLE_MSG_ANSWERED) ||
        (s->want == CONSOLE_MSG_WANT_OVERDUE && st != CONSOLE_MSG_OVERDUE))
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->e = util_realloc(s->e, s->cap * sizeof *s->e);
    }
    console_msg_entry_t *x = &s->e[s->n++];
    snprintf(x->code, sizeof x->code, "%s", m->code);
    x->created = m->created;
    x->state = st;
    return 0;
}

static const char *state_name(console_msg_state_t st)
{
    return st == CONSOLE_MSG_OVERDUE ? "overdue" : st == CONSOLE_MSG_OPEN ? "open" : "answered";
}

static json_t *minute(int64_t t)
{
    char buf[17];
    article_format_minute(t, buf);
    return json_string(buf);
}

/* One message of the page, read again by its code (NULL when it went meanwhile). */
static json_t *message_json(store_txn_t *t, const conf_site_t *site, const console_msg_entry_t *e)
{
    message_t m;
    if (message_get(t, e->code, &m) != STORE_OK)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "code", json_common_text(m.code));
    json_object_set_new(o, "column", json_common_text(m.column));
    json_object_set_new(o, "subject", json_common_text(m.title));
    json_object_set_new(o, "question", json_common_text(m.body));
    json_object_set_new(o, "date", minute(m.created));
    json_object_set_new(o, "deadline", minute(message_deadline(site, m.created)));
    json_object_set_new(o, "state", json_string(state_name(e->state)));
    json_object_set_new(o, "replies", json_integer(m.nreplies));
    message_reply_t rep;
    if (message_reply_latest(t, &m, &rep) == STORE_OK)
        json_object_set_new(o, "reply", json_pack("{s:i, s:o, s:o, s:o}", "n", (int)rep.n, "by",
                                                  json_common_text(rep.by), "date",
                                                  minute(rep.time), "text",
                                                  json_common_text(rep.text)));
    else
        json_object_set_new(o, "reply", json_null());
    return o;
}

int console_messages_json(store_txn_t *t, const conf_site_t *site, console_msg_want_t want,
                          unsigned long page, int64_t now, json_t **out)
{
    scan_t sc = {.site = site, .now = now, .want = want};
    int rc = 0;
    for (size_t i = 0; i < site->ncolumns && !sc.truncated; i++) {
        if (site->columns[i].type != COLUMN_INTERACTION)
            continue;
        rc = message_each(t, site->id, site->columns[i].id, false, 0, SIZE_MAX, scan_cb, &sc);
        if (rc < 0 && rc != STORE_NOTFOUND)
            break;
        rc = 0;
    }
    if (rc < 0) {
        free(sc.e);
        log_error("console: reading the messages of %s: %s", site->id, store_strerror(rc));
        return rc;
    }
    console_messages_order(sc.e, sc.n);
    json_t *list = json_array();
    size_t first = (size_t)(page - 1) * CONSOLE_MESSAGES_PER_PAGE;
    for (size_t i = first; i < sc.n && i < first + CONSOLE_MESSAGES_PER_PAGE; i++) {
        json_t *m = message_json(t, site, &sc.e[i]);
        if (m)
            json_array_append_new(list, m);
    }
    static const char *const wants[] = {"open", "overdue", "all"};
    *out = json_pack("{s:s, s:s, s:I, s:i, s:I, s:b, s:o}", "site", site->id, "state",
                     wants[want], "page", (json_int_t)page, "per_page",
                     CONSOLE_MESSAGES_PER_PAGE, "total", (json_int_t)sc.n, "truncated",
                     sc.truncated, "messages", list);
    free(sc.e);
    return STORE_OK;
}

bool console_messages_want(const char *name, console_msg_want_t *want)
{
    static const char *const wants[] = {"open", "overdue", "all"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(wants); i++)
        if (name && strcmp(name, wants[i]) == 0) {
            *want = (console_msg_want_t)i;
            return true;
        }
    return false;
}

module_result_t console_api_messages(request_t *r)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK)
        return MODULE_DONE;
    static const char *const names[] = {"site", "state", "page"};
    const char *v[3];
    size_t cap = (r->query ? r->query_len : 0) + UTIL_ARRAY_LEN(names) + 1;
    char *buf = util_malloc(cap);
    const conf_site_t *site = NULL;
    unsigned long page = 1;
    console_msg_want_t want = CONSOLE_MSG_WANT_OPEN;
    bool ok = console_query_read(r, names, UTIL_ARRAY_LEN(names), v, buf, cap) &&
              (site = console_query_site(r, v[0], "site")) &&
              console_query_number(r, v[2], "page", 1, 1, CONSOLE_MESSAGES_PAGE_MAX, &page);
    if (ok && v[1] && !console_messages_want(v[1], &want)) {
        console_error(r, 400, "must be open, overdue or all", "state");
        ok = false;
    }
    free(buf);
    if (!ok)
        return MODULE_DONE;
    const conf_t *c = r->snap->conf;
    if (!account_may(&a, ACCOUNT_ROLE_REPLIER, c, site->id)) {
        console_error(r, 403, "this account may not answer the messages of this site", "site");
        return MODULE_DONE;
    }
    store_txn_t *t = request_store(r);
    json_t *o = NULL;
    if (!t || console_messages_json(t, site, want, page, (int64_t)time(NULL), &o) != STORE_OK) {
        console_error(r, 503, "the store cannot be read", NULL);
        return MODULE_DONE;
    }
    console_reply(r, 200, o, NULL, 0);
    return MODULE_DONE;
}

/* ---- POST /api/messages/CODE/reply ---- */

typedef struct reply_job {
    request_deferred_t *d;
    char code[MESSAGE_CODE_LEN + 1];
    char site[64];
    char by[ACCOUNT_NAME_MAX + 1];
    char *text;
    int64_t now;
    int rc;     /* the writer's outcome */
    int status; /* 200; 404 gone; 409 the same reply again */
    uint32_t n;
    char *url;
} reply_job_t;

static int apply_reply(store_txn_t *t, void *ud)
{
    reply_job_t *j = ud;
    message_t m;
    int rc = message_get(t, j->code, &m);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && strcmp(m.site, j->site) != 0)) {
        j->status = 404;
        return 0;
    }
    if (rc != STORE_OK)
        return rc;
    /* A form posted twice (a double click, a retried request) must not publish the same
     * text twice as a "correction". */
    message_reply_t last;
    if (message_reply_latest(t, &m, &last) == STORE_OK && strcmp(last.by, j->by) == 0 &&
        strcmp(last.text, j->text) == 0) {
        j->status = 409;
        return 0;
    }
    rc = message_reply_add(t, j->code, j->by, j->text, j->now, &j->n);
    if (rc != STORE_OK)
        return rc;
    j->status = 200;
    return 0;
}

static void respond_reply(request_t *r, void *ud)
{
    reply_job_t *j = ud;
    if (j->rc != 0) {
        log_error("console: the reply of %s to %s was not recorded: %s", j->by, j->code,
                  store_strerror(j->rc));
        console_error(r, 503, "the reply could not be recorded; try again", NULL);
        return;
    }
    if (j->status == 404) {
        console_error(r, 404, "no such message", NULL);
        return;
    }
    if (j->status == 409) {
        console_error(r, 409, "this reply is already the one in force", "text");
        return;
    }
    console_reply(r, 200, json_pack("{s:s, s:i, s:b, s:s}", "code", j->code, "reply", (int)j->n,
                                    "correction", j->n > 1, "url", j->url),
                  NULL, 0);
}

static void reply_free(reply_job_t *j)
{
    free(j->text);
    free(j->url);
    free(j);
}

static void reply_done(int rc, void *ud)
{
    reply_job_t *j = ud;
    j->rc = rc;
    request_resume(j->d, respond_reply, j);
    reply_free(j);
}

/* The body's text, checked as `jiyuectl reply` checks a file: NULL after answering 400. */
static char *body_text(request_t *r, size_t *len)
{
    json_t *o = console_body_json(r);
    if (!o)
        return NULL;
    const char *k;
    json_t *val;
    json_object_foreach(o, k, val)
    {
        if (strcmp(k, "text") != 0) {
            /* a reply is always public (the interaction module has no private reply) */
            console_error(r, 400, "unknown field (a reply takes only text)", k);
            json_decref(o);
            return NULL;
        }
    }
    json_t *v = json_object_get(o, "text");
    if (!v || !json_is_string(v)) {
        console_error(r, 400, v ? "must be a string" : "missing field", "text");
        json_decref(o);
        return NULL;
    }
    *len = json_string_length(v);
    char *text = util_malloc(*len + 1);
    memcpy(text, json_string_value(v), *len + 1);
    json_decref(o);
    const char *why = memchr(text, '\0', *len) ? "holds a NUL character"
                                               : message_reply_text_check(text, len);
    if (why) {
        console_error(r, 400, why, "text");
        free(text);
        return NULL;
    }
    return text;
}

module_result_t console_api_message_reply(request_t *r, const char *code, size_t len)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK || !console_guard_write(r, &s))
        return MODULE_DONE;
    size_t tlen = 0;
    char *text = body_text(r, &tlen);
    if (!text)
        return MODULE_DONE;
    store_txn_t *t = request_store(r);
    message_t m;
    int rc = !message_code_ok(code, len) ? STORE_NOTFOUND
             : t                         ? STORE_OK
                                         : STORE_EIO;
    char cbuf[MESSAGE_CODE_LEN + 1] = "";
    if (rc == STORE_OK) {
        memcpy(cbuf, code, len);
        rc = message_get(t, cbuf, &m);
    }
    if (rc != STORE_OK) {
        free(text);
        if (rc == STORE_NOTFOUND)
            console_error(r, 404, "no such message", NULL);
        else
            console_error(r, 503, "the store cannot be read", NULL);
        return MODULE_DONE;
    }
    /* the site is the stored message's: whatever the client claims does not count */
    const conf_t *c = r->snap->conf;
    const conf_site_t *site = conf_site_find(c, m.site);
    if (!site || !account_may(&a, ACCOUNT_ROLE_REPLIER, c, m.site)) {
        free(text);
        console_error(r, 403, "this account may not answer the messages of this site", NULL);
        return MODULE_DONE;
    }
    reply_job_t *j = util_calloc(1, sizeof *j);
    memcpy(j->code, cbuf, sizeof j->code);
    snprintf(j->site, sizeof j->site, "%s", m.site);
    snprintf(j->by, sizeof j->by, "%s", a.name);
    j->text = text;
    j->now = (int64_t)time(NULL);
    char *path = article_site_path(site);
    j->url = util_asprintf("%s%s/q/%s", path ? path : "/", m.column, j->code);
    free(path);
    writer_job_t wj = {.apply = apply_reply, .done = reply_done, .ud = j, .worker = r->worker};
    if (writer_submit(&wj) != 0) {
        reply_free(j);
        console_error(r, 503, "nothing can be written now", NULL);
        return MODULE_DONE;
    }
    j->d = request_defer(r);
    return MODULE_DONE;
}
