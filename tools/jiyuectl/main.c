/* tools/jiyuectl/main.c: jiyuectl's entry point: global options (-c FILE, -h), the
 * dispatch table built from commands.h, and the shared helpers of ctl.h. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "util.h"
#include "version.h"


static const ctl_command_t commands[] = {
#define CTL_COMMAND(name, args, summary) {#name, ctl_cmd_##name, args, summary},
#include "commands.h"
#undef CTL_COMMAND
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: jiyuectl [-c FILE] COMMAND [ARGS]\n"
                 "Administer a jiyue cluster: its store, sites, accounts and audits (jiyue %s).\n"
                 "\n"
                 "Options:\n"
                 "  -c, --conf FILE  server configuration (default " JIYUE_CONF_DEFAULT ")\n"
                 "  -h, --help       this help; `jiyuectl COMMAND -h` for one command\n"
                 "  -V, --version    the version\n"
                 "\n"
                 "Commands:\n",
            JIYUE_VERSION);
    /* Name and arguments on one line, what it does below: the argument lists vary too
     * much in length for columns. */
    for (size_t i = 0; i < UTIL_ARRAY_LEN(commands); i++)
        fprintf(out, "  %s%s%s\n      %s\n", commands[i].name, *commands[i].args ? " " : "",
                commands[i].args, commands[i].summary);
}

static void vreport(ctl_t *ctl, const char *kind, const char *fmt, va_list ap)
{
    fputs("jiyuectl: ", stderr);
    if (ctl->command)
        fprintf(stderr, "%s: ", ctl->command->name);
    if (kind)
        fprintf(stderr, "%s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int ctl_fail(ctl_t *ctl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctl, NULL, fmt, ap);
    va_end(ap);
    return CTL_FAIL;
}

void ctl_warn(ctl_t *ctl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ctl, "warning", fmt, ap);
    va_end(ap);
}

int ctl_usage(ctl_t *ctl, const char *fmt, ...)
{
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vreport(ctl, NULL, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "usage: jiyuectl [-c FILE] %s %s\n", ctl->command->name, ctl->command->args);
    return CTL_USAGE;
}

int ctl_help(ctl_t *ctl)
{
    printf("usage: jiyuectl [-c FILE] %s %s\n  %s\n", ctl->command->name, ctl->command->args,
           ctl->command->summary);
    return CTL_OK;
}

int ctl_parse_args(ctl_t *ctl, int argc, char **argv, int nargs, const char **gen, int *first)
{
    static const struct option longopts[] = {
        {"generation", required_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *gen = NULL;
    optind = 0; /* glibc: full re-initialisation for a second getopt pass */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "g:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'g':
            *gen = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            if (optopt == 'g')
                return ctl_usage(ctl, "--generation needs a value");
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != nargs)
        return ctl_usage(ctl, argc - optind < nargs ? "missing arguments" : "too many arguments");
    *first = optind;
    return -1;
}

int ctl_load_conf(ctl_t *ctl)
{
    return ctl_load_conf_opt(ctl, 0);
}

int ctl_load_conf_opt(ctl_t *ctl, unsigned flags)
{
    diag_t d;
    diag_init(&d);
    ctl->conf = conf_load_opt(ctl->conf_path, -1, flags, &d);
    if (!ctl->conf) {
        diag_print(&d, stderr);
        size_t n = d.errors;
        diag_free(&d);
        return ctl_fail(ctl, "%s has %zu error%s (see above; `jiyuectl check` lists them)",
                        ctl->conf_path, n, n == 1 ? "" : "s");
    }
    diag_free(&d);
    return CTL_OK;
}

int ctl_load_conf_for(ctl_t *ctl, const char *site, unsigned flags)
{
    if (ctl->conf && (!ctl->conf->partial || (site && conf_site_find(ctl->conf, site))))
        return CTL_OK;
    if (site && ctl->npart_ids < UTIL_ARRAY_LEN(ctl->part_ids)) {
        ctl->part_ids[ctl->npart_ids++] = util_strdup(site);
        diag_t d; /* what stops a partial load is reported by the whole one below */
        diag_init(&d);
        conf_t *c = conf_load_sites(ctl->conf_path, -1, flags, (const char *const *)ctl->part_ids,
                                    ctl->npart_ids, &d);
        diag_free(&d);
        conf_free(ctl->conf);
        ctl->conf = c;
        if (c)
            return CTL_OK;
    }
    conf_free(ctl->conf);
    ctl->conf = NULL;
    return ctl_load_conf_opt(ctl, flags);
}

int ctl_open_store(ctl_t *ctl, ctl_store_mode_t mode)
{
    store_options_t opt = {
        .map_size = ctl->conf->store_map_size,
        .read_only = mode == CTL_STORE_READ,
        .create = mode == CTL_STORE_CREATE,
        .owner = ctl->conf->user, /* run as root: what it creates stays the server's */
    };
    char *err = NULL;
    ctl->store = store_open(ctl->conf->store, &opt, &err);
    if (!ctl->store) {
        int rc = ctl_fail(ctl, "%s", err ? err : "cannot open the store");
        free(err);
        return rc;
    }
    return CTL_OK;
}

int ctl_namespace(ctl_t *ctl, const char *site, const char *gen, char *buf, size_t cap)
{
    if (!gen) {
        snprintf(buf, cap, "%s", site);
        return CTL_OK;
    }
    /* A generation names a namespace in keys: keep it to a short, safe slug. */
    size_t n = strlen(gen);
    bool ok = n >= 1 && n <= 32;
    for (size_t i = 0; ok && i < n; i++) {
        char c = gen[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             (i > 0 && (c == '-' || c == '.' || c == '_'));
    }
    if (!ok)
        return ctl_usage(ctl, "bad generation '%s': use 1-32 of [a-z0-9._-], starting with a "
                              "letter or digit", gen);
    snprintf(buf, cap, "%s@%s", site, gen);
    return CTL_OK;
}

const char *ctl_size(uint64_t n, char buf[32])
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) {
        snprintf(buf, 32, "%llu bytes", (unsigned long long)n);
        return buf;
    }
    double v = (double)n;
    size_t u = 0;
    uint64_t div = 1024;
    v /= 1024;
    while (v >= 1024 && u + 1 < UTIL_ARRAY_LEN(units)) {
        v /= 1024;
        div *= 1024;
        u++;
    }
    if (n % div == 0)
        snprintf(buf, 32, "%llu%s", (unsigned long long)(n / div), units[u]);
    else
        snprintf(buf, 32, "%.1f%s", v, units[u]);
    return buf;
}

