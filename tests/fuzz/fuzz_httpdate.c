/* tests/fuzz/fuzz_httpdate.c: libFuzzer harness for HTTP date parsing (If-Modified-Since,
 * If-Range). Whatever the bytes, the parser returns 0 or -1; a date it accepts formats
 * back to an IMF-fixdate that parses to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpdate.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exactly `size` bytes: ASan sees any overread */
    if (!s)
        return 0;
    memcpy(s, data, size);
    time_t t = 0;
    int rc = httpdate_parse(s, size, &t);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        char out[HTTPDATE_LEN + 1];
        memset(out, 'x', sizeof out);
        httpdate_format(t, out);
        CHECK(out[HTTPDATE_LEN] == '\0' && strlen(out) == HTTPDATE_LEN);
        CHECK(memcmp(out + HTTPDATE_LEN - 4, " GMT", 4) == 0);
        time_t t2 = 0;
        CHECK(httpdate_parse(out, HTTPDATE_LEN, &t2) == 0);
        CHECK(t2 == t);
    }
    free(s);
    return 0;
}
