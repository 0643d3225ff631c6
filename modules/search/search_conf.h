/* modules/search/search_conf.h: the search module's keys in the server file
 * (search_conf.c):
 *   search:
 *     hot_flush: 60s        how often a worker hands its hot-search counts to the writer
 *                           (10ms .. 60s; short values are for tests)
 *   limits:
 *     search_per_minute: 60 searches a minute from one address (an IPv6 client: its /64)
 *                           before 429 */
#ifndef JIYUE_SEARCH_CONF_H
#define JIYUE_SEARCH_CONF_H

#include <stdint.h>

#include "conf_node.h"
#include "module.h"

typedef struct search_server_conf {
    uint64_t hot_flush_ms;
    uint64_t per_minute;
} search_server_conf_t;

extern module_t module_search; /* search.c */

/* The settings of configuration c; the defaults when c was not made by conf_load. */
const search_server_conf_t *search_server_conf(const conf_t *c);

#define SEARCH_NSERVER_KEYS 1
#define SEARCH_NLIMIT_KEYS 1
extern const conf_key_t search_server_keys[SEARCH_NSERVER_KEYS];
extern const conf_key_t search_limit_keys[SEARCH_NLIMIT_KEYS];
void search_server_conf_init(void *slot);

#endif
