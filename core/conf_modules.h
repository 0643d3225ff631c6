/* core/conf_modules.h: the config loader's side of the module interface (defined in
 * core/conf_modules.c): the modules' slots in a site and in the configuration, their keys
 * joined to core's key tables, and the calls of their checks. Private to the loader
 * (core/conf_priv.h). */
#ifndef JIYUE_CONF_MODULES_H
#define JIYUE_CONF_MODULES_H

#include "conf_priv.h"

/* The tables whose keys modules may add to: a site file's top level, the server file's,
 * its `limits:` and its `admin:` mappings (module_t.site_keys, server_keys, limit_keys,
 * admin_keys). */
typedef enum { CONF_KEYS_SITE, CONF_KEYS_SERVER, CONF_KEYS_LIMITS, CONF_KEYS_ADMIN } conf_keys_of_t;
/* Core's keys of table `of` followed by every module's, with conf_key_t.module set; joined
 * on first use (core's tables and the modules' are static) and kept. Core's keys keep
 * their indexes. */
const struct conf_key *conf_modules_keys(conf_keys_of_t of, const struct conf_key *core,
                                         size_t ncore, size_t *n);
/* conf_walk() of `map` over table `of` (core's keys `core` joined to the modules'): core's
 * keys fill `obj`, a module's key fills its slot in `slots` (a site's or the
 * configuration's mod array). The caller's x->slots are back in place afterwards, so it
 * works inside another such walk. */
bool conf_modules_walk(conf_ctx_t *x, const yaml_dom_node_t *map, const char *what,
                       conf_keys_of_t of, const struct conf_key *core, size_t ncore, void *obj,
                       void **slots);

/* Allocates s->mod / c->mod and each module's slot with its defaults. */
void conf_modules_site_init(conf_site_t *s);
void conf_modules_server_init(conf_t *c);
/* Frees the slots and what the modules say they own. */
void conf_modules_site_free(conf_site_t *s);
void conf_modules_server_free(conf_t *c);

/* A column type's index in the list of the module that declares it (module_t.column_types),
 * or -1 for a name no module declares. */
int conf_modules_column_type(const char *name);
/* "a, b or c": every declared column type, for the error that lists them (heap string). */
char *conf_modules_column_types_text(void);

/* The modules' rules: within one site file, across sites, and their per-configuration
 * data on a valid configuration (module_t.site_check, conf_check, conf_ready). */
void conf_modules_site_check(conf_ctx_t *x, const conf_site_t *s);
void conf_modules_check(conf_ctx_t *x);
void conf_modules_ready(conf_t *c);

#endif
