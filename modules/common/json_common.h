/* modules/common/json_common.h: strings into libjansson values for the JSON the modules
 * build (the console's API, the audit report): jansson refuses a string that is not
 * UTF-8 (json_string returns NULL), and text read from the store (an imported page's
 * links, a host name in a finding) is not always UTF-8. */
#ifndef JIYUE_JSON_COMMON_H
#define JIYUE_JSON_COMMON_H

#include <stddef.h>

#include <jansson.h>

/* A JSON string of s: NULL gives JSON null; a byte that does not begin a valid UTF-8
 * sequence (overlong, surrogate, past U+10FFFF, cut short) becomes U+FFFD, so the result
 * is never NULL and always valid JSON. */
json_t *json_common_text(const char *s);
/* The same for s[0..n) (a NUL byte inside becomes U+FFFD too). */
json_t *json_common_textn(const char *s, size_t n);

#endif
