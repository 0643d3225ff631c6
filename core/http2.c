/* core/http2.c: an nghttp2 server session per h2 connection; each stream becomes an
 * ordinary request (core/request.c), its head submitted from the fields the response code
 * recorded (core/resphead.h), its body framed without nghttp2's copy: DATA frames are
 * written by send_data from the store's map (the read transaction held until they are
 * out) or from the stream's one copy, straight into the connection's output. See
 * http2.h. */
#include "http2.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "h2_priority.h"

/* Flood limits (RFC 9113 section 10.5; the CVEs of 2019, 2023 and 2024):
 * - RST_STREAM: a token bucket of HTTP2_RESET_BURST resets, refilled at HTTP2_RESET_RATE a
 *   second (rapid reset, CVE-2023-44487); nghttp2's own limiter (1000, 33/s: it answers
 *   INTERNAL_ERROR) stays behind it;
 * - CONTINUATION frames after one HEADERS: HTTP2_MAX_CONTINUATIONS (CVE-2024-28182; a
 *   header list of 16 KiB needs at most one);
 * - PING and SETTINGS frames a client may send: HTTP2_CONTROL_BUDGET, plus
 *   HTTP2_CONTROL_PER_REQUEST for each request answered (a browser sends one SETTINGS
 *   and a PING now and then);
 * - nghttp2's own: ACKs waiting to be sent (1000), SETTINGS entries per frame (32).
 * Each ends the connection with GOAWAY ENHANCE_YOUR_CALM. */
#define HTTP2_RESET_BURST 400
#define HTTP2_RESET_RATE 33
#define HTTP2_MAX_CONTINUATIONS 8
#define HTTP2_CONTROL_BUDGET 200
#define HTTP2_CONTROL_PER_REQUEST 2

/* Response bodies a connection holds, not yet framed: streams are answered while the
 * connection holds less than this; the next requests wait until the client has read
 * enough (else 128 streams of a 10 MB file would hold 1.3 GB for one client). */
#define HTTP2_RESP_BUDGET (4u << 20)

/* A header field as stored while its block arrives: offsets into h2_stream_t.fields (the
 * buffer may move while it grows). */
typedef struct h2_field {
    uint32_t name_off, name_len, value_off, value_len;
} h2_field_t;

typedef struct h2_seg {
    const char *p; /* in the map; NULL: in h2_stream_t.own at off */
    size_t off, len;
} h2_seg_t;

typedef struct h2_stream {
    struct h2_stream *prev, *next; /* in http2_conn_t.streams */
    int32_t id;
    uint32_t header_bytes; /* decoded size of the header list so far (RFC 9113 6.5.2 rule) */
    bool headers_over;     /* more fields or bytes than the limits: answered 431 */
    uint32_t nregular;     /* fields other than pseudo-header fields */
    bool body_over;        /* a body over the cap: answered 413 at once */
    bool body_open;        /* its request body is arriving (HEADERS without END_STREAM) */
    bool body_late;        /* paused past body_timeout or past body_deadline: 408 */
    uint64_t body_start, body_last; /* loop time (ms): the HEADERS, the latest DATA */
    bool answered;         /* a response was submitted, or is deferred */
    bool deferred;         /* the response waits for the writer thread */
    bool waiting;          /* complete, but waits for HTTP2_RESP_BUDGET (answer_waiting) */
    /* RFC 9218 urgency (0 most urgent), answer_waiting's order: read from the request's
     * `priority` field when the stream starts waiting (so a stream answered at once never
     * parses it), unless a PRIORITY_UPDATE has set it (urgency_updated), which wins. */
    uint8_t urgency;
    bool urgency_updated;
    util_buf_t fields;     /* names and values, one after another */
    h2_field_t *idx;
    size_t nidx, idx_cap;
    util_buf_t body; /* the request body received (POST, PUT) */
    /* The response body: segments in order, each a slice of the store's map (p, under
     * `hold`) or of `own` (p NULL, at off: bytes that live only for the callback, copied
     * once); DATA frames are written from them straight into the output (send_data). */
    h2_seg_t *segs;
    size_t nsegs, seg, seg_off; /* the next byte to send: segs[seg] at seg_off */
    util_buf_t own;
    worker_hold_t *hold;
    size_t resp_len, resp_off;
} h2_stream_t;

