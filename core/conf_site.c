/* core/conf_site.c: reads one site file (sites.d/NAME.yaml) into a conf_site_t and checks what can
 * be checked inside that file alone: the keys and their types, slugs, mount paths, host
 * names and unique column ids; the modules' keys go to their slots and their rules run
 * after (conf_modules.c). Rules that need other files (parents, duplicate hosts) are in
 * conf_rules.c. */
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
    int i = conf_modules_column_type(t);
    if (i < 0) {
        char *expected = conf_modules_column_types_text();
        conf_err(x, v, "unknown column type '%s' (expected %s)", t, expected);
        free(expected);
    } else {
        col->type = i;
    }
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

static const conf_key_t site_keys[] = {
    {"https", CONF_K_FN, 0, key_https, false, 0},
    {"hsts", CONF_K_FN, 0, key_hsts, false, 0},
    {"id", CONF_K_FN, 0, key_id, true, 0},
    {"name", CONF_K_STR, offsetof(conf_site_t, name), NULL, true, 0},
    {"kind", CONF_K_FN, 0, key_kind, true, 0},
    {"parent", CONF_K_FN, 0, key_parent, false, 0},
    {"mount", CONF_K_FN, 0, key_mount, false, 0},
    {"columns", CONF_K_FN, 0, key_columns, false, 0},
    {"tls", CONF_K_FN, 0, key_tls, false, 0},
    {"theme", CONF_K_FN, 0, key_theme, false, 0},
    {"mourning", CONF_K_FN, 0, key_site_mourning, false, 0},
};

bool conf_site_read(conf_ctx_t *x, const yaml_dom_t *doc, conf_site_t *s)
{
    s->pos = (conf_pos_t){s->file, 1, 1};
    conf_modules_site_init(s);
    if (!conf_modules_walk(x, doc->root, "", CONF_KEYS_SITE, site_keys, UTIL_ARRAY_LEN(site_keys),
                           s, s->mod))
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
    const conf_key_t *keys = conf_modules_keys(CONF_KEYS_SITE, site_keys, UTIL_ARRAY_LEN(site_keys), &nkeys);
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
