/* modules/console/console_history.c: GET /api/history (the answer's shape is in
 * console_history.h). The trail has no index per site: a site's records are found by
 * walking the whole cluster's trail (article_history_each, as `jiyuectl history SITE`
 * does), so the walk runs on the thread pool (console_work.h), keeping the newest `limit`
 * in a ring; the records' strings stay valid in the walk's read transaction. */
#include "console_history.h"

#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "article.h"
#include "console_api.h"
#include "console_query.h"
#include "console_work.h"
#include "json_common.h"

/* History walks at once: each holds a pool thread for the length of the trail. */
#define HISTORY_IN_FLIGHT_MAX 4
static atomic_int in_flight;

typedef struct ring {
    article_audit_t *r;
    size_t cap, n; /* n: records kept in total (the newest cap of them are in r) */
    bool accounts;
} ring_t;

static int keep(void *ud, const article_audit_t *a)
{
    ring_t *g = ud;
    if (!g->accounts && article_trail_kind(a) == ARTICLE_TRAIL_ACCOUNT)
        return 0;
    g->r[g->n % g->cap] = *a;
    g->n++;
    return 0;
}

static json_t *minute(int64_t t)
{
    char buf[17];
    article_format_minute(t, buf);
    return json_string(buf);
}

static void set_text(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, json_common_text(v));
}

static json_t *record_json(store_txn_t *t, const article_audit_t *a, bool codes)
{
    static const char *const kinds[] = {"article", "removal", "draft", "account"};
    article_trail_kind_t kind = article_trail_kind(a);
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)a->seq));
    json_object_set_new(o, "time", minute(a->time));
    set_text(o, "action", a->action);
    json_object_set_new(o, "kind", json_string(kinds[kind]));
    set_text(o, "site", a->site);
    set_text(o, "column", a->column);
    bool spam = strcmp(a->action, "spam") == 0;
    /* a spam record's id is the citizen's receipt code: the key to their receipt */
    set_text(o, "id", spam && !codes ? NULL : a->id);
    set_text(o, "title", a->title);
    switch (kind) {
    case ARTICLE_TRAIL_ARTICLE: {
        json_object_set_new(o, "revision", json_integer(a->revision));
        set_text(o, "publisher", a->who);
        set_text(o, "reviewer", a->reviewer);
        article_t art;
        bool in_force = article_get(t, a->site, a->column, a->id, &art) == STORE_OK &&
                        art.revision == a->revision;
        set_text(o, "secrecy_review", in_force ? art.secrecy_by : NULL);
        set_text(o, "disclosure", a->note);
        break;
    }
    case ARTICLE_TRAIL_REMOVAL:
        if (!spam)
            json_object_set_new(o, "revision", json_integer(a->revision));
        set_text(o, "by", a->who);
        set_text(o, "reason", a->note);
        break;
    case ARTICLE_TRAIL_DRAFT:
        set_text(o, "by", a->who);
        set_text(o, "note", a->note);
        break;
    case ARTICLE_TRAIL_ACCOUNT:
        set_text(o, "by", a->who);
        set_text(o, "roles", a->title);
        set_text(o, "note", a->note);
        break;
    }
    return o;
}

int console_history_json(store_txn_t *t, const char *site, size_t limit, bool accounts,
                         bool codes, json_t **out)
{
    ring_t g = {util_calloc(limit ? limit : 1, sizeof(article_audit_t)), limit ? limit : 1, 0,
                accounts};
    int rc = article_history_each(t, site, keep, &g);
    if (rc < 0) {
        free(g.r);
        return rc;
    }
    json_t *list = json_array();
    size_t kept = g.n < g.cap ? g.n : g.cap;
    for (size_t i = 0; i < kept && limit; i++) /* newest first */
        json_array_append_new(list, record_json(t, &g.r[(g.n - 1 - i) % g.cap], codes));
    free(g.r);
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)g.n, "records", list);
    return STORE_OK;
}

/* ---- the request ---- */

typedef struct hist_job {
    char site[64]; /* "" : the whole cluster */
    size_t limit;
    bool accounts, codes;
} hist_job_t;

static json_t *work(store_txn_t *t, const snapshot_t *snap, void *ud, int *status)
{
    (void)snap;
    hist_job_t *j = ud;
    json_t *o = NULL;
    if (console_history_json(t, *j->site ? j->site : NULL, j->limit, j->accounts, j->codes,
                             &o) != STORE_OK) {
        *status = 503;
        return NULL;
    }
    json_object_set_new(o, "site", *j->site ? json_string(j->site) : json_null());
    json_object_set_new(o, "limit", json_integer((json_int_t)j->limit));
    return o;
}

bool console_history_may(const account_t *a, const conf_t *c, const conf_site_t *site,
                         bool *codes)
{
    static const account_role_kind_t any[] = {ACCOUNT_ROLE_EDITOR, ACCOUNT_ROLE_REVIEWER,
                                              ACCOUNT_ROLE_REPLIER, ACCOUNT_ROLE_SITE_ADMIN};
    bool cluster = account_may(a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, NULL);
    bool may = cluster;
    for (size_t i = 0; site && !may && i < UTIL_ARRAY_LEN(any); i++)
        may = account_may(a, any[i], c, site->id);
    *codes = cluster || (site && account_may(a, ACCOUNT_ROLE_REPLIER, c, site->id));
    return may;
}

void console_history_submit(request_t *r, const char *site, size_t limit, bool accounts,
                            bool codes, const console_work_page_t *page)
{
    hist_job_t *j = util_calloc(1, sizeof *j);
    snprintf(j->site, sizeof j->site, "%s", site ? site : "");
    j->limit = limit;
    j->accounts = accounts;
    j->codes = codes;
    if (page)
        console_work_submit_page(r, work, j, free, &in_flight, HISTORY_IN_FLIGHT_MAX, page);
    else
        console_work_submit(r, work, j, free, &in_flight, HISTORY_IN_FLIGHT_MAX);
}

module_result_t console_api_history(request_t *r)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK)
        return MODULE_DONE;
    static const char *const names[] = {"site", "limit"};
    const char *v[2];
    size_t cap = (r->query ? r->query_len : 0) + UTIL_ARRAY_LEN(names) + 1;
    char *buf = util_malloc(cap);
    const conf_t *c = r->snap->conf;
    unsigned long limit = 0;
    const conf_site_t *site = NULL;
    bool cluster = account_may(&a, ACCOUNT_ROLE_CLUSTER_ADMIN, c, NULL);
    bool ok = console_query_read(r, names, UTIL_ARRAY_LEN(names), v, buf, cap) &&
              console_query_number(r, v[1], "limit", CONSOLE_HISTORY_LIMIT, 1,
                                   CONSOLE_HISTORY_LIMIT_MAX, &limit);
    if (ok && !v[0] && !cluster) {
        console_error(r, 403, "the whole cluster's trail is for cluster_admin: give a site",
                      "site");
        ok = false;
    }
    if (ok && v[0] && !(site = console_query_site(r, v[0], "site")))
        ok = false;
    free(buf);
    if (!ok)
        return MODULE_DONE;
    bool codes = false;
    if (!console_history_may(&a, c, site, &codes)) {
        console_error(r, 403, "this account has no role on this site", "site");
        return MODULE_DONE;
    }
    console_history_submit(r, site ? site->id : NULL, limit, cluster, codes, NULL);
    return MODULE_DONE;
}
