/* tools/jiyuectl/ctl.h: what jiyuectl's subcommands share: the context (config file,
 * loaded configuration, open store), the way errors are reported (one line,
 * "jiyuectl: CMD: reason", exit 1; usage errors exit 2) and small helpers. The tool is
 * a thin shell over core: conf_load() for the schema, store.h for the key layout. */
#ifndef JIYUE_CTL_H
#define JIYUE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

/* Exit codes. */
enum { CTL_OK = 0, CTL_FAIL = 1, CTL_USAGE = 2 };

typedef struct ctl_command ctl_command_t;

typedef struct ctl {
    const char *conf_path;          /* -c FILE, default "conf/jiyue.yaml" */
    const ctl_command_t *command;   /* the subcommand running, for messages */
    conf_t *conf;                   /* after ctl_load_conf() */
    store_t *store;                 /* after ctl_open_store() */
    /* ctl_load_conf_for(): the sites asked for so far while conf is partial (owned) */
    char *part_ids[CONF_LOAD_SITES_MAX / 4];
    size_t npart_ids;
} ctl_t;

typedef int (*ctl_cmd_fn)(ctl_t *ctl, int argc, char **argv);

struct ctl_command {
    const char *name;
    ctl_cmd_fn run;
    const char *args;
    const char *summary;
};

#define CTL_COMMAND(name, args, summary) int ctl_cmd_##name(ctl_t *ctl, int argc, char **argv);
#include "commands.h"
#undef CTL_COMMAND

/* "jiyuectl: CMD: message" on stderr; returns CTL_FAIL so callers can `return ctl_fail()`. */
int ctl_fail(ctl_t *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "jiyuectl: CMD: warning: message" on stderr. */
void ctl_warn(ctl_t *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message (when fmt is not NULL) and the subcommand's usage line; returns CTL_USAGE. */
int ctl_usage(ctl_t *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the subcommand's usage line and summary to stdout (for -h); returns CTL_OK. */
int ctl_help(ctl_t *ctl);
/* `jiyuectl publish --batch FILE` (cmd_publish_batch.c). */
int ctl_publish_batch(ctl_t *ctl, const char *file);

/* Parses the options every store subcommand takes (-h, --generation GEN) and checks that
 * exactly `nargs` operands follow. Returns -1 when the caller should go on (operands in
 * argv[*first]...), else the exit code to return. */
int ctl_parse_args(ctl_t *ctl, int argc, char **argv, int nargs, const char **gen, int *first);
/* Parses "[-h] [FLAG] [SITE]" in any order: `flag` (and `alias`, may be NULL) sets *set; at
 * most one operand, put in *site (NULL when none). Returns -1 when the caller should go on,
 * else the exit code to return (help printed, or a usage error reported). */
int ctl_parse_flag_site(ctl_t *ctl, int argc, char **argv, const char *flag, const char *alias,
                        bool *set, const char **site);

/* Loads the configuration (conf_load with today's date). On errors prints every
 * diagnostic and returns CTL_FAIL; warnings are left to `jiyuectl check`. */
int ctl_load_conf(ctl_t *ctl);
/* ctl_load_conf() with conf_load_opt()'s flags: a command that only writes the store
 * (publish, update) leaves out templates and certificates, which only the server uses. */
int ctl_load_conf_opt(ctl_t *ctl, unsigned flags);
/* Makes ctl->conf hold site `site` for a command that writes into it (publish, update,
 * publish --batch): the server file and the site's own files only (conf_load_sites: the
 * site and its parents, checked as conf_load checks them) while that is certain, else
 * every file (ctl_load_conf_opt with `flags`), as the whole folder was read before. Called
 * again with another site, it loads the sites asked for so far together; past
 * UTIL_ARRAY_LEN(part_ids) sites, or with `site` NULL, it reads every file. Returns CTL_OK
 * or, after printing every diagnostic of the whole folder, CTL_FAIL. A conf_t it replaced
 * is freed: keep no pointer into ctl->conf across calls. */
int ctl_load_conf_for(ctl_t *ctl, const char *site, unsigned flags);
/* How a subcommand opens the store: only `import` and `user add` (the first content or
 * the first account of an installation) may bring a new store into being; a command that
 * changes or reads existing content on a missing store is a mistake. */
typedef enum { CTL_STORE_READ, CTL_STORE_WRITE, CTL_STORE_CREATE } ctl_store_mode_t;
/* Opens the configured store in `mode`; reports and returns CTL_FAIL when it cannot. */
int ctl_open_store(ctl_t *ctl, ctl_store_mode_t mode);

/* The store namespace for a site and an optional generation ("edu" or "edu@v2") into buf.
 * Returns CTL_OK, or CTL_USAGE after reporting a malformed generation. */
int ctl_namespace(ctl_t *ctl, const char *site, const char *gen, char *buf, size_t cap);

/* "1GiB", "64MiB", "1.5GiB", "512 bytes": for messages. */
const char *ctl_size(uint64_t n, char buf[32]);

/* Reports a store error for this subcommand; for a full map names the configured size. */
int ctl_store_fail(ctl_t *ctl, int rc, const char *what);
/* Opens the store in `mode` and begins a write transaction into *w. Returns CTL_OK, or
 * the exit code after reporting the failure followed by `what` ("nothing was changed"). */
int ctl_write_begin(ctl_t *ctl, ctl_store_mode_t mode, const char *what, store_txn_t **w);

/* Loads the configuration and finds SITE in it ("no site 'SITE' in sites.d" when it is not
 * there). Returns CTL_OK with *out set (out may be NULL), else the exit code to return. */
int ctl_load_site(ctl_t *ctl, const char *site, const conf_site_t **out);

/* Site operands (argv[first] ...): every one must name a configured site, else a usage
 * error is reported and returned; CTL_OK otherwise. Needs the configuration loaded. */
int ctl_check_sites(ctl_t *ctl, int argc, char **argv, int first);
/* True when there are no site operands (all sites) or one of them is `id`. */
bool ctl_site_wanted(int argc, char **argv, int first, const char *id);

/* A read transaction over the open store, renewed (a consistent snapshot); NULL after
 * reporting "cannot read the store". */
store_txn_t *ctl_read_txn(ctl_t *ctl);

/* Ends a write transaction: commits it when src is 0, else aborts it. A failure of either is
 * reported with `what` (what did not happen). Returns CTL_OK or CTL_FAIL. */
int ctl_store_finish(ctl_t *ctl, store_txn_t *w, int src, const char *what);

#endif
