/* core/http1.c: owns the HTTP/1.1 request-head parser, the chunked body decoder and the
 * method and status name tables (RFC 9112, strict).
 *
 * The head parser makes one linear pass over the buffer and validates every byte as it
 * goes, so a complete head costs a single scan and a hostile one is refused as soon as the
 * offending byte arrives. It keeps no state between calls: the caller re-runs it on the
 * whole buffer when more bytes arrive. The scan never looks past max_header_bytes (nor past
 * max_request_line + CR within the request line), which bounds the work per call and is
 * what lets the 414 and 431 limits fire before the head is complete. */
#include "http1.h"

#include <string.h>

/* Byte classes. T: tchar (method and field-name token). V: allowed in a field value
 * (VCHAR, obs-text, SP, HTAB). U: allowed in the request-target (no SP, no controls; bytes
 * >= 0x80 pass here and are checked as UTF-8 by the path normaliser). */
enum { CL_T = 1, CL_V = 2, CL_U = 4 };
#define NO_ 0
#define SPC CL_V
#define TGT (CL_V | CL_U)
#define TOK (CL_T | CL_V | CL_U)
static const unsigned char cls[256] = {
    NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, SPC, NO_, NO_, NO_, NO_, NO_, NO_, /* 00 */
    NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, NO_, /* 10 */
    SPC, TOK, TGT, TOK, TOK, TOK, TOK, TOK, TGT, TGT, TOK, TOK, TGT, TOK, TOK, TGT, /* 20 */
    TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TGT, TGT, TGT, TGT, TGT, TGT, /* 30 */
    TGT, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, /* 40 */
    TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TGT, TGT, TGT, TOK, TOK, /* 50 */
    TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, /* 60 */
    TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TOK, TGT, TOK, TGT, TOK, NO_, /* 70 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* 80 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* 90 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* a0 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* b0 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* c0 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* d0 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* e0 */
    TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, TGT, /* f0 */
};
#undef NO_
#undef SPC
#undef TGT
#undef TOK

#define IS_TCHAR(c) (cls[(unsigned char)(c)] & CL_T)
#define IS_VCHAR(c) (cls[(unsigned char)(c)] & CL_V)
#define IS_UCHAR(c) (cls[(unsigned char)(c)] & CL_U)
#define IS_OWS(c) ((c) == ' ' || (c) == '\t')

bool http1_is_tchar(char c)
{
    return IS_TCHAR(c);
}

static inline unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c | 0x20) : c;
}

/* Advances p over a run of bytes that are all >= lo and not DEL, eight at a time: field
 * values and targets are mostly long plain text, and testing a word at once (the "has a
 * byte less than n" trick) is what makes the scan cost about a cycle per eight bytes. The
 * caller finishes byte by byte from where this stops. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
static inline size_t skip_plain(const unsigned char *b, size_t p, size_t end, unsigned lo)
{
    while (end - p >= 8) {
        uint64_t x, y;
        memcpy(&x, b + p, 8);
        y = x ^ (ONES * 0x7f);
        if (((x - ONES * lo) & ~x & HIGHS) | ((y - ONES) & ~y & HIGHS))
            break;
        p += 8;
    }
    return p;
}

/* End of a field value: the first byte that is not VCHAR, obs-text, SP or HTAB. */
static inline size_t scan_value(const unsigned char *b, size_t p, size_t end)
{
    for (;;) {
        p = skip_plain(b, p, end, 0x20);
        size_t stop = end - p > 8 ? p + 8 : end;
        while (p < stop && IS_VCHAR(b[p]))
            p++;
        if (p < stop || p == end)
            return p; /* stopped on a byte that ends the value, or out of input */
        /* eight more value bytes with an HTAB among them: carry on */
    }
}

/* `lit` is lower-case. */
static bool eq_nocase(const unsigned char *p, size_t n, const char *lit, size_t litlen)
{
    if (n != litlen)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (unsigned char)lit[i])
            return false;
    return true;
}
#define EQ_LIT(p, n, lit) eq_nocase((p), (n), lit, sizeof(lit) - 1)