struct http2_conn {
    nghttp2_session *s;
    worker_t *w;
    struct conn *c;
    const peer_addr_t *peer;
    uint64_t max_header_list;
    uint64_t body_buffered; /* request body bytes held across all streams */
    unsigned answered;      /* requests answered since http2_take_answered */
    uint64_t requests;      /* requests answered on the connection */
    uint64_t control;       /* PING and SETTINGS frames received */
    uint64_t reset_tokens;  /* RST_STREAM frames the client may still send now */
    uint64_t reset_ms;      /* when reset_tokens was last refilled (monotonic ms) */
    unsigned deferred;      /* streams waiting for the writer thread */
    uint64_t body_sent;     /* response body bytes framed so far (flow-control progress) */
    uint64_t resp_held;     /* response body bytes copied into streams, not yet framed */
    unsigned nwaiting;      /* streams with `waiting` set */
    bool goaway;            /* http2_shutdown() sent its GOAWAY */
    h2_stream_t *streams;
    util_buf_t out;
    util_buf_t names; /* response field names lower-cased (head_nv) */
    size_t cap;       /* http2_output's cap: one TLS record's plaintext */
};

/* The response body is sent, or will never be: the map's transaction may go. */
static void body_release(http2_conn_t *h, h2_stream_t *st)
{
    worker_store_drop(h->w, st->hold);
    st->hold = NULL;
    free(st->segs);
    st->segs = NULL;
    st->nsegs = 0;
    util_buf_free(&st->own);
}

static void stream_free(http2_conn_t *h, h2_stream_t *st)
{
    body_release(h, st);
    util_buf_free(&st->fields);
    util_buf_free(&st->body);
    free(st->idx);
    free(st);
}

static void stream_unlink(http2_conn_t *h, h2_stream_t *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else
        h->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
}

/* The largest request body this connection may hold at once, across its streams: the same
 * cap as one HTTP/1.1 body, so many streams cannot multiply it. */
static uint64_t body_cap(const http2_conn_t *h)
{
    return h->w->snap->conf->limits.max_body_bytes;
}

/* ---- the answer: the recorded head as HEADERS, the batch's body as DATA ---- */

/* nghttp2 asks how much of the body the next DATA frame carries: NO_COPY, so it copies
 * nothing; send_data writes the frame. */
static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
                         uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    (void)s, (void)id, (void)buf, (void)ud;
    h2_stream_t *st = src->ptr;
    size_t n = st->resp_len - st->resp_off;
    if (n > length)
        n = length;
    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    if (n == st->resp_len - st->resp_off)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

/* One DATA frame: its 9-byte header and `length` body bytes, from the map (or the
 * stream's own copy) straight into the connection's output, the plaintext that is
 * encrypted as it is (core/conn.c): the one copy between the store and the record. */
static int send_data(nghttp2_session *s, nghttp2_frame *frame, const uint8_t *framehd,
                     size_t length, nghttp2_data_source *src, void *ud)
{
    http2_conn_t *h = ud;
    h2_stream_t *st = src->ptr;
    /* nghttp2 calls this only for an open stream, whose user data is st (on_stream_close
     * frees it); checked all the same, as a stale pointer here would be a use after free. */
    if (nghttp2_session_get_stream_user_data(s, frame->hd.stream_id) != st ||
        length > st->resp_len - st->resp_off)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    size_t pad = frame->data.padlen;
    /* A frame that would straddle two TLS records waits for the next output, so each DATA
     * frame (at most a record's size, data_length) is one record of its own. */
    if (h->out.len && h->out.len + 9 + pad + length > h->cap)
        return NGHTTP2_ERR_WOULDBLOCK;
    util_buf_reserve(&h->out, 9 + pad + length);
    char *p = h->out.data + h->out.len;
    memcpy(p, framehd, 9);
    p += 9;
    if (pad)
        *p++ = (char)(pad - 1);
    for (size_t left = length; left;) {
        const h2_seg_t *g = &st->segs[st->seg];
        size_t take = g->len - st->seg_off;
        if (take > left)
            take = left;
        const char *from = g->p ? g->p : st->own.data + g->off;
        memcpy(p, from + st->seg_off, take);
        p += take;
        left -= take;
        if ((st->seg_off += take) == g->len)
            st->seg++, st->seg_off = 0;
    }
    if (pad > 1)
        memset(p, 0, pad - 1);
    h->out.len += 9 + pad + length;
    st->resp_off += length;
    h->body_sent += length;
    h->resp_held -= length;
    metrics_add(st->hold ? &h->w->metrics.h2_data_map : &h->w->metrics.h2_data_buffer, length);
    if (st->resp_off == st->resp_len)
        body_release(h, st);
    return 0;
}

/* DATA payloads of at most a TLS record less the frame header: a frame and its header
 * fit one record (send_data). */
