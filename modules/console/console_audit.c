/* modules/console/console_audit.c: GET /api/audit (console_audit.h): the sites are chosen
 * and the account's right checked on the worker; the rules run on the thread pool, as
 * cmd_audit.c runs them (audit_site_init, audit_links_prepare, audit_site), over the
 * pinned snapshot's configuration and router. */
#include "console_audit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "article.h"
#include "audit.h"
#include "audit_json.h"
#include "console_api.h"
#include "console_query.h"
#include "console_work.h"
#include "log.h"

static atomic_int in_flight;

typedef struct audit_job {
    size_t nsites;
    size_t *sites; /* indexes into the configuration's sites */
} audit_job_t;

static void job_free(void *ud)
{
    audit_job_t *j = ud;
    free(j->sites);
    free(j);
}

static json_t *work(store_txn_t *t, const snapshot_t *snap, void *ud, int *status)
{
    audit_job_t *j = ud;
    const conf_t *c = snap->conf;
    audit_t a = {0};
    a.conf = c;
    a.au = audit_conf(c);
    a.router = snap->router;
    a.t = t;
    a.at = (int64_t)time(NULL);
    article_format_day(a.at, a.at_day);
    a.sites = util_calloc(j->nsites + 1, sizeof *a.sites);
    audit_links_prepare(&a);
    int rc = 0;
    for (size_t i = 0; i < j->nsites && rc >= 0; i++) {
        audit_site_t *s = &a.sites[a.nsites++];
        audit_site_init(&a, s, &c->sites[j->sites[i]]);
        if (s->rs)
            rc = audit_site(&a, s);
    }
    json_t *o = NULL;
    if (rc >= 0)
        o = audit_report_json(&a);
    else
        log_error("console: the audit could not read the store: %s", store_strerror(rc));
    for (size_t i = 0; i < a.nsites; i++)
        audit_site_free(&a.sites[i]);
    free(a.sites);
    audit_links_done(&a);
    if (!o)
        *status = 503;
    return o;
}

bool console_audit_submit(request_t *r, const account_t *a, const conf_site_t *site,
                          const console_work_page_t *page)
{
    const conf_t *c = r->snap->conf;
    audit_job_t *j = util_calloc(1, sizeof *j);
    j->sites = util_calloc(c->nsites + 1, sizeof *j->sites);
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *cs = &c->sites[i];
        if ((!site || cs == site) && account_may(a, ACCOUNT_ROLE_SITE_ADMIN, c, cs->id))
            j->sites[j->nsites++] = i;
    }
    if (j->nsites == 0) {
        job_free(j);
        return false;
    }
    if (page)
        console_work_submit_page(r, work, j, job_free, &in_flight, CONSOLE_AUDIT_IN_FLIGHT,
                                 page);
    else
        console_work_submit(r, work, j, job_free, &in_flight, CONSOLE_AUDIT_IN_FLIGHT);
    return true;
}

module_result_t console_api_audit(request_t *r)
{
    console_session_t s;
    account_t a;
    char key[CONSOLE_SESSION_KEY_MAX];
    if (console_session_of(r, &s, &a, key) != STORE_OK)
        return MODULE_DONE;
    static const char *const names[] = {"site"};
    const char *v[1];
    size_t cap = (r->query ? r->query_len : 0) + UTIL_ARRAY_LEN(names) + 1;
    char *buf = util_malloc(cap);
    const conf_site_t *site = NULL;
    bool ok = console_query_read(r, names, UTIL_ARRAY_LEN(names), v, buf, cap) &&
              (!v[0] || (site = console_query_site(r, v[0], "site")));
    free(buf);
    if (!ok)
        return MODULE_DONE;
    if (!console_audit_submit(r, &a, site, NULL))
        console_error(r, 403,
                      site ? "this account may not audit this site (site_admin or cluster_admin)"
                           : "this account may audit no site (site_admin or cluster_admin)",
                      "site");
    return MODULE_DONE;
}
