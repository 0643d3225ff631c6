/* core/module.c: finding a module's slot in a site or a configuration (core/module.h).
 * The slot number is the module's position in modules_list: a few pointer compares. */
#include "module.h"

size_t modules_count(void)
{
    size_t n = 0;
    while (modules_list[n])
        n++;
    return n;
}

static long module_index(const module_t *m)
{
    for (size_t i = 0; modules_list[i]; i++)
        if (modules_list[i] == m)
            return (long)i;
    return -1;
}

void *module_site_conf(const conf_site_t *s, const module_t *m)
{
    long i = s && s->mod ? module_index(m) : -1;
    return i < 0 ? NULL : s->mod[i];
}

void *module_server_conf(const conf_t *c, const module_t *m)
{
    long i = c && c->mod ? module_index(m) : -1;
    return i < 0 ? NULL : c->mod[i];
}
