/* tests/fuzz/fuzz_frontmatter.c: libFuzzer harness for the front-matter reader that
 * `jiyuectl publish` and import run on every Markdown and HTML file. Accepted or not,
 * the body always lies inside the text, and a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    diag_t d;
    diag_init(&d);
    frontmatter_t fm;
    memset(&fm, 0, sizeof fm);
    int rc = frontmatter_parse("fuzz.md", text, size, &fm, &d);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        CHECK(d.errors == 0);
        CHECK(fm.body >= text && fm.body_len <= size);
        CHECK(fm.body + fm.body_len == text + size);
        CHECK(fm.body_line >= 1);
        /* with no front matter the whole text is the body */
        if (!fm.meta)
            CHECK(fm.body_len == size || fm.body_len + 3 == size); /* a BOM may be skipped */
        /* a non-empty body starts on a line of its own (a closing "---" may end the file) */
        if (fm.meta && fm.body_len > 0)
            CHECK(fm.body[-1] == '\n');
    } else {
        CHECK(d.errors > 0);
    }
    for (size_t i = 0; i < d.count; i++)
        CHECK(d.items[i].text && d.items[i].text[0]);
    frontmatter_free(&fm);
    diag_free(&d);
    free(text);
    return 0;
}