static ssize_t data_length(nghttp2_session *s, uint8_t type, int32_t id, int32_t conn_window,
                           int32_t stream_window, uint32_t max_frame, void *ud)
{
    (void)s, (void)type, (void)id, (void)ud;
    ssize_t n = WORKER_TLS_RECORD - 9;
    if ((ssize_t)max_frame < n)
        n = (ssize_t)max_frame;
    if (conn_window < n)
        n = conn_window;
    if (stream_window < n)
        n = stream_window;
    return n;
}

static bool hop_by_hop(const char *name, size_t len)
{
    static const char *const names[] = {"connection", "keep-alive", "transfer-encoding",
                                        "proxy-connection", "upgrade"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
            return true;
    return false;
}

static nghttp2_nv nv_of(const char *name, size_t name_len, const char *value, size_t value_len)
{
    return (nghttp2_nv){(uint8_t *)name, (uint8_t *)value, name_len, value_len,
                        NGHTTP2_NV_FLAG_NONE};
}
#define NV_LIT(name, value) nv_of(name, sizeof name - 1, value, sizeof value - 1)

/* The head the response code recorded (worker_t.head, core/resphead.h) as HTTP/2 header
 * fields: the fixed ones from their flags, the site's module headers from their split
 * form, the others with their names lower-cased into h->names; the connection-specific
 * ones dropped. Returns the number of fields written to nv (room for hd->n, the site's
 * module fields and 10). */
static size_t head_nv(http2_conn_t *h, const resphead_t *hd, nghttp2_nv *nv, char status[4])
{
    worker_t *w = h->w;
    size_t n = 0;
    status[0] = (char)('0' + hd->status / 100 % 10);
    status[1] = (char)('0' + hd->status / 10 % 10);
    status[2] = (char)('0' + hd->status % 10);
    nv[n++] = nv_of(":status", 7, status, 3);
    nv[n++] = NV_LIT("server", "jiyue");
    if (w->date_hdr_len > 8) /* "Date: ...\r\n" */
        nv[n++] = nv_of("date", 4, w->date_hdr + 6, w->date_hdr_len - 8);
    const conf_site_t *site = hd->site;
    if (hd->hsts)
        nv[n++] = nv_of("strict-transport-security", 25, site->hsts_header,
                        site->hsts_header_len);
    if (site)
        for (size_t i = 0; i < site->nmodule_header_fields; i++) {
            const conf_hfield_t *f = &site->module_header_fields[i];
            nv[n++] = nv_of(site->module_headers_lc + f->name_off, f->name_len,
                            site->module_headers_lc + f->value_off, f->value_len);
        }
    if (hd->not_public) {
        nv[n++] = NV_LIT("x-robots-tag", "noindex");
        nv[n++] = NV_LIT("cache-control", "private, no-store");
        nv[n++] = NV_LIT("vary", "Cookie");
    }
    size_t names = 0;
    for (size_t i = 0; i < hd->n; i++)
        names += hd->f[i].name_len;
    h->names.len = 0;
    util_buf_reserve(&h->names, names + 24);
    for (size_t i = 0; i < hd->n; i++) {
        const resphead_field_t *f = &hd->f[i];
        if (hop_by_hop(f->name, f->name_len))
            continue;
        char *lc = h->names.data + h->names.len;
        memcpy(lc, f->name, f->name_len);
        util_lower(lc, f->name_len); /* HTTP/2 field names are lower case */
        h->names.len += f->name_len;
        nv[n++] = nv_of(lc, f->name_len, resphead_value(hd, f), f->len);
    }
    if (hd->has_length) {
        char *digits = h->names.data + h->names.len;
        int len = snprintf(digits, 24, "%llu", (unsigned long long)hd->content_length);
        h->names.len += (size_t)len;
        nv[n++] = nv_of("content-length", 14, digits, (size_t)len);
    }
    return n;
}

/* The body request_handle() left in the worker's batch, as the stream's segments: a store
 * value is referenced in the map, its read transaction held until the frames carrying it
 * are written (or the stream closes); anything else (the batch's own bytes, a rendered or
 * gzip body in a worker cache, which may change after this callback) is copied once into
 * the stream. Returns the body's length. */
static size_t take_body(http2_conn_t *h, h2_stream_t *st)
{
    worker_t *w = h->w;
    size_t body_len = 0;
    for (size_t i = 0; i < w->nparts; i++)
        body_len += w->parts[i].len;
    if (!body_len)
        return 0;
    st->segs = util_malloc(w->nparts * sizeof *st->segs);
    for (size_t i = 0; i < w->nparts; i++) {
        const out_part_t *part = &w->parts[i];
        if (part->ext && store_in_map(w->store, part->ext, part->len) &&
            (st->hold || (st->hold = worker_store_hold(w)))) {
            st->segs[st->nsegs++] = (h2_seg_t){part->ext, 0, part->len};
            continue;
        }
        const char *from = part->ext ? part->ext : w->out.data + part->off;
        h2_seg_t *last = st->nsegs ? &st->segs[st->nsegs - 1] : NULL;
        if (last && !last->p)
            last->len += part->len; /* own bytes follow each other */
        else
            st->segs[st->nsegs++] = (h2_seg_t){NULL, st->own.len, part->len};
        util_buf_append(&st->own, from, part->len);
    }
    st->resp_len = body_len;
    h->resp_held += body_len;
    return body_len;
}

/* Submits the response request_handle() left for this stream: the head recorded in
 * worker_t.head, the body in the worker's batch (which is emptied). Returns false when
 * no response was written (the stream is then reset). */
static bool take_response(http2_conn_t *h, h2_stream_t *st)
{
    worker_t *w = h->w;
    resphead_t *hd = &w->head;
    bool ok = false;
    nghttp2_nv *nv = NULL;
    if (!hd->ready)
        goto out;
    hd->ready = false;
    size_t nsite = hd->site ? hd->site->nmodule_header_fields : 0;
    nv = util_malloc((hd->n + nsite + 10) * sizeof *nv);
    char status[4];
    size_t n = head_nv(h, hd, nv, status);
    size_t body_len = take_body(h, st);
    nghttp2_data_provider prd = {.source.ptr = st, .read_callback = read_body};
    /* nghttp2 copies the fields, which point into the head, the batch and h->names. */
    ok = nghttp2_submit_response(h->s, st->id, nv, n, body_len ? &prd : NULL) == 0;
out:
    free(nv);
    w->nparts = 0;
    w->out.len = 0;
    if (!ok)
        nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_INTERNAL_ERROR);
    return ok;
}

