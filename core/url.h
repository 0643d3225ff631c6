/* core/url.h: building URLs for Location headers and links from decoded paths. */
#ifndef JIYUE_URL_H
#define JIYUE_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends a decoded path, percent-encoding every byte outside the unreserved set and the
 * path punctuation that is safe in a Location header (so a Chinese file name or a stray
 * quote cannot break the header or the HTML it lands in). */
void url_append_path(util_buf_t *b, const char *path, size_t len);

/* Whether the decoded p[0..n) is a path a redirect may send a browser to without leaving
 * this host: "/" then no second '/' or '\' ("//host" and "/\host" are other hosts to a
 * browser), and no control bytes, spaces, DEL or backslashes anywhere (a browser drops
 * tabs and newlines, so "/\t/host" is "//host"). Bytes from 0x80 (UTF-8) pass; callers
 * cap the length. The one open-redirect guard of every "come back to" parameter. */
bool url_local_path(const char *p, size_t n);

#endif
