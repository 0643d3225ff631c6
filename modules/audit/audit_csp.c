/* modules/audit/audit_csp.c: a site's `csp:` extension and its Content-Security-Policy
 * header line, formatted here once per configuration so that serving a response costs one
 * header copy.
 *
 * The policy allows the site itself, the cluster's own hosts and audit.allow_hosts, so an
 * ad or a foreign script injected into a stored page does not load even before
 * `jiyuectl audit` finds it. Inline scripts and styles stay allowed: imported pages of old
 * sites are full of inline handlers, and an inline script still cannot load anything
 * from a host outside the list, which is what an injected ad needs. */
#include "audit_csp.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

#define CSP_NAME "Content-Security-Policy: "

static void push(char ***list, size_t *n, const char *s)
{
    *list = util_realloc(*list, (*n + 2) * sizeof **list);
    (*list)[(*n)++] = util_strdup(s);
    (*list)[*n] = NULL;
}

static bool directive_ok(const char *d)
{
    static const char *const names[] = {"form-action", "frame-ancestors", "base-uri"};
    size_t n = strlen(d);
    for (size_t i = 0; i < n; i++)
        if (!((d[i] >= 'a' && d[i] <= 'z') || d[i] == '-'))
            return false;
    if (n > 4 && strcmp(d + n - 4, "-src") == 0)
        return true;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(names); i++)
        if (strcmp(d, names[i]) == 0)
            return true;
    return false;
}

/* A source expression: printable ASCII without the separators of the header. */
static bool source_ok(const char *s)
{
    for (; *s; s++)
        if (*s <= ' ' || *s >= 0x7f || *s == ';' || *s == ',')
            return false;
    return true;
}

void audit_csp_key(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    audit_csp_t *s = obj;
    if (v->kind != YAML_DOM_MAPPING) {
        conf_err(x, v, "'csp' must be a mapping of directive to a list of sources, e.g. "
                       "{img-src: [https://img.example.cn]}, not a %s",
                 yaml_dom_is_null(v) ? "null" : yaml_dom_kind_name(v));
        return;
    }
    util_buf_t b = {0};
    for (size_t i = 0; i < v->npairs; i++) {
        const char *d = v->pairs[i].key->str;
        if (!directive_ok(d)) {
            conf_err(x, v->pairs[i].key, "csp: unknown directive '%s' (e.g. script-src, img-src, "
                                         "frame-src, form-action)", d);
            continue;
        }
        size_t n;
        conf_pos_t *pos;
        char **list = conf_str_list(x, v->pairs[i].value, "csp", &n, &pos);
        if (!list)
            continue;
        util_buf_appends(&b, d);
        for (size_t j = 0; j < n; j++) {
            if (!source_ok(list[j])) {
                conf_err_at(x, pos[j], "csp: source '%s' has a space, ';' or ',' or a byte "
                                       "outside printable ASCII", list[j]);
                continue;
            }
            util_buf_printf(&b, " %s", list[j]);
        }
        util_buf_append(&b, "\n", 1);
        conf_str_list_free(list, n);
        free(pos);
    }
    util_buf_append(&b, "", 1);
    free(s->extra);
    s->extra = b.data;
}

void audit_csp_free(void *slot)
{
    audit_csp_t *s = slot;
    free(s->extra);
    free(s->header);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The cluster's hosts as CSP sources, sorted: three or more hosts under one parent domain
 * of at least three labels ("edu.yunling.gov.cn", "fgw.yunling.gov.cn"...) become
 * "*.yunling.gov.cn", so a cluster of a thousand sites still has a short header. Never
 * "*.gov.cn": that would be every government site. */
static char *cluster_sources(const conf_t *c)
{
    char **hosts = NULL;
    size_t n = 0;
    for (size_t i = 0; i < c->nsites; i++)
        for (size_t j = 0; j < c->sites[i].nhosts; j++)
            push(&hosts, &n, c->sites[i].hosts[j]);
    if (n > 1)
        qsort(hosts, n, sizeof *hosts, cmp_str);
    strmap_t groups; /* parent domain -> count */
    strmap_init(&groups);
    for (size_t i = 0; i < n; i++) {
        const char *dot = strchr(hosts[i], '.');
        if (!dot)
            continue;
        const char *parent = dot + 1;
        size_t labels = 1;
        for (const char *p = parent; *p; p++)
            labels += *p == '.';
        if (labels < 3)
            continue;
        uintptr_t cnt = (uintptr_t)strmap_get(&groups, parent, strlen(parent));
        strmap_put(&groups, parent, strlen(parent), (void *)(cnt + 1));
    }
    util_buf_t b = {0};
    strmap_t done;
    strmap_init(&done);
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(hosts[i], hosts[i - 1]) == 0)
            continue;
        const char *dot = strchr(hosts[i], '.');
        const char *parent = dot ? dot + 1 : "";
        if (dot && (uintptr_t)strmap_get(&groups, parent, strlen(parent)) >= 3) {
            if (!strmap_get(&done, parent, strlen(parent))) {
                strmap_put(&done, parent, strlen(parent), (void *)1);
                util_buf_printf(&b, " *.%s:*", parent);
            }
            continue;
        }
        util_buf_printf(&b, " %s:*", hosts[i]);
    }
    strmap_free(&done);
    strmap_free(&groups);
    conf_str_list_free(hosts, n);
    util_buf_append(&b, "", 1);
    return b.data;
}