/* ---- the request: a stream's fields as an HTTP/1.1-shaped head ---- */

static bool field_is(const util_buf_t *b, const h2_field_t *f, const char *name)
{
    size_t n = strlen(name);
    return f->name_len == n && memcmp(b->data + f->name_off, name, n) == 0;
}

static http1_str_t field_value(const util_buf_t *b, const h2_field_t *f)
{
    return (http1_str_t){b->data + f->value_off, f->value_len};
}

/* The urgency the request's `priority` fields give (RFC 9218 section 4), read as nghttp2
 * reads them: several in turn, one that does not parse undoing them all (urgency 3). */
static unsigned request_urgency(const h2_stream_t *st)
{
    unsigned u = H2_URGENCY_DEFAULT;
    for (size_t i = 0; i < st->nidx; i++)
        if (field_is(&st->fields, &st->idx[i], "priority")) {
            http1_str_t v = field_value(&st->fields, &st->idx[i]);
            if (!h2_priority_parse(v.p, v.len, &u))
                return H2_URGENCY_DEFAULT;
        }
    return u;
}

/* Answers the stream's request (its fields and body are all in) through request.c. */
static void answer(http2_conn_t *h, h2_stream_t *st)
{
    worker_t *w = h->w;
    if (h->resp_held >= HTTP2_RESP_BUDGET) {
        if (!st->waiting) {
            st->waiting = true;
            h->nwaiting++;
            if (!st->urgency_updated)
                st->urgency = (uint8_t)request_urgency(st);
        }
        return;
    }
    if (st->waiting) {
        st->waiting = false;
        h->nwaiting--;
    }
    st->answered = true;
    h->answered++;
    h->requests++;
    st->body_open = false;
    if (st->headers_over || st->body_over || st->body_late) {
        h->body_buffered -= st->body.len;
        util_buf_free(&st->body);
        request_reject_on(w, h->peer, st->headers_over ? 431 : st->body_over ? 413 : 408,
                          st->headers_over ? "request header fields too large"
                          : st->body_over  ? "request body too large"
                                           : "request body timed out", true);
        take_response(h, st);
        return;
    }
    http1_request_t req = {.version_minor = 1, .keep_alive = true, .h2_stream = st->id};
    const util_buf_t *b = &st->fields;
    bool have_method = false, have_path = false;
    http1_header_t *cookie = NULL;
    util_buf_t joined = {0};
    for (size_t i = 0; i < st->nidx; i++) {
        const h2_field_t *f = &st->idx[i];
        if (field_is(b, f, ":method")) {
            req.method_str = field_value(b, f);
            req.method = http1_method_from(req.method_str.p, req.method_str.len);
            have_method = true;
        } else if (field_is(b, f, ":path")) {
            req.target = field_value(b, f);
            have_path = true;
        } else if (field_is(b, f, ":authority")) {
            req.host = field_value(b, f);
        } else if (f->name_len && b->data[f->name_off] == ':') {
            continue; /* :scheme (the listener says TLS), :protocol (refused by nghttp2) */
        } else if (f->name_len == 6 && memcmp(b->data + f->name_off, "cookie", 6) == 0 && cookie) {
            /* RFC 9113 8.2.3: a client may split Cookie into crumbs; they are joined with
             * "; " into the one field modules read, as for HTTP/1.1. */
            if (!joined.len)
                util_buf_append(&joined, cookie->value.p, cookie->value.len);
            util_buf_append(&joined, "; ", 2);
            util_buf_append(&joined, b->data + f->value_off, f->value_len);
        } else if (req.nheaders < HTTP1_MAX_HEADERS) { /* on_header capped the count */
            http1_header_t *hd = &req.headers[req.nheaders++];
            hd->name = (http1_str_t){b->data + f->name_off, f->name_len};
            hd->value = field_value(b, f);
            if (f->name_len == 6 && memcmp(hd->name.p, "cookie", 6) == 0)
                cookie = hd;
            req.name_lens |= 1ull << (f->name_len % 64);
            if (f->name_len == 4 && memcmp(hd->name.p, "host", 4) == 0 && !req.host.len)
                req.host = hd->value;
            else if (f->name_len == 14 && memcmp(hd->name.p, "content-length", 14) == 0) {
                req.has_content_length = true;
                req.content_length = st->body.len; /* nghttp2 checked they agree */
            }
        }
    }
    if (joined.len)
        cookie->value = (http1_str_t){joined.data, joined.len};
    if (!req.host.p)
        req.host = (http1_str_t){"", 0};
    if (!have_method || (!have_path && req.method != HTTP_M_CONNECT)) {
        util_buf_free(&joined);
        request_reject_on(w, h->peer, 400, "missing :method or :path", true);
        take_response(h, st);
        return;
    }
    if (!have_path)
        req.target = (http1_str_t){"", 0};
    bool with_body = req.method == HTTP_M_POST || req.method == HTTP_M_PUT;
    int status = 0;
    request_handle(w, h->c, h->peer, &req, true, false, with_body ? st->body.data : NULL,
                   with_body ? st->body.len : 0, &status);
    util_buf_free(&joined);
    h->body_buffered -= st->body.len;
    util_buf_free(&st->body);
    if (st->deferred)
        return; /* request_defer() was called: http2_resume() answers later */
    take_response(h, st);
}