static int fail(int *status, const char **reason, int st, const char *why)
{
    *status = st;
    *reason = why;
    return HTTP1_ERROR;
}

/* Calls fn(element, len, ctx) for each non-empty element of a comma-separated list, with
 * surrounding whitespace trimmed (RFC 9110 section 5.6.1: empty elements are ignored).
 * Stops early and returns the first non-zero result. */
static int list_each(const unsigned char *v, size_t n,
                     int (*fn)(const unsigned char *, size_t, void *), void *ctx)
{
    size_t i = 0;
    while (i < n) {
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (s < e && IS_OWS(v[s]))
            s++;
        while (e > s && IS_OWS(v[e - 1]))
            e--;
        if (e > s) {
            int r = fn(v + s, e - s, ctx);
            if (r)
                return r;
        }
        i++; /* past the comma */
    }
    return 0;
}

/* What the field lines say about framing and the connection, gathered in one pass. */
typedef struct head_facts {
    bool host_seen;
    bool conn_close;
    bool conn_keep_alive;
    bool te_seen;
    bool te_final_chunked; /* the last coding seen so far is chunked */
    bool te_unknown;       /* a coding we do not implement: 501 */
    bool te_elements;      /* at least one coding listed */
} head_facts_t;

static int conn_token(const unsigned char *t, size_t n, void *ctx)
{
    head_facts_t *f = ctx;
    if (EQ_LIT(t, n, "close"))
        f->conn_close = true;
    else if (EQ_LIT(t, n, "keep-alive"))
        f->conn_keep_alive = true;
    return 0;
}

/* One transfer-coding: token *( OWS ";" OWS transfer-parameter ). Returns 400 when the
 * list cannot be trusted, 0 otherwise; unknown codings are remembered for a later 501. */
static int te_coding(const unsigned char *t, size_t n, void *ctx)
{
    head_facts_t *f = ctx;
    size_t tok = 0;
    while (tok < n && IS_TCHAR(t[tok]))
        tok++;
    if (tok == 0)
        return 400;
    if (tok < n) {
        /* Anything after the token must be parameters; we do not parse them because no
         * coding we implement takes any, so the coding is unknown either way. */
        size_t i = tok;
        while (i < n && IS_OWS(t[i]))
            i++;
        if (i >= n || t[i] != ';')
            return 400;
    }
    /* chunked must be applied exactly once and last (RFC 9112 section 6.1). */
    if (f->te_final_chunked)
        return 400;
    f->te_elements = true;
    if (tok == n && EQ_LIT(t, n, "chunked")) {
        f->te_final_chunked = true;
    } else {
        if (EQ_LIT(t, tok, "chunked"))
            return 400; /* chunked does not take parameters */
        f->te_unknown = true;
    }
    return 0;
}

/* Host = uri-host [ ":" port ]: reg-name, IPv4 or IP-literal characters only, so that the
 * router never sees spaces, quotes or slashes in a host name. Empty is allowed (RFC 9112
 * section 3.2). */
static const unsigned char host_chars[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, /* 30 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, /* 50 */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* b0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* c0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* d0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* f0 */
};

static bool host_valid(const unsigned char *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!host_chars[h[i]])
            return false;
    return true;
}

