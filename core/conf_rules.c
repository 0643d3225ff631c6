/* core/conf_rules.c: the rules that involve more than one site file: unique ids, exactly
 * one portal, parents that exist and do not loop, hosts and mount paths claimed once (also
 * the same URL reached through different parents),
 * reachable subsites (the modules' rules across sites run after these: conf_modules.c).
 * Each error points at the offending value and names the other file:line, so
 * an operator sees both sides of a conflict. Sorting keeps a large cluster O(n log n). */
#include "conf_rules.h"

#include "conf_priv.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct rules {
    conf_ctx_t *x;
    conf_site_t *sites; /* file order */
    size_t n;
    size_t *by_id; /* indices sorted by (id, file order) */
} rules_t;

/* qsort_r keeps two loads in different threads (a reload while jiyuectl checks) apart */
static int cmp_by_id(const void *a, const void *b, void *arg)
{
    const conf_site_t *sites = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(sites[i].id, sites[j].id);
    return c ? c : (i < j ? -1 : i > j);
}

/* Index of the first site (in file order) with this id, or -1. */
static long find(const rules_t *r, const char *id)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(r->sites[r->by_id[mid]].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->n && strcmp(r->sites[r->by_id[lo]].id, id) == 0)
        return (long)r->by_id[lo];
    return -1;
}

static conf_pos_t site_pos(const conf_site_t *s)
{
    return s->id_pos.line ? s->id_pos : s->pos;
}

static void check_ids(rules_t *r)
{
    for (size_t k = 1; k < r->n; k++) {
        const conf_site_t *a = &r->sites[r->by_id[k - 1]], *b = &r->sites[r->by_id[k]];
        if (strcmp(a->id, b->id) == 0)
            conf_err_at(r->x, b->id_pos, "duplicate site id '%s' (also in %s:%d)", b->id,
                        a->id_pos.file, a->id_pos.line);
    }
}

static void check_portal(rules_t *r)
{
    const conf_site_t *portal = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        if (!s->kind_pos.line || s->kind != SITE_PORTAL)
            continue;
        if (portal) {
            conf_err_at(r->x, s->kind_pos, "a second portal: there is exactly one, '%s' (%s:%d)",
                        portal->id, portal->kind_pos.file, portal->kind_pos.line);
            continue;
        }
        portal = s;
        if (s->nhosts == 0 && !conf_site_misspelt(s, "mount"))
            conf_err_at(r->x, s->mount_pos.line ? s->mount_pos : s->kind_pos,
                        "the portal needs at least one host (mount.hosts)");
        if (s->mount_path)
            conf_err_at(r->x, s->path_pos, "the portal has no mount path: it is served at / of its hosts");
    }
    /* with broken files the portal may be among them: do not pile a guess on top */
    if (!portal && r->x->nbroken == 0)
        conf_err_at(r->x, r->x->sites_pos, "no site of kind portal in '%s': exactly one is needed",
                    r->x->c->sites_dir);
}

static void check_reachable(rules_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        if (s->kind_pos.line && s->kind != SITE_PORTAL && !s->mount_path && s->nhosts == 0 &&
            !conf_site_misspelt(s, "mount"))
            conf_err_at(r->x, s->mount_pos.line ? s->mount_pos : site_pos(s),
                        "site '%s' is unreachable: give it mount.path and/or mount.hosts", s->id);
    }
}

static void check_parents(rules_t *r)
{
    unsigned char *mark = util_calloc(r->n + 1, 1);
    size_t *stamp = util_calloc(r->n + 1, sizeof *stamp);
    long *parent = util_calloc(r->n + 1, sizeof *parent);
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        parent[i] = s->parent_id ? find(r, s->parent_id) : -1;
        if (s->parent_id && parent[i] < 0)
            conf_err_at(r->x, s->parent_pos, "parent '%s' does not exist (no site file has id: %s)",
                        s->parent_id, s->parent_id);
    }
    for (size_t i = 0; i < r->n; i++) {
        long j = (long)i;
        while (j >= 0 && mark[j] == 0) {
            mark[j] = 1;
            stamp[j] = i;
            j = parent[j];
        }
        if (j >= 0 && mark[j] == 1 && stamp[j] == i) {
            util_buf_t b = {0};
            long k = j;
            for (size_t steps = 0; steps <= r->n; steps++) {
                util_buf_printf(&b, "%s -> ", r->sites[k].id);
                k = parent[k];
                if (k == j)
                    break;
            }
            util_buf_appends(&b, r->sites[j].id);
            conf_err_at(r->x, r->sites[j].parent_pos, "parents form a loop: %s", b.data);
            util_buf_free(&b);
        }
        for (j = (long)i; j >= 0 && mark[j] == 1; j = parent[j])
            mark[j] = 2;
    }
    free(mark);
    free(stamp);
    free(parent);
}

/* ---- hosts and mount paths claimed once ---- */

typedef struct claim {
    const char *key;  /* host, or mount path */
    const char *key2; /* parent id for mount paths, "" for hosts */
    size_t site;      /* file order */
    size_t seq;       /* order within the site */
    conf_pos_t pos;
} claim_t;

static int cmp_claim(const void *a, const void *b)
{
    const claim_t *x = a, *y = b;
    int c = strcmp(x->key2, y->key2);
    if (!c)
        c = strcmp(x->key, y->key);
    if (!c)
        c = x->site < y->site ? -1 : x->site > y->site;
    if (!c)
        c = x->seq < y->seq ? -1 : x->seq > y->seq;
    return c;
}

