/* modules/common/render_common.h: what the modules that render pages in a site's theme
 * (content, interaction) fill in the same way, so that every theme template sees one site
 * footer and one page-number URL scheme whichever module answers. Not a core interface.
 *
 * modules/common/ is not a module (it has no module_t and no entry in modules.c): it is a
 * folder of helpers that every page-rendering module shares, so that none of them has to
 * reach into another module's folder for them. */
#ifndef JIYUE_RENDER_COMMON_H
#define JIYUE_RENDER_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "request.h"
#include "router.h"
#include "template.h"

/* True when rest (rn bytes, below a column) is "index_N.html" with N a page number: 1 to
 * 6 digits, no leading zero. *page is written only then. Callers decide what page 1 is. */
bool render_index_page(const char *rest, size_t rn, unsigned *page);

/* The site's mount as this request spelled it, with a final '/' (the base of the links on
 * a page). False when it does not fit in cap. */
bool render_mount_prefix(const request_t *r, char *out, size_t cap);

/* The registration fields of a site's footer (domain, 备案 numbers, organizer, contact)
 * into the template map m. rs may be NULL (no domain). */
void render_site_reg(tpl_data_t *d, tpl_val_t *m, const conf_site_t *s, const router_site_t *rs);

/* The portal's home as a link from a page of `site` whose mount this request spells
 * `prefix`: a path when the portal is on this host above the site, else its canonical
 * URL. Heap string. */
char *render_portal_link(const request_t *r, const conf_site_t *site, const char *prefix,
                         const conf_site_t *portal);

/* The numbered page links of a list around `page` of `pages`: at most 9, [*from, *to]. */
void render_page_window(unsigned page, unsigned pages, unsigned *from, unsigned *to);

#endif
