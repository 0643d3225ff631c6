/* tests/unit/test_console_multipart.c: the console's multipart/form-data parser
 * (modules/console/console_multipart.c): a well-formed body as browsers and curl send it,
 * every malformed framing and every limit refused, and file names reduced to a safe base
 * name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "console_multipart.h"

#define B "----jiyueB0undary"

static bool parse(const char *body, console_multipart_t *m, const char **why)
{
    return console_multipart_parse(body, strlen(body), B, strlen(B), m, why);
}

static void test_well_formed(void **state)
{
    (void)state;
    static const char body[] =
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
        "关于寒假\r\n"
        "--" B "\r\n"
        "content-disposition: form-data; name=attachments; filename=\"C:\\\\Users\\\\li\\\\安排.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "a\r\nb--" B "x\r\n" /* not a delimiter: no CRLF before it */
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n"
        "\r\n"
        "--" B "--\r\nepilogue ignored";
    console_multipart_t m;
    const char *why = NULL;
    assert_true(parse(body, &m, &why));
    assert_int_equal(m.n, 3);
    assert_string_equal(m.part[0].name, "title");
    assert_false(m.part[0].is_file);
    assert_int_equal(m.part[0].len, strlen("关于寒假"));
    assert_memory_equal(m.part[0].data, "关于寒假", m.part[0].len);
    assert_true(m.part[1].is_file);
    assert_string_equal(m.part[1].name, "attachments");
    assert_string_equal(m.part[1].filename, "安排.txt");
    assert_int_equal(m.part[1].len, strlen("a\r\nb--" B "x"));
    assert_true(m.part[2].is_file);
    assert_string_equal(m.part[2].filename, "");
    assert_int_equal(m.part[2].len, 0);
    /* an empty form */
    assert_true(parse("--" B "--", &m, &why));
    assert_int_equal(m.n, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                                                   /* nothing */
        "preamble\r\n--" B "--",                              /* a preamble */
        "--" B,                                               /* no line after it */
        "--" B "\r\n",                                        /* headers never end */
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", /* cut off */
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "junk",
        "--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--", /* no disposition */
        "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" B "--", /* no name */
        "--" B "\r\nContent-Disposition: form-data; name=\"A\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"../x\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"; filename=\"..\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"; filename=\"\xff\xfe\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nNo-Colon-Here\r\n\r\nx\r\n--" B "--",
        "--" B "\r\n Content-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "--",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"; x\r\n\r\nx\r\n--" B "--",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        console_multipart_t m;
        const char *why = NULL;
        if (parse(bad[i], &m, &why)) {
            fprintf(stderr, "accepted case %zu\n", i);
            fail();
        }
        assert_non_null(why);
    }
}

static void test_limits(void **state)
{
    (void)state;
    console_multipart_t m;
    const char *why = NULL;
    /* the boundary: 1 to 70 bchars, not ending in a space */
    char longb[80];
    memset(longb, 'b', 71);
    longb[71] = '\0';
    assert_false(console_multipart_parse("--x--", 5, longb, 71, &m, &why));
    assert_false(console_multipart_parse("----", 4, "", 0, &m, &why));
    assert_false(console_multipart_parse("--a\"b--", 7, "a\"b", 3, &m, &why));
    assert_false(console_multipart_parse("--ab --", 7, "ab ", 3, &m, &why));
    assert_true(console_multipart_parse("--a b--", 7, "a b", 3, &m, &why));
    longb[70] = '\0';
    char body[256];
    snprintf(body, sizeof body, "--%s--", longb);
    assert_true(console_multipart_parse(body, strlen(body), longb, 70, &m, &why));

    /* part count: 64 taken, 65 refused */
    size_t cap = 200 * 70;
    char *big = malloc(cap);
    for (int parts = 64; parts <= 65; parts++) {
        size_t o = 0;
        for (int i = 0; i < parts; i++)
            o += (size_t)snprintf(big + o, cap - o,
                                  "--" B "\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
        o += (size_t)snprintf(big + o, cap - o, "--" B "--");
        bool ok = console_multipart_parse(big, o, B, strlen(B), &m, &why);
        assert_int_equal(ok, parts == 64);
    }
    /* a header block: 1024 bytes taken, more refused */
    for (int extra = 0; extra <= 1; extra++) {
        const char *head = "Content-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
        size_t pad = CONSOLE_MULTIPART_HEAD_MAX - strlen(head) + (size_t)extra;
        size_t o = (size_t)snprintf(big, cap, "--" B "\r\n%s", head);
        memset(big + o, 'p', pad);
        o += pad;
        o += (size_t)snprintf(big + o, cap - o, "\r\n\r\nv\r\n--" B "--");
        bool ok = console_multipart_parse(big, o, B, strlen(B), &m, &why);
        assert_int_equal(ok, extra == 0);
    }
    /* a field name: 64 characters taken, 65 refused */
    for (int n = 64; n <= 65; n++) {
        char name[80];
        memset(name, 'n', (size_t)n);
        name[n] = '\0';
        size_t o = (size_t)snprintf(big, cap, "--" B "\r\nContent-Disposition: form-data; "
                                    "name=\"%s\"\r\n\r\nv\r\n--" B "--", name);
        assert_int_equal(console_multipart_parse(big, o, B, strlen(B), &m, &why), n == 64);
    }
    free(big);
}

static void test_filenames(void **state)
{
    (void)state;
    static const struct {
        const char *raw, *want; /* want NULL: refused */
    } cases[] = {
        {"../../x", "x"},
        {"..\\..\\etc\\passwd", "passwd"},
        {"/etc/passwd", "passwd"},
        {".htaccess", "htaccess"},
        {"...", NULL},
        {"..", NULL},
        {"a/", NULL},
        {"  . x.pdf", "x.pdf"},
        {"报告?#%.pdf", "报告.pdf"},
        {"a\x01\x7f" "b.txt", "ab.txt"},
        {"trailing. ", "trailing"},
        {"\xe4\xb8", NULL}, /* cut UTF-8 */
        {"ok.docx", "ok.docx"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[CONSOLE_MULTIPART_FILENAME_MAX + 1];
        bool ok = console_multipart_filename(cases[i].raw, strlen(cases[i].raw), out, sizeof out);
        if (!cases[i].want) {
            assert_false(ok);
            continue;
        }
        assert_true(ok);
        assert_string_equal(out, cases[i].want);
    }
    /* cut to the cap at a character boundary: 7 bytes of room, 3-byte characters */
    char small[8];
    assert_true(console_multipart_filename("文件名字", strlen("文件名字"), small, sizeof small));
    assert_string_equal(small, "文件");
}

static void test_field_for_the_guard(void **state)
{
    (void)state;
    static const char body[] = "--" B "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
                               "tok\r\n--" B "--";
    static const char ct[] = "multipart/form-data; boundary=\"" B "\"";
    const char *v = NULL;
    size_t n = 0;
    assert_true(console_multipart_field(body, strlen(body), ct, strlen(ct), "csrf", &v, &n));
    assert_int_equal(n, 3);
    assert_memory_equal(v, "tok", 3);
    assert_false(console_multipart_field(body, strlen(body), ct, strlen(ct), "other", &v, &n));
    assert_false(console_multipart_field(body, strlen(body), "text/plain", 10, "csrf", &v, &n));
    assert_false(console_multipart_field(body, strlen(body) - 1, ct, strlen(ct), "csrf", &v, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_filenames),
        cmocka_unit_test(test_field_for_the_guard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
