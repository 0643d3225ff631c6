/* core/url.h: building URLs for Location headers and links from decoded paths. */
#ifndef JIYUE_URL_H
#define JIYUE_URL_H

#include <stddef.h>

#include "util.h"

/* Appends a decoded path, percent-encoding every byte outside the unreserved set and the
 * path punctuation that is safe in a Location header (so a Chinese file name or a stray
 * quote cannot break the header or the HTML it lands in). */
void url_append_path(util_buf_t *b, const char *path, size_t len);

#endif
