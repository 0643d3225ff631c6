/* core/conf_site.c: reads one site file (sites.d/NAME.yaml) into a conf_site_t and checks what can
 * be checked inside that file alone: the keys and their types, slugs, mount paths, host
 * names, the status rules (suspension dates and their 183-day limit, closure needs a
 * migration target, redesign needs a generation) and unique column ids. Rules that need
 * other files (parents, duplicate hosts) are in conf_rules.c. */
#include "conf_site.h"

#include "conf_priv.h"
#include "tls.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_COLUMNS 1000

static void key_id(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    const char *id = conf_str(x, v, "id", "a site id");
    if (!id)
        return;
    if (!conf_is_slug(id)) {
        conf_err(x, v, "site id '%s' is not a slug: 1 to 32 of a-z, 0-9 and '-', not starting with '-'", id);
        return;
    }
    s->id = util_strdup(id);
    s->id_pos = conf_pos(x, v);
}

static int enum_index(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

static const char *const kind_names[] = {"portal", "department", "county", "township", "village"};
static const char *const state_names[] = {"active", "redesign", "suspended", "closed"};
static const char *const type_names[] = {"dynamic", "notice", "policy", "personnel", "plan", "interaction", "static"};

static void key_kind(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    const char *kind = conf_str(x, v, "kind", "portal, department, county, township or village");
    if (!kind)
        return;
    int i = enum_index(kind, kind_names, UTIL_ARRAY_LEN(kind_names));
    if (i < 0) {
        conf_err(x, v, "unknown kind '%s' (expected portal, department, county, township or village)", kind);
        return;
    }
    s->kind = (conf_site_kind_t)i;
    s->kind_pos = conf_pos(x, v);
}

static void key_parent(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    const char *p = conf_str(x, v, "parent", "a site id");
    s->parent_pos = conf_pos(x, v); /* even when wrong: the key was given */
    if (!p)
        return;
    if (!conf_is_slug(p)) {
        conf_err(x, v, "parent '%s' is not a site id (a slug of a-z, 0-9 and '-')", p);
        return;
    }
    s->parent_id = util_strdup(p);
}

/* "/edu/", "/dept/edu-2/": segments of [a-z0-9_-], no empty or dot segments. */
static const char *mount_path_check(const char *p)
{
    size_t n = strlen(p);
    if (p[0] != '/' || p[n - 1] != '/')
        return "must start and end with '/', e.g. /edu/";
    if (n == 1)
        return "must name a folder below the parent, not '/'";
    if (strstr(p, "//"))
        return "must not contain '//'";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '.')
            return "must not contain '.' (no dot segments)";
        if (!(islower(ch) || isdigit(ch) || ch == '-' || ch == '_' || ch == '/'))
            return "may only contain a-z, 0-9, '-', '_' and '/'";
    }
    return NULL;
}

static void key_path(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    const char *p = conf_str(x, v, "mount.path", "a path such as /edu/");
    if (!p)
        return;
    const char *why = mount_path_check(p);
    if (why) {
        conf_err(x, v, "mount path '%s' %s", p, why);
        return;
    }
    s->mount_path = util_strdup(p);
    s->path_pos = conf_pos(x, v);
}

/* Reads a list of host names, dropping (after reporting) the invalid ones. */
static char **host_list(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, size_t *n,
                        conf_pos_t **pos)
{
    char **list = conf_str_list(x, v, name, n, pos);
    if (!list)
        return NULL;
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *why = conf_host_check(list[i]);
        if (why) {
            conf_err_at(x, (*pos)[i], "%s '%s': %s", name, list[i], why);
            free(list[i]);
            continue;
        }
        (*pos)[out] = (*pos)[i];
        list[out++] = list[i];
    }
    *n = out;
    return list;
}

static void key_hosts(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->hosts = host_list(x, v, "mount.hosts", &s->nhosts, &s->host_pos);
}

static void key_aliases(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->aliases = host_list(x, v, "mount.aliases", &s->naliases, &s->alias_pos);
}

static const conf_key_t mount_keys[] = {
    {"path", CONF_K_FN, 0, key_path, false, 0},
    {"hosts", CONF_K_FN, 0, key_hosts, false, 0},
    {"aliases", CONF_K_FN, 0, key_aliases, false, 0},
};

static void key_mount(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->mount_pos = conf_pos(x, v);
    conf_walk(x, v, "mount", mount_keys, UTIL_ARRAY_LEN(mount_keys), s);
}

