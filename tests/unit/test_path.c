/* tests/unit/test_path.c: target decoding and normalisation, above all every encoding of
 * an attempt to climb out of the root, and strict UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "path.h"

static char out[512];
static size_t out_len;
static path_target_t info;

static int norm(const char *t)
{
    memset(out, 'Z', sizeof out);
    return path_normalize(t, strlen(t), out, sizeof out, &out_len, &info);
}

static void expect_path(const char *t, const char *want)
{
    int r = norm(t);
    if (r != PATH_OK)
        fail_msg("\"%s\": expected \"%s\", got %d", t, want, r);
    if (strcmp(out, want) != 0 || out_len != strlen(want))
        fail_msg("\"%s\": expected \"%s\", got \"%s\" (%zu)", t, want, out, out_len);
    assert_int_equal(info.trailing_slash, want[strlen(want) - 1] == '/');
}

static void expect_result(const char *t, int want)
{
    int r = norm(t);
    if (r != want)
        fail_msg("\"%s\": expected %d, got %d (\"%s\")", t, want, r, r == PATH_OK ? out : "");
}

static void test_plain(void **state)
{
    (void)state;
    expect_path("/", "/");
    expect_path("/index.html", "/index.html");
    expect_path("/a/b/c", "/a/b/c");
    expect_path("/a/b/", "/a/b/");
    assert_true(info.trailing_slash);
    expect_path("/a/b", "/a/b");
    assert_false(info.trailing_slash);
    assert_null(info.host);
    assert_int_equal(info.host_len, 0);
    assert_null(info.query);
    expect_path("/...", "/...");       /* a plain name */
    expect_path("/a/.../b", "/a/.../b");
    expect_path("/.hidden/..x/x..", "/.hidden/..x/x..");
}

static void test_slashes_and_dots(void **state)
{
    (void)state;
    expect_path("//", "/");
    expect_path("///a//b///", "/a/b/");
    expect_path("/a/./b", "/a/b");
    expect_path("/./", "/");
    expect_path("/.", "/");
    expect_path("/a/.", "/a/");
    expect_path("/a/b/..", "/a/");
    expect_path("/a/b/../", "/a/");
    expect_path("/a/b/../c", "/a/c");
    expect_path("/a/b/../../c", "/c");
    expect_path("/a/..", "/");
    expect_path("/a/b/c/../../../", "/");
    expect_path("/a//..//b", "/b");
}

static void test_escape_raw(void **state)
{
    (void)state;
    expect_result("/..", PATH_ESCAPE);
    expect_result("/../", PATH_ESCAPE);
    expect_result("/../etc/passwd", PATH_ESCAPE);
    expect_result("/a/../../etc/passwd", PATH_ESCAPE);
    expect_result("/a/b/../../../x", PATH_ESCAPE);
    expect_result("//../x", PATH_ESCAPE);
    expect_result("/./../x", PATH_ESCAPE);
}

