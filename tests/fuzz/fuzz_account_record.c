/* tests/fuzz/fuzz_account_record.c: libFuzzer harness for the console account record
 * decoder (account_decode, modules/accounts/accounts.c) and the role syntax
 * (account_role_parse). A damaged store must give STORE_ECORRUPT, never a read outside
 * the value or an account with a role the syntax refuses: an accepted record encodes back
 * to exactly its bytes (one spelling per account), its name is a login name and each role
 * reads back as itself. The same bytes as role text: a role that parses prints as text
 * that parses to the same role. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_record(const uint8_t *v, size_t size)
{
    account_t a;
    int rc = account_decode(v, size, &a);
    CHECK(rc == STORE_OK || rc == STORE_ECORRUPT);
    if (rc != STORE_OK)
        return;
    CHECK(account_name_ok(a.name));
    CHECK(a.nroles <= ACCOUNT_ROLES_MAX);
    util_buf_t b = {0};
    account_encode(&a, &b);
    CHECK(b.len == size && memcmp(b.data, v, size) == 0);
    util_buf_free(&b);
    for (size_t i = 0; i < a.nroles; i++) {
        char text[ACCOUNT_ROLE_TEXT_MAX], err[160];
        account_role_t again;
        CHECK(account_role_parse(account_role_format(&a.roles[i], text), &again, err, sizeof err));
        CHECK(account_role_equal(&a.roles[i], &again));
    }
}

static void check_role(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    account_role_t r, again;
    char err[160], out[ACCOUNT_ROLE_TEXT_MAX];
    if (account_role_parse(text, &r, err, sizeof err)) {
        CHECK(strcmp(account_role_format(&r, out), text) == 0);
        CHECK(account_role_parse(out, &again, err, sizeof err) && account_role_equal(&r, &again));
    } else {
        CHECK(err[0] != '\0');
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *v = malloc(size ? size : 1); /* exactly `size` bytes: ASan sees any overread */
    if (!v)
        return 0;
    memcpy(v, data, size);
    check_record(v, size);
    free(v);
    check_role(data, size);
    return 0;
}
