/* tools/jiyuectl/replaced.h: what a first article replaces. A site (or a column) that has
 * published nothing keeps serving its imported index.html; the first article switches it
 * to the rendered page, and the portal's home switches with the cluster's first article.
 * `publish` (and `publish --dry-run`) says so once, before it happens. */
#ifndef JIYUE_CTL_REPLACED_H
#define JIYUE_CTL_REPLACED_H

#include "article.h"
#include "ctl.h"

/* Prints one warning line naming every imported page that publishing `m` (a new article)
 * will replace with a rendered one; nothing when there is none or the store cannot be
 * read. Needs the configuration loaded and ctl->store open. */
void replaced_warn(ctl_t *ctl, const article_meta_t *m);

#endif
