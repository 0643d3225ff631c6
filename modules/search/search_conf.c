/* modules/search/search_conf.c: the search module's server keys (see search_conf.h):
 * their table for core's loader, their defaults and bounds. */
#include "search_conf.h"

#include <stddef.h>

#include "util.h"

#define HOT_FLUSH_MIN_MS 10
#define HOT_FLUSH_MAX_MS 60000 /* counts reach the store at least once a minute */

static const conf_key_t inner_keys[] = {
    {"hot_flush", CONF_K_DURATION, offsetof(search_server_conf_t, hot_flush_ms), NULL, false, 0},
};

static void key_search(conf_ctx_t *x, void *slot, const yaml_dom_node_t *k,
                       const yaml_dom_node_t *v)
{
    (void)k;
    search_server_conf_t *sc = slot;
    if (!conf_walk(x, v, "search", inner_keys, UTIL_ARRAY_LEN(inner_keys), sc))
        return;
    if (sc->hot_flush_ms < HOT_FLUSH_MIN_MS || sc->hot_flush_ms > HOT_FLUSH_MAX_MS)
        conf_err(x, v, "'hot_flush' must be from 10ms to 60s (hot searches reach the store "
                       "at least once a minute)");
}

const conf_key_t search_server_keys[SEARCH_NSERVER_KEYS] = {
    {"search", CONF_K_FN, 0, key_search, false, 0},
};

const conf_key_t search_limit_keys[SEARCH_NLIMIT_KEYS] = {
    {"search_per_minute", CONF_K_COUNT, offsetof(search_server_conf_t, per_minute), NULL, false, 0},
};

static const search_server_conf_t defaults = {
    .hot_flush_ms = HOT_FLUSH_MAX_MS,
    .per_minute = 60,
};

void search_server_conf_init(void *slot)
{
    *(search_server_conf_t *)slot = defaults;
}

const search_server_conf_t *search_server_conf(const conf_t *c)
{
    const search_server_conf_t *sc = module_server_conf(c, &module_search);
    return sc ? sc : &defaults;
}
