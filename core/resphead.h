/* core/resphead.h: the head of a response on an HTTP/2 stream, recorded as a status plus
 * header fields for core/http2.c to submit as nghttp2 header fields.
 *
 * One description, two serializations: the response functions (core/response.c,
 * core/serve.c) describe every head once, through response_begin(), response_header*()
 * and response_end_headers*(). Over HTTP/1.1 each call writes its bytes into the output
 * batch as it comes (the byte-exact format and cost of before: a record plus a later
 * serializer loop measured about 500 instructions more per stored page); over HTTP/2
 * (request_t.h2) the same calls fill this record in worker_t.head, and http2.c builds
 * HEADERS from it directly: no HTTP/1.1 bytes are formatted and none parsed back. The
 * fields every response has (Server, Date, the site's HSTS and module headers, the
 * not-public trio) are flags here, not copies; http2.c takes their pre-split, lower-cased
 * forms (conf_site_t.module_header_fields). */
#ifndef JIYUE_RESPHEAD_H
#define JIYUE_RESPHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "util.h"

/* One header field: the name as the response code spelt it ("Content-Type"), the value
 * referenced (value != NULL: valid until the head is submitted, e.g. a store value or a
 * literal) or copied into resphead_t.buf at off. */
typedef struct resphead_field {
    const char *name;
    const char *value;
    uint32_t name_len, off, len;
} resphead_field_t;

typedef struct resphead {
    int status;
    const conf_site_t *site; /* its HSTS value (over TLS) and module headers, or NULL */
    bool hsts;               /* the site's Strict-Transport-Security field is sent */
    bool not_public;         /* X-Robots-Tag, Cache-Control: private, Vary: Cookie */
    bool has_length;         /* Content-Length (a 304 has none) */
    bool ready;              /* complete, not yet submitted (core/http2.c) */
    uint64_t content_length;
    resphead_field_t *f;
    size_t n, cap;
    util_buf_t buf; /* copied values */
} resphead_t;

/* Starts a new head (the previous one's fields are dropped). */
void resphead_begin(resphead_t *h, int status);
/* Adds a field; copy=false: value stays valid until the head is submitted. */
void resphead_add(resphead_t *h, const char *name, size_t name_len, const char *value,
                  size_t value_len, bool copy);
/* A field's value. */
static inline const char *resphead_value(const resphead_t *h, const resphead_field_t *f)
{
    return f->value ? f->value : h->buf.data + f->off;
}
void resphead_free(resphead_t *h);

#endif
