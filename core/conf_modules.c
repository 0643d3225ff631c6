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
    pthread_once_t once;
    const conf_key_t *core;
    size_t ncore;
    conf_key_t keys[MAX_TOP_KEYS];
    size_t n;
} joined_t;

static joined_t site_table = {.once = PTHREAD_ONCE_INIT};
static joined_t server_table = {.once = PTHREAD_ONCE_INIT};
static joined_t limit_table = {.once = PTHREAD_ONCE_INIT};
static joined_t admin_table = {.once = PTHREAD_ONCE_INIT};

typedef enum { KEYS_SITE, KEYS_SERVER, KEYS_LIMITS, KEYS_ADMIN } keys_of_t;

static void join(joined_t *j, keys_of_t of)
{
    if (j->ncore > MAX_TOP_KEYS)
        UTIL_FATAL("too many top-level keys");
    memcpy(j->keys, j->core, j->ncore * sizeof *j->keys);
    j->n = j->ncore;
    for (size_t m = 0; modules_list[m]; m++) {
        const module_t *mod = modules_list[m];
        const conf_key_t *keys = of == KEYS_SITE     ? mod->site_keys
                                 : of == KEYS_SERVER ? mod->server_keys
                                 : of == KEYS_LIMITS ? mod->limit_keys
                                                     : mod->admin_keys;
        size_t nkeys = of == KEYS_SITE     ? mod->nsite_keys
                       : of == KEYS_SERVER ? mod->nserver_keys
                       : of == KEYS_LIMITS ? mod->nlimit_keys
                                           : mod->nadmin_keys;
        size_t size = of == KEYS_SITE ? mod->site_conf_size : mod->server_conf_size;
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
}

static void join_site(void)
{
    join(&site_table, KEYS_SITE);
}

static void join_server(void)
{
    join(&server_table, KEYS_SERVER);
}

static void join_limits(void)
{
    join(&limit_table, KEYS_LIMITS);
}

static void join_admin(void)
{
    join(&admin_table, KEYS_ADMIN);
}

const struct conf_key *conf_modules_site_keys(const struct conf_key *core, size_t ncore, size_t *n)
{
    site_table.core = core;
    site_table.ncore = ncore;
    pthread_once(&site_table.once, join_site);
    *n = site_table.n;
    return site_table.keys;
}

const struct conf_key *conf_modules_server_keys(const struct conf_key *core, size_t ncore, size_t *n)
{
    server_table.core = core;
    server_table.ncore = ncore;
    pthread_once(&server_table.once, join_server);
    *n = server_table.n;
    return server_table.keys;
}

const struct conf_key *conf_modules_limit_keys(const struct conf_key *core, size_t ncore, size_t *n)
{
    limit_table.core = core;
    limit_table.ncore = ncore;
    pthread_once(&limit_table.once, join_limits);
    *n = limit_table.n;
    return limit_table.keys;
}

const struct conf_key *conf_modules_admin_keys(const struct conf_key *core, size_t ncore, size_t *n)
{
    admin_table.core = core;
    admin_table.ncore = ncore;
    pthread_once(&admin_table.once, join_admin);
    *n = admin_table.n;
    return admin_table.keys;
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
    if (b.len) {
        s->module_headers = b.data;
        s->module_headers_len = b.len;
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
