/* modules/console/console_multipart.h: a multipart/form-data body (RFC 7578, RFC 2046's
 * framing) split into its parts, as the console's upload forms and the API's scripts send
 * them (console_multipart.c). Pure and bounded: the boundary's length and characters, the
 * number of parts, the bytes of each part's headers and the field names all have limits;
 * a part's content is never copied (it points into the body). A file's name is reduced to
 * a safe base name (console_multipart_filename). Unit-tested and fuzzed
 * (tests/fuzz/fuzz_console_multipart.c). */
#ifndef JIYUE_CONSOLE_MULTIPART_H
#define JIYUE_CONSOLE_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define CONSOLE_MULTIPART_PARTS_MAX 64    /* fields and files of one form */
#define CONSOLE_MULTIPART_HEAD_MAX 1024   /* bytes of one part's header block */
#define CONSOLE_MULTIPART_NAME_MAX 64     /* a field's name: [a-z0-9_] */
#define CONSOLE_MULTIPART_FILENAME_MAX 200 /* bytes of a sanitised file name */

typedef struct console_part {
    char name[CONSOLE_MULTIPART_NAME_MAX + 1];
    /* A file part (its Content-Disposition has a filename): the sanitised base name; ""
     * for a file input left empty (filename=""), which a browser still sends. */
    bool is_file;
    char filename[CONSOLE_MULTIPART_FILENAME_MAX + 1];
    const char *data; /* into the body */
    size_t len;
} console_part_t;

typedef struct console_multipart {
    console_part_t part[CONSOLE_MULTIPART_PARTS_MAX];
    size_t n;
} console_multipart_t;

/* Splits body[0..len) framed by `boundary` (a Content-Type's parameter, without quotes).
 * Returns true, or false with *why (a static one-line reason) when the body is not one
 * well-formed multipart body within the limits above: a bad or overlong boundary, no
 * opening or closing delimiter, a part without Content-Disposition form-data or a name, a
 * name outside [a-z0-9_], a header block over the limit or not ending, too many parts, a
 * file name that sanitises to nothing. */
bool console_multipart_parse(const char *body, size_t len, const char *boundary, size_t blen,
                             console_multipart_t *out, const char **why);

/* A client's file name reduced to a safe base name into out (cap bytes with the NUL):
 * the part after the last '/' or '\\', control bytes and '?', '#', '%' dropped, leading
 * dots and spaces dropped, cut to at most cap - 1 bytes at a character boundary. Returns
 * false when nothing usable is left or the name is not UTF-8. */
bool console_multipart_filename(const char *raw, size_t n, char *out, size_t cap);

/* Field `name` of a multipart body, for the CSRF guard (which runs before the body is
 * parsed): false when the body does not parse or has no such non-file field. */
bool console_multipart_field(const char *body, size_t len, const char *ct, size_t ctlen,
                             const char *name, const char **val, size_t *vlen);

#endif