/* ---- nghttp2 callbacks ---- */

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame, void *ud)
{
    http2_conn_t *h = ud;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    h2_stream_t *st = util_calloc(1, sizeof *st);
    st->id = frame->hd.stream_id;
    st->next = h->streams;
    if (h->streams)
        h->streams->prev = st;
    h->streams = st;
    nghttp2_session_set_stream_user_data(s, st->id, st);
    return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud)
{
    (void)flags;
    http2_conn_t *h = ud;
    if (frame->hd.type != NGHTTP2_HEADERS)
        return 0;
    h2_stream_t *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (!st || st->answered)
        return 0; /* trailers are read and dropped */
    uint64_t size = (uint64_t)st->header_bytes + namelen + valuelen + 32;
    st->header_bytes = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    if (st->header_bytes > 4 * h->max_header_list) {
        /* Far past what was advertised (an HPACK bomb: a few bytes on the wire decoding
         * to megabytes): the client is not honest; the connection ends. */
        nghttp2_session_terminate_session(s, NGHTTP2_ENHANCE_YOUR_CALM);
        return 0;
    }
    const conf_limits_t *lim = &h->w->snap->conf->limits;
    size_t max_fields = lim->max_headers < HTTP1_MAX_HEADERS ? lim->max_headers : HTTP1_MAX_HEADERS;
    if (namelen && name[0] != ':' && ++st->nregular > max_fields)
        st->headers_over = true; /* more fields than limits.max_headers: 431, as HTTP/1.1 */
    if (st->header_bytes > h->max_header_list || st->nidx >= max_fields + 8)
        st->headers_over = true;
    if (st->headers_over)
        return 0;
    if (st->nidx == st->idx_cap) {
        st->idx_cap = st->idx_cap ? st->idx_cap * 2 : 16;
        st->idx = util_realloc(st->idx, st->idx_cap * sizeof *st->idx);
    }
    h2_field_t *f = &st->idx[st->nidx++];
    f->name_off = (uint32_t)st->fields.len;
    f->name_len = (uint32_t)namelen;
    util_buf_append(&st->fields, name, namelen);
    f->value_off = (uint32_t)st->fields.len;
    f->value_len = (uint32_t)valuelen;
    util_buf_append(&st->fields, value, valuelen);
    return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
                         size_t len, void *ud)
{
    (void)flags;
    http2_conn_t *h = ud;
    h2_stream_t *st = nghttp2_session_get_stream_user_data(s, id);
    if (!st || st->answered)
        return 0;
    if (h->body_buffered + len > body_cap(h)) {
        st->body_over = true;
        h->body_buffered -= st->body.len;
        util_buf_free(&st->body);
        answer(h, st); /* 413 now; nghttp2 resets the rest of the upload */
        return 0;
    }
    util_buf_append(&st->body, data, len);
    h->body_buffered += len;
    st->body_last = uv_now(&h->w->loop);
    return 0;
}

