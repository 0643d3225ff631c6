/* core/diag.h: a list of diagnostics in the one format every part of jiyue reports
 * configuration and input problems in: "FILE:LINE:COL: message" (GNU style, so editors
 * jump to it). Validation collects every error in every file into one diag_t instead of
 * stopping at the first, because an operator with hundreds of site files wants them all. */
#ifndef JIYUE_DIAG_H
#define JIYUE_DIAG_H

#include <stdio.h>
#include <stddef.h>

typedef enum { DIAG_ERROR, DIAG_WARNING } diag_level_t;

typedef struct diag_item {
    diag_level_t level;
    char *text; /* "FILE:LINE:COL: message", or "FILE:LINE:COL: warning: message" */
} diag_item_t;

typedef struct diag {
    diag_item_t *items;
    size_t count;
    size_t cap;
    size_t errors;   /* how many items are errors */
    size_t warnings; /* how many are warnings */
} diag_t;

void diag_init(diag_t *d);
void diag_free(diag_t *d);
/* line and col are 1-based; 0 means the file as a whole (printed as 1:1). */
void diag_error(diag_t *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void diag_warning(diag_t *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints each item on its own line. */
void diag_print(const diag_t *d, FILE *out);

#endif