static const conf_key_t reg_keys[] = {
    {"site_code", CONF_K_STR, offsetof(conf_registration_t, site_code), NULL, false, 0},
    {"icp", CONF_K_STR, offsetof(conf_registration_t, icp), NULL, false, 0},
    {"police", CONF_K_STR, offsetof(conf_registration_t, police), NULL, false, 0},
    {"organizer", CONF_K_STR, offsetof(conf_registration_t, organizer), NULL, false, 0},
    {"contact", CONF_K_STR, offsetof(conf_registration_t, contact), NULL, false, 0},
};

static void key_registration(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->reg.pos = s->reg_pos = conf_pos(x, v);
    if (!conf_walk(x, v, "registration", reg_keys, UTIL_ARRAY_LEN(reg_keys), &s->reg))
        return;
    s->reg_misspelt = x->misspelt;
    const yaml_dom_node_t *n;
    if (s->reg.site_code && (n = yaml_dom_get(v, "site_code")))
        s->reg.site_code_pos = conf_pos(x, n);
    if (s->reg.icp && (n = yaml_dom_get(v, "icp")))
        s->reg.icp_pos = conf_pos(x, n);
    if (s->reg.police && (n = yaml_dom_get(v, "police")))
        s->reg.police_pos = conf_pos(x, n);
    const char *code = s->reg.site_code;
    if (code) {
        bool ok = strlen(code) == 10;
        for (size_t i = 0; ok && code[i]; i++)
            ok = isalnum((unsigned char)code[i]);
        if (!ok)
            conf_err(x, yaml_dom_get(v, "site_code"),
                     "registration.site_code '%s' must be 10 letters or digits (网站标识码, e.g. 6210000001)", code);
    }
}

/* ---- status ---- */

enum { SK_STATE, SK_FROM, SK_UNTIL, SK_REASON, SK_DATE, SK_MIGRATE, SK_PATHS, SK_GENERATION, SK_PREVIEW, SK_N };

#define ST(s) (1u << (s))
static const struct {
    const char *name;
    unsigned states; /* the states the key belongs to */
    bool required;
} status_keys[SK_N] = {
    [SK_STATE] = {"state", 0xf, true},
    [SK_FROM] = {"from", ST(STATUS_SUSPENDED), true},
    [SK_UNTIL] = {"until", ST(STATUS_SUSPENDED), true},
    [SK_REASON] = {"reason", ST(STATUS_SUSPENDED) | ST(STATUS_CLOSED), false},
    [SK_DATE] = {"date", ST(STATUS_CLOSED), true},
    [SK_MIGRATE] = {"migrate_to", ST(STATUS_CLOSED), true},
    [SK_PATHS] = {"paths", ST(STATUS_CLOSED), false},
    [SK_GENERATION] = {"generation", ST(STATUS_REDESIGN), true},
    [SK_PREVIEW] = {"preview_host", ST(STATUS_REDESIGN), false},
};

static void status_paths(conf_ctx_t *x, conf_status_t *st, const yaml_dom_node_t *v)
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

static void read_suspension(conf_ctx_t *x, conf_status_t *st, const yaml_dom_node_t **nodes)
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
    else if (days > CONF_SUSPENSION_MAX_DAYS)
        conf_err(x, nodes[SK_UNTIL], "suspension longer than %d days (%lld days)",
                 CONF_SUSPENSION_MAX_DAYS, (long long)days);
    if (until < x->today)
        conf_warn_at(x, conf_pos(x, nodes[SK_UNTIL]), "suspension overdue since %s", st->until);
}

static void read_closure(conf_ctx_t *x, conf_site_t *s, const yaml_dom_node_t **nodes)
{
    conf_status_t *st = &s->status;
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
    s->migrate_pos = conf_pos(x, m);
}

static void read_redesign(conf_ctx_t *x, conf_site_t *s, const yaml_dom_node_t **nodes)
{
    conf_status_t *st = &s->status;
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
            s->preview_pos = conf_pos(x, p);
        }
    }
}

