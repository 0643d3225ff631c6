/* modules/console/console_query.h: the query parameters of the console's GET requests
 * (/api/messages?site=&state=&page=, /api/history?site=&limit=, /api/audit?site=): a
 * strict reader (every parameter known, given once, well percent-encoded: a 400 naming
 * it otherwise) and the checks of the values the handlers share (a site of the
 * configuration in force, a bounded number). console_query_parse is pure (unit-tested);
 * the others answer the request's 400 themselves. */
#ifndef JIYUE_CONSOLE_QUERY_H
#define JIYUE_CONSOLE_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "module.h"

/* Reads query q[0..len) ("a=1&b=x%20y", '+' is a space) against names[0..n): vals[i] is
 * the decoded value of names[i] (NULL when absent), NUL-terminated in buf (cap bytes;
 * len + n + 1 always suffice). Returns NULL, or the reason it is refused with the
 * parameter's name in *bad (pointing into q, *badlen bytes): not one of `names`, given
 * twice, badly percent-encoded, or decoding to a NUL or control byte. Empty pieces
 * ("a=1&&b=2") are ignored. */
const char *console_query_parse(const char *q, size_t len, const char *const *names, size_t n,
                                const char **vals, char *buf, size_t cap, const char **bad,
                                size_t *badlen);

/* console_query_parse over r's query: false after answering 400 {"error", "field"}. buf
 * must hold r->query_len + n + 1 bytes. */
bool console_query_read(request_t *r, const char *const *names, size_t n, const char **vals,
                        char *buf, size_t cap);
/* The site a parameter names in r's configuration: NULL after answering 400 naming
 * `field` (missing, or no such site). */
const conf_site_t *console_query_site(request_t *r, const char *val, const char *field);
/* A decimal parameter in [min, max] (def when absent): false after answering 400 naming
 * `field`. */
bool console_query_number(request_t *r, const char *val, const char *field, unsigned long def,
                          unsigned long min, unsigned long max, unsigned long *out);

#endif
