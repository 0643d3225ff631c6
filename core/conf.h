/* core/conf.h: the configuration, loaded from conf/jiyue.yaml and every site file in sites.d
 * into one immutable value. conf.c is the one validator of the schema and of the seed's
 * rules: `jiyue -t`, SIGHUP reload and `jiyuectl check` all call conf_load(), so a rule
 * lives in exactly one place. A conf_t is never changed after conf_load() returns; the
 * server wraps it in a reference-counted snapshot (core/snapshot.h).
 *
 * Every node keeps the file, line and column it came from so that errors found after
 * parsing (duplicate hosts across files, a missing parent) can still point at the line. */
#ifndef JIYUE_CONF_H
#define JIYUE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Where a value came from, for errors reported after loading. */
typedef struct conf_pos {
    const char *file; /* owned by the conf_t */
    int line;         /* 1-based */
    int col;          /* 1-based */
} conf_pos_t;

typedef struct conf_listen {
    char *address; /* the literal "HOST:PORT" text, e.g. "127.0.0.1:8080" or "[::1]:8080" */
    char *host;    /* "127.0.0.1", "::1", "0.0.0.0" ... (brackets removed) */
    int port;
    bool tls;
    bool admin; /* a management listener (`admin.listen`): never serves the public sites */
    conf_pos_t pos;
    conf_pos_t tls_pos; /* the `tls:` value when given as a map, else == pos */
} conf_listen_t;

/* The connection keeps request lengths in 32 bits: a body limit stays well below that. */
#define CONF_MAX_BODY_BYTES ((uint64_t)1 << 30)
#define CONF_MAX_ACCEPT_BURST 512 /* limits.accept_burst: the listen backlog is 511 */

/* An address or network ("10.0.0.0/8", "::1"); IPv4 kept as IPv4-mapped IPv6. */
typedef struct conf_net {
    unsigned char addr[16];
    int prefix; /* bits of addr that count, 0..128 */
} conf_net_t;

/* Whether the IPv6 (or IPv4-mapped) address a[16] lies in n. */
bool conf_net_contains(const conf_net_t *n, const unsigned char a[16]);
/* Whether the peer `sa` (a struct sockaddr of family AF_INET or AF_INET6) lies in one of
 * nets[0..n); false for any other family. */
struct sockaddr;
bool conf_nets_match(const conf_net_t *nets, size_t n, const struct sockaddr *sa);

typedef struct conf_limits {
    uint64_t header_timeout_ms;    /* default 10s: a request head must arrive within this */
    uint64_t keepalive_timeout_ms; /* default 75s: idle keep-alive connections are closed */
    uint64_t body_timeout_ms;      /* default 30s: time between two reads of a request body */
    uint64_t send_timeout_ms;      /* default 60s: a client that reads nothing for this long */
    uint64_t max_header_bytes;     /* default 16KiB: request line + headers */
    uint64_t max_request_line;     /* default 8KiB: the request line alone (414 beyond) */
    uint64_t max_body_bytes;       /* default 1MiB; at most CONF_MAX_BODY_BYTES */
    uint64_t max_connections;      /* default 10000, across all workers */
    uint64_t max_headers;          /* default 100 header fields */
    uint64_t shutdown_timeout_ms;  /* default 10s: in-flight requests get this long at stop */
    uint64_t body_deadline_ms;     /* default 60s: a whole request body must arrive within this */
    uint64_t max_connections_per_address; /* default 64 (IPv6: per /64) */
    uint64_t accept_burst; /* default 16, at most CONF_MAX_ACCEPT_BURST: new connections per loop turn */
    conf_net_t *exempt; /* `exempt_addresses`: not counted by max_connections_per_address */
    size_t nexempt;
} conf_limits_t;

/* `http2:`, the limits of HTTP/2 connections (core/http2.h), advertised in SETTINGS and
 * enforced. */
typedef struct conf_http2 {
    uint64_t max_concurrent_streams; /* default 128: streams open at once per connection */
    uint64_t initial_window;         /* default 1MiB: each stream's receive window */
    uint64_t max_header_list;        /* default 16KiB: a request's decoded header fields */
} conf_http2_t;

typedef struct conf_tls {
    char *cert; /* PEM chain; resolved to an absolute or config-relative path */
    char *key;
    conf_pos_t pos;
    struct ssl_ctx_st *ctx; /* loaded by tls_conf_load (core/tls.c); NULL without a cert */
} conf_tls_t;