/* The rapid-reset limiter: false when the client has used up its RST_STREAM tokens. */
static bool reset_allowed(http2_conn_t *h)
{
    uint64_t now = util_now_ms();
    uint64_t add = (now - h->reset_ms) * HTTP2_RESET_RATE / 1000;
    if (add) {
        h->reset_tokens = h->reset_tokens + add > HTTP2_RESET_BURST ? HTTP2_RESET_BURST
                                                                    : h->reset_tokens + add;
        h->reset_ms = now;
    }
    if (h->reset_tokens == 0)
        return false;
    h->reset_tokens--;
    return true;
}

/* A PRIORITY_UPDATE (RFC 9218 section 7.1). nghttp2 has already moved the stream in its
 * DATA schedule, and calls this whatever the value (one over 32 bytes is dropped unread);
 * the value, read the same way, also orders the stream among those waiting for the
 * response budget. One that does not parse is ignored (the stream keeps its urgency); one
 * without u means 3, as for nghttp2. A stream not yet opened has no h2_stream_t, and the
 * update is not kept for it: such a stream waits by its own `priority` field. nghttp2
 * keeps the update for its DATA schedule, but 1.52 lets a `priority` field that parses
 * replace it when the HEADERS come, so the two orders differ only for a stream whose
 * field is missing or does not parse. */
static void update_urgency(http2_conn_t *h, const nghttp2_ext_priority_update *pu)
{
    h2_stream_t *st = nghttp2_session_get_stream_user_data(h->s, pu->stream_id);
    unsigned u = H2_URGENCY_DEFAULT;
    if (!st || st->answered ||
        !h2_priority_parse((const char *)pu->field_value, pu->field_value_len, &u))
        return;
    st->urgency = (uint8_t)u;
    st->urgency_updated = true;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *ud)
{
    http2_conn_t *h = ud;
    if (frame->hd.type == NGHTTP2_PRIORITY_UPDATE) {
        update_urgency(h, frame->ext.payload);
        return 0;
    }
    if (frame->hd.type == NGHTTP2_RST_STREAM && !reset_allowed(h)) {
        nghttp2_session_terminate_session(s, NGHTTP2_ENHANCE_YOUR_CALM);
        return 0;
    }
    if ((frame->hd.type == NGHTTP2_PING || frame->hd.type == NGHTTP2_SETTINGS) &&
        !(frame->hd.flags & NGHTTP2_FLAG_ACK) &&
        ++h->control > HTTP2_CONTROL_BUDGET + HTTP2_CONTROL_PER_REQUEST * h->requests) {
        nghttp2_session_terminate_session(s, NGHTTP2_ENHANCE_YOUR_CALM);
        return 0;
    }
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
        return 0;
    h2_stream_t *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (!st || st->answered)
        return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && st->headers_over) {
        answer(h, st); /* 431 without waiting for a body */
        return 0;
    }
    if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
        answer(h, st);
    } else if (frame->hd.type == NGHTTP2_HEADERS && !st->body_open) {
        /* A body follows: limits.body_timeout and body_deadline bound it, as over
         * HTTP/1.1 (http2_body_deadline, http2_expire_bodies). */
        st->body_open = true;
        st->body_start = st->body_last = uv_now(&h->w->loop);
    }
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t error_code, void *ud)
{
    (void)error_code;
    http2_conn_t *h = ud;
    h2_stream_t *st = nghttp2_session_get_stream_user_data(s, id);
    if (!st)
        return 0;
    nghttp2_session_set_stream_user_data(s, id, NULL);
    h->body_buffered -= st->body.len;
    h->resp_held -= st->resp_len - st->resp_off;
    if (st->waiting)
        h->nwaiting--;
    stream_unlink(h, st);
    stream_free(h, st);
    return 0;
}

