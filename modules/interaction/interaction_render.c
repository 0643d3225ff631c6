/* modules/interaction/interaction_render.c: the message board's pages in the site's theme: the form
 * (interaction_form.html), the receipt (interaction_receipt.html), the public list of
 * answered messages (interaction_list.html) and 受理反馈统计 (interaction_stats.html).
 *
 * Everything a citizen wrote reaches the templates as data and is escaped by them; names
 * and phone numbers are masked before they get there, and e-mail addresses never do. */
#include "interaction_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "care.h"
#include "interaction.h"
#include "message_search.h"
#include "render_common.h"
#include "theme.h"
#include "wcache.h"

typedef struct ctx {
    request_t *r;
    const interaction_page_t *p;
    tpl_data_t *d;
    tpl_val_t *root;
    store_txn_t *t;
    const char *cookie; /* the form's Set-Cookie, or NULL */
} ctx_t;

static void set_owned(ctx_t *x, tpl_val_t *m, const char *k, char *v)
{
    tpl_set_str(x->d, m, k, v);
    free(v);
}

static void set_buf(ctx_t *x, tpl_val_t *m, const char *k, util_buf_t *b)
{
    tpl_set_strn(x->d, m, k, b->data ? b->data : "", b->len);
    b->len = 0;
}

static void add_site(ctx_t *x)
{
    const conf_site_t *s = x->p->site;
    const conf_t *conf = x->r->snap->conf;
    tpl_val_t *m = tpl_set_map(x->d, x->root, "site");
    const router_site_t *rs = router_site(x->r->snap->router, s->id);
    tpl_set_str(x->d, m, "id", s->id);
    tpl_set_str(x->d, m, "name", s->name);
    tpl_set_str(x->d, m, "home", x->p->prefix);
    render_site_reg(x->d, m, s, rs);
    tpl_val_t *cols = tpl_set_list(x->d, m, "columns");
    for (size_t i = 0; i < s->ncolumns; i++) {
        tpl_val_t *c = tpl_list_add_map(x->d, cols);
        tpl_set_str(x->d, c, "id", s->columns[i].id);
        tpl_set_str(x->d, c, "name", s->columns[i].name);
        set_owned(x, c, "url", util_asprintf("%s%s/", x->p->prefix, s->columns[i].id));
        tpl_set_bool(x->d, c, "current", &s->columns[i] == x->p->col);
    }
    if (conf->portal && conf->portal != s) {
        tpl_val_t *pm = tpl_set_map(x->d, x->root, "portal");
        tpl_set_str(x->d, pm, "name", conf->portal->name);
        set_owned(x, pm, "home", render_portal_link(x->r, x->p->site, x->p->prefix, conf->portal));
    }
    tpl_set_bool(x->d, x->root, "mourning", conf->mourning || s->mourning);

    const conf_column_t *col = x->p->col;
    tpl_val_t *c = tpl_set_map(x->d, x->root, "column");
    tpl_set_str(x->d, c, "id", col->id);
    tpl_set_str(x->d, c, "name", col->name);
    tpl_set_str(x->d, c, "description", col->description ? col->description : col->name);
    set_owned(x, c, "url", util_asprintf("%s%s/", x->p->prefix, col->id));
    set_owned(x, c, "new_url", util_asprintf("%s%s/new", x->p->prefix, col->id));
    set_owned(x, c, "stats_url", util_asprintf("%s%s/stats", x->p->prefix, col->id));
    tpl_set_int(x->d, c, "reply_days", (long long)interaction_site_conf(x->p->site)->reply_days);
    time_t now = time(NULL) + ARTICLE_TZ_OFFSET;
    struct tm tm;
    gmtime_r(&now, &tm);
    tpl_set_int(x->d, x->root, "year", tm.tm_year + 1900);
}

static void ctx_init(ctx_t *x, request_t *r, const interaction_page_t *p)
{
    x->r = r;
    x->p = p;
    x->d = tpl_data_new();
    x->root = tpl_data_root(x->d);
    x->t = NULL;
    x->cookie = NULL;
    add_site(x);
    care_tpl(x->d, x->root, p->care, p->prefix, r->path, r->path_len);
}