typedef enum {
    SITE_PORTAL,
    SITE_DEPARTMENT,
    SITE_COUNTY,
    SITE_TOWNSHIP,
    SITE_VILLAGE
} conf_site_kind_t;


typedef struct conf_column {
    char *id; /* slug: [a-z0-9-]{1,32} */
    char *name;
    /* `type:`, one of the names the modules declare (module_t.column_types): its index in
     * the declaring module's list (for the content module, content_column_type_t). */
    int type;
    char *description; /* optional */
    char *keywords;    /* optional */
    char *folder;      /* optional: the old site's folder of its items, "/news/tzgg/" */
    conf_pos_t pos;
} conf_column_t;

/* A header field inside a block of "Name: value\r\n" lines: offsets into it. */
typedef struct conf_hfield {
    uint32_t name_off, name_len, value_off, value_len;
} conf_hfield_t;

typedef struct conf_site conf_site_t;
struct conf_site {
    char *id; /* slug: [a-z0-9-]{1,32}, unique in the cluster */
    char *name;
    conf_site_kind_t kind;
    char *parent_id;     /* NULL for the portal */
    conf_site_t *parent; /* resolved after all files are read; NULL for the portal */
    char *mount_path;    /* "/edu/" under the parent's hosts, or NULL */
    char **hosts;        /* own host names, lower-case, no port */
    size_t nhosts;
    char **aliases; /* old host names that answer 301 to the canonical URL */
    size_t naliases;
    conf_column_t *columns;
    size_t ncolumns;
    conf_tls_t tls; /* cert == NULL when the site has none */
    bool https_redirect;   /* `https: redirect`: plain-HTTP requests get 301 to https */
    uint64_t hsts_max_age; /* `hsts: {max_age, include_subdomains}`; 0 = no header */
    bool hsts_include_subdomains;
    char *hsts_header; /* the formatted Strict-Transport-Security value, or NULL */
    size_t hsts_header_len;
    char *theme;    /* NULL: the default theme */
    conf_pos_t theme_pos;
    bool mourning; /* 一键置灰: render this site's pages in grey (content untouched) */
    char *file;     /* the site file this came from */
    uint32_t metrics_slot; /* its counters' slot (core/metrics.h), set when served */
    conf_pos_t pos; /* position of the document (line 1) */

    /* Where the values checked across files came from, so that a rule that involves two
     * files (a host claimed twice, a missing parent) points at both. line == 0: absent. */
    conf_pos_t id_pos, kind_pos, parent_pos, mount_pos, path_pos;
    conf_pos_t *host_pos;  /* nhosts entries */
    conf_pos_t *alias_pos; /* naliases entries */
    /* Top-level keys given under a misspelt name (an "unknown key ...; did you mean" error
     * already names them): bit i of conf_site.c's top-level table joined with the modules'
     * (conf_site_misspelt). The rules do not add "missing" errors for these. */
    uint64_t misspelt;
    /* One slot per module of modules_list (core/module.h: module_site_conf), holding what
     * the module read from this file and derived from it; NULL where a module has none. */
    void **mod;
    /* Every module's header lines for this site's responses (module_t.site_headers),
     * joined once per configuration; NULL when none. */
    char *module_headers;
    size_t module_headers_len;
    /* The same lines as HTTP/2 fields (core/http2.c), split once per configuration:
     * offsets into module_headers_lc, a copy whose names are lower-cased. */
    char *module_headers_lc;
    conf_hfield_t *module_header_fields;
    size_t nmodule_header_fields;
};

