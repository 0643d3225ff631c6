/* core/httpdate.h: HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate out, the three
 * historic forms in. */
#ifndef JIYUE_HTTPDATE_H
#define JIYUE_HTTPDATE_H

#include <stddef.h>
#include <time.h>

#define HTTPDATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Writes HTTPDATE_LEN characters and a NUL into out (>= 30 bytes). */
void httpdate_format(time_t t, char *out);
/* Returns 0 and sets *out, or -1 when the value is not a date (then callers ignore it, as
 * RFC 9110 requires for If-Modified-Since). */
int httpdate_parse(const char *s, size_t len, time_t *out);

#endif