static void send(request_t *r, int status, bool private_page, int64_t retry_after,
                 const char *cookie, const char *body, size_t len)
{
    response_begin(r, status);
    static const char ct[] = "text/html; charset=utf-8";
    response_header(r, "Content-Type", ct, sizeof ct - 1);
    response_header(r, "Vary", "Cookie", 6); /* two renderings: care.h */
    if (private_page) {
        /* A form carries a token and a receipt carries its code: neither may be cached by
         * a shared proxy, and the code must not leak through Referer. The form's own URL
         * holds nothing secret: it keeps Referer (and so Origin, which a browser sends as
         * "null" under no-referrer) for its own origin, where the POST is checked. */
        response_header(r, "Cache-Control", "no-store", 8);
        if (cookie)
            response_header(r, "Referrer-Policy", "same-origin", 11);
        else
            response_header(r, "Referrer-Policy", "no-referrer", 11);
        response_header(r, "X-Robots-Tag", "noindex", 7);
        if (cookie)
            response_header(r, "Set-Cookie", cookie, strlen(cookie));
    } else {
        response_header(r, "Cache-Control", "no-cache", 8);
    }
    if (retry_after > 0)
        response_header_fmt(r, "Retry-After", "%lld", (long long)retry_after);
    response_end_headers(r, len);
    response_body(r, body, len, true);
}

/* ---- public pages (list, stats) in the per-worker cache (core/wcache.h), so that a
 * popular board costs one store lookup per request: an entry holds while the
 * configuration generation and the site's message version are the same, and stats (whose
 * "overdue now" moves with the clock) for a minute at most. ---- */

typedef struct centry {
    int64_t expires; /* 0: never by time */
    size_t len;
    char body[];
} centry_t;

static const wcache_owner_t cache_owner = {"interaction", free};

static size_t cache_key(const request_t *r, const interaction_page_t *p, const char *what,
                        unsigned page, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s\n%s\n%s\n%s\n%u\n%c%c", p->site->id, p->prefix, p->col->id,
                     what, page, r->tls ? 's' : 'p', p->care ? 'c' : 'n');
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static const centry_t *cache_get(const char *key, uint64_t gen, uint64_t ver, int64_t now)
{
    const wcache_stamp_t st = {.generation = gen, .version = ver};
    const centry_t *e = wcache_get(&cache_owner, key, strlen(key), &st);
    return e && (!e->expires || now < e->expires) ? e : NULL;
}

static void cache_put(const char *key, uint64_t gen, uint64_t ver, int64_t expires,
                      const util_buf_t *out)
{
    centry_t *e = util_malloc(sizeof *e + (out->len ? out->len : 1));
    e->expires = expires;
    e->len = out->len;
    memcpy(e->body, out->data ? out->data : "", out->len);
    const wcache_stamp_t st = {.generation = gen, .version = ver};
    wcache_put(&cache_owner, key, strlen(key), &st, e, sizeof *e + out->len);
}

/* Serves a public page from the cache when it is there. */
static bool cached(request_t *r, const char *key, uint64_t ver)
{
    const centry_t *e = key[0] ? cache_get(key, r->snap->generation, ver, (int64_t)time(NULL))
                               : NULL;
    if (e)
        send(r, 200, false, 0, NULL, e->body, e->len);
    return e != NULL;
}

/* Renders `name` and answers with it (and caches it under `key` when one is given); a
 * plain error page when the theme has no such template (a broken deployment, not a
 * citizen's fault). */
static void finish_cached(ctx_t *x, const char *name, int status, bool private_page,
                          int64_t retry_after, const char *key, uint64_t ver, int64_t expires)
{
    const conf_t *conf = x->r->snap->conf;
    const tpl_t *t = conf->themes ? tpl_set_get(theme_for_site(conf->themes, x->p->site), name)
                                  : NULL;
    if (!t) {
        tpl_data_free(x->d);
        response_error(x->r, status == 200 ? 503 : status, "the message board's pages are not installed");
        return;
    }
    util_buf_t out = {0};
    tpl_render(t, x->root, &out);
    tpl_data_free(x->d);
    if (key && key[0])
        cache_put(key, x->r->snap->generation, ver, expires, &out);
    send(x->r, status, private_page, retry_after, x->cookie, out.data ? out.data : "", out.len);
    util_buf_free(&out);
}

static void finish(ctx_t *x, const char *name, int status, bool private_page,
                   int64_t retry_after)
{
    finish_cached(x, name, status, private_page, retry_after, NULL, 0, 0);
}

/* ------------------------------------------------------------------ form */

