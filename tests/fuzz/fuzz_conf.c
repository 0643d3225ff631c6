/* tests/fuzz/fuzz_conf.c: libFuzzer harness for the config loader. Each input becomes one
 * site file in a small fixed tree (a server file and a portal), and the whole validator
 * runs on it the way `jiyue -t` does: YAML DOM, site schema, cross-file rules. Any crash,
 * leak or undefined behaviour in core/yaml.c or core/conf*.c shows up here. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

static char dir[64], conf_path[128], portal_path[128], sites_path[128], site_path[128];

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        perror(path);
        abort();
    }
    fclose(f);
}

static void cleanup(void)
{
    unlink(site_path);
    unlink(portal_path);
    rmdir(sites_path);
    unlink(conf_path);
    rmdir(dir);
}

static void setup(void)
{
    static const char server[] = "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n";
    static const char portal[] = "id: portal\nname: 门户\nkind: portal\nmount:\n"
                                 "  hosts: [www.f.gov.cn]\n  aliases: [f.gov.cn]\n"
                                 "registration:\n  site_code: \"5399000001\"\n  icp: 滇ICP备1号\n"
                                 "  police: 滇公网安备 1号\n  organizer: 门户办\n"
                                 "  contact: 0871-1234567\n";
    snprintf(dir, sizeof dir, "/tmp/jiyue-fuzz-conf-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(conf_path, sizeof conf_path, "%s/jiyue.yaml", dir);
    snprintf(sites_path, sizeof sites_path, "%s/sites", dir);
    snprintf(portal_path, sizeof portal_path, "%s/sites/portal.yaml", dir);
    snprintf(site_path, sizeof site_path, "%s/sites/fuzz.yaml", dir);
    if (mkdir(sites_path, 0700) != 0)
        abort();
    write_file(conf_path, server, sizeof server - 1);
    write_file(portal_path, portal, sizeof portal - 1);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup();
    write_file(site_path, data, size);
    diag_t d;
    diag_init(&d);
    /* a fixed "today" keeps runs reproducible: 2026-02-15 */
    conf_t *c = conf_load(conf_path, 20499, &d);
    if (c) {
        /* a loaded conf must be internally consistent */
        if (!c->portal || d.errors)
            abort();
        for (size_t i = 0; i < c->nsites; i++) {
            const conf_site_t *s = &c->sites[i];
            if (conf_site_find(c, s->id) != s)
                abort();
            if (s->kind != SITE_PORTAL && !s->parent)
                abort();
            for (size_t j = 0; j < s->ncolumns; j++)
                if (conf_column_find(s, s->columns[j].id) == NULL)
                    abort();
        }
    } else if (d.errors == 0) {
        abort(); /* refused without saying why */
    }
    for (size_t i = 0; i < d.count; i++)
        if (!d.items[i].text || !d.items[i].text[0])
            abort();
    conf_free(c);
    diag_free(&d);
    return 0;
}
