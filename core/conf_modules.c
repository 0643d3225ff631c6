/* core/conf_modules.c: the loader's side of the module interface (core/module.h). Each
 * module may declare keys of a site file and of the server file; the loader joins them to
 * its own tables, so one walk reports unknown, misspelt and missing keys the same way for
 * all, and each module's values land in its own slot (conf_t.mod, conf_site_t.mod). The
 * modules' checks run inside conf_load, so every caller of the validator gets them. */
#include "conf_modules.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "util.h"

/* conf_walk() tracks keys in a 64-bit set. */
#define MAX_TOP_KEYS 64

typedef struct joined {
    bool built;
    conf_key_t keys[MAX_TOP_KEYS];
    size_t n;
} joined_t;

/* The keys module `mod` declares for one table. */
static const conf_key_t *module_keys(const module_t *mod, conf_keys_of_t of, size_t *n)
{
    switch (of) {
    case CONF_KEYS_SITE:
        *n = mod->nsite_keys;
        return mod->site_keys;
    case CONF_KEYS_SERVER:
        *n = mod->nserver_keys;
        return mod->server_keys;
    case CONF_KEYS_LIMITS:
        *n = mod->nlimit_keys;
        return mod->limit_keys;
    case CONF_KEYS_ADMIN:
        break;
    }
    *n = mod->nadmin_keys;
    return mod->admin_keys;
}

static void join(joined_t *j, conf_keys_of_t of, const conf_key_t *core, size_t ncore)
{
    if (ncore > MAX_TOP_KEYS)
        UTIL_FATAL("too many top-level keys");
    memcpy(j->keys, core, ncore * sizeof *j->keys);
    j->n = ncore;
    for (size_t m = 0; modules_list[m]; m++) {
        const module_t *mod = modules_list[m];
        size_t nkeys;
        const conf_key_t *keys = module_keys(mod, of, &nkeys);
        /* site keys fill the site's slot; the server file's, limits' and admin's the
         * configuration's */
        size_t size = of == CONF_KEYS_SITE ? mod->site_conf_size : mod->server_conf_size;
        if (nkeys && !size)
            UTIL_FATAL("module %s declares keys but no slot for them", mod->name);
        for (size_t k = 0; k < nkeys; k++) {
            for (size_t i = 0; i < j->n; i++)
                if (strcmp(j->keys[i].name, keys[k].name) == 0)
                    UTIL_FATAL("module %s: key '%s' is declared twice", mod->name, keys[k].name);
            if (j->n == MAX_TOP_KEYS)
                UTIL_FATAL("too many top-level keys");
            j->keys[j->n] = keys[k];
            j->keys[j->n].module = (unsigned)m + 1;
            j->n++;
        }
    }
    j->built = true;
}

const struct conf_key *conf_modules_keys(conf_keys_of_t of, const struct conf_key *core,
                                         size_t ncore, size_t *n)
{
    static joined_t tables[CONF_KEYS_ADMIN + 1];
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    joined_t *j = &tables[of];
    pthread_mutex_lock(&lock);
    if (!j->built)
        join(j, of, core, ncore);
    pthread_mutex_unlock(&lock);
    *n = j->n;
    return j->keys;
}

bool conf_modules_walk(conf_ctx_t *x, const yaml_dom_node_t *map, const char *what,
                       conf_keys_of_t of, const conf_key_t *core, size_t ncore, void *obj,
                       void **slots)
{
    size_t nkeys;
    const conf_key_t *keys = conf_modules_keys(of, core, ncore, &nkeys);
    void **outer = x->slots;
    x->slots = slots;
    bool walked = conf_walk(x, map, what, keys, nkeys, obj);
    x->slots = outer;
    return walked;
}

static void **slots_new(bool site)
{
    size_t n = modules_count();
    void **slots = util_calloc(n ? n : 1, sizeof *slots);
    for (size_t m = 0; m < n; m++) {
        const module_t *mod = modules_list[m];
        size_t size = site ? mod->site_conf_size : mod->server_conf_size;
        void (*init)(void *) = site ? mod->site_conf_init : mod->server_conf_init;
        if (!size)
            continue;
        slots[m] = util_calloc(1, size);
        if (init)
            init(slots[m]);
    }
    return slots;
}

static void slots_free(void **slots, bool site)
{
    if (!slots)
        return;
    for (size_t m = 0; modules_list[m]; m++) {
        const module_t *mod = modules_list[m];
        void (*fn)(void *) = site ? mod->site_conf_free : mod->server_conf_free;
        if (slots[m] && fn)
            fn(slots[m]);
        free(slots[m]);
    }
    free(slots);
}

