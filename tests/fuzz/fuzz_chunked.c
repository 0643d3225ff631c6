/* tests/fuzz/fuzz_chunked.c: libFuzzer harness for the chunked body decoder alone. The
 * same input is decoded whole and again in pieces (the first byte picks the piece size):
 * a streaming decoder must not care where the network cut its input, so both runs must
 * agree on the result, the bytes consumed and the body produced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http1.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

typedef struct result {
    int rc;          /* last return: 1 done, -1 error, 0 wants more */
    size_t consumed; /* input bytes consumed in total */
    char *body;
    size_t body_len;
    uint64_t announced;
} result_t;

/* Feeds `in` in pieces of `step` bytes (0: all at once), the way conn.c does: whatever was
 * not consumed stays at the front of the next piece. */
static void decode(const uint8_t *in, size_t len, size_t step, result_t *r)
{
    http1_chunked_t c;
    http1_chunked_init(&c);
    memset(r, 0, sizeof *r);
    r->body = malloc(len ? len : 1);
    char *work = malloc(len ? len : 1);
    CHECK(r->body && work);
    size_t fed = 0, pending = 0; /* bytes handed over so far; of those, not yet consumed */
    uint64_t last_announced = 0;
    for (;;) {
        size_t add = step ? step : len;
        if (add > len - fed)
            add = len - fed;
        memcpy(work + pending, in + fed, add);
        fed += add;
        size_t n = pending + add, consumed = 0, out = 0;
        int rc = http1_chunked_decode(&c, work, n, &consumed, &out);
        CHECK(rc >= -1 && rc <= 1);
        CHECK(consumed <= n && out <= consumed);
        CHECK(c.total <= r->consumed + consumed);
        memcpy(r->body + r->body_len, work, out);
        r->body_len += out;
        CHECK(c.total == r->body_len);
        r->consumed += consumed;
        /* what the client committed to only grows, and never trails what arrived */
        uint64_t a = http1_chunked_announced(&c);
        CHECK(a >= c.total);
        if (rc == 0)
            CHECK(a >= last_announced || a == c.total);
        last_announced = a;
        r->rc = rc;
        r->announced = a;
        if (rc != 0)
            break;
        /* a decoder that wants more has used up everything it was given */
        CHECK(consumed == n);
        pending = 0;
        if (fed == len)
            break;
    }
    free(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = 1 + data[0] % 17;
    data++;
    size--;
    result_t whole, pieces;
    decode(data, size, 0, &whole);
    decode(data, size, step, &pieces);
    CHECK(whole.rc == pieces.rc);
    if (whole.rc == 1) {
        CHECK(whole.consumed == pieces.consumed);
        CHECK(whole.body_len == pieces.body_len);
        CHECK(memcmp(whole.body, pieces.body, whole.body_len) == 0);
        CHECK(whole.announced == whole.body_len);
    } else if (whole.rc == 0) {
        CHECK(whole.consumed == size && pieces.consumed == size);
        CHECK(whole.body_len == pieces.body_len);
        CHECK(memcmp(whole.body, pieces.body, whole.body_len) == 0);
    }
    free(whole.body);
    free(pieces.body);
    return 0;
}
