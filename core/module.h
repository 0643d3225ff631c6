/* core/module.h: the one interface between core and the modules that give the platform
 * its meaning (content, citizens' messages, lifecycle notices, the audit's rules...).
 *
 * A module is a table: `module_t` below. modules/modules.c lists the compiled-in modules;
 * core walks that list and never names a module. Through the table a module carries a
 * feature whole (the model is nginx's ngx_module_t with its commands and create/merge conf,
 * and H2O's handler/configurator pairs):
 *   - configuration: its keys in a site file and in the server file (read and checked by
 *     core's loader, with FILE:LINE:COL errors, into a slot of the module's own per site
 *     and per configuration, freed with the configuration), its checks of one site file and
 *     across all sites (conf_load runs them, so `jiyue -t`, SIGHUP and `jiyuectl check`
 *     stay one validator), and data it derives once per configuration (conf_ready);
 *   - the server: warnings it reports at start and at every reload (reload_report),
 *     response headers it adds, query parameters the access log must not show, its
 *     request handler, its themed error pages and its per-worker state.
 * Modules use the core API (request.h, response.h, store.h, conf.h, conf_node.h for their
 * keys, wcache.h for values kept between requests, writer.h for writes). Where one module
 * needs another's rules it includes that module's public header (by its bare name: the
 * Makefile puts every modules/ folder on the modules' include path, never on core's),
 * never its internals; jiyuectl calls the modules' public APIs the same way. */
#ifndef JIYUE_MODULE_H
#define JIYUE_MODULE_H

#include "conf_node.h"
#include "request.h"
#include "store.h"

typedef enum {
    MODULE_DECLINED = 0, /* not mine: offer the request to the next module */
    MODULE_DONE = 1      /* a response was produced (response.h functions) */
} module_result_t;

/* One warning line of a reload report; core logs it prefixed with the module's name. */
typedef void (*module_report_fn)(void *ud, const char *line);

