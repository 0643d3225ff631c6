/* tests/fuzz/fuzz_audit_html.c: libFuzzer harness for what the audit reads out of stored
 * pages: the HTML tokenizer with its stack of hidden elements (modules/audit/audit_html.c,
 * the rule link-hidden) and the personal-data scan of the text it collects
 * (audit_personal.c). Whatever the bytes: no read past the input, every reference lies
 * inside it, and a sample never shows more than it should. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_html.h"
#include "audit_personal.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

typedef struct span {
    const char *base;
    size_t size;
} span_t;

static void on_ref(void *ud, const audit_html_ref_t *r)
{
    const span_t *s = ud;
    CHECK(r->val >= s->base && r->val + r->len <= s->base + s->size);
    CHECK(strlen(r->tag) < 16);
}

static void on_script(void *ud, const char *code, size_t len)
{
    const span_t *s = ud;
    CHECK(code >= s->base && code + len <= s->base + s->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exactly `size` bytes: ASan sees any overread */
    if (!s)
        return 0;
    memcpy(s, data, size);
    span_t sp = {s, size};
    util_buf_t text = {0};
    audit_html_visitor_t v = {&sp, on_ref, on_script, &text};
    audit_html_walk(s, size, &v);
    CHECK(text.len <= 2 * size + 1);
    audit_personal_t p = {0};
    audit_personal_scan(&p, text.data, text.len, 20991231L);
    audit_personal_scan(&p, s, size, 20991231L);
    CHECK(strlen(p.id_sample) == (p.ids ? 18 : 0));
    CHECK(strlen(p.phone_sample) == (p.phones ? 11 : 0));
    CHECK(!p.ids || memcmp(p.id_sample + 6, "********", 8) == 0);
    CHECK(!p.phones || memcmp(p.phone_sample + 3, "****", 4) == 0);
    util_buf_free(&text);
    free(s);
    return 0;
}
