/* modules/lifecycle/lifecycle_conf.c: the lifecycle module's configuration (see
 * lifecycle_conf.h): reading a site's `status:` with the rules of that one file, the rules
 * across sites (migration targets, preview hosts), and what the request path needs,
 * derived once per configuration: each site's notices, its migration target as a URL, its
 * preview namespace, and the list of preview hosts. The configuration is immutable once
 * loaded, so the workers read all of it without a lock or a cache of their own. */
#include "lifecycle_conf.h"

#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "module.h"
#include "router.h"
#include "url.h"

static const lifecycle_conf_t active_site = {.state = LIFECYCLE_ACTIVE};
static const lifecycle_global_t no_previews = {0};

const lifecycle_conf_t *lifecycle_conf(const conf_site_t *s)
{
    const lifecycle_conf_t *lc = module_site_conf(s, &module_lifecycle);
    return lc ? lc : &active_site;
}

const lifecycle_global_t *lifecycle_global(const conf_t *c)
{
    const lifecycle_global_t *g = module_server_conf(c, &module_lifecycle);
    return g ? g : &no_previews;
}

static const char *const state_names[] = {"active", "redesign", "suspended", "closed"};

const char *lifecycle_state_name(lifecycle_state_t s)
{
    return (unsigned)s < UTIL_ARRAY_LEN(state_names) ? state_names[s] : "?";
}

/* The 基本信息表's 运行状态. */
const char *lifecycle_state_name_zh(lifecycle_state_t s)
{
    static const char *const names[] = {"正常运行", "改版中", "暂时关停", "永久关停"};
    return (unsigned)s < UTIL_ARRAY_LEN(names) ? names[s] : "?";
}

