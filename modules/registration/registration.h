/* modules/registration/registration.h: a site's registration identifiers, the
 * `registration:` key of its file (defined in modules/registration/registration.c):
 * 网站标识码 (site_code), ICP备案号 (icp), 公安备案号 (police), 主办单位 (organizer) and
 * the contact the footer of every page shows. The module answers no request; it owns the
 * key, its rules (a 网站标识码 is 10 letters or digits; a live site, active or in redesign,
 * needs all five; 网站标识码 and 公安备案号 are each one site's, an ICP number shared is
 * worth a warning) and the slot the footer, the census and the audit read. */
#ifndef JIYUE_REGISTRATION_H
#define JIYUE_REGISTRATION_H

#include <stdint.h>

#include "conf.h"
#include "module.h"

typedef struct registration {
    char *site_code; /* 网站标识码 */
    char *icp;       /* ICP备案号 */
    char *police;    /* 公安备案号 */
    char *organizer; /* 主办单位 */
    char *contact;
    conf_pos_t pos; /* the `registration:` value (line 0: absent) */
    /* where site_code, icp and police were given (line 0: absent), for the rules that
     * compare them across sites */
    conf_pos_t site_code_pos, icp_pos, police_pos;
    /* keys of the mapping given under a misspelt name (bit i: the i-th key above, in
     * this order); the rules add no "needs ..." error for them */
    uint64_t misspelt;
} registration_t;

extern module_t module_registration;

/* The identifiers of a loaded site; never NULL (a site without the module's slot, such
 * as a test's, has none). */
const registration_t *registration_of(const conf_site_t *s);

#endif
