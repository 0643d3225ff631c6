/* modules/audit/audit_findings.c: the findings' bookkeeping the rules share (audit.h):
 * adding a finding with its English and Chinese details, aggregating link findings per
 * site, the severities' names, a site's verdict and its URLs. */
#include "audit_findings.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "url.h"

const char *audit_sev_name(audit_sev_t s)
{
    return s == AUDIT_VETO ? "veto" : s == AUDIT_DEDUCT ? "deduct" : "info";
}

const char *audit_sev_name_zh(audit_sev_t s)
{
    return s == AUDIT_VETO ? "单项否决" : s == AUDIT_DEDUCT ? "扣分" : "提示";
}

void audit_add(audit_site_t *s, const char *rule, audit_sev_t sev, const char *url,
               const char *fmt, ...)
{
    if (s->nf == s->capf) {
        s->capf = s->capf ? s->capf * 2 : 8;
        s->f = util_realloc(s->f, s->capf * sizeof *s->f);
    }
    audit_finding_t *f = &s->f[s->nf++];
    f->rule = rule;
    f->sev = sev;
    f->url = url ? util_strdup(url) : NULL;
    f->detail_zh = NULL;
    va_list ap;
    va_start(ap, fmt);
    util_buf_t b = {0};
    util_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    util_buf_append(&b, "", 1);
    f->detail = b.data;
}

void audit_zh(audit_site_t *s, const char *fmt, ...)
{
    if (!s->nf)
        return;
    audit_finding_t *f = &s->f[s->nf - 1];
    va_list ap;
    va_start(ap, fmt);
    util_buf_t b = {0};
    util_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    util_buf_append(&b, "", 1);
    free(f->detail_zh);
    f->detail_zh = b.data;
}

const char *audit_detail(const audit_finding_t *f)
{
    return f->detail_zh ? f->detail_zh : f->detail;
}

void audit_agg(audit_site_t *s, const char *rule, audit_sev_t sev, const char *what,
               const char *what_zh, const char *path)
{
    util_buf_t k = {0};
    util_buf_appends(&k, rule);
    util_buf_append(&k, "", 1);
    util_buf_appends(&k, what);
    uintptr_t i = (uintptr_t)strmap_get(&s->agg_index, k.data, k.len);
    if (i) {
        s->agg[i - 1].count++;
        util_buf_free(&k);
        return;
    }
    if (s->nagg == s->capagg) {
        s->capagg = s->capagg ? s->capagg * 2 : 8;
        s->agg = util_realloc(s->agg, s->capagg * sizeof *s->agg);
    }
    s->agg[s->nagg] = (audit_agg_t){rule, sev, util_strdup(what), what_zh ? util_strdup(what_zh) : NULL,
                                    path ? audit_url(s, path, strlen(path)) : NULL, 1};
    s->nagg++;
    strmap_put(&s->agg_index, k.data, k.len, (void *)(uintptr_t)s->nagg);
    util_buf_free(&k);
}

void audit_counts(const audit_site_t *s, size_t out[3])
{
    out[0] = out[1] = out[2] = 0;
    for (size_t i = 0; i < s->nf; i++)
        out[s->f[i].sev]++;
}

bool audit_site_fails(const audit_site_t *s)
{
    for (size_t i = 0; i < s->nf; i++)
        if (s->f[i].sev == AUDIT_VETO)
            return true;
    return false;
}

char *audit_url(const audit_site_t *s, const char *path, size_t len)
{
    util_buf_t b = {0};
    util_buf_appends(&b, s->base);
    if (len && path[0] == '/') {
        path++;
        len--;
    }
    url_append_path(&b, path, len);
    util_buf_append(&b, "", 1);
    return b.data;
}

void audit_site_init(const audit_t *a, audit_site_t *s, const conf_site_t *cs)
{
    memset(s, 0, sizeof *s);
    s->conf = cs;
    s->rs = router_site(a->router, cs->id);
    s->base = util_asprintf("%s://%s%s", cs->https_redirect ? "https" : "http",
                            s->rs && s->rs->canon_host ? s->rs->canon_host : "",
                            s->rs ? s->rs->canon_prefix : "/");
    strmap_init(&s->agg_index);
}

void audit_site_free(audit_site_t *s)
{
    for (size_t i = 0; i < s->nf; i++) {
        free(s->f[i].detail);
        free(s->f[i].detail_zh);
        free(s->f[i].url);
    }
    free(s->f);
    free(s->base);
    strmap_free(&s->agg_index);
}
