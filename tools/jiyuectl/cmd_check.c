/* tools/jiyuectl/cmd_check.c: `jiyuectl check`: the same validation as `jiyue -t` and a
 * reload, through the one validator, conf_load(). */
#include <stdio.h>

#include "ctl.h"

int ctl_cmd_check(ctl_t *ctl, int argc, char **argv)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 0, &gen, &first);
    if (rc >= 0)
        return rc;
    if (gen)
        return ctl_usage(ctl, "check takes no --generation");

    diag_t d;
    diag_init(&d);
    conf_t *c = conf_load(ctl->conf_path, -1, &d);
    diag_print(&d, stderr);
    size_t errors = d.errors, warnings = d.warnings;
    diag_free(&d);
    if (!c || errors > 0) {
        conf_free(c);
        return ctl_fail(ctl, "%s: %zu error%s, %zu warning%s", ctl->conf_path, errors,
                        errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    printf("configuration ok: %zu site%s", c->nsites, c->nsites == 1 ? "" : "s");
    if (warnings)
        printf(" (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
    putchar('\n');
    conf_free(c);
    return CTL_OK;
}
