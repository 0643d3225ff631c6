/* core/conf_site.h: reading one site file (defined in core/conf_site.c). Private to the
 * loader (core/conf_priv.h). */
#ifndef JIYUE_CONF_SITE_H
#define JIYUE_CONF_SITE_H

#include "conf_priv.h"

/* Reads one site file into `s` (zeroed by the caller). Errors go to x->diag. Returns false
 * when the file gave no usable site (no valid id): the caller drops it. */
bool conf_site_read(conf_ctx_t *x, const yaml_dom_t *doc, conf_site_t *s);
void conf_site_free(conf_site_t *s);
/* The site file gave top-level `key` under a misspelt name (see conf_site_t.misspelt). */
bool conf_site_misspelt(const conf_site_t *s, const char *key);

#endif
