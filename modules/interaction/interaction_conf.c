/* modules/interaction/interaction_conf.c: the interaction module's keys (see
 * interaction_conf.h): their table for core's loader, their defaults, and the lookups. */
#include "interaction_conf.h"

#include <stddef.h>

#include "util.h"

static const conf_key_t inner_keys[] = {
    {"reply_days", CONF_K_COUNT, offsetof(interaction_site_conf_t, reply_days), NULL, false, 0},
    {"rate_limit", CONF_K_COUNT, offsetof(interaction_site_conf_t, rate_limit), NULL, false, 0},
    {"prefix_multiple", CONF_K_COUNT, offsetof(interaction_site_conf_t, prefix_multiple), NULL, false, 0},
    {"daily_limit", CONF_K_COUNT, offsetof(interaction_site_conf_t, daily_limit), NULL, false, 0},
};

static void key_interaction(conf_ctx_t *x, void *slot, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    interaction_site_conf_t *ic = slot;
    ic->pos = conf_pos(x, v);
    conf_walk(x, v, "interaction", inner_keys, UTIL_ARRAY_LEN(inner_keys), ic);
}

const conf_key_t interaction_site_keys[INTERACTION_NSITE_KEYS] = {
    {"interaction", CONF_K_FN, 0, key_interaction, false, 0},
};

const conf_key_t interaction_limit_keys[INTERACTION_NLIMIT_KEYS] = {
    {"message_bytes_per_day", CONF_K_SIZE, offsetof(interaction_server_conf_t, message_bytes_per_day),
     NULL, false, 0},
};

static const interaction_site_conf_t site_defaults = {
    .reply_days = 15,
    .rate_limit = 5,
    .prefix_multiple = 4,
    .daily_limit = 200,
};

static const interaction_server_conf_t server_defaults = {
    .message_bytes_per_day = 32ull << 20,
};

void interaction_site_conf_init(void *slot)
{
    *(interaction_site_conf_t *)slot = site_defaults;
}

void interaction_server_conf_init(void *slot)
{
    *(interaction_server_conf_t *)slot = server_defaults;
}

const interaction_site_conf_t *interaction_site_conf(const conf_site_t *s)
{
    const interaction_site_conf_t *ic = module_site_conf(s, &module_interaction);
    return ic ? ic : &site_defaults;
}

const interaction_server_conf_t *interaction_server_conf(const conf_t *c)
{
    const interaction_server_conf_t *ic = module_server_conf(c, &module_interaction);
    return ic ? ic : &server_defaults;
}
