/* modules/lifecycle/lifecycle_conf.h: a site's `status:` key, the lifecycle module's part
 * of the configuration (defined in modules/lifecycle/lifecycle_conf.c): its per-site slot
 * (the state and its details, as the site file gave them, and what the module derives from
 * them once per configuration), the per-configuration list of preview hosts, and the rules
 * the loader runs through the module interface (core/module.h):
 *   - within one site file: the keys each state needs and allows, suspension dates and
 *     their LIFECYCLE_SUSPENSION_MAX_DAYS limit (a warning once `until` has passed), a closure's
 *     migration target, a redesign's generation and preview host;
 *   - across sites: a migration target that is a site of the cluster and not the closed
 *     site itself, and a preview host nobody else claims as a host, alias or preview host.
 * Part of the lifecycle module (modules/lifecycle/lifecycle.h). */
#ifndef JIYUE_LIFECYCLE_CONF_H
#define JIYUE_LIFECYCLE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf_node.h"
#include "httpdate.h"
#include "util.h"

/* The seed: a temporary closure lasts at most half a year. */
#define LIFECYCLE_SUSPENSION_MAX_DAYS 183

typedef enum {
    LIFECYCLE_ACTIVE,
    LIFECYCLE_REDESIGN,
    LIFECYCLE_SUSPENDED,
    LIFECYCLE_CLOSED
} lifecycle_state_t;

typedef struct lifecycle_path_map {
    char *from;
    char *to;
} lifecycle_path_map_t;

/* The module's slot of a site (module_site_conf): `status:` as read. */
typedef struct lifecycle_conf {
    lifecycle_state_t state;
    char *from;  /* suspended: YYYY-MM-DD */
    char *until; /* suspended */
    char *reason;
    char *date;       /* closed */
    char *migrate_to; /* closed: a site id or an absolute URL */
    lifecycle_path_map_t *paths; /* closed: old path -> new path or URL */
    size_t npaths;
    char *generation;   /* redesign: the generation being built */
    char *preview_host; /* redesign */
    conf_pos_t pos;
    /* where the values the later rules look at were given (line 0: absent) */
    conf_pos_t migrate_pos, preview_pos, until_pos;
    int64_t until_days; /* suspended, with valid from and until: `until` in days */

    /* Derived once per configuration (conf_ready), for the request path: */
    util_buf_t notice;  /* suspended, closed: the notice page */
    util_buf_t overdue; /* suspended: the notice once `until` has passed (正在恢复) */
    char retry_date[HTTPDATE_LEN + 1];
    time_t until_time;
    util_buf_t target;  /* closed: "host/prefix" (no scheme, no trailing '/') or a URL */
    bool target_is_url;
    char *preview_ns;   /* redesign: "<site>@<generation>" */
} lifecycle_conf_t;

/* A redesign's preview host, for the request path. */
typedef struct lifecycle_preview {
    const char *host; /* the site's preview_host, in the same configuration */
    size_t len;
    size_t site; /* index in conf_t.sites (sorted by id), and so in the router's sites */
} lifecycle_preview_t;

/* The module's per-configuration slot (module_server_conf). */
typedef struct lifecycle_global {
    lifecycle_preview_t *previews;
    size_t npreviews;
} lifecycle_global_t;

/* The slot of a loaded site; never NULL (a site without one, such as a test's, reads as
 * active with no details). */
const lifecycle_conf_t *lifecycle_conf(const conf_site_t *s);
/* The per-configuration data; never NULL. */
const lifecycle_global_t *lifecycle_global(const conf_t *c);

const char *lifecycle_state_name(lifecycle_state_t s);    /* "active", "suspended", ... */
const char *lifecycle_state_name_zh(lifecycle_state_t s); /* "正常运行", "暂时关停", ... */

/* The module table's configuration callbacks (modules/lifecycle/lifecycle.c's table). */
#define LIFECYCLE_NSITE_KEYS 1
extern const conf_key_t lifecycle_site_keys[LIFECYCLE_NSITE_KEYS];
void lifecycle_site_conf_free(void *slot);
void lifecycle_server_conf_free(void *slot);
void lifecycle_site_check(conf_ctx_t *x, const conf_site_t *s, void *slot);
void lifecycle_conf_check(conf_ctx_t *x);
void lifecycle_conf_ready(conf_t *c);

#endif