typedef struct conf {
    char *file; /* the server config file, as given */
    char *dir;  /* its folder: relative paths resolve against this */
    /* Every listener: the public ones (`listen`) first, then the management ones
     * (`admin.listen`, conf_listen_t.admin). */
    conf_listen_t *listen;
    size_t nlisten;
    /* `admin:`, the management listener: who may reach it (`admin.allow`, default the
     * loopback addresses); admin_pos.line 0 when the key is absent (no admin listener). */
    conf_net_t *admin_allow;
    size_t nadmin_allow;
    conf_pos_t admin_pos;
    /* `admin.max_upload`: the body cap of the management listener's requests, in place of
     * limits.max_body_bytes there (the console takes uploads; the public side does not).
     * Default 20MiB, at most CONF_MAX_BODY_BYTES. */
    uint64_t admin_max_upload;
    int workers;    /* resolved: `auto` becomes the number of cores */
    conf_pos_t workers_pos; /* line 0: not given */
    char *store;    /* LMDB directory, resolved */
    uint64_t store_map_size; /* default 1GiB */
    /* Room in the store that what the public submits never uses, so that a flood cannot
     * stop the staff's own writes (modules enforce it with store_room()); default
     * store_map_size / 8. */
    uint64_t store_reserve;
    conf_pos_t store_reserve_pos; /* line 0: not given */
    char *sites_dir; /* resolved */
    char *pid_file;  /* resolved, may be NULL */
    char *access_log; /* resolved; NULL or "off" disables */
    char *error_log;  /* resolved; NULL means stderr */
    char *user;       /* drop privileges to this user after binding, when started as root */
    conf_limits_t limits;
    conf_http2_t http2;
    conf_tls_t tls; /* default certificate */
    conf_site_t *sites; /* sorted by id */
    size_t nsites;
    conf_site_t *portal; /* the one site of kind portal */
    char *themes_dir;    /* `themes`, resolved; NULL: <config folder>/themes */
    conf_pos_t themes_pos;
    bool mourning;       /* cluster-wide 一键置灰 */
    struct theme_set *themes; /* compiled templates (core/theme.h), the built-in default at least */
    /* One slot per module for its server-file keys and per-configuration data
     * (core/module.h: module_server_conf). */
    void **mod;
    /* Loaded by conf_load_sites(): `sites` holds only the named sites and their parents,
     * so it is not the cluster (no serving, no listing of sites, no "unknown site"). */
    bool partial;
} conf_t;

/* Loads and validates the server config at `path` and every *.yaml file (sorted, dotfiles
 * skipped) in its `sites` folder. Every problem in every file is added to `diag`. Returns
 * NULL when there is any error (the caller keeps whatever it had); warnings alone do not
 * fail. `today_days` (days since 1970-01-01) is the date rules are judged against
 * (modules' rules about dates, through conf_ctx_t.today); pass -1 for the current date. */
conf_t *conf_load(const char *path, int64_t today_days, diag_t *diag);
/* conf_load() leaving out work that only a serving process needs, for a tool that reads
 * the configuration to write the store (jiyuectl publish). Every file is still read and
 * every rule checked; what is left out is named by the flags:
 *   CONF_LOAD_NO_THEMES: templates are not compiled (c->themes stays NULL, as without a
 *     sites folder), so a template error is reported by `jiyue -t`, not here;
 *   CONF_LOAD_NO_TLS: certificates and keys are not read (every tls ctx stays NULL).
 * 0 is conf_load(). */
enum { CONF_LOAD_NO_THEMES = 1u << 0, CONF_LOAD_NO_TLS = 1u << 1 };
conf_t *conf_load_opt(const char *path, int64_t today_days, unsigned flags, diag_t *diag);
/* conf_load_opt() reading, of the sites folder, only the sites ids[0..n) and their parents
 * up to the portal, each from the file named by its id (sites/<id>.yaml), for a tool that
 * writes into those sites only (jiyuectl publish). Each file read is checked as conf_load
 * checks it, and the rules across files among the files read. Returns NULL, with a reason
 * in `diag`, whenever the result would not certainly be those sites as the whole folder
 * gives them: an id that is not a slug (never a path), a file missing or declaring another
 * id, any error in a file read; the caller then loads the whole folder, which reports
 * every problem as before. Problems in files not read (a broken file, a second file with
 * the same id, a host claimed twice) are left to conf_load (`jiyue -t`, `jiyuectl check`,
 * reload). The result has c->partial set. */
#define CONF_LOAD_SITES_MAX 64 /* sites read at most, parents included */
conf_t *conf_load_sites(const char *path, int64_t today_days, unsigned flags,
                        const char *const *ids, size_t n, diag_t *diag);
void conf_free(conf_t *c);
/* Reads only `pid_file` from the server file at `path` (resolved as conf_load() does),
 * without the site files: all `jiyue -s` needs to find the running server, which then
 * loads and validates everything itself. *pid_file is NULL when the key is absent.
 * Returns 0, or -1 with the errors in `diag` (not YAML, or pid_file is not a path). */
int conf_read_pid_file(const char *path, char **pid_file, diag_t *diag);

const conf_site_t *conf_site_find(const conf_t *c, const char *id);

/* A site or column id: ^[a-z0-9][a-z0-9-]{0,31}$. Store keys are built only from these,
 * so every "<family>/<site>/" prefix stays exact. */
bool conf_is_slug(const char *s);
const conf_column_t *conf_column_find(const conf_site_t *s, const char *id);

const char *conf_kind_name(conf_site_kind_t k);       /* "portal", "department", ... */
/* The same in Chinese (core/conf_zh.h). */
#include "conf_zh.h"

#endif
