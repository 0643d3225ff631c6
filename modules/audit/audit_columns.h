/* modules/audit/audit_columns.h: which column an imported page belongs to (defined in audit_columns.c). Part of the audit
 * module: its types are audit.h's. */
#ifndef JIYUE_AUDIT_COLUMNS_H
#define JIYUE_AUDIT_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit.h" /* the types */

/* The column (index into s->columns) an imported page at path belongs to: below /<id>/
 * or below the column's `folder:`, the longest folder winning; -1 for none. *is_list
 * (may be NULL) says whether the page is that folder's own list page (index.html,
 * index_N.html), which is not an item. */
int audit_page_column(const conf_site_t *s, const char *path, size_t len, bool *is_list);

#endif