/* ---- the session ---- */

http2_conn_t *http2_new(worker_t *w, struct conn *c, const peer_addr_t *peer,
                        const conf_http2_t *lim)
{
    nghttp2_session_callbacks *cb;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return NULL;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_send_data_callback(cb, send_data);
    nghttp2_session_callbacks_set_data_source_read_length_callback(cb, data_length);
    nghttp2_option *opt;
    if (nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cb);
        return NULL;
    }
    nghttp2_option_set_stream_reset_rate_limit(opt, 1000, 33);
    nghttp2_option_set_max_continuations(opt, HTTP2_MAX_CONTINUATIONS);
    /* RFC 9218 priorities (with SETTINGS_NO_RFC7540_PRIORITIES below): nghttp2 reads the
     * `priority` field of each request's HEADERS itself, and PRIORITY_UPDATE frames once
     * this option lets them in (else it drops them unread); it then sends DATA by urgency
     * (0 first, strictly), and within one urgency the non-incremental streams one after
     * another in the order they were opened, the incremental ones in turn. An unparsable
     * field (u=9, u=abc) is ignored, the stream keeps urgency 3, never an error.
     * No server_fallback_rfc7540_priorities: with it, a client whose first SETTINGS lacks
     * NO_RFC7540_PRIORITIES=1 would be scheduled by the RFC 7540 tree and its `priority`
     * field ignored, and the setting is no sign of a client that sends the field:
     * Chromium (156) sends `priority` on every request (u=0 for a page and its CSS, u=1
     * for a script) and RFC 7540 weights in HEADERS, but not the setting. The setting
     * goes in the first SETTINGS frame: Chromium ends a connection where it changes.
     * RFC 7540 signals (PRIORITY frames, HEADERS weights) are ignored; a client sending
     * no RFC 9218 signal gets urgency 3, non-incremental, for every stream: its responses
     * one after another in request order, each whole unless flow control stops it.
     * PRIORITY_UPDATE costs are bounded by nghttp2: a payload over 32 bytes is dropped
     * unread; each frame is a lookup and a move in a queue of at most
     * max_concurrent_streams streams, with nothing sent back (about 60 ns of CPU, a
     * WINDOW_UPDATE's 40: no dearer than the bytes; measured before update_urgency,
     * which adds a stream lookup and a read of at most 28 bytes), so, unlike PING and
     * SETTINGS, it is not counted in HTTP2_CONTROL_BUDGET; the idle streams such frames
     * name are trimmed to 100 at each read, and past max_concurrent_streams within one
     * read (once the client has acknowledged these SETTINGS) end the connection. */
    nghttp2_option_set_builtin_recv_extension_type(opt, NGHTTP2_PRIORITY_UPDATE);
    http2_conn_t *h = util_calloc(1, sizeof *h);
    h->w = w;
    h->c = c;
    h->peer = peer;
    h->max_header_list = lim->max_header_list;
    h->reset_tokens = HTTP2_RESET_BURST;
    h->reset_ms = util_now_ms();
    int rc = nghttp2_session_server_new2(&h->s, cb, h, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cb);
    if (rc != 0) {
        free(h);
        return NULL;
    }
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, (uint32_t)lim->max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (uint32_t)lim->initial_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)lim->max_header_list},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    };
    if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]) != 0 ||
        nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
                                              (int32_t)lim->initial_window) != 0) {
        http2_free(h);
        return NULL;
    }
    return h;
}

void http2_free(http2_conn_t *h)
{
    if (!h)
        return;
    nghttp2_session_del(h->s);
    while (h->streams) {
        h2_stream_t *st = h->streams;
        stream_unlink(h, st);
        stream_free(h, st);
    }
    util_buf_free(&h->out);
    util_buf_free(&h->names);
    free(h);
}

bool http2_feed(http2_conn_t *h, const char *p, size_t len)
{
    ssize_t n = nghttp2_session_mem_recv(h->s, (const uint8_t *)p, len);
    if (n < 0) {
        /* nghttp2 has queued a GOAWAY for protocol errors and floods; make sure of one. */
        bool flood = n == NGHTTP2_ERR_FLOODED || n == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS;
        nghttp2_session_terminate_session(h->s, flood ? NGHTTP2_ENHANCE_YOUR_CALM
                                                      : NGHTTP2_PROTOCOL_ERROR);
        return false;
    }
    return true;
}

