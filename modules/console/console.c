/* modules/console/console.c: the console module: its keys under `admin:`, and the routes
 * of the management listener's requests (module_t.admin_handle) to the API handlers. */
#include "console.h"

#include <stddef.h>
#include <string.h>

#include "console_api.h"
#include "console_audit.h"
#include "console_drafts.h"
#include "console_history.h"
#include "console_messages.h"
#include "console_pages.h"
#include "console_schedule.h"
#include "theme.h"

static const console_conf_t defaults = {
    .session_ttl_ms = 8ull * 3600 * 1000,
    .session_idle_ms = 30ull * 60 * 1000,
    .publish_interval_ms = 30ull * 1000,
};

static void conf_init(void *slot)
{
    *(console_conf_t *)slot = defaults;
}

static const conf_key_t admin_keys[] = {
    {"session_ttl", CONF_K_DURATION, offsetof(console_conf_t, session_ttl_ms), NULL, false, 0},
    {"session_idle", CONF_K_DURATION, offsetof(console_conf_t, session_idle_ms), NULL, false, 0},
    {"publish_interval", CONF_K_DURATION, offsetof(console_conf_t, publish_interval_ms), NULL,
     false, 0},
};

const console_conf_t *console_conf(const conf_t *c)
{
    const console_conf_t *cc = module_server_conf(c, &module_console);
    return cc ? cc : &defaults;
}

static bool path_is(const request_t *r, const char *p)
{
    size_t n = strlen(p);
    return r->path_len == n && memcmp(r->path, p, n) == 0;
}

/* The path is prefix + at least one byte + suffix. */
static bool path_has(const request_t *r, const char *prefix, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    return r->path_len > p + s && memcmp(r->path, prefix, p) == 0 &&
           memcmp(r->path + r->path_len - s, suffix, s) == 0;
}

module_result_t console_method_not_allowed(request_t *r, const char *allow)
{
    json_t *o = json_pack("{s:s}", "error", "method not allowed");
    response_begin(r, 405);
    response_header(r, "Allow", allow, strlen(allow));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t n = strlen(text);
    response_header(r, "Content-Type", "application/json", 16);
    response_end_headers(r, n);
    response_body(r, text, n, true);
    free(text);
    return MODULE_DONE;
}

static module_result_t admin_handle(request_t *r)
{
    if (r->path_len < 5 || memcmp(r->path, "/api/", 5) != 0)
        return console_pages_handle(r); /* the pages: GETs outside /api/ */
    r->not_public = true; /* nothing the API answers may be kept by a shared cache */
    bool get = r->method == HTTP_M_GET || r->method == HTTP_M_HEAD;
    bool post = r->method == HTTP_M_POST;
    if (path_is(r, "/api/login"))
        return post ? console_api_login(r) : console_method_not_allowed(r, "POST");
    if (path_is(r, "/api/logout"))
        return post ? console_api_logout(r) : console_method_not_allowed(r, "POST");
    if (path_is(r, "/api/me"))
        return get ? console_api_me(r) : console_method_not_allowed(r, "GET, HEAD");
    if (path_is(r, "/api/sites"))
        return get ? console_api_sites(r) : console_method_not_allowed(r, "GET, HEAD");
    if (console_drafts_handle(r) == MODULE_DONE)
        return MODULE_DONE;
    if (path_is(r, "/api/messages"))
        return get ? console_api_messages(r) : console_method_not_allowed(r, "GET, HEAD");
    if (path_is(r, "/api/audit"))
        return get ? console_api_audit(r) : console_method_not_allowed(r, "GET, HEAD");
    if (path_is(r, "/api/history"))
        return get ? console_api_history(r) : console_method_not_allowed(r, "GET, HEAD");
    if (path_has(r, "/api/messages/", "/reply")) /* /api/messages/CODE/reply */
        return post ? console_api_message_reply(r, r->path + 14, r->path_len - 14 - 6)
                    : console_method_not_allowed(r, "POST");
    console_error(r, 404, "no such API", NULL);
    return MODULE_DONE;
}

/* The built-in default theme must have every console template (a themes folder replaces
 * files, never removes one), or a page would have nothing to render with. */
static void console_conf_check(conf_ctx_t *x)
{
    static const char *const need[] = CONSOLE_TEMPLATES;
    theme_require_builtin(x->diag, need, UTIL_ARRAY_LEN(need));
}

/* A CSRF token given in a query by mistake stays out of the access log. */
static const char *const secret_params[] = {"csrf", NULL};

module_t module_console = {
    .name = "console",
    .admin_keys = admin_keys,
    .nadmin_keys = UTIL_ARRAY_LEN(admin_keys),
    .server_conf_size = sizeof(console_conf_t),
    .server_conf_init = conf_init,
    .conf_check = console_conf_check,
    .admin_handle = admin_handle,
    .secret_params = secret_params,
    .worker_init = console_schedule_start,
    .worker_exit = console_schedule_stop,
};
