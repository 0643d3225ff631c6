/* tests/fuzz/fuzz_url.c: libFuzzer harness for the percent-encoder that builds Location
 * headers and links. Whatever the path, the result holds only characters safe in a header
 * and in an HTML attribute, and decoding it gives the path back byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    util_buf_t b = {0};
    util_buf_appends(&b, "http://h"); /* something already in the buffer stays */
    url_append_path(&b, p, size);
    CHECK(b.len >= 8 && memcmp(b.data, "http://h", 8) == 0);
    const char *e = b.data + 8;
    size_t n = b.len - 8;
    char *back = malloc(n ? n : 1);
    CHECK(back != NULL);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)e[i];
        /* nothing that ends a header line, splits an attribute or starts a tag */
        CHECK(c > 0x20 && c < 0x7f);
        CHECK(c != '"' && c != '\'' && c != '<' && c != '>' && c != '\\' && c != '`');
        CHECK(c != '?' && c != '#'); /* would end the path */
        if (c == '%') {
            CHECK(i + 2 < n);
            int hi = hexval(e[i + 1]), lo = hexval(e[i + 2]);
            CHECK(hi >= 0 && lo >= 0);
            back[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            back[k++] = (char)c;
        }
    }
    CHECK(k == size && memcmp(back, p, size) == 0);
    free(back);
    util_buf_free(&b);
    free(p);
    return 0;
}
