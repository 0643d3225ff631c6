/* tests/fuzz/fuzz_path.c: libFuzzer harness for target normalisation: whatever comes in,
 * an accepted path is rooted, has no dot segments, empty segments, NUL or backslash, and
 * is valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int has(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *t = malloc(size ? size : 1);
    if (!t)
        return 0;
    memcpy(t, data, size);
    /* The result never needs more than the target plus "/" and NUL; one input in five
     * gets a tight buffer instead, to reach the out_cap checks. */
    size_t cap = size % 5 == 0 ? size / 2 : size + 2;
    char *out = malloc(cap ? cap : 1);
    if (!out) {
        free(t);
        return 0;
    }
    size_t n = 0;
    path_target_t info;
    int r = path_normalize(t, size, out, cap, &n, &info);
    CHECK(r == PATH_OK || r == PATH_BAD || r == PATH_ESCAPE);
    if (r == PATH_OK) {
        CHECK(n >= 1 && n < cap && out[n] == '\0');
        CHECK(out[0] == '/');
        CHECK(memchr(out, '\0', n) == NULL);
        CHECK(memchr(out, '\\', n) == NULL);
        CHECK(!has(out, n, "//"));
        CHECK(!has(out, n, "/./") && !has(out, n, "/../"));
        CHECK(!(n >= 2 && memcmp(out + n - 2, "/.", 2) == 0));
        CHECK(!(n >= 3 && memcmp(out + n - 3, "/..", 3) == 0));
        for (size_t i = 0; i < n; i++)
            CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
        CHECK(path_utf8_valid((const unsigned char *)out, n));
        CHECK(info.trailing_slash == (out[n - 1] == '/'));
        if (info.query)
            CHECK(info.query >= t && info.query + info.query_len == t + size);
        if (info.host)
            CHECK(info.host >= t && info.host + info.host_len <= t + size);
        /* Normalising is idempotent when nothing in the result would be decoded or split
         * again. */
        if (!memchr(out, '%', n) && !memchr(out, '?', n) && !memchr(out, '#', n) &&
            !memchr(out, ' ', n)) {
            char again[8192];
            size_t n2 = 0;
            path_target_t i2;
            if (n < sizeof again) {
                CHECK(path_normalize(out, n, again, sizeof again, &n2, &i2) == PATH_OK);
                CHECK(n2 == n && memcmp(again, out, n) == 0);
            }
        }
    }
    free(out);
    free(t);
    return 0;
}