void interaction_render_form(request_t *r, const interaction_page_t *p, int status,
                             const interaction_form_t *f, const char *token,
                             int64_t retry_after, const char *cookie)
{
    ctx_t x;
    ctx_init(&x, r, p);
    x.cookie = cookie;
    set_owned(&x, x.root, "title", util_asprintf("我要留言 - %s", p->col->name));
    tpl_val_t *fm = tpl_set_map(x.d, x.root, "form");
    set_owned(&x, fm, "action", util_asprintf("%s%s/", p->prefix, p->col->id));
    tpl_set_str(x.d, fm, "token", token);
    tpl_set_str(x.d, fm, "honeypot", INTERACTION_HONEYPOT);
    tpl_set_bool(x.d, fm, "unavailable", token == NULL);
    tpl_set_int(x.d, fm, "title_max", MESSAGE_TITLE_MAX);
    tpl_set_int(x.d, fm, "body_max", MESSAGE_BODY_MAX);
    if (f) {
        tpl_val_t *v = tpl_set_map(x.d, fm, "values");
        tpl_set_str(x.d, v, "title", f->title);
        tpl_set_str(x.d, v, "body", f->body);
        tpl_set_str(x.d, v, "name", f->name);
        tpl_set_str(x.d, v, "phone", f->phone);
        tpl_set_str(x.d, v, "email", f->email);
        tpl_val_t *errs = tpl_set_list(x.d, x.root, "errors");
        for (size_t i = 0; i < f->nerrors; i++) {
            tpl_val_t *e = tpl_list_add_map(x.d, errs);
            tpl_set_str(x.d, e, "field", f->errors[i].field);
            tpl_set_str(x.d, e, "text", f->errors[i].text);
            char k[32];
            snprintf(k, sizeof k, "error_%s", f->errors[i].field);
            tpl_set_str(x.d, fm, k, f->errors[i].text);
        }
    }
    if (retry_after > 0)
        tpl_set_int(x.d, fm, "retry_minutes", (retry_after + 59) / 60);
    finish(&x, "interaction_form.html", status, true, retry_after);
}

/* ------------------------------------------------------------------ receipt */

typedef struct trail {
    ctx_t *x;
    tpl_val_t *list;
    uint32_t last;
} trail_t;

static int trail_cb(void *ud, const message_reply_t *rp)
{
    trail_t *tr = ud;
    tpl_val_t *m = tpl_list_add_map(tr->x->d, tr->list);
    char when[17];
    article_format_minute(rp->time, when);
    tpl_set_int(tr->x->d, m, "n", rp->n);
    tpl_set_str(tr->x->d, m, "by", rp->by);
    tpl_set_str(tr->x->d, m, "date", when);
    tpl_set_str(tr->x->d, m, "text", rp->text);
    tpl_set_bool(tr->x->d, m, "superseded", rp->n < tr->last);
    return 0;
}

static void add_message(ctx_t *x, tpl_val_t *m, const message_t *msg, util_buf_t *tmp)
{
    char when[17];
    tpl_set_str(x->d, m, "title", msg->title);
    tpl_set_str(x->d, m, "body", msg->body);
    message_mask_name(tmp, msg->name);
    set_buf(x, m, "name", tmp);
    message_mask_phone(tmp, msg->phone);
    set_buf(x, m, "phone", tmp);
    article_format_minute(msg->created, when);
    tpl_set_str(x->d, m, "received", when);
    tpl_set_bool(x->d, m, "answered", msg->nreplies > 0);
    tpl_set_str(x->d, m, "status", msg->nreplies ? "已回复" : "待回复");
    if (msg->nreplies) {
        tpl_set_int(x->d, m, "days", message_days(msg->created, msg->first_reply));
        tpl_set_bool(x->d, m, "corrected", msg->nreplies > 1);
    }
    tpl_set_int(x->d, m, "seq", (long long)msg->seq);
}

