/* core/path.h: decoding and normalising the request target, once, before routing.
 *
 * The result is a path that begins with '/', has no "." or ".." segments, no empty
 * segments (runs of '/' collapse), and is valid UTF-8 without NUL or control bytes. Any
 * attempt to climb above the root is refused rather than clamped, because a request that
 * tries it is hostile, never a citizen's browser. */
#ifndef JIYUE_PATH_H
#define JIYUE_PATH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct path_target {
    /* For absolute-form targets ("http://host:port/path?q"): the authority's host (no
     * port, not lower-cased), else empty. */
    const char *host;
    size_t host_len;
    const char *query; /* after '?', without it; NULL when there is none */
    size_t query_len;
    bool trailing_slash; /* the normalised path ends in '/' */
} path_target_t;

/* Results: */
#define PATH_OK 0
#define PATH_BAD (-1)    /* 400: malformed target, bad percent escape, NUL, control byte,
                          * invalid or overlong UTF-8, backslash, encoded '/' or '\' */
#define PATH_ESCAPE (-2) /* 400: ".." would climb above the root */

/* Splits `target` (origin-form "/a/b?q", absolute-form "http://h/a", or "*"), percent-
 * decodes the path exactly once (so "%252e" stays the literal "%2e", which is then just a
 * name, never a dot), removes dot segments and collapses slashes. The path is written to
 * `out` (capacity `out_cap`, NUL-terminated), its length to *out_len. The query points into
 * `target`. "*" and authority-form are PATH_BAD here (the caller answers OPTIONS * itself).
 * Percent-encoded '/' (%2F) and '\' (%5C) are refused: they only ever serve to smuggle
 * separators past a proxy. */
int path_normalize(const char *target, size_t target_len, char *out, size_t out_cap,
                   size_t *out_len, path_target_t *info);

/* True when `s` is valid UTF-8 with no overlong forms, surrogates or code points above
 * U+10FFFF. */
bool path_utf8_valid(const unsigned char *s, size_t len);

#endif
