/* tests/unit/test_mime.c: media types by extension (core/mime.c) and gzip variants
 * (core/gzip.c), the two things import decides per file before it stores a page. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gzip.h"
#include "mime.h"

/* A private table stands in for /etc/mime.types so the test does not depend on the
 * machine: it disagrees with the pinned built-ins on purpose. */
static char table_file[] = "/tmp/jiyue-mime-XXXXXX";

static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(table_file);
    if (fd < 0)
        return -1;
    static const char text[] =
        "# comment line\n"
        "application/javascript\t\tjs\n"       /* pinned: stays text/javascript */
        "text/x-html-wrong\t\thtml htm\n"       /* pinned: stays text/html */
        "application/x-jiyue-test\tJYT jy2 # trailing comment\n"
        "image/vnd.microsoft.icon\tico\n"
        "application/first\t\tdup\n"
        "application/second\t\tdup\n"
        "text/x-custom\t\tcst\n"
        "application/vnd.example+xml\texx\n"
        "application/no-extensions\n"
        "garbage-without-slash\tgws\n";
    ssize_t n = write(fd, text, sizeof text - 1);
    close(fd);
    if (n != (ssize_t)(sizeof text - 1))
        return -1;
    return mime_load(table_file) == 9 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(table_file);
    return 0;
}

