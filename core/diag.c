/* core/diag.c: collects "FILE:LINE:COL: message" diagnostics. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

void diag_init(diag_t *d)
{
    d->items = NULL;
    d->count = d->cap = d->errors = d->warnings = 0;
}

void diag_free(diag_t *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].text);
    free(d->items);
    diag_init(d);
}

static void add(diag_t *d, diag_level_t level, const char *file, int line, int col,
                const char *fmt, va_list ap)
{
    util_buf_t b = {0};
    /* Always FILE:LINE:COL, the one format editors and scripts parse: a problem with the
     * file as a whole (empty, too large, unreadable) is reported at its start. */
    util_buf_printf(&b, "%s:%d:%d: ", file ? file : "-", line > 0 ? line : 1, col > 0 ? col : 1);
    if (level == DIAG_WARNING)
        util_buf_appends(&b, "warning: ");
    util_buf_vprintf(&b, fmt, ap);
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = util_realloc(d->items, d->cap * sizeof *d->items);
    }
    d->items[d->count].level = level;
    d->items[d->count].text = b.data ? b.data : util_strdup("");
    d->count++;
    if (level == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

void diag_error(diag_t *d, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, DIAG_ERROR, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_warning(diag_t *d, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, DIAG_WARNING, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_print(const diag_t *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(out, "%s\n", d->items[i].text);
}
