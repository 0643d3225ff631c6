/* tests/fuzz/fuzz_draft_record.c: libFuzzer harness for the draft record decoder
 * (workflow_draft_decode, modules/workflow/workflow_draft.c), versions 1 to 3. A damaged
 * store must give STORE_ECORRUPT, never a read outside the value: an accepted record's
 * strings are whole (no NUL inside), its editor a login name, and it encodes (as version 3)
 * to bytes that decode to the same draft; a version 3 record encodes back to exactly its
 * bytes (one spelling per draft). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workflow_draft.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *v = malloc(size ? size : 1); /* exactly `size` bytes: ASan sees any overread */
    if (!v)
        return 0;
    memcpy(v, data, size);
    workflow_draft_t d;
    int rc = workflow_draft_decode(v, size, &d);
    CHECK(rc == STORE_OK || rc == STORE_ECORRUPT);
    if (rc == STORE_OK) {
        CHECK(account_name_ok(d.editor) && workflow_id_ok(d.id));
        CHECK(d.natt <= WORKFLOW_ATTACHMENTS_MAX);
        util_buf_t b = {0};
        workflow_draft_encode(&d, &b);
        if (size >= 6 && memcmp(v, "JYWD\x03\x00", 6) == 0)
            CHECK(b.len == size && memcmp(b.data, v, size) == 0);
        workflow_draft_t again;
        CHECK(workflow_draft_decode(b.data, b.len, &again) == STORE_OK);
        const char *x[] = {d.site, d.column, d.article, d.title, d.body, d.doc_no, d.index_no};
        const char *y[] = {again.site, again.column, again.article, again.title, again.body,
                           again.doc_no, again.index_no};
        for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
            CHECK(strcmp(x[i], y[i]) == 0);
        CHECK(again.natt == d.natt && again.state == d.state && again.edits == d.edits);
        util_buf_t c = {0};
        workflow_draft_encode(&again, &c);
        CHECK(c.len == b.len && memcmp(c.data, b.data, b.len) == 0);
        util_buf_free(&c);
        util_buf_free(&b);
        workflow_draft_free(&again);
        workflow_draft_free(&d);
    }
    free(v);
    return 0;
}
