/* core/conf_rules.h: the configuration rules that involve more than one site file
 * (defined in core/conf_rules.c). Private to the loader (core/conf_priv.h). */
#ifndef JIYUE_CONF_RULES_H
#define JIYUE_CONF_RULES_H

#include "conf_priv.h"

/* The rules that involve more than one site; x->c->sites is still in file order. */
void conf_rules_check(conf_ctx_t *x);

#endif