static int state_index(const char *s)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(state_names); i++)
        if (strcmp(s, state_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- reading `status:` ---- */

enum { SK_STATE, SK_FROM, SK_UNTIL, SK_REASON, SK_DATE, SK_MIGRATE, SK_PATHS, SK_GENERATION, SK_PREVIEW, SK_N };

#define ST(s) (1u << (s))
static const struct {
    const char *name;
    unsigned states; /* the states the key belongs to */
    bool required;
} status_keys[SK_N] = {
    [SK_STATE] = {"state", 0xf, true},
    [SK_FROM] = {"from", ST(LIFECYCLE_SUSPENDED), true},
    [SK_UNTIL] = {"until", ST(LIFECYCLE_SUSPENDED), true},
    [SK_REASON] = {"reason", ST(LIFECYCLE_SUSPENDED) | ST(LIFECYCLE_CLOSED), false},
    [SK_DATE] = {"date", ST(LIFECYCLE_CLOSED), true},
    [SK_MIGRATE] = {"migrate_to", ST(LIFECYCLE_CLOSED), true},
    [SK_PATHS] = {"paths", ST(LIFECYCLE_CLOSED), false},
    [SK_GENERATION] = {"generation", ST(LIFECYCLE_REDESIGN), true},
    [SK_PREVIEW] = {"preview_host", ST(LIFECYCLE_REDESIGN), false},
};

static void status_paths(conf_ctx_t *x, lifecycle_conf_t *st, const yaml_dom_node_t *v)
{
    if (v->kind != YAML_DOM_MAPPING) {
        conf_err(x, v, "'status.paths' must be a mapping of old path to new path or URL, not a %s",
                 yaml_dom_is_null(v) ? "null" : yaml_dom_kind_name(v));
        return;
    }
    st->paths = util_calloc(v->npairs + 1, sizeof *st->paths);
    for (size_t i = 0; i < v->npairs; i++) {
        const yaml_dom_node_t *from = v->pairs[i].key, *to = v->pairs[i].value;
        if (from->str[0] != '/') {
            conf_err(x, from, "'status.paths' key '%s' must be an old path starting with '/'", from->str);
            continue;
        }
        const char *t = conf_str(x, to, "status.paths", "a new path or URL");
        if (!t)
            continue;
        if (t[0] != '/' && !conf_is_url(t)) {
            conf_err(x, to, "'status.paths' target '%s' must be a path starting with '/' or an http(s) URL", t);
            continue;
        }
        st->paths[st->npaths].from = util_strdup(from->str);
        st->paths[st->npaths].to = util_strdup(t);
        st->npaths++;
    }
}

static void read_suspension(conf_ctx_t *x, lifecycle_conf_t *st, const yaml_dom_node_t **nodes)
{
    int64_t from = 0, until = 0;
    bool have_from = nodes[SK_FROM] && conf_date(x, nodes[SK_FROM], "status.from", &from) == 0;
    bool have_until = nodes[SK_UNTIL] && conf_date(x, nodes[SK_UNTIL], "status.until", &until) == 0;
    if (have_from)
        st->from = util_strdup(nodes[SK_FROM]->str);
    if (have_until)
        st->until = util_strdup(nodes[SK_UNTIL]->str);
    if (nodes[SK_REASON])
        st->reason = conf_strdup(x, nodes[SK_REASON], "status.reason");
    else
        conf_err_at(x, st->pos, "a suspended site needs 'status.reason'");
    if (!have_from || !have_until)
        return;
    int64_t days = until - from;
    if (days < 0)
        conf_err(x, nodes[SK_UNTIL], "status.until %s is before status.from %s", st->until, st->from);
    else if (days > LIFECYCLE_SUSPENSION_MAX_DAYS)
        conf_err(x, nodes[SK_UNTIL], "suspension longer than %d days (%lld days)",
                 LIFECYCLE_SUSPENSION_MAX_DAYS, (long long)days);
    /* whether `until` has passed is lifecycle_site_check's */
    st->until_pos = conf_pos(x, nodes[SK_UNTIL]);
    st->until_days = until;
}

static void read_closure(conf_ctx_t *x, lifecycle_conf_t *st, const yaml_dom_node_t **nodes)
{
    int64_t days;
    if (nodes[SK_DATE] && conf_date(x, nodes[SK_DATE], "status.date", &days) == 0)
        st->date = util_strdup(nodes[SK_DATE]->str);
    if (nodes[SK_REASON])
        st->reason = conf_strdup(x, nodes[SK_REASON], "status.reason");
    if (nodes[SK_PATHS])
        status_paths(x, st, nodes[SK_PATHS]);
    const yaml_dom_node_t *m = nodes[SK_MIGRATE];
    if (!m)
        return;
    const char *t = conf_str(x, m, "status.migrate_to", "a site id or an http(s) URL");
    if (!t)
        return;
    if (!conf_is_slug(t) && !conf_is_url(t)) {
        conf_err(x, m, "status.migrate_to '%s' must be a site id or an absolute http(s) URL", t);
        return;
    }
    st->migrate_to = util_strdup(t);
    st->migrate_pos = conf_pos(x, m);
}

static void read_redesign(conf_ctx_t *x, lifecycle_conf_t *st, const yaml_dom_node_t **nodes)
{
    const yaml_dom_node_t *g = nodes[SK_GENERATION], *p = nodes[SK_PREVIEW];
    const char *t;
    if (g && (t = conf_str(x, g, "status.generation", "a generation name (slug)"))) {
        if (conf_is_slug(t))
            st->generation = util_strdup(t);
        else
            conf_err(x, g, "status.generation '%s' is not a slug (a-z, 0-9 and '-', up to 32)", t);
    }
    if (p && (t = conf_str(x, p, "status.preview_host", "a host name"))) {
        char *h = util_strdup(t);
        const char *why = conf_host_check(h);
        if (why) {
            conf_err(x, p, "status.preview_host '%s': %s", t, why);
            free(h);
        } else {
            st->preview_host = h;
            st->preview_pos = conf_pos(x, p);
        }
    }
}

/* `status: active`, or a mapping with `state` and the keys of that state. */
static void key_status(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    lifecycle_conf_t *st = obj;
    st->pos = conf_pos(x, v);
    if (v->kind == YAML_DOM_SCALAR) {
        if (strcmp(v->str, "active") == 0)
            return;
        if (state_index(v->str) > 0)
            conf_err(x, v, "status '%s' needs its details: write status: {state: %s, ...}", v->str, v->str);
        else
            conf_err(x, v, "'status' must be active or a mapping with 'state', not '%s'", v->str);
        return;
    }
    if (v->kind != YAML_DOM_MAPPING) {
        conf_err(x, v, "'status' must be active or a mapping with 'state', not a list");
        return;
    }
    const yaml_dom_node_t *nodes[SK_N] = {NULL}, *keys[SK_N] = {NULL};
    for (size_t i = 0; i < v->npairs; i++) {
        const char *name = v->pairs[i].key->str;
        size_t j = 0;
        while (j < SK_N && strcmp(status_keys[j].name, name) != 0)
            j++;
        if (j == SK_N) {
            const char *names[SK_N];
            for (size_t m = 0; m < SK_N; m++)
                names[m] = status_keys[m].name;
            const char *near = conf_suggest(name, names, SK_N);
            if (near)
                conf_err(x, v->pairs[i].key, "unknown key '%s' in 'status'; did you mean '%s'?", name, near);
            else
                conf_err(x, v->pairs[i].key, "unknown key '%s' in 'status'", name);
            continue;
        }
        keys[j] = v->pairs[i].key;
        nodes[j] = v->pairs[i].value;
    }
    if (!nodes[SK_STATE]) {
        conf_err(x, v, "missing required key 'state' in 'status'");
        return;
    }
    const char *state = conf_str(x, nodes[SK_STATE], "status.state", "active, redesign, suspended or closed");
    if (!state)
        return;
    int si = state_index(state);
    if (si < 0) {
        conf_err(x, nodes[SK_STATE], "unknown state '%s' (expected active, redesign, suspended or closed)", state);
        return;
    }
    st->state = (lifecycle_state_t)si;
    for (int j = 1; j < SK_N; j++) {
        if (keys[j] && !(status_keys[j].states & ST(si))) {
            conf_err(x, keys[j], "'status.%s' does not apply to a site in state %s", status_keys[j].name, state);
            nodes[j] = NULL;
        } else if (!keys[j] && status_keys[j].required && (status_keys[j].states & ST(si))) {
            conf_err(x, v, "a %s site needs 'status.%s'", state, status_keys[j].name);
        }
    }
    if (si == LIFECYCLE_SUSPENDED)
        read_suspension(x, st, nodes);
    else if (si == LIFECYCLE_CLOSED)
        read_closure(x, st, nodes);
    else if (si == LIFECYCLE_REDESIGN)
        read_redesign(x, st, nodes);
}

const conf_key_t lifecycle_site_keys[LIFECYCLE_NSITE_KEYS] = {
    {"status", CONF_K_FN, 0, key_status, false, 0},
};

void lifecycle_site_conf_free(void *slot)
{
    lifecycle_conf_t *st = slot;
    free(st->from);
    free(st->until);
    free(st->reason);
    free(st->date);
    free(st->migrate_to);
    for (size_t i = 0; i < st->npaths; i++) {
        free(st->paths[i].from);
        free(st->paths[i].to);
    }
    free(st->paths);
    free(st->generation);
    free(st->preview_host);
    util_buf_free(&st->notice);
    util_buf_free(&st->overdue);
    util_buf_free(&st->target);
    free(st->preview_ns);
}

void lifecycle_server_conf_free(void *slot)
{
    free(((lifecycle_global_t *)slot)->previews);
}

/* A suspension past its `until` loads (the notice says the site is being restored), but
 * the operator is told at every check and reload. */
void lifecycle_site_check(conf_ctx_t *x, const conf_site_t *s, void *slot)
{
    const lifecycle_conf_t *st = slot;
    if (st && st->state == LIFECYCLE_SUSPENDED && st->until_pos.line && st->until_days < x->today)
        conf_warn_at(x, st->until_pos, "suspension overdue since %s", st->until);
}

/* ---- rules across sites ---- */

static bool site_exists(const conf_t *c, const char *id)
{
    for (size_t i = 0; i < c->nsites; i++)
        if (strcmp(c->sites[i].id, id) == 0)
            return true;
    return false;
}

static void check_migration(conf_ctx_t *x)
{
    const conf_t *c = x->c;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        const lifecycle_conf_t *st = lifecycle_conf(s);
        const char *t = st->migrate_to;
        if (st->state != LIFECYCLE_CLOSED || !t || conf_is_url(t))
            continue;
        if (strcmp(t, s->id) == 0)
            conf_err_at(x, st->migrate_pos, "status.migrate_to names the closed site itself");
        else if (!site_exists(c, t))
            conf_err_at(x, st->migrate_pos, "status.migrate_to '%s' is not a site in this cluster", t);
    }
}

/* A host name claimed in some site file: a host, an alias or a preview host. */
typedef struct claim {
    const char *host;
    size_t site; /* file order */
    size_t seq;  /* order within the site: hosts, aliases, then the preview host */
    conf_pos_t pos;
    bool preview;
} claim_t;

static int cmp_claim(const void *a, const void *b)
{
    const claim_t *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    if (!c)
        c = x->site < y->site ? -1 : x->site > y->site;
    if (!c)
        c = x->seq < y->seq ? -1 : x->seq > y->seq;
    return c;
}

/* A preview host answers for one site only, so no other site's host, alias or preview
 * host may be the same name. Core checks hosts and aliases among themselves; the clashes
 * that involve a preview host are reported here in the same words, at the later claim in
 * file order, each claim against the one before it. A host after a preview host that
 * follows another host or alias of the same name has core's error already (against that
 * one), so it gets no second. */
static void check_preview_hosts(conf_ctx_t *x)
{
    const conf_t *c = x->c;
    size_t npreviews = 0, total = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        bool p = lifecycle_conf(s)->preview_host != NULL;
        npreviews += p;
        total += s->nhosts + s->naliases + p;
    }
    if (!npreviews)
        return;
    claim_t *cl = util_calloc(total, sizeof *cl);
    size_t n = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        const lifecycle_conf_t *st = lifecycle_conf(s);
        size_t seq = 0;
        for (size_t h = 0; h < s->nhosts; h++)
            cl[n++] = (claim_t){s->hosts[h], i, seq++, s->host_pos[h], false};
        for (size_t h = 0; h < s->naliases; h++)
            cl[n++] = (claim_t){s->aliases[h], i, seq++, s->alias_pos[h], false};
        if (st->preview_host)
            cl[n++] = (claim_t){st->preview_host, i, seq++, st->preview_pos, true};
    }
    qsort(cl, n, sizeof *cl, cmp_claim);
    bool host_before = false; /* a host or alias of this name before cl[k - 1] */
    for (size_t k = 1; k < n; k++) {
        const claim_t *a = &cl[k - 1], *b = &cl[k];
        if (strcmp(a->host, b->host) != 0) {
            host_before = false;
            continue;
        }
        bool core_reports = !b->preview && (!a->preview || host_before);
        host_before |= !a->preview;
        if (core_reports)
            continue;
        if (a->site == b->site)
            conf_err_at(x, b->pos, "host '%s' is listed twice in this site (first at line %d)", b->host,
                        a->pos.line);
        else
            conf_err_at(x, b->pos, "host '%s' is already claimed by site '%s' (%s:%d)", b->host,
                        c->sites[a->site].id, a->pos.file, a->pos.line);
    }
    free(cl);
}