void conf_modules_site_init(conf_site_t *s)
{
    s->mod = slots_new(true);
}

void conf_modules_server_init(conf_t *c)
{
    c->mod = slots_new(false);
}

void conf_modules_site_free(conf_site_t *s)
{
    slots_free(s->mod, true);
    s->mod = NULL;
    free(s->module_headers);
    s->module_headers = NULL;
    free(s->module_headers_lc);
    s->module_headers_lc = NULL;
    free(s->module_header_fields);
    s->module_header_fields = NULL;
    s->nmodule_header_fields = 0;
}

void conf_modules_server_free(conf_t *c)
{
    slots_free(c->mod, false);
    c->mod = NULL;
}

int conf_modules_column_type(const char *name)
{
    for (size_t m = 0; modules_list[m]; m++)
        for (size_t i = 0; modules_list[m]->column_types && modules_list[m]->column_types[i]; i++)
            if (strcmp(modules_list[m]->column_types[i], name) == 0)
                return (int)i;
    return -1;
}

char *conf_modules_column_types_text(void)
{
    size_t total = 0, k = 0;
    for (size_t m = 0; modules_list[m]; m++)
        for (size_t i = 0; modules_list[m]->column_types && modules_list[m]->column_types[i]; i++)
            total++;
    util_buf_t b = {0};
    for (size_t m = 0; modules_list[m]; m++)
        for (size_t i = 0; modules_list[m]->column_types && modules_list[m]->column_types[i]; i++, k++)
            util_buf_printf(&b, "%s%s", k == 0 ? "" : k + 1 == total ? " or " : ", ",
                            modules_list[m]->column_types[i]);
    return b.data ? b.data : util_strdup("none");
}

void conf_modules_site_check(conf_ctx_t *x, const conf_site_t *s)
{
    for (size_t m = 0; modules_list[m]; m++)
        if (modules_list[m]->site_check)
            modules_list[m]->site_check(x, s, s->mod ? s->mod[m] : NULL);
}

void conf_modules_check(conf_ctx_t *x)
{
    for (size_t m = 0; modules_list[m]; m++)
        if (modules_list[m]->conf_check)
            modules_list[m]->conf_check(x);
}

/* Joins the modules' header lines of site s (in modules_list's order) into one string. */
static void join_site_headers(conf_site_t *s)
{
    util_buf_t b = {0};
    for (size_t m = 0; modules_list[m]; m++) {
        const char *lines = NULL;
        size_t n = modules_list[m]->site_headers
                       ? modules_list[m]->site_headers(s, s->mod ? s->mod[m] : NULL, &lines)
                       : 0;
        if (n)
            util_buf_append(&b, lines, n);
    }
    if (!b.len)
        return;
    s->module_headers = b.data;
    s->module_headers_len = b.len;
    /* The HTTP/2 form: each "Name: value\r\n" line as a field, the name lower-cased. */
    s->module_headers_lc = util_malloc(b.len);
    memcpy(s->module_headers_lc, b.data, b.len);
    size_t cap = 0;
    for (size_t i = 0; i < b.len; i++)
        cap += b.data[i] == '\n';
    s->module_header_fields = util_calloc(cap ? cap : 1, sizeof *s->module_header_fields);
    char *lc = s->module_headers_lc, *end = lc + b.len;
    for (char *line = lc; line < end;) {
        char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        char *colon = memchr(line, ':', (size_t)(eol - line));
        size_t vend = (size_t)(eol - lc);
        if (vend && lc[vend - 1] == '\r')
            vend--;
        if (colon && (size_t)(colon - lc) + 1 <= vend) {
            size_t voff = (size_t)(colon - lc) + 1;
            while (voff < vend && lc[voff] == ' ')
                voff++;
            util_lower(line, (size_t)(colon - line));
            s->module_header_fields[s->nmodule_header_fields++] = (conf_hfield_t){
                (uint32_t)(line - lc), (uint32_t)(colon - line), (uint32_t)voff,
                (uint32_t)(vend - voff)};
        }
        line = eol + 1;
    }
}

void conf_modules_ready(conf_t *c)
{
    for (size_t m = 0; modules_list[m]; m++)
        if (modules_list[m]->conf_ready)
            modules_list[m]->conf_ready(c);
    for (size_t i = 0; i < c->nsites; i++)
        join_site_headers(&c->sites[i]);
}