static void key_status(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    conf_status_t *st = &s->status;
    st->pos = conf_pos(x, v);
    if (v->kind == YAML_DOM_SCALAR) {
        if (strcmp(v->str, "active") == 0)
            return;
        if (enum_index(v->str, state_names, UTIL_ARRAY_LEN(state_names)) > 0)
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
    int si = enum_index(state, state_names, UTIL_ARRAY_LEN(state_names));
    if (si < 0) {
        conf_err(x, nodes[SK_STATE], "unknown state '%s' (expected active, redesign, suspended or closed)", state);
        return;
    }
    st->state = (conf_status_state_t)si;
    for (int j = 1; j < SK_N; j++) {
        if (keys[j] && !(status_keys[j].states & ST(si))) {
            conf_err(x, keys[j], "'status.%s' does not apply to a site in state %s", status_keys[j].name, state);
            nodes[j] = NULL;
        } else if (!keys[j] && status_keys[j].required && (status_keys[j].states & ST(si))) {
            conf_err(x, v, "a %s site needs 'status.%s'", state, status_keys[j].name);
        }
    }
    if (si == STATUS_SUSPENDED)
        read_suspension(x, st, nodes);
    else if (si == STATUS_CLOSED)
        read_closure(x, s, nodes);
    else if (si == STATUS_REDESIGN)
        read_redesign(x, s, nodes);
}

/* ---- columns ---- */

static void col_id(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_column_t *col = obj;
    const char *id = conf_str(x, v, "columns.id", "a column id");
    if (!id)
        return;
    if (!conf_is_slug(id)) {
        conf_err(x, v, "column id '%s' is not a slug: 1 to 32 of a-z, 0-9 and '-'", id);
        return;
    }
    col->id = util_strdup(id);
    col->pos = conf_pos(x, v);
}

static void col_type(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_column_t *col = obj;
    const char *t = conf_str(x, v, "columns.type", "a column type");
    if (!t)
        return;
    int i = enum_index(t, type_names, UTIL_ARRAY_LEN(type_names));
    if (i < 0)
        conf_err(x, v, "unknown column type '%s' (expected dynamic, notice, policy, personnel, plan, "
                       "interaction or static)", t);
    else
        col->type = (conf_column_type_t)i;
}

/* A string, or a list of strings joined with ", " (operators write both). */
static void col_keywords(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_column_t *col = obj;
    if (v->kind != YAML_DOM_SEQUENCE) {
        col->keywords = util_strdup(conf_str(x, v, "columns.keywords", "a string or a list of strings"));
        return;
    }
    size_t n;
    char **list = conf_str_list(x, v, "columns.keywords", &n, NULL);
    util_buf_t b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            util_buf_appends(&b, ", ");
        util_buf_appends(&b, list[i]);
    }
    col->keywords = b.data ? b.data : util_strdup("");
    conf_str_list_free(list, n);
}

/* `folder: /news/tzgg/`: where an imported old site keeps the column's items (the audit
 * and the census count the pages below it). A path below the site's mount, written as
 * stored (decoded): starts and ends with '/', no empty, '.' or '..' segments. */
static void col_folder(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_column_t *col = obj;
    const char *f = conf_str(x, v, "columns.folder", "a folder such as /news/tzgg/");
    if (!f)
        return;
    size_t n = strlen(f);
    const char *why = NULL;
    if (n < 3 || f[0] != '/' || f[n - 1] != '/')
        why = "must start and end with '/' and name a folder below the site, e.g. /news/tzgg/";
    else if (n > 255)
        why = "is longer than 255 bytes";
    else if (strstr(f, "//") || strstr(f, "/./") || strstr(f, "/../"))
        why = "must not contain empty, '.' or '..' segments";
    for (size_t i = 0; !why && i < n; i++) {
        unsigned char ch = (unsigned char)f[i];
        if (ch <= ' ' || ch == 0x7f || ch == '?' || ch == '#' || ch == '\\')
            why = "must not contain spaces, control characters, '?', '#' or '\\'";
    }
    if (why) {
        conf_err(x, v, "column folder '%s' %s", f, why);
        return;
    }
    col->folder = util_strdup(f);
}

static const conf_key_t column_keys[] = {
    {"id", CONF_K_FN, 0, col_id, true, 0},
    {"name", CONF_K_STR, offsetof(conf_column_t, name), NULL, true, 0},
    {"type", CONF_K_FN, 0, col_type, true, 0},
    {"description", CONF_K_STR, offsetof(conf_column_t, description), NULL, false, 0},
    {"keywords", CONF_K_FN, 0, col_keywords, false, 0},
    {"folder", CONF_K_FN, 0, col_folder, false, 0},
};

