/* modules/accounts/account_role.c: parsing and printing roles ("editor:edu",
 * "site_admin:anning/\*", "cluster_admin") and the rule of what a role allows on a site of
 * a configuration (account_role.h). Pure: no store, no clock. */
#include <stdio.h>
#include <string.h>

#include "account_role.h"

static const char *const role_names[ACCOUNT_ROLE_COUNT] = {
    [ACCOUNT_ROLE_EDITOR] = "editor",
    [ACCOUNT_ROLE_REVIEWER] = "reviewer",
    [ACCOUNT_ROLE_REPLIER] = "replier",
    [ACCOUNT_ROLE_SITE_ADMIN] = "site_admin",
    [ACCOUNT_ROLE_CLUSTER_ADMIN] = "cluster_admin",
};

const char *account_role_name(account_role_kind_t kind)
{
    return (unsigned)kind < ACCOUNT_ROLE_COUNT ? role_names[kind] : NULL;
}

bool account_role_kind(const char *name, size_t len, account_role_kind_t *out)
{
    for (int k = 0; k < ACCOUNT_ROLE_COUNT; k++) {
        if (strlen(role_names[k]) == len && memcmp(role_names[k], name, len) == 0) {
            *out = (account_role_kind_t)k;
            return true;
        }
    }
    return false;
}

/* A site id as the configuration allows it: [a-z0-9-]{1,32}. */
static bool site_id_ok(const char *s, size_t n)
{
    if (n == 0 || n > ACCOUNT_SITE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

bool account_role_parse(const char *text, account_role_t *out, char *err, size_t errcap)
{
    *out = (account_role_t){0};
    size_t len = strlen(text);
    if (len >= ACCOUNT_ROLE_TEXT_MAX) {
        snprintf(err, errcap, "role is too long (at most %d characters: ROLE:SITE or "
                              "ROLE:SITE/*)", ACCOUNT_ROLE_TEXT_MAX - 1);
        return false;
    }
    const char *colon = memchr(text, ':', len);
    size_t nlen = colon ? (size_t)(colon - text) : len;
    if (!account_role_kind(text, nlen, &out->kind)) {
        snprintf(err, errcap, "unknown role '%.*s' (editor, reviewer, replier, site_admin, "
                              "cluster_admin)", (int)nlen, text);
        return false;
    }
    if (out->kind == ACCOUNT_ROLE_CLUSTER_ADMIN) {
        if (colon) {
            snprintf(err, errcap, "cluster_admin takes no site (it covers every site)");
            return false;
        }
        return true;
    }
    if (!colon) {
        snprintf(err, errcap, "role '%s' needs a site: %s:SITE or %s:SITE/*", text, text, text);
        return false;
    }
    const char *site = colon + 1;
    size_t slen = len - nlen - 1;
    /* Only a whole "/\*" at the end widens a role: "a*b", "*", "a/\*b" and "a/" are errors. */
    if (slen >= 2 && site[slen - 2] == '/' && site[slen - 1] == '*') {
        out->subtree = true;
        slen -= 2;
    }
    if (!site_id_ok(site, slen)) {
        snprintf(err, errcap, "bad site in role '%s': a site id is 1-%d of [a-z0-9-], "
                              "optionally followed by /* for the sites under it",
                 text, ACCOUNT_SITE_MAX);
        return false;
    }
    memcpy(out->site, site, slen);
    out->site[slen] = '\0';
    return true;
}

const char *account_role_format(const account_role_t *r, char buf[static ACCOUNT_ROLE_TEXT_MAX])
{
    const char *name = account_role_name(r->kind);
    if (!name)
        name = "?";
    if (r->kind == ACCOUNT_ROLE_CLUSTER_ADMIN)
        snprintf(buf, ACCOUNT_ROLE_TEXT_MAX, "%s", name);
    else
        snprintf(buf, ACCOUNT_ROLE_TEXT_MAX, "%s:%s%s", name, r->site, r->subtree ? "/*" : "");
    return buf;
}

bool account_role_check(const account_role_t *r, const conf_t *c)
{
    return r->kind == ACCOUNT_ROLE_CLUSTER_ADMIN || conf_site_find(c, r->site) != NULL;
}

bool account_role_equal(const account_role_t *a, const account_role_t *b)
{
    return a->kind == b->kind && a->subtree == b->subtree && strcmp(a->site, b->site) == 0;
}

/* Whether a role of kind `have` includes acting as `want`. */
static bool kind_covers(account_role_kind_t have, account_role_kind_t want)
{
    if (have == want || have == ACCOUNT_ROLE_CLUSTER_ADMIN)
        return true;
    return have == ACCOUNT_ROLE_SITE_ADMIN &&
           (want == ACCOUNT_ROLE_EDITOR || want == ACCOUNT_ROLE_REVIEWER ||
            want == ACCOUNT_ROLE_REPLIER);
}

bool account_role_allows(const account_role_t *r, account_role_kind_t want, const conf_t *c,
                         const char *site_id)
{
    if (!kind_covers(r->kind, want))
        return false;
    if (!site_id)
        return r->kind == ACCOUNT_ROLE_CLUSTER_ADMIN;
    const conf_site_t *s = conf_site_find(c, site_id);
    if (!s)
        return false;
    if (r->kind == ACCOUNT_ROLE_CLUSTER_ADMIN)
        return true;
    if (strcmp(s->id, r->site) == 0)
        return true;
    if (!r->subtree)
        return false;
    /* Up the parent links. conf_load refuses loops; the bound keeps a hand-built or broken
     * configuration from looping here all the same. */
    size_t steps = 0;
    for (const conf_site_t *p = s->parent; p && steps <= c->nsites; p = p->parent, steps++)
        if (strcmp(p->id, r->site) == 0)
            return true;
    return false;
}