int interaction_render_receipt(request_t *r, const interaction_page_t *p, const char *code)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return STORE_EIO;
    message_t msg;
    int rc = message_get(t, code, &msg);
    if (rc != 0)
        return rc;
    if (strcmp(msg.site, p->site->id) != 0 || strcmp(msg.column, p->col->id) != 0)
        return STORE_NOTFOUND;
    ctx_t x;
    ctx_init(&x, r, p);
    util_buf_t tmp = {0};
    tpl_val_t *m = tpl_set_map(x.d, x.root, "message");
    add_message(&x, m, &msg, &tmp);
    tpl_set_str(x.d, m, "code", msg.code);
    set_owned(&x, m, "url", util_asprintf("%s%s/q/%s", p->prefix, p->col->id, msg.code));
    trail_t tr = {&x, tpl_set_list(x.d, m, "replies"), msg.nreplies};
    rc = message_replies_each(t, code, trail_cb, &tr);
    util_buf_free(&tmp);
    if (rc < 0) {
        tpl_data_free(x.d);
        return rc;
    }
    set_owned(&x, x.root, "title", util_asprintf("留言回执 - %s", p->col->name));
    finish(&x, "interaction_receipt.html", 200, true, 0);
    return 0;
}

/* ------------------------------------------------------------------ list */

typedef struct lister {
    ctx_t *x;
    tpl_val_t *list;
    util_buf_t tmp;
} lister_t;

static int list_cb(void *ud, const message_t *msg)
{
    lister_t *l = ud;
    ctx_t *x = l->x;
    tpl_val_t *m = tpl_list_add_map(x->d, l->list);
    add_message(x, m, msg, &l->tmp);
    message_reply_t rp;
    if (message_reply_latest(x->t, msg, &rp) == 0) {
        tpl_val_t *rm = tpl_set_map(x->d, m, "reply");
        char when[17];
        article_format_minute(rp.time, when);
        tpl_set_str(x->d, rm, "by", rp.by);
        tpl_set_str(x->d, rm, "text", rp.text);
        tpl_set_str(x->d, rm, "date", when);
    }
    return 0;
}

static char *page_url(const char *col_url, unsigned n)
{
    return n == 1 ? util_strdup(col_url) : util_asprintf("%sindex_%u.html", col_url, n);
}

int interaction_render_list(request_t *r, const interaction_page_t *p, unsigned page)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return STORE_EIO;
    char key[700];
    if (!cache_key(r, p, "list", page, key, sizeof key))
        key[0] = '\0';
    uint64_t ver = message_version(t, p->site->id);
    if (cached(r, key, ver))
        return 0;
    uint64_t received, answered;
    message_counts(t, p->site->id, p->col->id, &received, &answered);
    unsigned pages = (unsigned)((answered + INTERACTION_PER_PAGE - 1) / INTERACTION_PER_PAGE);
    if (pages == 0)
        pages = 1;
    if (page > pages)
        return 1;
    ctx_t x;
    ctx_init(&x, r, p);
    x.t = t;
    tpl_set_bool(x.d, x.root, "is_list", true);
    tpl_val_t *col = tpl_set_map(x.d, x.root, "counts");
    tpl_set_int(x.d, col, "received", (long long)received);
    tpl_set_int(x.d, col, "answered", (long long)answered);
    lister_t l = {&x, tpl_set_list(x.d, x.root, "items"), {0}};
    int rc = message_each(t, p->site->id, p->col->id, true,
                          (size_t)(page - 1) * INTERACTION_PER_PAGE, INTERACTION_PER_PAGE,
                          list_cb, &l);
    util_buf_free(&l.tmp);
    if (rc < 0 && rc != STORE_NOTFOUND) {
        tpl_data_free(x.d);
        return rc;
    }
    char *col_url = util_asprintf("%s%s/", p->prefix, p->col->id);
    tpl_val_t *pg = tpl_set_map(x.d, x.root, "pagination");
    tpl_set_int(x.d, pg, "page", page);
    tpl_set_int(x.d, pg, "pages", pages);
    tpl_set_bool(x.d, pg, "many", pages > 1);
    if (page > 1)
        set_owned(&x, pg, "prev", page_url(col_url, page - 1));
    if (page < pages)
        set_owned(&x, pg, "next", page_url(col_url, page + 1));
    unsigned from = page > 4 ? page - 4 : 1;
    unsigned to = from + 8 < pages ? from + 8 : pages;
    tpl_val_t *nums = tpl_set_list(x.d, pg, "list");
    for (unsigned n = from; n <= to; n++) {
        tpl_val_t *e = tpl_list_add_map(x.d, nums);
        tpl_set_int(x.d, e, "num", n);
        set_owned(&x, e, "url", page_url(col_url, n));
        tpl_set_bool(x.d, e, "current", n == page);
    }
    free(col_url);
    set_owned(&x, x.root, "title",
              page > 1 ? util_asprintf("%s（第%u页）", p->col->name, page)
                       : util_strdup(p->col->name));
    finish_cached(&x, "interaction_list.html", 200, false, 0, key, ver, 0);
    return 0;
}