typedef struct directive {
    const char *name;
    util_buf_t v;
} directive_t;

/* One site's Content-Security-Policy value: the defaults ('self', the cluster's hosts
 * `base` and audit.allow_hosts `allow`), with the site's own additions `extra`. */
static char *site_csp(const char *base, const char *allow, const char *extra)
{
    /* name, then what follows 'self' + the hosts ('none' replaces the whole list) */
    static const struct {
        const char *name, *extra;
    } defaults[] = {
        {"default-src", ""},
        {"script-src", " 'unsafe-inline'"},
        {"style-src", " 'unsafe-inline'"},
        {"img-src", " data:"},
        {"font-src", " data:"},
        {"object-src", NULL},
        {"base-uri", NULL},
        {"frame-ancestors", NULL},
    };
    enum { MAXD = 32 };
    directive_t ds[MAXD];
    size_t nd = 0;
    for (size_t j = 0; j < UTIL_ARRAY_LEN(defaults); j++) {
        directive_t *d = &ds[nd++];
        d->name = defaults[j].name;
        d->v = (util_buf_t){0};
        if (strcmp(d->name, "object-src") == 0)
            util_buf_appends(&d->v, " 'none'");
        else if (!defaults[j].extra)
            util_buf_appends(&d->v, " 'self'");
        else
            util_buf_printf(&d->v, " 'self'%s%s%s", base, allow, defaults[j].extra);
    }
    /* The site's own additions: appended to the directive, or a new directive that
     * starts from what default-src allows. */
    for (const char *p = extra; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *sp = memchr(p, ' ', len);
        size_t nlen = sp ? (size_t)(sp - p) : len;
        directive_t *d = NULL;
        for (size_t j = 0; j < nd && !d; j++)
            if (strlen(ds[j].name) == nlen && memcmp(ds[j].name, p, nlen) == 0)
                d = &ds[j];
        if (!d && nd < MAXD) {
            d = &ds[nd++];
            d->name = NULL;
            d->v = (util_buf_t){0};
            util_buf_printf(&d->v, "%.*s\x01 'self'%s%s", (int)nlen, p, base, allow);
        } else if (d && d->v.len >= 7 && memcmp(d->v.data, " 'none'", 7) == 0) {
            d->v.len = 0;
        }
        if (d && sp)
            util_buf_append(&d->v, sp, len - nlen);
        p = nl ? nl + 1 : NULL;
    }
    util_buf_t h = {0};
    for (size_t j = 0; j < nd; j++) {
        util_buf_append(&ds[j].v, "", 1);
        if (j)
            util_buf_appends(&h, "; ");
        if (ds[j].name) {
            util_buf_printf(&h, "%s%s", ds[j].name, ds[j].v.data);
        } else {
            /* a directive of the site's own: "name\x01 sources" */
            char *sep = strchr(ds[j].v.data, '\x01');
            util_buf_append(&h, ds[j].v.data, (size_t)(sep - ds[j].v.data));
            util_buf_appends(&h, sep + 1);
        }
        util_buf_free(&ds[j].v);
    }
    util_buf_append(&h, "", 1);
    return h.data;
}

void audit_csp_build(conf_t *c, char *const *allow_hosts, size_t nallow)
{
    char *cluster = cluster_sources(c);
    util_buf_t allow = {0};
    for (size_t i = 0; i < nallow; i++)
        util_buf_printf(&allow, " %s", allow_hosts[i]);
    util_buf_append(&allow, "", 1);
    /* Most sites add nothing of their own and share one value: built once, copied. */
    char *plain = NULL;
    for (size_t i = 0; i < c->nsites; i++) {
        audit_csp_t *s = audit_csp_of(&c->sites[i]);
        char *value;
        if (s->extra && *s->extra) {
            value = site_csp(cluster, allow.data, s->extra);
        } else {
            if (!plain)
                plain = site_csp(cluster, allow.data, NULL);
            value = plain;
        }
        free(s->header);
        s->header = util_asprintf(CSP_NAME "%s\r\n", value);
        s->header_len = strlen(s->header);
        if (value != plain)
            free(value);
    }
    free(plain);
    util_buf_free(&allow);
    free(cluster);
}
