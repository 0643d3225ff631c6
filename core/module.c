/* core/module.c: numbering the modules of modules_list (module_t.index, the slot each
 * has in a site's and a configuration's mod array) and listing those with a handler, once
 * per process (core/module.h). */
#include "module.h"

#include <pthread.h>

#include "util.h"

#define MODULES_MAX 64

module_t *modules_handlers[MODULES_MAX + 1];
module_t *modules_admin_handlers[MODULES_MAX + 1];
static size_t nmodules;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void number_modules(void)
{
    size_t h = 0, a = 0;
    for (size_t i = 0; modules_list[i]; i++) {
        if (i == MODULES_MAX)
            UTIL_FATAL("more than %d modules", MODULES_MAX);
        modules_list[i]->index = i;
        if (modules_list[i]->handle)
            modules_handlers[h++] = modules_list[i];
        if (modules_list[i]->admin_handle)
            modules_admin_handlers[a++] = modules_list[i];
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
