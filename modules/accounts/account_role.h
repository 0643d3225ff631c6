/* modules/accounts/account_role.h: the roles of a web console account and the one rule
 * that says what they allow (account_may), which the console asks before every act.
 *
 * A role is written ROLE:SITE, ROLE:SITE/\* or, for the cluster's administrators,
 * cluster_admin alone:
 *   editor       writes drafts of the site and submits them
 *   reviewer     approves or rejects others' drafts of the site
 *   replier      answers citizens' messages of the site
 *   site_admin   all three for the site, plus unpublish and the site's audit
 *   cluster_admin  everything on every site, accounts included
 * ":SITE/\*" covers SITE and every site under it by the configuration's parent links (a
 * county's office supervises its townships: site_admin:anning/\*). Which sites a role
 * reaches is decided against the configuration in force, never stored: a role on a site
 * that was removed from sites.d grants nothing there. */
#ifndef JIYUE_ACCOUNT_ROLE_H
#define JIYUE_ACCOUNT_ROLE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

typedef enum {
    ACCOUNT_ROLE_EDITOR = 0,
    ACCOUNT_ROLE_REVIEWER,
    ACCOUNT_ROLE_REPLIER,
    ACCOUNT_ROLE_SITE_ADMIN,
    ACCOUNT_ROLE_CLUSTER_ADMIN,
    ACCOUNT_ROLE_COUNT
} account_role_kind_t;

/* A site id is a slug of at most this many bytes (core/conf.h: [a-z0-9-]{1,32}). */
#define ACCOUNT_SITE_MAX 32
/* "site_admin:" + a site id + "/\*" and the NUL. */
#define ACCOUNT_ROLE_TEXT_MAX 48

typedef struct account_role {
    account_role_kind_t kind;
    char site[ACCOUNT_SITE_MAX + 1]; /* "" for cluster_admin */
    bool subtree;                    /* ":SITE/\*": the site and every site under it */
} account_role_t;

/* "editor", "reviewer"...; NULL for a value out of range. */
const char *account_role_name(account_role_kind_t kind);
/* The kind named `name` (exactly, lower case); false when there is none. */
bool account_role_kind(const char *name, size_t len, account_role_kind_t *out);

/* Parses "ROLE:SITE", "ROLE:SITE/\*" or "cluster_admin". On error returns false with a
 * one-line reason in err (naming what is wrong, not echoing more than the role text). The
 * site's syntax is checked here, its existence by account_role_check. */
bool account_role_parse(const char *text, account_role_t *out, char *err, size_t errcap);
/* The role as parsed: "editor:edu", "site_admin:anning/\*", "cluster_admin". Returns buf. */
const char *account_role_format(const account_role_t *r, char buf[static ACCOUNT_ROLE_TEXT_MAX]);
/* Whether the role's site exists in configuration c (cluster_admin: always true). */
bool account_role_check(const account_role_t *r, const conf_t *c);
/* Same kind, site and scope. */
bool account_role_equal(const account_role_t *a, const account_role_t *b);

/* Whether role `r` lets its holder act as `want` on the site `site_id` of configuration c:
 * the kind must be `want` (site_admin also counts as editor, reviewer and replier;
 * cluster_admin as anything) and the site must be the role's, or under it for ":SITE/\*".
 * site_id NULL asks about the cluster's own acts (accounts): only cluster_admin has them.
 * A site id that configuration c does not hold is allowed to nobody, cluster_admin
 * included: an act names a site that exists. */
bool account_role_allows(const account_role_t *r, account_role_kind_t want, const conf_t *c,
                         const char *site_id);

#endif