static void key_columns(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    if (v->kind != YAML_DOM_SEQUENCE) {
        conf_err(x, v, "'columns' must be a list of mappings (- id: ..., name: ..., type: ...), not a %s",
                 yaml_dom_is_null(v) ? "null" : yaml_dom_kind_name(v));
        return;
    }
    if (v->nitems > MAX_COLUMNS) {
        conf_err(x, v, "%zu columns; at most %d are allowed", v->nitems, MAX_COLUMNS);
        return;
    }
    s->columns = util_calloc(v->nitems + 1, sizeof *s->columns);
    for (size_t i = 0; i < v->nitems; i++) {
        conf_column_t *col = &s->columns[s->ncolumns];
        col->pos = conf_pos(x, v->items[i]);
        if (!conf_walk(x, v->items[i], "columns", column_keys, UTIL_ARRAY_LEN(column_keys), col))
            continue;
        s->ncolumns++;
        if (!col->id)
            continue;
        for (size_t j = 0; j + 1 < s->ncolumns; j++) {
            if (s->columns[j].id && strcmp(s->columns[j].id, col->id) == 0) {
                conf_err_at(x, col->pos, "duplicate column id '%s' (first at line %d)", col->id,
                            s->columns[j].pos.line);
                break;
            }
        }
        for (size_t j = 0; col->folder && j + 1 < s->ncolumns; j++) {
            if (s->columns[j].folder && strcmp(s->columns[j].folder, col->folder) == 0) {
                conf_err_at(x, col->pos, "column %s: folder '%s' is already column %s's (line %d)",
                            col->id, col->folder, s->columns[j].id ? s->columns[j].id : "?",
                            s->columns[j].pos.line);
                break;
            }
        }
    }
}

static const conf_key_t tls_keys[] = {
    {"cert", CONF_K_PATH, offsetof(conf_tls_t, cert), NULL, true, 0},
    {"key", CONF_K_PATH, offsetof(conf_tls_t, key), NULL, true, 0},
};

static void key_tls(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->tls.pos = conf_pos(x, v);
    conf_walk(x, v, "tls", tls_keys, UTIL_ARRAY_LEN(tls_keys), &s->tls);
}

/* `https: redirect` sends plain-HTTP requests to the https URL; `https: allow` (the
 * default) serves both. */
static void key_https(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    const char *val = conf_str(x, v, "https", "redirect or allow");
    if (!val)
        return;
    if (strcmp(val, "redirect") == 0)
        s->https_redirect = true;
    else if (strcmp(val, "allow") != 0)
        conf_err(x, v, "https must be redirect or allow, not '%s'", val);
}

static void key_hsts_subdomains(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k,
                                const yaml_dom_node_t *v)
{
    conf_bool(x, v, "hsts.include_subdomains", &((conf_site_t *)obj)->hsts_include_subdomains);
}

static void key_hsts_max_age(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k,
                             const yaml_dom_node_t *v)
{
    conf_count(x, v, "hsts.max_age", &((conf_site_t *)obj)->hsts_max_age);
}

static const conf_key_t hsts_keys[] = {
    {"max_age", CONF_K_FN, 0, key_hsts_max_age, true, 0},
    {"include_subdomains", CONF_K_FN, 0, key_hsts_subdomains, false, 0},
};

/* `hsts: {max_age: 31536000, include_subdomains: true}`: Strict-Transport-Security on
 * https responses, formatted once here. */
static void key_hsts(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    if (!conf_walk(x, v, "hsts", hsts_keys, UTIL_ARRAY_LEN(hsts_keys), s) || !s->hsts_max_age)
        return;
    s->hsts_header = util_asprintf("max-age=%llu%s", (unsigned long long)s->hsts_max_age,
                                   s->hsts_include_subdomains ? "; includeSubDomains" : "");
    s->hsts_header_len = strlen(s->hsts_header);
}

static void key_theme(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->theme = conf_strdup(x, v, "theme");
    s->theme_pos = conf_pos(x, v);
}

static void key_site_mourning(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_bool(x, v, "mourning", &((conf_site_t *)obj)->mourning);
}

static void key_reply_days(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_count(x, v, "interaction.reply_days", &((conf_site_t *)obj)->interaction_reply_days);
}

static void key_rate_limit(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_count(x, v, "interaction.rate_limit", &((conf_site_t *)obj)->interaction_rate_limit);
}

static const conf_key_t interaction_keys[] = {
    {"reply_days", CONF_K_FN, 0, key_reply_days, false, 0},
    {"rate_limit", CONF_K_FN, 0, key_rate_limit, false, 0},
    {"prefix_multiple", CONF_K_COUNT, offsetof(conf_site_t, interaction_prefix_multiple), NULL, false, 0},
    {"daily_limit", CONF_K_COUNT, offsetof(conf_site_t, interaction_daily_limit), NULL, false, 0},
};

