/* modules/audit/audit_rules.h: every national rule over one site's configuration, store and availability log (defined in audit_rules.c). Part of the audit
 * module: its types are audit.h's. */
#ifndef JIYUE_AUDIT_RULES_H
#define JIYUE_AUDIT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h" /* the types */

/* Every rule for one site. Returns 0 or a STORE_E* code. */
int audit_site(audit_t *a, audit_site_t *s);

/* How many <img> tags of an HTML fragment have no text alternative (no `alt`, or an
 * empty one): the rule image-alt-missing. */
size_t audit_images_without_alt(const char *html, size_t len);

#endif