static void test_escape_encoded(void **state)
{
    (void)state;
    expect_path("/a/%2e%2e/b", "/b");
    expect_path("/a/%2E%2E/b", "/b");
    expect_path("/a/.%2e/b", "/b");
    expect_path("/a/%2E./b", "/b");
    expect_path("/a/%2e/b", "/a/b");
    expect_result("/%2e%2e/x", PATH_ESCAPE);
    expect_result("/%2E%2E/x", PATH_ESCAPE);
    expect_result("/.%2e/x", PATH_ESCAPE);
    expect_result("/%2e./x", PATH_ESCAPE);
    expect_result("/a/%2e%2e/%2e%2e/etc/passwd", PATH_ESCAPE);
    /* double encoding decodes once, to a literal name */
    expect_path("/%252e%252e/x", "/%2e%2e/x");
    expect_path("/a/%252e%252e", "/a/%2e%2e");
    expect_path("/%25", "/%");
    /* overlong UTF-8 for '.' and '/' */
    expect_result("/%c0%ae%c0%ae/x", PATH_BAD);
    expect_result("/%C0%AE%C0%AE/x", PATH_BAD);
    expect_result("/%e0%80%ae%e0%80%ae/x", PATH_BAD);
    expect_result("/%f0%80%80%ae/x", PATH_BAD);
    expect_result("/a%c0%afb", PATH_BAD);
    expect_result("/\xc0\xae\xc0\xae/x", PATH_BAD);
    /* a bad segment that a later ".." would pop is still refused */
    expect_result("/%ff/../x", PATH_BAD);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    expect_result("/a%00b", PATH_BAD);
    expect_result("/a%00", PATH_BAD);
    expect_result("/a%01", PATH_BAD);
    expect_result("/a%1f", PATH_BAD);
    expect_result("/a%7f", PATH_BAD);
    expect_result("/a%0d%0aSet-Cookie:x", PATH_BAD);
    expect_result("/a\x01", PATH_BAD);
    expect_result("/a\x7f", PATH_BAD);
    expect_result("/a b", PATH_BAD);
    expect_result("/a%2fb", PATH_BAD);
    expect_result("/a%2Fb", PATH_BAD);
    expect_result("/..%2f..%2fetc", PATH_BAD);
    expect_result("/a%5cb", PATH_BAD);
    expect_result("/a%5Cb", PATH_BAD);
    expect_result("/a\\b", PATH_BAD);
    expect_result("/..\\..\\windows", PATH_BAD);
    expect_result("/a%", PATH_BAD);
    expect_result("/a%2", PATH_BAD);
    expect_result("/a%zz", PATH_BAD);
    expect_result("/a%g0", PATH_BAD);
    expect_result("/a%-1", PATH_BAD);
    expect_result("/a#frag", PATH_BAD);
    expect_result("/a?q#frag", PATH_BAD);
    expect_path("/a%20b", "/a b"); /* an encoded space is a fine file name */
    const char nul[] = "/a\0b";
    assert_int_equal(path_normalize(nul, 4, out, sizeof out, &out_len, &info), PATH_BAD);
}

static void test_forms(void **state)
{
    (void)state;
    expect_result("", PATH_BAD);
    expect_result("*", PATH_BAD);
    expect_result("example.com:443", PATH_BAD);
    expect_result("a/b", PATH_BAD);
    expect_result("?x", PATH_BAD);
    expect_result("ftp://h/x", PATH_BAD);
    expect_path("http://www.example.gov.cn/a/b", "/a/b");
    assert_int_equal(info.host_len, strlen("www.example.gov.cn"));
    assert_memory_equal(info.host, "www.example.gov.cn", info.host_len);
    expect_path("HTTPS://Edu.Example.gov.cn:8443/x/?y=1", "/x/");
    assert_int_equal(info.host_len, strlen("Edu.Example.gov.cn"));
    assert_memory_equal(info.host, "Edu.Example.gov.cn", info.host_len);
    assert_non_null(info.query);
    assert_int_equal(info.query_len, 3);
    assert_memory_equal(info.query, "y=1", 3);
    expect_path("http://h", "/");
    assert_memory_equal(info.host, "h", 1);
    expect_path("http://h:80", "/");
    expect_path("http://h?q", "/");
    assert_memory_equal(info.query, "q", 1);
    expect_path("http://[::1]:8080/p", "/p");
    assert_int_equal(info.host_len, 5);
    assert_memory_equal(info.host, "[::1]", 5);
    expect_result("http://user@h/x", PATH_BAD);
    expect_result("http://user:pw@h/x", PATH_BAD);
    expect_result("http:///x", PATH_BAD);
    expect_result("http://h:8x/x", PATH_BAD);
    expect_result("http://h:123456/x", PATH_BAD);
    expect_result("http://h%2e/x", PATH_BAD);
    expect_result("http://[zz]/x", PATH_BAD);
    expect_result("http://h/../x", PATH_ESCAPE);
}

static void test_query(void **state)
{
    (void)state;
    const char *t = "/search?q=%E4%B8%AD&p=/../x?y";
    expect_path(t, "/search");
    assert_ptr_equal(info.query, t + 8);
    assert_int_equal(info.query_len, strlen("q=%E4%B8%AD&p=/../x?y"));
    expect_path("/a/?", "/a/");
    assert_non_null(info.query);
    assert_int_equal(info.query_len, 0);
    expect_path("/a/%3F", "/a/?"); /* an encoded '?' is part of the name */
    assert_null(info.query);
}