void lifecycle_conf_check(conf_ctx_t *x)
{
    check_preview_hosts(x);
    check_migration(x);
}

/* ---- derived once per configuration ---- */

/* Both notices of a suspension (a configuration can outlive `until` without a reload);
 * a closure's notice and its target as "host/prefix" or a URL; a redesign's namespace. */
static void derive_site(const conf_t *c, const conf_site_t *s, lifecycle_conf_t *st)
{
    switch (st->state) {
    case LIFECYCLE_ACTIVE:
        break;
    case LIFECYCLE_SUSPENDED:
        lifecycle_render_notice(s, st, NULL, false, &st->notice);
        lifecycle_render_notice(s, st, NULL, true, &st->overdue);
        st->until_time = lifecycle_until_time(st->until);
        httpdate_format(st->until_time, st->retry_date);
        break;
    case LIFECYCLE_CLOSED: {
        const conf_site_t *ts = NULL;
        if (st->migrate_to && !strchr(st->migrate_to, ':'))
            ts = conf_site_find(c, st->migrate_to);
        if (ts) {
            /* the target's canonical place, as the router has it */
            router_site_t target = {.site = ts};
            target.canon_prefix = router_canonical(ts, &target.canon_host);
            target.canon_prefix_len = strlen(target.canon_prefix);
            lifecycle_render_notice(s, st, &target, false, &st->notice);
            util_buf_appends(&st->target, target.canon_host ? target.canon_host : "");
            url_append_path(&st->target, target.canon_prefix, target.canon_prefix_len - 1);
            free(target.canon_prefix);
        } else {
            lifecycle_render_notice(s, st, NULL, false, &st->notice);
            if (st->migrate_to) {
                size_t n = strlen(st->migrate_to);
                while (n > 0 && st->migrate_to[n - 1] == '/')
                    n--;
                util_buf_append(&st->target, st->migrate_to, n);
                st->target_is_url = true;
            }
        }
        break;
    }
    case LIFECYCLE_REDESIGN:
        if (st->generation)
            st->preview_ns = util_asprintf("%s@%s", s->id, st->generation);
        break;
    }
}

void lifecycle_conf_ready(conf_t *c)
{
    lifecycle_global_t *g = module_server_conf(c, &module_lifecycle);
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        lifecycle_conf_t *st = module_site_conf(s, &module_lifecycle);
        if (!st)
            continue;
        derive_site(c, s, st);
        if (g && st->state == LIFECYCLE_REDESIGN && st->generation && st->preview_host) {
            if (!g->previews)
                g->previews = util_calloc(c->nsites, sizeof *g->previews);
            g->previews[g->npreviews++] =
                (lifecycle_preview_t){st->preview_host, strlen(st->preview_host), i};
        }
    }
}
