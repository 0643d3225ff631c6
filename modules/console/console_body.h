/* modules/console/console_body.h: a console request's input, whatever form it came in
 * (console_body.c): a JSON object (the API's own), or the same fields from an HTML form
 * (application/x-www-form-urlencoded, as the console's pages post them, or
 * multipart/form-data when the form uploads files) turned into a JSON object of strings,
 * so every handler reads one shape; a multipart form's files are handed over beside it
 * (console_body_upload). Fields named by the handlers
 * are read with the helpers below, which answer 400 naming the field. */
#ifndef JIYUE_CONSOLE_BODY_H
#define JIYUE_CONSOLE_BODY_H

#include <jansson.h>
#include <stdbool.h>

#include "console_multipart.h"
#include "module.h"

/* Most fields a form may carry, and the longest field name: a form is the console's own
 * page, so anything beyond these is not one. */
#define CONSOLE_FORM_FIELDS_MAX 64
#define CONSOLE_FORM_NAME_MAX 64

/* The request body as a JSON object, or NULL after answering (400 naming the problem:
 * empty, not UTF-8, not JSON, not an object, a malformed escape, a field given twice;
 * 415 for a media type the console does not take). A form's `csrf` field (the guard reads
 * it from the raw body) is not among the fields. */
json_t *console_body_json(request_t *r);
/* The same for a handler that takes files: *files (heap, free() it) gets the multipart
 * form's file parts that carry a file (a file input left empty is dropped), NULL when
 * there are none; their bytes point into the request's body, valid until the handler
 * returns. console_body_json refuses a file part (400 naming its field). */
json_t *console_body_upload(request_t *r, console_multipart_t **files);

/* Field `name` of o as a non-empty string (its length in *len), or NULL after answering
 * 400 naming the field (missing, not a string, empty). */
const char *console_field_str(request_t *r, json_t *o, const char *name, size_t *len);
/* Whether field `name` is set: JSON true, or a form's "true", "on", "1" or "yes" (a
 * checkbox); absent, false and anything else are not. */
bool console_field_bool(const json_t *o, const char *name);
/* Optional string field `name` of o: true with *out the string ("" allowed) or NULL when
 * absent or JSON null; false after answering 400 naming the field (not a string, or a
 * string holding NUL, which C cannot carry). */
bool console_field_opt(request_t *r, const json_t *o, const char *name, const char **out);
/* Whether every field of o is one of `names` (NULL-terminated): false after answering 400
 * naming the first unknown one, so a misspelt field ("schedule") is never ignored. */
bool console_fields_known(request_t *r, const json_t *o, const char *const *names);

#endif
