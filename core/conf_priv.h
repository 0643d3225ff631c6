/* core/conf_priv.h: what the parts of the config loader share (conf.c: the server file
 * and the load sequence; conf_site.c: one site file; conf_rules.c: rules across files;
 * conf_node.c: typed reading of YAML values with errors at their position;
 * conf_modules.c: the modules' part): the loader's context. Modules see the context
 * through the callbacks of core/module.h (their keys and checks); everyone else uses
 * conf.h. */
#ifndef JIYUE_CONF_PRIV_H
#define JIYUE_CONF_PRIV_H

#include "conf.h"
#include "yaml.h"

#define CONF_MAX_WORKERS 1024
#define CONF_MAX_LISTEN 256 /* keeps the duplicate check trivially cheap */

typedef struct conf_ctx {
    conf_t *c;
    diag_t *diag;
    const char *file; /* the file being read, owned by the conf_t */
    int64_t today;    /* days since 1970-01-01 */
    size_t nbroken;   /* site files that could not be read as a site at all */
    conf_pos_t sites_pos; /* the server file's `sites` value */
    /* After conf_walk() returns: bit j set when an unknown key of that mapping was taken
     * for keys[j] misspelt (its suggestion), so that callers do not add "missing" errors
     * that only follow from the misspelling. */
    uint64_t misspelt;
    /* The module slots of the object whose top level is being walked (a site's or the
     * configuration's mod array), for keys a module declared (conf_key_t.module). */
    void **slots;
} conf_ctx_t;

/* What each part defines, in its own header (included here, so that a part of the loader
 * needs this one include): */
#include "conf_node.h"  /* conf_node.c: typed reading of YAML values, the key-table walker */
#include "conf_site.h"  /* conf_site.c: one site file */
#include "conf_rules.h" /* conf_rules.c: the rules across site files */
#include "conf_modules.h" /* conf_modules.c: the modules' keys, slots and checks */

#endif
