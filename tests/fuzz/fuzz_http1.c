/* tests/fuzz/fuzz_http1.c: libFuzzer harness for the request-head parser and the chunked
 * decoder. Small limits so that the 414/431 paths are reached often. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"

static int inside(const char *buf, size_t len, http1_str_t s)
{
    return s.p >= buf && s.p <= buf + len && s.len <= (size_t)(buf + len - s.p);
}

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const http1_limits_t lim = {.max_request_line = 256, .max_header_bytes = 1024,
                                       .max_headers = 16};
    static http1_request_t req;
    /* A private copy, exactly `size` bytes, so ASan catches any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    int status = 0;
    const char *reason = NULL;
    int r = http1_parse_request(buf, size, &lim, &req, &status, &reason);
    if (r == HTTP1_ERROR) {
        CHECK(status == 400 || status == 414 || status == 431 || status == 501 ||
              status == 505);
        CHECK(reason != NULL);
    } else if (r == HTTP1_PARTIAL) {
        CHECK(size < lim.max_header_bytes);
    } else {
        CHECK(r == HTTP1_DONE);
        CHECK(req.head_len <= size && req.head_len <= lim.max_header_bytes);
        CHECK(req.head_len >= 4 && memcmp(buf + req.head_len - 4, "\r\n\r\n", 4) == 0);
        CHECK(inside(buf, size, req.method_str) && req.method_str.len > 0);
        CHECK(inside(buf, size, req.target) && req.target.len > 0);
        CHECK(inside(buf, size, req.host));
        CHECK(req.version_minor == 0 || req.version_minor == 1);
        CHECK(req.nheaders <= lim.max_headers);
        CHECK(!(req.chunked && req.has_content_length));
        for (size_t i = 0; i < req.nheaders; i++) {
            CHECK(inside(buf, size, req.headers[i].name) && req.headers[i].name.len > 0);
            CHECK(inside(buf, size, req.headers[i].value));
        }
        CHECK(http1_find_header(&req, "host") != NULL || req.version_minor == 0);
        CHECK(http1_method_name(req.method) != NULL);

        /* The rest is a body: feed it to the chunked decoder in two pieces. */
        char *body = buf + req.head_len;
        size_t blen = size - req.head_len;
        size_t cut = blen ? (unsigned char)body[0] % (blen + 1) : 0;
        http1_chunked_t c;
        http1_chunked_init(&c);
        size_t consumed = 0, out = 0;
        int cr = http1_chunked_decode(&c, body, cut, &consumed, &out);
        CHECK(consumed <= cut && out <= consumed);
        if (cr == 0) {
            CHECK(consumed == cut);
            cr = http1_chunked_decode(&c, body + cut, blen - cut, &consumed, &out);
            CHECK(consumed <= blen - cut && out <= consumed);
        }
        CHECK(cr >= -1 && cr <= 1);
    }
    free(buf);
    return 0;
}
