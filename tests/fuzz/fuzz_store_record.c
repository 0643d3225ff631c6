/* tests/fuzz/fuzz_store_record.c: libFuzzer harness for the page record decoder
 * (store_page_decode, the step between an LMDB value and a response). Records come only
 * from jiyuectl, but a damaged store must give STORE_ECORRUPT, never a read outside the
 * value: whatever the bytes, an accepted record's parts lie inside them, in order, and
 * its ETag is a quoted 16-digit hex string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int inside(const uint8_t *base, size_t size, const void *p, size_t len)
{
    const uint8_t *q = p;
    return q >= base && q <= base + size && len <= (size_t)(base + size - q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *v = malloc(size ? size : 1); /* exactly `size` bytes: ASan sees any overread */
    if (!v)
        return 0;
    memcpy(v, data, size);
    store_page_t p;
    int rc = store_page_decode(v, size, &p);
    CHECK(rc == STORE_OK || rc == STORE_ECORRUPT);
    if (rc == STORE_OK) {
        CHECK(inside(v, size, p.content_type, p.content_type_len));
        CHECK(inside(v, size, p.body, p.body_len));
        CHECK((const char *)p.body == p.content_type + p.content_type_len);
        if (p.gzip) {
            CHECK(inside(v, size, p.gzip, p.gzip_len));
            CHECK(p.gzip == p.body + p.body_len && p.gzip_len > 0);
            CHECK(p.gzip + p.gzip_len == v + size);
        } else {
            CHECK(p.gzip_len == 0 && p.body + p.body_len == v + size);
        }
        CHECK(strlen(p.etag) == 18 && p.etag[0] == '"' && p.etag[17] == '"');
        for (int i = 1; i < 17; i++)
            CHECK(strchr("0123456789abcdef", p.etag[i]) != NULL);
        /* Touch every byte the record claims: ASan reports any that is not there. */
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < p.body_len; i++)
            sink ^= p.body[i];
        for (size_t i = 0; i < p.gzip_len; i++)
            sink ^= p.gzip[i];
        (void)sink;
    }
    free(v);
    return 0;
}