int ctl_store_fail(ctl_t *ctl, int rc, const char *what)
{
    if (rc == STORE_EMAPFULL) {
        char sz[32];
        return ctl_fail(ctl, "store map is full (store_map_size %s): %s",
                        ctl_size(ctl->conf->store_map_size, sz), what);
    }
    return ctl_fail(ctl, "%s: %s", store_strerror(rc), what);
}

int ctl_parse_flag_site(ctl_t *ctl, int argc, char **argv, const char *flag, const char *alias,
                        bool *set, const char **site)
{
    *set = false;
    *site = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return ctl_help(ctl);
        if (strcmp(argv[i], flag) == 0 || (alias && strcmp(argv[i], alias) == 0))
            *set = true;
        else if (argv[i][0] == '-')
            return ctl_usage(ctl, "unknown option '%s'", argv[i]);
        else if (*site)
            return ctl_usage(ctl, "too many arguments");
        else
            *site = argv[i];
    }
    return -1;
}

int ctl_write_begin(ctl_t *ctl, ctl_store_mode_t mode, const char *what, store_txn_t **w)
{
    int rc = ctl_open_store(ctl, mode);
    if (rc != CTL_OK)
        return rc;
    int src;
    *w = store_write_begin(ctl->store, &src);
    return *w ? CTL_OK : ctl_store_fail(ctl, src, what);
}

int ctl_load_site(ctl_t *ctl, const char *site, const conf_site_t **out)
{
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    const conf_site_t *s = conf_site_find(ctl->conf, site);
    if (!s)
        return ctl_fail(ctl, "no site '%s' in sites.d", site);
    if (out)
        *out = s;
    return CTL_OK;
}

int ctl_check_sites(ctl_t *ctl, int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++)
        if (!conf_site_find(ctl->conf, argv[i]))
            return ctl_usage(ctl, "unknown site '%s' (no such id in sites.d)", argv[i]);
    return CTL_OK;
}

bool ctl_site_wanted(int argc, char **argv, int first, const char *id)
{
    bool wanted = first >= argc;
    for (int i = first; i < argc && !wanted; i++)
        wanted = strcmp(argv[i], id) == 0;
    return wanted;
}

store_txn_t *ctl_read_txn(ctl_t *ctl)
{
    store_txn_t *t = store_read_txn_new(ctl->store);
    if (!t || store_read_renew(t) != 0) {
        store_txn_free(t);
        ctl_fail(ctl, "cannot read the store: %s", store_last_error());
        return NULL;
    }
    return t;
}

int ctl_store_finish(ctl_t *ctl, store_txn_t *w, int src, const char *what)
{
    if (src != 0) {
        store_abort(w);
        return ctl_store_fail(ctl, src, what);
    }
    if ((src = store_commit(w)) != 0)
        return ctl_store_fail(ctl, src, what);
    return CTL_OK;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    ctl_t ctl = {.conf_path = JIYUE_CONF_DEFAULT};
    int ch;
    opterr = 0;
    /* '+': stop at the subcommand, whose own options are its business. */
    while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            ctl.conf_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return CTL_OK;
        case 'V':
            printf("jiyuectl (jiyue) %s\n", JIYUE_VERSION);
            return CTL_OK;
        default:
            if (optopt == 'c')
                fprintf(stderr, "jiyuectl: -c needs a file\n");
            else
                fprintf(stderr, "jiyuectl: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return CTL_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "jiyuectl: no command given\n");
        usage(stderr);
        return CTL_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return CTL_OK;
    }
    for (size_t i = 0; i < UTIL_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        ctl.command = &commands[i];
        int rc = commands[i].run(&ctl, argc - optind, argv + optind);
        store_close(ctl.store);
        conf_free(ctl.conf);
        for (size_t k = 0; k < ctl.npart_ids; k++)
            free(ctl.part_ids[k]);
        return rc;
    }
    fprintf(stderr, "jiyuectl: unknown command '%s' (`jiyuectl -h` lists them)\n", name);
    return CTL_USAGE;
}