/* `interaction: {reply_days: 15, rate_limit: 5, prefix_multiple: 4, daily_limit: 200}`:
 * the message board's reply limit (days), how many messages one address may send per
 * hour, that times prefix_multiple from one /24 or /64, and how many a day in all. */
static void key_interaction(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    conf_site_t *s = obj;
    s->interaction_pos = conf_pos(x, v);
    conf_walk(x, v, "interaction", interaction_keys, UTIL_ARRAY_LEN(interaction_keys), s);
}

static const conf_key_t site_keys[] = {
    {"interaction", CONF_K_FN, 0, key_interaction, false, 0},
    {"https", CONF_K_FN, 0, key_https, false, 0},
    {"hsts", CONF_K_FN, 0, key_hsts, false, 0},
    {"id", CONF_K_FN, 0, key_id, true, 0},
    {"name", CONF_K_STR, offsetof(conf_site_t, name), NULL, true, 0},
    {"kind", CONF_K_FN, 0, key_kind, true, 0},
    {"parent", CONF_K_FN, 0, key_parent, false, 0},
    {"mount", CONF_K_FN, 0, key_mount, false, 0},
    {"registration", CONF_K_FN, 0, key_registration, false, 0},
    {"status", CONF_K_FN, 0, key_status, false, 0},
    {"columns", CONF_K_FN, 0, key_columns, false, 0},
    {"tls", CONF_K_FN, 0, key_tls, false, 0},
    {"theme", CONF_K_FN, 0, key_theme, false, 0},
    {"mourning", CONF_K_FN, 0, key_site_mourning, false, 0},
};

bool conf_site_read(conf_ctx_t *x, const yaml_dom_t *doc, conf_site_t *s)
{
    s->pos = (conf_pos_t){s->file, 1, 1};
    s->status.state = STATUS_ACTIVE;
    s->interaction_reply_days = 15;
    s->interaction_rate_limit = 5;
    s->interaction_prefix_multiple = 4;
    s->interaction_daily_limit = 200;
    conf_modules_site_init(s);
    size_t nkeys;
    const conf_key_t *keys = conf_modules_site_keys(site_keys, UTIL_ARRAY_LEN(site_keys), &nkeys);
    x->slots = s->mod;
    bool walked = conf_walk(x, doc->root, "", keys, nkeys, s);
    x->slots = NULL;
    if (!walked)
        return false;
    s->misspelt = x->misspelt;
    if (s->kind_pos.line) {
        if (s->kind == SITE_PORTAL && s->parent_pos.line)
            conf_err_at(x, s->parent_pos, "the portal has no parent: remove 'parent'");
        else if (s->kind != SITE_PORTAL && !s->parent_pos.line && !conf_site_misspelt(s, "parent"))
            conf_err(x, doc->root, "missing required key 'parent' (every site but the portal hangs under one)");
    }
    if (s->id)
        conf_modules_site_check(x, s);
    return s->id != NULL;
}

bool conf_site_misspelt(const conf_site_t *s, const char *key)
{
    size_t nkeys;
    const conf_key_t *keys = conf_modules_site_keys(site_keys, UTIL_ARRAY_LEN(site_keys), &nkeys);
    for (size_t i = 0; i < nkeys; i++)
        if (strcmp(keys[i].name, key) == 0)
            return (s->misspelt >> i) & 1;
    return false;
}

void conf_site_free(conf_site_t *s)
{
    conf_modules_site_free(s);
    tls_conf_release(&s->tls);
    free(s->hsts_header);
    free(s->id);
    free(s->name);
    free(s->parent_id);
    free(s->mount_path);
    conf_str_list_free(s->hosts, s->nhosts);
    conf_str_list_free(s->aliases, s->naliases);
    free(s->host_pos);
    free(s->alias_pos);
    free(s->reg.site_code);
    free(s->reg.icp);
    free(s->reg.police);
    free(s->reg.organizer);
    free(s->reg.contact);
    conf_status_t *st = &s->status;
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
    for (size_t i = 0; i < s->ncolumns; i++) {
        free(s->columns[i].id);
        free(s->columns[i].name);
        free(s->columns[i].description);
        free(s->columns[i].keywords);
        free(s->columns[i].folder);
    }
    free(s->columns);
    free(s->tls.cert);
    free(s->tls.key);
    free(s->theme);
    free(s->file);
}
