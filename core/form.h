/* core/form.h: what every module that reads a submitted form needs (form.c): a media type
 * header read piece by piece (the type, a parameter such as charset or boundary), and the
 * fields of an application/x-www-form-urlencoded body, percent- and '+'-decoded. Pure
 * functions, unit-tested; the modules decide which fields they take and how they check
 * them. */
#ifndef JIYUE_FORM_H
#define JIYUE_FORM_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a Content-Type value names `type` (ASCII case ignored, parameters ignored). */
bool form_media_type_is(const char *ct, size_t len, const char *type);
/* Parameter `name` of a Content-Type value ("multipart/form-data; boundary=x"), its value
 * without surrounding quotes: false when absent. */
bool form_media_param(const char *ct, size_t len, const char *name, const char **val,
                      size_t *vlen);
/* Whether the charset parameter is absent or names UTF-8 (the only one our forms send). */
bool form_charset_utf8(const char *ct, size_t len);

/* One `key[=value]` field of an urlencoded body, still encoded: advances *p past it (and
 * its '&'); false at the end. A field without '=' has val NULL. Empty pieces ("a&&b") are
 * skipped. */
bool form_next_field(const char **p, const char *end, const char **key, size_t *klen,
                     const char **val, size_t *vlen);
/* Percent- and '+'-decodes s[0..n) into a new NUL-terminated string (its length in
 * *out_len; the bytes may include NUL, so callers check what they need): NULL when a %
 * escape is malformed. */
char *form_decode(const char *s, size_t n, size_t *out_len);

#endif