static void test_chinese(void **state)
{
    (void)state;
    /* 中文 percent-encoded, as browsers send it */
    expect_path("/%E4%B8%AD%E6%96%87/%e6%94%bf%e7%ad%96.html",
                "/\xe4\xb8\xad\xe6\x96\x87/\xe6\x94\xbf\xe7\xad\x96.html");
    /* and raw, as some clients do */
    expect_path("/\xe4\xb8\xad\xe6\x96\x87/", "/\xe4\xb8\xad\xe6\x96\x87/");
    /* truncated or mangled sequences */
    expect_result("/%E4%B8", PATH_BAD);
    expect_result("/%E4%B8/x", PATH_BAD);
    expect_result("/%E4%41%AD", PATH_BAD);
    expect_result("/%ff", PATH_BAD);
    expect_result("/%ed%a0%80", PATH_BAD); /* surrogate */
}

static void test_out_cap(void **state)
{
    (void)state;
    char small[8];
    size_t n;
    path_target_t ti;
    /* "/abcdef" needs 8 bytes with its NUL */
    assert_int_equal(path_normalize("/abcdef", 7, small, 8, &n, &ti), PATH_OK);
    assert_string_equal(small, "/abcdef");
    assert_int_equal(path_normalize("/abcdefg", 8, small, 8, &n, &ti), PATH_BAD);
    assert_int_equal(path_normalize("/abcdef/", 8, small, 8, &n, &ti), PATH_BAD);
    /* dot segments shrink the result, so a long target can fit */
    assert_int_equal(path_normalize("/x/../abc/./d", 13, small, 8, &n, &ti), PATH_OK);
    assert_string_equal(small, "/abc/d");
    assert_int_equal(path_normalize("/", 1, small, 1, &n, &ti), PATH_BAD);
    assert_int_equal(path_normalize("/", 1, small, 0, &n, &ti), PATH_BAD);
    assert_int_equal(path_normalize("/", 1, small, 2, &n, &ti), PATH_OK);
    assert_string_equal(small, "/");
}

static void test_utf8(void **state)
{
    (void)state;
#define V(s) path_utf8_valid((const unsigned char *)(s), sizeof(s) - 1)
    assert_true(V(""));
    assert_true(V("ascii"));
    assert_true(V("\xc2\x80"));              /* U+0080 */
    assert_true(V("\xdf\xbf"));              /* U+07FF */
    assert_true(V("\xe0\xa0\x80"));          /* U+0800 */
    assert_true(V("\xe4\xb8\xad"));          /* 中 */
    assert_true(V("\xed\x9f\xbf"));          /* U+D7FF */
    assert_true(V("\xee\x80\x80"));          /* U+E000 */
    assert_true(V("\xef\xbf\xbf"));          /* U+FFFF */
    assert_true(V("\xf0\x90\x80\x80"));      /* U+10000 */
    assert_true(V("\xf4\x8f\xbf\xbf"));      /* U+10FFFF */
    assert_false(V("\x80"));                 /* lone continuation */
    assert_false(V("\xbf"));
    assert_false(V("\xc0\xae"));             /* overlong '.' */
    assert_false(V("\xc1\xbf"));
    assert_false(V("\xe0\x80\xae"));         /* overlong '.' */
    assert_false(V("\xe0\x9f\xbf"));
    assert_false(V("\xed\xa0\x80"));         /* U+D800 */
    assert_false(V("\xed\xbf\xbf"));         /* U+DFFF */
    assert_false(V("\xf0\x80\x80\xae"));     /* overlong */
    assert_false(V("\xf0\x8f\xbf\xbf"));
    assert_false(V("\xf4\x90\x80\x80"));     /* U+110000 */
    assert_false(V("\xf5\x80\x80\x80"));
    assert_false(V("\xff"));
    assert_false(V("\xe4\xb8"));             /* truncated */
    assert_false(V("\xe4\xb8\x41"));
    assert_false(V("\xf0\x90\x80"));
    assert_false(V("a\xc2"));
#undef V
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_slashes_and_dots),
        cmocka_unit_test(test_escape_raw),
        cmocka_unit_test(test_escape_encoded),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_chinese),
        cmocka_unit_test(test_out_cap),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