/* The waiting stream to answer next: the most urgent, the oldest (lowest id) of those.
 * A scan of the connection's streams (at most http2.max_concurrent_streams, 128) per
 * stream answered, and only while streams wait and the budget has room: small beside the
 * answer it leads to, on the rare connection that spent its budget, where a queue kept
 * in order would cost every request and every PRIORITY_UPDATE. */
static h2_stream_t *next_waiting(const http2_conn_t *h)
{
    h2_stream_t *best = NULL;
    for (h2_stream_t *st = h->streams; st; st = st->next)
        if (st->waiting && (!best || st->urgency < best->urgency ||
                            (st->urgency == best->urgency && st->id < best->id)))
            best = st;
    return best;
}

/* Answers the streams that waited for the response budget while it lasts, most urgent
 * first (RFC 9218), in request order within one urgency. answer() clears st->waiting
 * while the budget has room, and frees no stream (streams close from nghttp2 only). */
static void answer_waiting(http2_conn_t *h)
{
    h2_stream_t *st;
    while (h->nwaiting && h->resp_held < HTTP2_RESP_BUDGET && (st = next_waiting(h)))
        answer(h, st);
}

bool http2_output(http2_conn_t *h, size_t cap, const char **p, size_t *len)
{
    if (h->nwaiting)
        answer_waiting(h);
    h->out.len = 0;
    h->cap = cap;
    while (h->out.len < cap) {
        const uint8_t *d;
        ssize_t n = nghttp2_session_mem_send(h->s, &d);
        if (n < 0)
            return false;
        if (n == 0)
            break;
        util_buf_append(&h->out, d, (size_t)n);
    }
    *p = h->out.data;
    *len = h->out.len;
    return true;
}

/* When the stream's body is late: the sooner of a pause of body_timeout and the whole
 * body's body_deadline (conn.c's rule for HTTP/1.1 bodies). */
static uint64_t body_due(const http2_conn_t *h, const h2_stream_t *st)
{
    const conf_limits_t *lim = &h->w->snap->conf->limits;
    uint64_t pause = st->body_last + lim->body_timeout_ms;
    uint64_t whole = st->body_start + lim->body_deadline_ms;
    return pause < whole ? pause : whole;
}

uint64_t http2_body_deadline(const http2_conn_t *h)
{
    uint64_t due = 0;
    for (const h2_stream_t *st = h->streams; st; st = st->next)
        if (st->body_open && !st->answered && !st->waiting) {
            uint64_t d = body_due(h, st);
            if (!due || d < due)
                due = d;
        }
    return due;
}

void http2_expire_bodies(http2_conn_t *h, uint64_t now)
{
    for (h2_stream_t *st = h->streams, *next; st; st = next) {
        next = st->next; /* answer() frees no stream: streams close from nghttp2 only */
        if (st->body_open && !st->answered && !st->waiting && body_due(h, st) <= now) {
            st->body_late = true;
            answer(h, st); /* 408 on this stream; nghttp2 resets the rest of its upload */
        }
    }
}

bool http2_more(const http2_conn_t *h)
{
    return h->nwaiting || nghttp2_session_want_write(h->s);
}

bool http2_done(const http2_conn_t *h)
{
    return !nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s);
}

bool http2_waiting(const http2_conn_t *h)
{
    return h->deferred > 0;
}

bool http2_blocked(const http2_conn_t *h)
{
    for (const h2_stream_t *st = h->streams; st; st = st->next)
        if (st->resp_off < st->resp_len)
            return true;
    return false;
}

uint64_t http2_body_sent(const http2_conn_t *h)
{
    return h->body_sent;
}

unsigned http2_take_answered(http2_conn_t *h)
{
    unsigned n = h->answered;
    h->answered = 0;
    return n;
}

void http2_shutdown(http2_conn_t *h)
{
    if (h->goaway)
        return;
    h->goaway = true;
    nghttp2_submit_goaway(h->s, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(h->s),
                          NGHTTP2_NO_ERROR, NULL, 0);
}

void http2_defer(http2_conn_t *h, int32_t stream)
{
    h2_stream_t *st = nghttp2_session_get_stream_user_data(h->s, stream);
    if (st)
        st->deferred = true;
    h->deferred++;
}

bool http2_resume_begin(http2_conn_t *h, int32_t stream)
{
    h->deferred--;
    return nghttp2_session_get_stream_user_data(h->s, stream) != NULL;
}

void http2_resume(http2_conn_t *h, int32_t stream)
{
    h2_stream_t *st = nghttp2_session_get_stream_user_data(h->s, stream);
    if (st)
        take_response(h, st);
    else
        h->w->nparts = 0, h->w->out.len = 0;
}
