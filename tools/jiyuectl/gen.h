/* tools/jiyuectl/gen.h: the live-generation switch shared by `promote`, `rollback` and
 * `import` (store_keys.h "live/<site>" and "prev/<site>"). */
#ifndef JIYUE_CTL_GEN_H
#define JIYUE_CTL_GEN_H

#include <stddef.h>

#include "ctl.h"

/* The generation stored under "<family><site>" into buf ("" = the base namespace).
 * Returns 0, STORE_NOTFOUND when the key is absent, or another STORE_E* code. */
int gen_get(store_txn_t *t, const char *family, const char *site, char *buf, size_t cap);
int gen_put(store_txn_t *t, const char *family, const char *site, const char *gen);
/* The generation a site serves now: "" (the base namespace) when it was never promoted. */
int gen_live(store_txn_t *t, const char *site, char *buf, size_t cap);
/* True when namespace ns holds at least one page. */
bool gen_has_pages(store_txn_t *t, const char *ns);
/* "v2" -> "v2", "" -> "base (SITE)": for messages. */
const char *gen_label(const char *gen, const char *site, char *buf, size_t cap);

#endif