static bool parse_content_length(const unsigned char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        unsigned d = v[i] - '0';
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* Records what one field line means for framing. Returns 0 or an error status. */
static int field_facts(http1_request_t *req, head_facts_t *f, const http1_header_t *h,
                       const char **reason)
{
    const unsigned char *n = (const unsigned char *)h->name.p;
    const unsigned char *v = (const unsigned char *)h->value.p;
    size_t vl = h->value.len;

    switch (h->name.len) {
    case 4:
        if (!EQ_LIT(n, 4, "host"))
            break;
        if (f->host_seen)
            return *reason = "duplicate Host", 400;
        if (!host_valid(v, vl))
            return *reason = "invalid Host", 400;
        f->host_seen = true;
        req->host = h->value;
        break;
    case 6:
        if (EQ_LIT(n, 6, "expect") && EQ_LIT(v, vl, "100-continue"))
            req->expect_continue = true;
        break;
    case 10:
        if (EQ_LIT(n, 10, "connection"))
            list_each(v, vl, conn_token, f);
        break;
    case 14:
        if (!EQ_LIT(n, 14, "content-length"))
            break;
        if (req->has_content_length)
            return *reason = "duplicate Content-Length", 400;
        if (!parse_content_length(v, vl, &req->content_length))
            return *reason = "invalid Content-Length", 400;
        req->has_content_length = true;
        break;
    case 17:
        if (!EQ_LIT(n, 17, "transfer-encoding"))
            break;
        f->te_seen = true;
        if (list_each(v, vl, te_coding, f))
            return *reason = "invalid Transfer-Encoding", 400;
        break;
    default:
        break;
    }
    return 0;
}

/* Checks made once the whole head is known. Returns 0 or an error status. */
static int head_verdict(http1_request_t *req, const head_facts_t *f, const char **reason)
{
    if (f->te_seen) {
        if (req->has_content_length)
            return *reason = "both Content-Length and Transfer-Encoding", 400;
        if (req->version_minor == 0)
            return *reason = "Transfer-Encoding in an HTTP/1.0 request", 400;
        if (!f->te_elements)
            return *reason = "invalid Transfer-Encoding", 400;
        if (f->te_unknown)
            return *reason = "unsupported transfer coding", 501;
        req->chunked = true;
    }
    if (req->version_minor == 1) {
        if (!f->host_seen)
            return *reason = "missing Host", 400;
        req->keep_alive = !f->conn_close;
    } else {
        req->keep_alive = f->conn_keep_alive && !f->conn_close;
        /* An HTTP/1.0 client cannot know the interim response (RFC 9110 section 10.1.1). */
        req->expect_continue = false;
    }
    return 0;
}

/* What the parts of http1_parse_request report besides HTTP1_ERROR (with its status). */
enum {
    PART_OK = 1,         /* the part is read; *pp is past it */
    PART_MORE = 2,       /* the bytes up to `end` end inside the part */
    PART_LINE_SHORT = 3, /* the request line ends past `end`: 414 when it is capped */
    PART_HEAD_END = 4,   /* (field_line) the empty line that ends the head */
};

/* request-line = method SP request-target SP HTTP-version CRLF, from b[*pp]. The scan of
 * the line stops after max_request_line bytes plus the CR, so an endless line is a 414 at
 * once. Sets the method, target and version of req. */
static int request_line(const char *buf, size_t *pp, size_t end, size_t line_end,
                        http1_request_t *req, int *status, const char **reason)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t p = *pp;

    size_t m0 = p;
    while (p < line_end && IS_TCHAR(b[p]))
        p++;
    if (p == line_end)
        return PART_LINE_SHORT;
    if (b[p] != ' ' || p == m0)
        return fail(status, reason, 400, b[p] == '\n' ? "bare LF" : "malformed request line");
    size_t m1 = p++;

    size_t t0 = p;
    p = skip_plain(b, p, line_end, 0x21);
    while (p < line_end && IS_UCHAR(b[p]))
        p++;
    if (p == line_end)
        return PART_LINE_SHORT;
    if (b[p] != ' ' || p == t0)
        return fail(status, reason, 400, b[p] == '\n' ? "bare LF" : "malformed request target");
    size_t t1 = p++;

    size_t v0 = p;
    while (p < line_end && IS_UCHAR(b[p]))
        p++;
    if (p == line_end)
        return PART_LINE_SHORT;
    if (b[p] != '\r')
        return fail(status, reason, 400, b[p] == '\n' ? "bare LF" : "malformed request line");
    /* HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive. */
    const unsigned char *v = b + v0;
    if (p - v0 != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return fail(status, reason, 400, "malformed HTTP version");
    if (v[5] != '1')
        return fail(status, reason, 505, "HTTP version not supported");
    if (p + 1 >= end)
        return PART_MORE;
    if (b[p + 1] != '\n')
        return fail(status, reason, 400, "bare CR");
    *pp = p + 2;

    req->method_str.p = buf + m0;
    req->method_str.len = m1 - m0;
    req->method = http1_method_from(buf + m0, m1 - m0);
    req->target.p = buf + t0;
    req->target.len = t1 - t0;
    /* HTTP/1.x with x > 1 is answered as 1.1, the highest minor we speak (RFC 9110 2.5). */
    req->version_minor = v[7] == '0' ? 0 : 1;
    return PART_OK;
}

/* field-line = field-name ":" OWS field-value OWS CRLF, from b[*pp], or the empty line
 * that ends the head (PART_HEAD_END). A field is added to req and noted in f. */
static int field_line(const char *buf, size_t *pp, size_t end, size_t max_fields,
                      http1_request_t *req, head_facts_t *f, int *status, const char **reason)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t p = *pp;
    if (p >= end)
        return PART_MORE;
    unsigned char c = b[p];
    if (c == '\r') {
        if (p + 1 >= end)
            return PART_MORE;
        if (b[p + 1] != '\n')
            return fail(status, reason, 400, "bare CR");
        *pp = p + 2;
        return PART_HEAD_END;
    }
    if (c == '\n')
        return fail(status, reason, 400, "bare LF");
    if (IS_OWS(c))
        return fail(status, reason, 400, "obsolete line folding");
    if (req->nheaders >= max_fields)
        return fail(status, reason, 431, "too many header fields");

    size_t n0 = p;
    while (p < end && IS_TCHAR(b[p]))
        p++;
    if (p >= end)
        return PART_MORE;
    if (b[p] != ':') {
        if (IS_OWS(b[p]))
            return fail(status, reason, 400, "whitespace before colon");
        return fail(status, reason, 400, b[p] == '\n' ? "bare LF" : "invalid field name");
    }
    if (p == n0)
        return fail(status, reason, 400, "empty field name");
    size_t n1 = p++;

    while (p < end && IS_OWS(b[p]))
        p++;
    size_t val0 = p;
    p = scan_value(b, p, end);
    if (p >= end)
        return PART_MORE;
    if (b[p] != '\r')
        return fail(status, reason, 400,
                    b[p] == '\n' ? "bare LF" : "control character in field value");
    if (p + 1 >= end)
        return PART_MORE;
    if (b[p + 1] != '\n')
        return fail(status, reason, 400, "bare CR");
    size_t val1 = p;
    while (val1 > val0 && IS_OWS(b[val1 - 1]))
        val1--;
    *pp = p + 2;

    http1_header_t *h = &req->headers[req->nheaders++];
    h->name.p = buf + n0;
    h->name.len = n1 - n0;
    h->value.p = buf + val0;
    h->value.len = val1 - val0;
    req->name_lens |= UINT64_C(1) << (h->name.len & 63);
    int st = field_facts(req, f, h, reason);
    if (st)
        return *status = st, HTTP1_ERROR;
    return PART_OK;
}