static void test_pinned_and_builtin(void **state)
{
    (void)state;
    assert_string_equal(mime_for_name("index.html"), "text/html; charset=utf-8");
    assert_string_equal(mime_for_name("/news/INDEX.HTM"), "text/html; charset=utf-8");
    assert_string_equal(mime_for_name("app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(mime_for_name("mod.mjs"), "text/javascript; charset=utf-8");
    assert_string_equal(mime_for_name("site.css"), "text/css; charset=utf-8");
    assert_string_equal(mime_for_name("data.json"), "application/json; charset=utf-8");
    assert_string_equal(mime_for_name("logo.svg"), "image/svg+xml; charset=utf-8");
    assert_string_equal(mime_for_name("readme.md"), "text/markdown; charset=utf-8");
    /* Not in the private table: the built-in fallback answers. */
    assert_string_equal(mime_for_name("photo.JPG"), "image/jpeg");
    assert_string_equal(mime_for_name("a/b.c/report.pdf"), "application/pdf");
    assert_string_equal(mime_for_name("x.docx"),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_string_equal(mime_for_name("f.woff2"), "font/woff2");
}

static void test_system_table(void **state)
{
    (void)state;
    /* Extensions are matched case-insensitively on both sides. */
    assert_string_equal(mime_for_name("thing.jyt"), "application/x-jiyue-test");
    assert_string_equal(mime_for_name("thing.JY2"), "application/x-jiyue-test");
    assert_string_equal(mime_for_name("f.cst"), "text/x-custom; charset=utf-8");
    assert_string_equal(mime_for_name("f.exx"), "application/vnd.example+xml; charset=utf-8");
    assert_string_equal(mime_for_name("favicon.ico"), "image/vnd.microsoft.icon");
    /* The first line naming an extension wins. */
    assert_string_equal(mime_for_name("a.dup"), "application/first");
    /* A line without a '/' is not a type. */
    assert_string_equal(mime_for_name("a.gws"), MIME_DEFAULT);
}

static void test_unknown(void **state)
{
    (void)state;
    assert_string_equal(mime_for_name("Makefile"), MIME_DEFAULT);
    assert_string_equal(mime_for_name("archive.unknownext"), MIME_DEFAULT);
    assert_string_equal(mime_for_name("trailing."), MIME_DEFAULT);
    /* A dot in a folder name is not an extension of the file. */
    assert_string_equal(mime_for_name("v1.html/README"), MIME_DEFAULT);
    assert_string_equal(mime_for_name(""), MIME_DEFAULT);
    char longext[80] = "f.";
    memset(longext + 2, 'h', 70);
    assert_string_equal(mime_for_name(longext), MIME_DEFAULT);
}

static void test_text_and_compressible(void **state)
{
    (void)state;
    assert_true(mime_is_text("text/plain"));
    assert_true(mime_is_text("application/json"));
    assert_true(mime_is_text("application/ld+json"));
    assert_true(mime_is_text("image/svg+xml"));
    assert_true(mime_is_text("application/javascript"));
    assert_false(mime_is_text("image/png"));
    assert_false(mime_is_text("application/pdf"));
    assert_false(mime_is_text("text/")); /* no subtype */

    assert_true(mime_is_compressible("text/html; charset=utf-8"));
    assert_true(mime_is_compressible("TEXT/CSS"));
    assert_true(mime_is_compressible("text/javascript; charset=utf-8"));
    assert_true(mime_is_compressible("application/json; charset=utf-8"));
    assert_true(mime_is_compressible("image/svg+xml; charset=utf-8"));
    assert_true(mime_is_compressible("application/wasm"));
    assert_true(mime_is_compressible("image/vnd.microsoft.icon"));
    assert_true(mime_is_compressible(mime_for_name("a.xml")));
    assert_false(mime_is_compressible("image/png"));
    assert_false(mime_is_compressible("image/jpeg"));
    assert_false(mime_is_compressible("application/pdf"));
    assert_false(mime_is_compressible("application/zip"));
    assert_false(mime_is_compressible("font/woff"));
    assert_false(mime_is_compressible("font/woff2"));
    assert_false(mime_is_compressible("video/mp4"));
    assert_false(mime_is_compressible(MIME_DEFAULT));
    assert_false(mime_is_compressible(mime_for_name("x.docx")));
}

static void gunzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    z_stream zs = {0};
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK); /* gzip wrapper only */
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    inflateEnd(&zs);
}

static void test_gzip_round_trip(void **state)
{
    (void)state;
    size_t n = 20000;
    char *html = malloc(n);
    for (size_t i = 0; i < n; i++)
        html[i] = "<p>政务公开 news</p>\n"[i % 24];
    uint8_t *gz;
    size_t gz_len;
    assert_int_equal(gzip_compress(html, n, &gz, &gz_len), 0);
    assert_true(gz_len < n / 10);
    assert_int_equal(gz[0], 0x1f);
    assert_int_equal(gz[1], 0x8b);
    uint8_t *back = malloc(n + 16);
    size_t back_len;
    gunzip(gz, gz_len, back, n + 16, &back_len);
    assert_int_equal(back_len, n);
    assert_memory_equal(back, html, n);

    /* Same input, same bytes: ETags and caches stay stable across re-imports. */
    uint8_t *gz2;
    size_t gz2_len;
    assert_int_equal(gzip_compress(html, n, &gz2, &gz2_len), 0);
    assert_int_equal(gz2_len, gz_len);
    assert_memory_equal(gz2, gz, gz_len);

    uint8_t *v;
    size_t v_len;
    assert_int_equal(gzip_variant(html, n, &v, &v_len), 1);
    assert_int_equal(v_len, gz_len);
    free(v);
    free(gz);
    free(gz2);
    free(back);
    free(html);

    /* An empty body still makes a valid gzip member. */
    assert_int_equal(gzip_compress("", 0, &gz, &gz_len), 0);
    uint8_t none[4];
    gunzip(gz, gz_len, none, sizeof none, &back_len);
    assert_int_equal(back_len, 0);
    free(gz);
}

static void test_gzip_worth_keeping(void **state)
{
    (void)state;
    assert_false(gzip_worth_keeping(1000, 1000));
    assert_false(gzip_worth_keeping(1000, 1200));
    assert_false(gzip_worth_keeping(1000, 940)); /* saves 60 < 64 bytes */
    assert_true(gzip_worth_keeping(1000, 936));  /* saves exactly 64 */
    assert_false(gzip_worth_keeping(100000, 96000)); /* saves 4% */
    assert_true(gzip_worth_keeping(100000, 95000));  /* saves 5% */

    /* Random bytes do not compress: no variant, nothing allocated. */
    size_t n = 8192;
    uint8_t *rnd = malloc(n);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        rnd[i] = (uint8_t)x;
    }
    uint8_t *v = (uint8_t *)1;
    size_t v_len = 1;
    assert_int_equal(gzip_variant(rnd, n, &v, &v_len), 0);
    assert_null(v);
    assert_int_equal(v_len, 0);
    /* Tiny bodies are not worth it either. */
    assert_int_equal(gzip_variant("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 38, &v, &v_len), 0);
    free(rnd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pinned_and_builtin),
        cmocka_unit_test(test_system_table),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_text_and_compressible),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_gzip_worth_keeping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
