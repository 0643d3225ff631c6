/* modules/audit/audit_columns.c: which column an imported page belongs to, one rule for
 * the audit (items, freshness, blank columns) and the census (信息条数): a page below the
 * folder named after a column (/<id>/) or the folder a column names (`folder:` in the site
 * file, an old site's /news/tzgg/). Where folders nest, the longest one wins, so a column
 * mapped to /news/tzgg/ takes those pages from a column named news. */
#include "audit_columns.h"

#include <string.h>

#include "audit.h"

/* Is `name` (what follows the folder) the folder's own list page, index.html or
 * index_N.html? Those list items; they are not items. */
static bool list_page(const char *name, size_t n)
{
    if (n == 10 && memcmp(name, "index.html", 10) == 0)
        return true;
    if (n <= 11 || memcmp(name, "index_", 6) != 0 || memcmp(name + n - 5, ".html", 5) != 0)
        return false;
    for (size_t i = 6; i < n - 5; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

int audit_page_column(const conf_site_t *s, const char *path, size_t len, bool *is_list)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < s->ncolumns; i++) {
        const conf_column_t *c = &s->columns[i];
        size_t n = strlen(c->id);
        /* "/<id>/" */
        if (n + 2 > best_len && len > n + 2 && path[0] == '/' && memcmp(path + 1, c->id, n) == 0 &&
            path[n + 1] == '/') {
            best = (int)i;
            best_len = n + 2;
        }
        size_t fn = c->folder ? strlen(c->folder) : 0;
        if (fn > best_len && len > fn && memcmp(path, c->folder, fn) == 0) {
            best = (int)i;
            best_len = fn;
        }
    }
    if (is_list)
        *is_list = best >= 0 && list_page(path + best_len, len - best_len);
    return best;
}
