/* tests/fuzz/fuzz_h2_priority.c: libFuzzer harness for h2_priority_parse (core/h2_priority.c),
 * which reads every HTTP/2 request's `priority` field and PRIORITY_UPDATE value a client
 * sends. Whatever the bytes: no read outside them; an accepted value gives an urgency from 0
 * to 7 or leaves it alone, a refused one always leaves it alone; the same bytes give the
 * same answer; and an accepted value that names no urgency followed by `, u=N` is accepted
 * with urgency N (the last member of a dictionary wins). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2_priority.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define UNSET 99u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan reports a read past the value's end */
    char *v = malloc(size ? size : 1);
    if (!v)
        return 0;
    memcpy(v, data, size);
    unsigned u = UNSET, again = UNSET;
    bool ok = h2_priority_parse(v, size, &u);
    CHECK(ok ? (u == UNSET || u <= 7) : u == UNSET);
    CHECK(h2_priority_parse(v, size, &again) == ok && again == u);
    if (ok && size > 0 && size < 64 && v[size - 1] != ' ' && v[size - 1] != '\t') {
        char longer[80];
        memcpy(longer, v, size);
        memcpy(longer + size, ", u=6", 5);
        unsigned last = UNSET;
        CHECK(h2_priority_parse(longer, size + 5, &last) && last == 6);
    }
    free(v);
    return 0;
}