int interaction_render_message(request_t *r, const interaction_page_t *p, uint64_t seq)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return STORE_EIO;
    char code[MESSAGE_CODE_LEN + 1];
    int rc = message_public_code(t, p->site->id, p->col->id, seq, code);
    message_t msg;
    if (rc == 0)
        rc = message_get(t, code, &msg);
    if (rc != 0)
        return rc;
    if (strcmp(msg.site, p->site->id) != 0 || strcmp(msg.column, p->col->id) != 0 ||
        msg.nreplies == 0 || msg.spam_time)
        return STORE_NOTFOUND;
    ctx_t x;
    ctx_init(&x, r, p);
    x.t = t;
    uint64_t received, answered;
    message_counts(t, p->site->id, p->col->id, &received, &answered);
    tpl_val_t *col = tpl_set_map(x.d, x.root, "counts");
    tpl_set_int(x.d, col, "received", (long long)received);
    tpl_set_int(x.d, col, "answered", (long long)answered);
    lister_t l = {&x, tpl_set_list(x.d, x.root, "items"), {0}};
    list_cb(&l, &msg);
    util_buf_free(&l.tmp);
    set_owned(&x, x.root, "title", util_asprintf("%s - %s", msg.title, p->col->name));
    finish(&x, "interaction_list.html", 200, false, 0);
    return 0;
}

/* ------------------------------------------------------------------ stats */

static void add_stat(ctx_t *x, tpl_val_t *m, const message_stat_t *s)
{
    tpl_set_int(x->d, m, "received", s->received);
    tpl_set_int(x->d, m, "answered", s->answered);
    tpl_set_int(x->d, m, "in_time", s->in_time);
    tpl_set_int(x->d, m, "overdue", s->overdue);
    char buf[32];
    if (s->answered) {
        snprintf(buf, sizeof buf, "%.1f", s->days_sum / s->answered);
        tpl_set_str(x->d, m, "avg_days", buf);
    } else {
        tpl_set_str(x->d, m, "avg_days", "-");
    }
    if (s->received) {
        snprintf(buf, sizeof buf, "%.1f%%", 100.0 * s->answered / s->received);
        tpl_set_str(x->d, m, "answer_rate", buf);
    } else {
        tpl_set_str(x->d, m, "answer_rate", "-");
    }
}

int interaction_render_stats(request_t *r, const interaction_page_t *p)
{
    store_txn_t *t = request_store(r);
    if (!t)
        return STORE_EIO;
    char key[700];
    if (!cache_key(r, p, "stats", 0, key, sizeof key))
        key[0] = '\0';
    uint64_t ver = message_version(t, p->site->id);
    if (cached(r, key, ver))
        return 0;
    int64_t now = (int64_t)time(NULL);
    time_t local = (time_t)(now + ARTICLE_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&local, &tm);
    message_stat_t months[12], total;
    int rc = message_stats(t, p->site->id, p->col->id, tm.tm_year + 1900,
                           interaction_site_conf(p->site)->reply_days, now, months, &total);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    ctx_t x;
    ctx_init(&x, r, p);
    tpl_set_bool(x.d, x.root, "is_stats", true);
    tpl_val_t *st = tpl_set_map(x.d, x.root, "stats");
    tpl_set_int(x.d, st, "year", tm.tm_year + 1900);
    tpl_val_t *list = tpl_set_list(x.d, st, "months");
    for (int i = 0; i <= tm.tm_mon; i++) {
        tpl_val_t *m = tpl_list_add_map(x.d, list);
        char label[16];
        snprintf(label, sizeof label, "%d月", i + 1);
        tpl_set_str(x.d, m, "month", label);
        add_stat(&x, m, &months[i]);
    }
    add_stat(&x, tpl_set_map(x.d, st, "total"), &total);
    char when[17];
    article_format_minute(now, when);
    tpl_set_str(x.d, st, "as_of", when);
    set_owned(&x, x.root, "title", util_asprintf("受理反馈统计 - %s", p->col->name));
    finish_cached(&x, "interaction_stats.html", 200, false, 0, key, ver, now - now % 60 + 60);
    return 0;
}
