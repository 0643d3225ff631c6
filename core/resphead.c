/* core/resphead.c: an HTTP/2 stream's response head as a status plus fields. See
 * resphead.h. */
#include "resphead.h"

#include <stdlib.h>
#include <string.h>

void resphead_begin(resphead_t *h, int status)
{
    h->status = status;
    h->site = NULL;
    h->hsts = h->not_public = h->has_length = h->ready = false;
    h->content_length = 0;
    h->n = 0;
    h->buf.len = 0;
}

void resphead_add(resphead_t *h, const char *name, size_t name_len, const char *value,
                  size_t value_len, bool copy)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->f = util_realloc(h->f, h->cap * sizeof *h->f);
    }
    resphead_field_t *f = &h->f[h->n++];
    f->name = name;
    f->name_len = (uint32_t)name_len;
    f->len = (uint32_t)value_len;
    if (copy) {
        f->value = NULL;
        f->off = (uint32_t)h->buf.len;
        util_buf_append(&h->buf, value, value_len);
    } else {
        f->value = value;
    }
}

void resphead_free(resphead_t *h)
{
    free(h->f);
    util_buf_free(&h->buf);
    memset(h, 0, sizeof *h);
}
