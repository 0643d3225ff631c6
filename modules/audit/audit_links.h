/* modules/audit/audit_links.h: the links, images, scripts and frames in stored HTML (no network), and dates in text (defined in audit_links.c). Part of the audit
 * module: its types are audit.h's. */
#ifndef JIYUE_AUDIT_LINKS_H
#define JIYUE_AUDIT_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h" /* the types */

/* Scans one stored HTML document of site s, served at `path` below the site's mount
 * (what relative links resolve against and findings point at): every link,
 * image, script and frame is classified (internal: must exist; outside the cluster:
 * external or foreign; hidden from citizens and out of the cluster: link-hidden; ad
 * patterns) and recorded as aggregated findings. When `text` is
 * given, the visible text (outside tags, scripts and styles) is appended to it. */
void audit_scan_html(audit_t *a, audit_site_t *s, const char *path, const char *html,
                     size_t len, util_buf_t *text);
/* Classifies audit.ad_patterns once before the scans; audit_links_done() frees it. */
void audit_links_prepare(audit_t *a);
void audit_links_done(audit_t *a);
/* Turns the aggregated link findings into findings. */
void audit_links_flush(audit_site_t *s);
/* Is a host (lower-case) a government site's: gov.cn or below it? A hidden link there
 * is not a 暗链. */
bool audit_host_is_gov(const char *host, size_t n);
/* A publication date ("2026-11-20", "2026/11/20", "2026年11月20日") in a text. */
bool audit_text_has_date(const char *s, size_t len);

#endif