typedef struct module {
    const char *name;
    /* The module's slot number: its position in modules_list, written by core once before
     * the first configuration is loaded (modules_init; nginx's ctx_index). Leave it 0. */
    size_t index;

    /* ---- configuration (all optional) ---- */
    /* Top-level keys of a site file this module owns, read into the module's slot of the
     * site (module_site_conf): CONF_K_* offsets are into the slot, CONF_K_FN gets the slot
     * as its object. Names must not clash with core's keys or another module's. */
    const conf_key_t *site_keys;
    size_t nsite_keys;
    size_t site_conf_size; /* bytes of the per-site slot (zeroed); 0: no slot */
    void (*site_conf_init)(void *slot); /* defaults, before the site's keys are read */
    void (*site_conf_free)(void *slot); /* what the slot owns (core frees the slot) */
    /* The same for top-level keys of the server file (module_server_conf). */
    const conf_key_t *server_keys;
    size_t nserver_keys;
    size_t server_conf_size;
    void (*server_conf_init)(void *slot);
    void (*server_conf_free)(void *slot);
    /* Keys the module adds to the server file's `limits:` mapping (into its server slot):
     * a limit on what clients send belongs with the others even when a module enforces it. */
    const conf_key_t *limit_keys;
    size_t nlimit_keys;
    /* Keys the module adds to the server file's `admin:` mapping (into its server slot),
     * beside core's `listen` and `allow` of the management listener. */
    const conf_key_t *admin_keys;
    size_t nadmin_keys;
    /* The names this module gives a column's `type:` (NULL-terminated); a column's type
     * is the index of its name here (conf_column_t.type). One module declares a name. */
    const char *const *column_types;
    /* Rules within one site file, after its keys are read (conf_site_misspelt tells
     * whether a key was given under a misspelt name, to avoid a second error). */
    void (*site_check)(conf_ctx_t *x, const conf_site_t *s, void *slot);
    /* Rules across sites, after every file is read: x->c->sites in file order, parents
     * not linked yet (compare ids). */
    void (*conf_check)(conf_ctx_t *x);
    /* On a configuration that passed every check (sites sorted by id, parents linked):
     * derive what the module needs once per configuration (e.g. each site's header
     * values) into its slots. Must not fail. */
    void (*conf_ready)(conf_t *c);

    /* ---- the server ---- */
    /* At start and after each accepted reload: warnings worth an operator's attention
     * (e.g. overdue replies), read from the store. Runs on the control thread. */
    void (*reload_report)(const conf_t *c, store_txn_t *t, int64_t now, module_report_fn warn,
                          void *ud);
    /* Headers for every response of a site, the same for all its requests (e.g. its
     * Content-Security-Policy): complete lines ("Name: value\r\n..."), asked once per
     * configuration after conf_ready; core joins every module's into one string per site
     * (conf_site_t.module_headers), so a response pays one copy. Returns their length, 0
     * for none; `lines` must stay valid while the configuration does (e.g. in the slot). */
    size_t (*site_headers)(const conf_site_t *s, const void *slot, const char **lines);
    /* Query parameters the access log writes as NAME=- (NULL-terminated), e.g. a token. */
    const char *const *secret_params;
    /* Called for every routed request (r->site set, method GET or HEAD, or any method for
     * modules that set accepts_any_method); NULL for a module that only owns configuration,
     * rules and data (it is never offered requests). Must not block: no network I/O, no disk I/O
     * other than store lookups, no waiting on locks held for long. */
    module_result_t (*handle)(request_t *r);
    int accepts_any_method;
    /* Called for every request that arrives on a management listener (`admin:`), from a
     * peer in `admin.allow`, any method; such a request is never routed to a site
     * (r->site NULL, r->admin true) and never offered to `handle`. The first module that
     * answers MODULE_DONE owns it; 404 when none does. The public listeners never call
     * it. The same rules as `handle`: must not block. */
    module_result_t (*admin_handle)(request_t *r);
    /* Optional: an error page for a routed request (r->site set) in the site's own look,
     * valid until the current callback returns. Returns false when it has none; core's
     * response_error() then writes its plain page. Must not call response_*. */
    bool (*error_page)(request_t *r, int status, const char *detail, const store_page_t **out);
    /* Optional: after every answered request (public or management, routed or not), on
     * its worker, once its status and body bytes are final. On the hot path of every
     * request: a few loads and adds, nothing that allocates or locks. */
    void (*request_done)(const request_t *r);
    /* Appends the module's own metric families to a /metrics scrape (core/metrics.h:
     * metrics_family, metrics_sample); NULL when it has none. Any thread. */
    void (*metrics)(util_buf_t *out);
    /* Optional: called once per worker thread at start, and at exit (after its loop has
     * ended: the writer may be gone, so what must be kept is written directly). */
    void (*worker_init)(struct worker *w);
    void (*worker_exit)(struct worker *w);
    /* Optional: every WORKER_TICK_MS on each worker (periodic work such as flushing
     * counters through the writer). */
    void (*worker_tick)(struct worker *w);
} module_t;

/* NULL-terminated, in the order requests are offered (modules/modules.c). A module's
 * position in this list is its slot number in conf_t.mod and conf_site_t.mod. The tables
 * are not const only because core writes each one's index. */
extern module_t *const modules_list[];

/* Numbers the modules (module_t.index) and finds those with a request handler; once per
 * process, before anything else uses the list (conf_load calls it; idempotent). */
void modules_init(void);
/* Every module's reload_report over the read transaction t (the server at start and at
 * each reload, `jiyuectl check`): each line goes to fn with the module that wrote it.
 * Returns how many lines there were. */
typedef void (*modules_report_fn)(void *ud, const module_t *m, const char *line);
size_t modules_reload_report(const conf_t *c, store_txn_t *t, int64_t now, modules_report_fn fn,
                             void *ud);
/* How many modules modules_list holds. */
size_t modules_count(void);
/* The modules that have a request handler, in order (NULL-terminated): what a request is
 * offered to. */
extern module_t *modules_handlers[];
/* The same for the management listener: the modules that have an admin_handle. */
extern module_t *modules_admin_handlers[];
/* The modules that have a request_done, and those that have a worker_tick. */
extern module_t *modules_done_handlers[];
extern module_t *modules_tick_handlers[];

/* The slot of module `m` in a site or a configuration: NULL when the module declares none
 * (or the value was not made by conf_load). Two loads: on the request path. */
static inline void *module_site_conf(const conf_site_t *s, const module_t *m)
{
    return s && s->mod ? s->mod[m->index] : NULL;
}
static inline void *module_server_conf(const conf_t *c, const module_t *m)
{
    return c && c->mod ? c->mod[m->index] : NULL;
}

#endif