int http1_parse_request(const char *buf, size_t len, const http1_limits_t *lim,
                        http1_request_t *req, int *status, const char **reason)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t max_head = lim->max_header_bytes;
    size_t max_fields = lim->max_headers < HTTP1_MAX_HEADERS ? lim->max_headers
                                                              : HTTP1_MAX_HEADERS;
    /* Never look at a byte that would make the head longer than allowed. */
    size_t end = len < max_head ? len : max_head;
    size_t p = 0;
    head_facts_t facts = {0};

    /* Leading empty lines (RFC 9112 section 2.2); they count towards the head. */
    while (p < end && b[p] == '\r') {
        if (p + 1 >= end)
            goto need_more;
        if (b[p + 1] != '\n')
            return fail(status, reason, 400, "bare CR");
        p += 2;
    }

    bool line_capped = end - p > lim->max_request_line;
    size_t line_end = line_capped ? p + lim->max_request_line + 1 : end;
    int rc = request_line(buf, &p, end, line_end, req, status, reason);
    if (rc == HTTP1_ERROR)
        return rc;
    if (rc == PART_LINE_SHORT)
        goto line_short;
    if (rc == PART_MORE)
        goto need_more;

    req->nheaders = 0;
    req->name_lens = 0;
    req->host.p = buf + p; /* an empty string inside the buffer */
    req->host.len = 0;
    req->has_content_length = false;
    req->content_length = 0;
    req->chunked = false;
    req->keep_alive = false;
    req->expect_continue = false;
    req->h2_stream = 0;

    while ((rc = field_line(buf, &p, end, max_fields, req, &facts, status, reason)) == PART_OK)
        ;
    if (rc == HTTP1_ERROR)
        return rc;
    if (rc == PART_MORE)
        goto need_more;

    int st = head_verdict(req, &facts, reason);
    if (st)
        return *status = st, HTTP1_ERROR;
    req->head_len = p;
    return HTTP1_DONE;

