/* core/serve.h: answering with a stored page (defined in core/serve.c). Part of the
 * response API (core/response.h), hence its name; included by request.h. */
#ifndef JIYUE_SERVE_H
#define JIYUE_SERVE_H

#include "store.h"

typedef struct request request_t;

/* Serves a stored page with everything HTTP offers for it: ETag and Last-Modified, 304
 * for If-None-Match / If-Modified-Since, one byte range (206, or 416 when unsatisfiable,
 * honouring If-Range), and the stored gzip variant when Accept-Encoding allows it (with
 * Vary). `status` is 200, or the status of an error page served from the store (then
 * conditionals and ranges do not apply). */
void response_page(request_t *r, int status, const store_page_t *page);

#endif
