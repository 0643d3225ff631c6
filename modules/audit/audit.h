/* modules/audit/audit.h: the audit module's public header: the rules `jiyuectl audit`
 * applies, the findings they produce, the per-site results and the figures behind the
 * report's charts. audit_rules.c holds the national rules over config, store and
 * availability log, audit_links.c the links in stored HTML (no network; read by
 * audit_html.c's tokenizer), audit_personal.c unmasked personal data in visible text,
 * audit_columns.c which column a page belongs to, audit_findings.c the findings' bookkeeping; the
 * thresholds are the server file's `audit:` (audit_conf.h), the comparisons with them
 * audit_limits.h; the findings as JSON audit_json.h (jiyuectl's JSON report and the
 * console's GET /api/audit). The command and its text, JSON and HTML reports are
 * jiyuectl's (tools/jiyuectl/cmd_audit.c, audit_report.h).
 *
 * The rule ids and severities are an interface (JSON consumers, the README, the tests):
 * never rename one. */
#ifndef JIYUE_AUDIT_H
#define JIYUE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit_conf.h"
#include "conf.h"
#include "router.h"
#include "store.h"
#include "strmap.h"
#include "util.h"

typedef enum { AUDIT_VETO, AUDIT_DEDUCT, AUDIT_INFO } audit_sev_t;

#define AUDIT_HOMEPAGE_STALE "homepage-stale"
#define AUDIT_COLUMN_STALE "column-stale"
#define AUDIT_COLUMN_BLANK "column-blank"
#define AUDIT_NO_INTERACTION "no-interaction"
#define AUDIT_MESSAGE_UNANSWERED "message-unanswered"
#define AUDIT_LINK_BROKEN "link-broken"
#define AUDIT_LINK_EXTERNAL "link-external"
#define AUDIT_LINK_FOREIGN "link-foreign"
#define AUDIT_AD "ad"
#define AUDIT_IDENTIFIER_MISSING "identifier-missing"
#define AUDIT_SUSPENSION_OVERDUE "suspension-overdue"
#define AUDIT_SITE_UNREACHABLE "site-unreachable"
#define AUDIT_NO_PUBDATE "no-pubdate"
#define AUDIT_IMAGE_ALT_MISSING "image-alt-missing"
#define AUDIT_LINK_HIDDEN "link-hidden"
#define AUDIT_PERSONAL_ID "personal-id"
#define AUDIT_PERSONAL_PHONE "personal-phone"

typedef struct audit_finding {
    const char *rule; /* one of the AUDIT_* ids */
    audit_sev_t sev;
    char *detail;    /* English (JSON "detail") */
    char *detail_zh; /* Chinese (JSON "detail_zh", the text and HTML reports); NULL: none */
    char *url; /* NULL when the finding has no page */
} audit_finding_t;

/* A link finding seen many times is reported once per site with a count. */
typedef struct audit_agg {
    const char *rule;
    audit_sev_t sev;
    char *what;    /* the target or host */
    char *what_zh; /* what, in Chinese, when it differs (ads); else NULL */
    char *first_url;
    size_t count;
} audit_agg_t;

typedef struct audit_site {
    const conf_site_t *conf;
    const router_site_t *rs;
    char *base; /* canonical URL of the site's home: "http://host/prefix/" */
    audit_finding_t *f;
    size_t nf, capf;
    bool audited; /* content rules applied (active or redesign) */
    /* link findings, aggregated while scanning */
    strmap_t agg_index; /* rule + '\0' + what -> index + 1 */
    audit_agg_t *agg;
    size_t nagg, capagg;
} audit_site_t;

/* Buckets of the charts. */
#define AUDIT_AGE_BUCKETS 8   /* column age: <=7, <=14, <=30, <=90, <=183, <=365, >365 days, never */
#define AUDIT_REPLY_BUCKETS 7 /* reply time: <=3, <=7, <=15, <=30, <=90, >90 days, unanswered */

typedef struct audit {
    const conf_t *conf;
    const audit_conf_t *au; /* audit_conf(conf): the thresholds, hosts and ad patterns */
    router_t *router;
    store_txn_t *t;
    int64_t at;      /* the moment judged (seconds): now, or the end of the --at day (UTC+8) */
    char at_day[11]; /* YYYY-MM-DD */
    audit_site_t *sites;
    size_t nsites;
    size_t age_buckets[AUDIT_AGE_BUCKETS];
    size_t reply_buckets[AUDIT_REPLY_BUCKETS];
    size_t scanned_pages, scanned_articles, scanned_links;
    bool *ad_is_host; /* per audit.ad_patterns entry: a host pattern (else a marker) */
} audit_t;

/* The parts, each with its header. */
#include "audit_findings.h" /* audit_findings.c */
#include "audit_rules.h" /* audit_rules.c */
#include "audit_columns.h" /* audit_columns.c */
#include "audit_links.h" /* audit_links.c */

#endif