line_short:
    if (line_capped)
        return fail(status, reason, 414, "request line too long");
need_more:
    /* The scan stopped at `end`: either the client has not sent the rest yet, or the head
     * would not fit in max_header_bytes. */
    if (len >= max_head)
        return fail(status, reason, 431, "request header too large");
    return HTTP1_PARTIAL;
}

const http1_header_t *http1_find_header(const http1_request_t *req, const char *name)
{
    size_t n = strlen(name);
    if (!(req->name_lens & (UINT64_C(1) << (n & 63))))
        return NULL;
    for (size_t i = 0; i < req->nheaders; i++) {
        const http1_header_t *h = &req->headers[i];
        if (h->name.len != n)
            continue;
        size_t j = 0;
        while (j < n && lower((unsigned char)h->name.p[j]) == lower((unsigned char)name[j]))
            j++;
        if (j == n)
            return h;
    }
    return NULL;
}

/* ---- chunked body ---- */

/* A size or trailer line longer than this is hostile: real ones are a few bytes. */
#define CHUNK_LINE_MAX 4096
/* All trailer lines together; they are discarded, so there is no reason to read many. */
#define CHUNK_TRAILERS_MAX 16384

enum {
    CH_SIZE,       /* hex digits of chunk-size */
    CH_SIZE_WS,    /* BWS after the size: only ";" may follow */
    CH_EXT,        /* chunk extensions, skipped up to CR */
    CH_SIZE_LF,    /* LF ending the size line */
    CH_DATA,       /* chunk-data */
    CH_DATA_CR,    /* CRLF after chunk-data */
    CH_DATA_LF,
    CH_TRAILER,    /* start of a trailer line or of the final CRLF */
    CH_TRAILER_IN, /* inside a trailer line */
    CH_TRAILER_LF,
    CH_FINAL_LF,   /* LF of the empty line ending the body */
    CH_DONE,
    CH_ERROR
};

void http1_chunked_init(http1_chunked_t *c)
{
    memset(c, 0, sizeof *c);
    c->state = CH_SIZE;
}

