/* core/module.h: the one interface between core and the modules that give the platform
 * its meaning (static content, channel pages, lifecycle notices, interaction...).
 *
 * A module is a table of callbacks. modules/modules.c lists the compiled-in modules in
 * the order core offers them a request; the first to answer MODULE_DONE owns it. Modules
 * use the core API (request.h, store.h, conf.h, and the record layers article.h and
 * message.h). Where one module needs another's rules it includes that module's public
 * header, never its .c internals: all share render_common.h (page chrome), static.c asks
 * redirect.h for stored redirects, and jiyuectl uses content_route.h (URL layout),
 * redirect.h and lifecycle.h so that the audit and the server agree. A module
 * that keeps rendered or derived values between requests keeps them in the per-worker
 * cache of core/wcache.h (stamped with what invalidates them), not in a cache of its own. */
#ifndef JIYUE_MODULE_H
#define JIYUE_MODULE_H

#include "request.h"

typedef enum {
    MODULE_DECLINED = 0, /* not mine: offer the request to the next module */
    MODULE_DONE = 1      /* a response was produced (request.h response_* functions) */
} module_result_t;

typedef struct module {
    const char *name;
    /* Called for every routed request (r->site set, method GET or HEAD, or any method for
     * modules that set accepts_any_method). Must not block: no network I/O, no disk I/O
     * other than store lookups, no waiting on locks held for long. */
    module_result_t (*handle)(request_t *r);
    /* Optional: called once per worker thread at start, and at exit. */
    void (*worker_init)(struct worker *w);
    void (*worker_exit)(struct worker *w);
    int accepts_any_method;
    /* Optional: an error page for a routed request (r->site set) in the site's own look,
     * valid until the current callback returns. Returns false when it has none; core's
     * response_error() then writes its plain page. Must not call response_*. */
    bool (*error_page)(request_t *r, int status, const char *detail, const store_page_t **out);
} module_t;

/* NULL-terminated, in the order requests are offered (modules/modules.c). */
extern const module_t *const modules_list[];

#endif
