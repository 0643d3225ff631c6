/* tools/jiyuectl/cmd_check.c: `jiyuectl check`: the same validation as `jiyue -t` and a
 * reload, through the one validator, conf_load(). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "module.h"

/* The modules' reload reports (core/module.h), the same the server logs at start and at
 * each reload, are warnings here: the configuration is fine, but e.g. a reply overdue
 * (不回应) is one of the failures an inspection looks for. */
static void warn_line(void *ud, const module_t *m, const char *line)
{
    ctl_warn(ud, "%s: %s", m->name, line);
}

static long modules_report(ctl_t *ctl, const conf_t *c)
{
    store_options_t opt = {.map_size = c->store_map_size, .read_only = true, .owner = c->user};
    char *err = NULL;
    store_t *s = store_open(c->store, &opt, &err);
    if (!s) {
        /* no store yet: nothing to report; one that cannot be opened (other users may
         * read it) is worth saying here too, before the server refuses it */
        if (access(c->store, F_OK) == 0)
            ctl_warn(ctl, "%s", err ? err : "cannot open the store");
        free(err);
        return 0;
    }
    size_t lines = 0;
    store_txn_t *t = store_read_txn_new(s);
    if (t && store_read_renew(t) == 0)
        lines = modules_reload_report(c, t, (int64_t)time(NULL), warn_line, ctl);
    store_txn_free(t);
    store_close(s);
    return (long)lines;
}

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
    long reported = modules_report(ctl, c);
    printf("configuration ok: %zu site%s", c->nsites, c->nsites == 1 ? "" : "s");
    if (warnings)
        printf(" (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
    if (reported)
        printf("; %ld report line%s above", reported, reported == 1 ? "" : "s");
    putchar('\n');
    conf_free(c);
    return CTL_OK;
}
