/* modules/interaction/interaction_conf.h: the interaction module's configuration (defined
 * in interaction_conf.c): a site's `interaction:` key and the server's
 * `limits.message_bytes_per_day`, read by core's loader into the module's slots
 * (core/module.h). What other modules and jiyuectl read of citizens' messages' settings. */
#ifndef JIYUE_INTERACTION_CONF_H
#define JIYUE_INTERACTION_CONF_H

#include <stdint.h>

#include "module.h"

/* `interaction: {reply_days: 15, rate_limit: 5, prefix_multiple: 4, daily_limit: 200}` in a
 * site file: how many days a citizen's message may wait for its reply before it is overdue,
 * how many messages one address may send to this site per hour, that times prefix_multiple
 * from one network (IPv4 /24, IPv6 /64), and how many the site takes a day from everyone
 * (interaction.c, message_limit.c). */
typedef struct interaction_site_conf {
    uint64_t reply_days;      /* default 15 */
    uint64_t rate_limit;      /* default 5 */
    uint64_t prefix_multiple; /* default 4 */
    uint64_t daily_limit;     /* default 200 */
    conf_pos_t pos;           /* the `interaction:` value; line 0: not given */
} interaction_site_conf_t;

/* `limits: {message_bytes_per_day: 32MiB}` in the server file: the bytes of citizens'
 * messages the whole cluster takes a day (message_limit.c). */
typedef struct interaction_server_conf {
    uint64_t message_bytes_per_day;
} interaction_server_conf_t;

extern module_t module_interaction; /* interaction.c */

/* The settings of site s; the defaults for a site not made by conf_load (never NULL). */
const interaction_site_conf_t *interaction_site_conf(const conf_site_t *s);
const interaction_server_conf_t *interaction_server_conf(const conf_t *c);

/* For module_interaction's table (interaction.c). */
#define INTERACTION_NSITE_KEYS 1
#define INTERACTION_NLIMIT_KEYS 1
extern const conf_key_t interaction_site_keys[INTERACTION_NSITE_KEYS];
extern const conf_key_t interaction_limit_keys[INTERACTION_NLIMIT_KEYS];
void interaction_site_conf_init(void *slot);
void interaction_server_conf_init(void *slot);

#endif