uint64_t http1_chunked_announced(const http1_chunked_t *c)
{
    /* After the last chunk `remaining` counts trailer bytes, which are not body. */
    if (c->state > CH_DATA)
        return c->total;
    return c->remaining > UINT64_MAX - c->total ? UINT64_MAX : c->total + c->remaining;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int http1_chunked_decode(http1_chunked_t *c, char *buf, size_t len, size_t *consumed,
                         size_t *out_len)
{
    size_t r = 0, w = 0; /* read and write positions: w <= r, so decoding in place is safe */
    int ret = 0;

    while (r < len && ret == 0) {
        unsigned char ch = (unsigned char)buf[r];
        switch (c->state) {
        case CH_SIZE: {
            int d = hexval(ch);
            if (d >= 0) {
                /* The size line starts with its digits, so line_len counts them. */
                if (c->line_len >= 16)
                    goto bad;
                c->remaining = (c->remaining << 4) | (uint64_t)d;
                c->line_len++;
                r++;
                break;
            }
            if (c->line_len == 0)
                goto bad;
            if (ch == '\r')
                c->state = CH_SIZE_LF;
            else if (ch == ';')
                c->state = CH_EXT;
            else if (IS_OWS(ch))
                c->state = CH_SIZE_WS;
            else
                goto bad;
            c->line_len++;
            r++;
            break;
        }
        case CH_SIZE_WS:
            if (ch == ';')
                c->state = CH_EXT;
            else if (!IS_OWS(ch))
                goto bad;
            if (++c->line_len > CHUNK_LINE_MAX)
                goto bad;
            r++;
            break;
        case CH_EXT:
            if (ch == '\r')
                c->state = CH_SIZE_LF;
            else if (!IS_VCHAR(ch))
                goto bad;
            if (++c->line_len > CHUNK_LINE_MAX)
                goto bad;
            r++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n')
                goto bad;
            r++;
            c->line_len = 0;
            if (c->remaining == 0) {
                c->state = CH_TRAILER;
            } else {
                c->state = CH_DATA;
            }
            break;
        case CH_DATA: {
            size_t avail = len - r;
            size_t n = c->remaining < avail ? (size_t)c->remaining : avail;
            if (w != r)
                memmove(buf + w, buf + r, n);
            w += n;
            r += n;
            c->remaining -= n;
            c->total += n;
            if (c->remaining == 0)
                c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch != '\r')
                goto bad;
            c->state = CH_DATA_LF;
            r++;
            break;
        case CH_DATA_LF:
            if (ch != '\n')
                goto bad;
            c->state = CH_SIZE;
            c->line_len = 0;
            r++;
            break;
        case CH_TRAILER:
            /* `remaining` is free once the last chunk is read: it counts trailer bytes. */
            if (ch == '\r') {
                c->state = CH_FINAL_LF;
            } else if (IS_TCHAR(ch)) {
                c->state = CH_TRAILER_IN;
                c->line_len = 1;
            } else {
                goto bad; /* obs-fold, bare LF or junk */
            }
            if (++c->remaining > CHUNK_TRAILERS_MAX)
                goto bad;
            r++;
            break;
        case CH_TRAILER_IN:
            if (ch == '\r')
                c->state = CH_TRAILER_LF;
            else if (!IS_VCHAR(ch))
                goto bad;
            if (++c->line_len > CHUNK_LINE_MAX || ++c->remaining > CHUNK_TRAILERS_MAX)
                goto bad;
            r++;
            break;
        case CH_TRAILER_LF:
            if (ch != '\n')
                goto bad;
            c->state = CH_TRAILER;
            c->line_len = 0;
            r++;
            break;
        case CH_FINAL_LF:
            if (ch != '\n')
                goto bad;
            c->state = CH_DONE;
            r++;
            ret = 1;
            break;
        case CH_DONE:
            ret = 1;
            break;
        default:
            goto bad;
        }
    }
    if (c->state == CH_DONE)
        ret = 1;
    *consumed = r;
    *out_len = w;
    return ret;

bad:
    c->state = CH_ERROR;
    *consumed = r;
    *out_len = w;
    return -1;
}

/* ---- names ---- */

static const char *const method_names[] = {
    [HTTP_M_GET] = "GET",         [HTTP_M_HEAD] = "HEAD",       [HTTP_M_POST] = "POST",
    [HTTP_M_PUT] = "PUT",         [HTTP_M_DELETE] = "DELETE",   [HTTP_M_CONNECT] = "CONNECT",
    [HTTP_M_OPTIONS] = "OPTIONS", [HTTP_M_TRACE] = "TRACE",     [HTTP_M_PATCH] = "PATCH",
    [HTTP_M_OTHER] = "OTHER",
};

http_method_t http1_method_from(const char *p, size_t len)
{
    /* Method names are case-sensitive (RFC 9110 section 9.1). */
    if (len == 3 && memcmp(p, "GET", 3) == 0)
        return HTTP_M_GET; /* nearly every request */
    for (int m = HTTP_M_GET; m < HTTP_M_OTHER; m++) {
        const char *name = method_names[m];
        if (strlen(name) == len && memcmp(name, p, len) == 0)
            return (http_method_t)m;
    }
    return HTTP_M_OTHER;
}

const char *http1_method_name(http_method_t m)
{
    if ((unsigned)m > HTTP_M_OTHER)
        return "OTHER";
    return method_names[m];
}

const char *http1_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}
