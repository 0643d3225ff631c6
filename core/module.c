/* core/module.c: numbering the modules of modules_list (module_t.index, the slot each
 * has in a site's and a configuration's mod array) and listing those with a handler, once
 * per process; and running the modules' reload reports (core/module.h). */
#include "module.h"

#include <pthread.h>

#include "util.h"

#define MODULES_MAX 64

module_t *modules_handlers[MODULES_MAX + 1];
module_t *modules_admin_handlers[MODULES_MAX + 1];
module_t *modules_done_handlers[MODULES_MAX + 1];
module_t *modules_tick_handlers[MODULES_MAX + 1];
static size_t nmodules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void number_modules(void)
{
    size_t h = 0, a = 0, d = 0, k = 0;
    for (size_t i = 0; modules_list[i]; i++) {
        if (i == MODULES_MAX)
            UTIL_FATAL("more than %d modules", MODULES_MAX);
        modules_list[i]->index = i;
        if (modules_list[i]->handle)
            modules_handlers[h++] = modules_list[i];
        if (modules_list[i]->admin_handle)
            modules_admin_handlers[a++] = modules_list[i];
        if (modules_list[i]->request_done)
            modules_done_handlers[d++] = modules_list[i];
        if (modules_list[i]->worker_tick)
            modules_tick_handlers[k++] = modules_list[i];
        nmodules = i + 1;
    }
}

void modules_init(void)
{
    pthread_once(&once, number_modules);
}

size_t modules_count(void)
{
    modules_init();
    return nmodules;
}

typedef struct report {
    modules_report_fn fn;
    void *ud;
    const module_t *module;
    size_t lines;
} report_t;

static void report_line(void *ud, const char *line)
{
    report_t *r = ud;
    r->fn(r->ud, r->module, line);
    r->lines++;
}

size_t modules_reload_report(const conf_t *c, store_txn_t *t, int64_t now, modules_report_fn fn,
                             void *ud)
{
    report_t r = {.fn = fn, .ud = ud};
    for (size_t m = 0; modules_list[m]; m++)
        if (modules_list[m]->reload_report) {
            r.module = modules_list[m];
            modules_list[m]->reload_report(c, t, now, report_line, &r);
        }
    return r.lines;
}
