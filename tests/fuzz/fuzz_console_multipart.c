/* tests/fuzz/fuzz_console_multipart.c: libFuzzer harness for the console's multipart/form-data
 * parser (console_multipart_parse, modules/console/console_multipart.c) and its file-name
 * sanitiser. The first byte picks the boundary's length (the boundary is the next bytes);
 * the rest is the body. Whatever the bytes: every part lies inside the body, in order and
 * apart, there are at most CONSOLE_MULTIPART_PARTS_MAX, every name is [a-z0-9_] and every
 * file name is a safe base name (no '/', '\\', '?', '#', '%', control byte, leading dot). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console_multipart.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_filename(const char *s)
{
    CHECK(s[0] != '.' && s[0] != ' ');
    for (const char *p = s; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && *p != 0x7f && !strchr("/\\?#%", *p));
    CHECK(strlen(s) <= CONSOLE_MULTIPART_FILENAME_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t blen = data[0] % 80;
    if (blen > size - 1)
        blen = size - 1;
    const char *boundary = (const char *)data + 1;
    const char *body = boundary + blen;
    size_t len = size - 1 - blen;
    console_multipart_t *m = malloc(sizeof *m);
    const char *why = NULL;
    if (console_multipart_parse(body, len, boundary, blen, m, &why)) {
        CHECK(m->n <= CONSOLE_MULTIPART_PARTS_MAX);
        const char *prev_end = body;
        for (size_t i = 0; i < m->n; i++) {
            const console_part_t *p = &m->part[i];
            CHECK(p->data >= prev_end && p->data + p->len <= body + len);
            prev_end = p->data + p->len;
            size_t nl = strlen(p->name);
            CHECK(nl >= 1 && nl <= CONSOLE_MULTIPART_NAME_MAX);
            for (size_t k = 0; k < nl; k++)
                CHECK((p->name[k] >= 'a' && p->name[k] <= 'z') ||
                      (p->name[k] >= '0' && p->name[k] <= '9') || p->name[k] == '_');
            if (p->is_file)
                check_filename(p->filename);
        }
    } else {
        CHECK(why != NULL);
    }
    free(m);
    /* the whole input as a client's file name */
    char out[CONSOLE_MULTIPART_FILENAME_MAX + 1];
    if (console_multipart_filename((const char *)data, size, out, sizeof out)) {
        CHECK(out[0] != '\0');
        check_filename(out);
    }
    return 0;
}
