/* core/conf_modules.h: the config loader's side of the module interface (defined in
 * core/conf_modules.c): the modules' slots in a site and in the configuration, their keys
 * joined to core's key tables, and the calls of their checks. Private to the loader
 * (core/conf_priv.h). */
#ifndef JIYUE_CONF_MODULES_H
#define JIYUE_CONF_MODULES_H

#include "conf_priv.h"

/* Core's top-level keys followed by every module's, with conf_key_t.module set; built
 * once (the tables are static) and kept. Core's keys keep their indexes. */
const struct conf_key *conf_modules_site_keys(const struct conf_key *core, size_t ncore, size_t *n);
const struct conf_key *conf_modules_server_keys(const struct conf_key *core, size_t ncore, size_t *n);
/* The same for the server file's `limits:` mapping (module_t.limit_keys). */
const struct conf_key *conf_modules_limit_keys(const struct conf_key *core, size_t ncore, size_t *n);
/* The same for the management listener's `admin:` mapping (module_t.admin_keys). */
const struct conf_key *conf_modules_admin_keys(const struct conf_key *core, size_t ncore, size_t *n);

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