static void check_hosts(rules_t *r)
{
    size_t n = 0, cap = 0;
    claim_t *cl = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        size_t total = s->nhosts + s->naliases + 1;
        if (n + total > cap) {
            cap = (n + total) * 2;
            cl = util_realloc(cl, cap * sizeof *cl);
        }
        size_t seq = 0;
        for (size_t h = 0; h < s->nhosts; h++)
            cl[n++] = (claim_t){s->hosts[h], "", i, seq++, s->host_pos[h]};
        for (size_t h = 0; h < s->naliases; h++)
            cl[n++] = (claim_t){s->aliases[h], "", i, seq++, s->alias_pos[h]};
    }
    if (n > 1)
        qsort(cl, n, sizeof *cl, cmp_claim);
    for (size_t k = 1; k < n; k++) {
        const claim_t *a = &cl[k - 1], *b = &cl[k];
        if (strcmp(a->key, b->key) != 0)
            continue;
        if (a->site == b->site)
            conf_err_at(r->x, b->pos, "host '%s' is listed twice in this site (first at line %d)", b->key,
                        a->pos.line);
        else
            conf_err_at(r->x, b->pos, "host '%s' is already claimed by site '%s' (%s:%d)", b->key,
                        r->sites[a->site].id, a->pos.file, a->pos.line);
    }
    free(cl);
}

static void check_mount_paths(rules_t *r)
{
    claim_t *cl = util_calloc(r->n + 1, sizeof *cl);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        if (s->mount_path && s->parent_id)
            cl[n++] = (claim_t){s->mount_path, s->parent_id, i, 0, s->path_pos};
    }
    if (n > 1)
        qsort(cl, n, sizeof *cl, cmp_claim);
    for (size_t k = 1; k < n; k++) {
        const claim_t *a = &cl[k - 1], *b = &cl[k];
        if (strcmp(a->key, b->key) == 0 && strcmp(a->key2, b->key2) == 0)
            conf_err_at(r->x, b->pos, "mount path '%s' under '%s' is already used by site '%s' (%s:%d)",
                        b->key, b->key2, r->sites[a->site].id, a->pos.file, a->pos.line);
    }
    free(cl);
}

/* The URL prefix site i answers at below its nearest ancestor that is not path-mounted
 * (the portal, or a site reached by its own host names only): "/a/b/" for a site mounted
 * at "/b/" under one mounted at "/a/". *root is that ancestor. False when the chain is
 * broken or too deep (check_parents reports those). The caller frees *out. */
#define MAX_MOUNT_DEPTH 32
static bool full_prefix(const rules_t *r, size_t i, char **out, size_t *root)
{
    const char *parts[MAX_MOUNT_DEPTH];
    size_t np = 0, len = 1, cur = i;
    while (r->sites[cur].mount_path && r->sites[cur].parent_id) {
        long p = find(r, r->sites[cur].parent_id);
        if (np == MAX_MOUNT_DEPTH || p < 0)
            return false;
        parts[np++] = r->sites[cur].mount_path + 1; /* "b/" of "/b/" */
        len += strlen(parts[np - 1]);
        cur = (size_t)p;
    }
    char *buf = util_malloc(len + 1), *w = buf;
    *w++ = '/';
    while (np > 0) {
        size_t n = strlen(parts[--np]);
        memcpy(w, parts[np], n);
        w += n;
    }
    *w = '\0';
    *out = buf;
    *root = cur;
    return true;
}

/* Two sites mounted under different parents can still meet at one URL ("/a/" + "b/" under
 * the portal, and "/a/b/" straight under it): the router could serve only one of them.
 * Siblings with the same path are check_mount_paths' to report. */
static void check_full_paths(rules_t *r)
{
    claim_t *cl = util_calloc(r->n + 1, sizeof *cl);
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const conf_site_t *s = &r->sites[i];
        char *full;
        size_t root;
        if (s->mount_path && s->parent_id && full_prefix(r, i, &full, &root))
            cl[n++] = (claim_t){full, r->sites[root].id, i, 0, s->path_pos};
    }
    if (n > 1)
        qsort(cl, n, sizeof *cl, cmp_claim);
    for (size_t k = 1; k < n; k++) {
        const claim_t *a = &cl[k - 1], *b = &cl[k];
        const conf_site_t *sa = &r->sites[a->site], *sb = &r->sites[b->site];
        if (strcmp(a->key, b->key) != 0 || strcmp(a->key2, b->key2) != 0 ||
            (strcmp(sa->parent_id, sb->parent_id) == 0 && strcmp(sa->mount_path, sb->mount_path) == 0))
            continue;
        conf_err_at(r->x, b->pos,
                    "site '%s' would answer at %s under '%s', where site '%s' already does (%s:%d)",
                    sb->id, b->key, b->key2, sa->id, a->pos.file, a->pos.line);
    }
    for (size_t k = 0; k < n; k++)
        free((char *)cl[k].key);
    free(cl);
}

void conf_rules_check(conf_ctx_t *x)
{
    rules_t r = {.x = x, .sites = x->c->sites, .n = x->c->nsites};
    r.by_id = util_calloc(r.n + 1, sizeof *r.by_id);
    for (size_t i = 0; i < r.n; i++)
        r.by_id[i] = i;
    if (r.n > 1)
        qsort_r(r.by_id, r.n, sizeof *r.by_id, cmp_by_id, r.sites);

    check_ids(&r);
    check_portal(&r);
    check_reachable(&r);
    check_parents(&r);
    check_mount_paths(&r);
    check_full_paths(&r);
    check_hosts(&r);
    free(r.by_id);
}
