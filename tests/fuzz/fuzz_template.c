/* tests/fuzz/fuzz_template.c: libFuzzer harness for the template compiler and renderer
 * that themes are written in. Each input is one template (it may include "inc", a fixed
 * one, or itself); whatever compiles and links renders without crashing, and data values
 * are HTML-escaped unless the template asked for them raw. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* A marker no escaping leaves intact: if it shows up in the output, a value went out raw. */
#define HOSTILE "<Q\"'&>"

static tpl_data_t *data;
static tpl_set_t *base;

static void setup(void)
{
    data = tpl_data_new();
    tpl_val_t *root = tpl_data_root(data);
    tpl_set_str(data, root, "title", HOSTILE);
    tpl_set_str(data, root, "empty", "");
    tpl_set_bool(data, root, "yes", true);
    tpl_set_bool(data, root, "no", false);
    tpl_set_int(data, root, "n", 42);
    tpl_val_t *site = tpl_set_map(data, root, "site");
    tpl_set_str(data, site, "name", "site " HOSTILE);
    tpl_val_t *list = tpl_set_list(data, root, "items");
    for (int i = 0; i < 3; i++) {
        tpl_val_t *m = tpl_list_add_map(data, list);
        tpl_set_str(data, m, "title", HOSTILE);
        tpl_set_int(data, m, "i", i);
        tpl_val_t *sub = tpl_set_list(data, m, "tags");
        tpl_list_add_str(data, sub, HOSTILE);
        tpl_list_add_str(data, sub, "t");
    }
    tpl_set_list(data, root, "none");
    tpl_set_ref(data, root, "again", site);
    /* a fallback set, as the default theme is for a site theme */
    diag_t d;
    diag_init(&d);
    base = tpl_set_new(NULL);
    static const char inc[] = "<b>{{ site.name }}</b>{{#each items}}{{ title }}{{/each}}";
    if (tpl_set_add(base, "inc", "base/inc.html", inc, sizeof inc - 1, &d) != 0 ||
        tpl_set_link(base, &d) != 0)
        abort();
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    if (!data)
        setup();
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, in, size);
    diag_t d;
    diag_init(&d);
    tpl_set_t *set = tpl_set_new(base);
    int rc = tpl_set_add(set, "page", "fuzz/page.html", text, size, &d);
    if (rc == 0)
        rc = tpl_set_link(set, &d);
    if (rc == 0) {
        CHECK(d.errors == 0);
        const tpl_t *t = tpl_set_get(set, "page");
        CHECK(t != NULL);
        CHECK(tpl_set_get(set, "inc") != NULL);
        util_buf_t out = {0};
        tpl_render(t, tpl_data_root(data), &out);
        util_buf_t again = {0};
        tpl_render(t, tpl_data_root(data), &again);
        CHECK(out.len == again.len && (out.len == 0 || memcmp(out.data, again.data, out.len) == 0));
        /* Values go out escaped unless "raw" appears in the template; the template's own
         * text could spell the marker, so only judge templates that do not contain '<'. */
        if (!memmem(text, size, "raw", 3) && !memchr(text, '<', size) && out.len)
            CHECK(!memmem(out.data, out.len, "<Q", 2));
        util_buf_free(&out);
        util_buf_free(&again);
    } else {
        CHECK(d.errors > 0);
    }
    for (size_t i = 0; i < d.count; i++)
        CHECK(d.items[i].text && d.items[i].text[0]);
    tpl_set_free(set);
    diag_free(&d);
    free(text);
    return 0;
}
