/* modules/audit/audit_findings.h: the findings' bookkeeping: adding, aggregating and counting a site's findings, their severities' names and URLs (defined in audit_findings.c). Part of the audit
 * module: its types are audit.h's. */
#ifndef JIYUE_AUDIT_FINDINGS_H
#define JIYUE_AUDIT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h" /* the types */

void audit_add(audit_site_t *s, const char *rule, audit_sev_t sev, const char *url,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The Chinese detail of the finding audit_add() added last (the reports show it). */
void audit_zh(audit_site_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The detail to show a reader: the Chinese one when there is one. */
const char *audit_detail(const audit_finding_t *f);
/* Counts a link finding (aggregated per site by rule and `what`), found on the page at
 * `path` below the site's mount (its URL is made only for the first). what_zh: what in
 * Chinese when it is a phrase rather than a URL or host (NULL: the same). */
void audit_agg(audit_site_t *s, const char *rule, audit_sev_t sev, const char *what,
               const char *what_zh, const char *path);
const char *audit_sev_name(audit_sev_t s);
const char *audit_sev_name_zh(audit_sev_t s); /* 单项否决, 扣分, 提示 */
bool audit_site_fails(const audit_site_t *s);
void audit_counts(const audit_site_t *s, size_t out[3]);
/* The site's canonical URL of a path below its mount ("/news/a.html"). Heap string. */
char *audit_url(const audit_site_t *s, const char *path, size_t len);
/* Sets s up to audit site cs of a->conf: its router entry (a->router) and the canonical
 * URL of its home (https when plain HTTP only redirects there: where citizens end up).
 * jiyuectl audit and the console's GET /api/audit prepare a site this one way. */
void audit_site_init(const audit_t *a, audit_site_t *s, const conf_site_t *cs);
/* Frees what audit_site_init, audit_site() and the functions above added to s. */
void audit_site_free(audit_site_t *s);

#endif
