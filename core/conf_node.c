/* core/conf_node.c: reading typed values out of YAML nodes for the config loader, with
 * every error reported at the value's own FILE:LINE:COL and naming the type expected.
 * The table walker here is what makes "unknown key" and "missing key" uniform across the
 * server file and site files. */
#include "conf_node.h"

#include "conf_priv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

conf_pos_t conf_pos(const conf_ctx_t *x, const yaml_dom_node_t *n)
{
    conf_pos_t p = {x->file, n ? n->line : 0, n ? n->col : 0};
    return p;
}

static void vreport(conf_ctx_t *x, bool warn, conf_pos_t p, const char *fmt, va_list ap)
{
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        UTIL_FATAL("out of memory");
    if (warn)
        diag_warning(x->diag, p.file, p.line, p.col, "%s", msg);
    else
        diag_error(x->diag, p.file, p.line, p.col, "%s", msg);
    free(msg);
}

void conf_err(conf_ctx_t *x, const yaml_dom_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(x, false, conf_pos(x, n), fmt, ap);
    va_end(ap);
}

void conf_err_at(conf_ctx_t *x, conf_pos_t p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(x, false, p, fmt, ap);
    va_end(ap);
}

void conf_warn_at(conf_ctx_t *x, conf_pos_t p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(x, true, p, fmt, ap);
    va_end(ap);
}

const char *conf_str(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, const char *expected)
{
    if (v->kind != YAML_DOM_SCALAR) {
        conf_err(x, v, "'%s' must be %s, not a %s", name, expected, yaml_dom_kind_name(v));
        return NULL;
    }
    if (yaml_dom_is_null(v)) {
        conf_err(x, v, "'%s' has no value (expected %s)", name, expected);
        return NULL;
    }
    if (v->len == 0) {
        conf_err(x, v, "'%s' is empty (expected %s)", name, expected);
        return NULL;
    }
    return v->str;
}

char *conf_strdup(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name)
{
    return util_strdup(conf_str(x, v, name, "a string"));
}

int conf_bool(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, bool *out)
{
    static const char *yes[] = {"true", "True", "TRUE"}, *no[] = {"false", "False", "FALSE"};
    if (v->kind == YAML_DOM_SCALAR && v->plain) {
        for (size_t i = 0; i < UTIL_ARRAY_LEN(yes); i++) {
            if (strcmp(v->str, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcmp(v->str, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    if (v->kind != YAML_DOM_SCALAR)
        conf_err(x, v, "'%s' must be true or false, not a %s", name, yaml_dom_kind_name(v));
    else
        conf_err(x, v, "'%s' must be true or false, not '%s'", name, v->str);
    return -1;
}

int conf_count(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, uint64_t *out)
{
    const char *s = conf_str(x, v, name, "a positive integer");
    if (!s)
        return -1;
    uint64_t n = 0;
    bool ok = *s != '\0';
    for (const char *p = s; *p && ok; p++) {
        if (!isdigit((unsigned char)*p) || n > (UINT64_MAX - 9) / 10)
            ok = false;
        else
            n = n * 10 + (uint64_t)(*p - '0');
    }
    if (!ok || n == 0) {
        conf_err(x, v, "'%s' must be a positive integer, not '%s'", name, s);
        return -1;
    }
    *out = n;
    return 0;
}

int conf_date(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, int64_t *days)
{
    const char *s = conf_str(x, v, name, "a date (YYYY-MM-DD)");
    if (!s)
        return -1;
    if (util_parse_date(s, days) != 0) {
        conf_err(x, v, "'%s' must be a date (YYYY-MM-DD), not '%s'", name, s);
        return -1;
    }
    return 0;
}

char **conf_str_list(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, size_t *n,
                     conf_pos_t **pos)
{
    *n = 0;
    if (pos)
        *pos = NULL;
    if (v->kind != YAML_DOM_SEQUENCE) {
        if (v->kind == YAML_DOM_SCALAR && !yaml_dom_is_null(v))
            conf_err(x, v, "'%s' must be a list of strings, not a scalar (write [%s])", name, v->str);
        else
            conf_err(x, v, "'%s' must be a list of strings, not a %s", name,
                     yaml_dom_is_null(v) ? "null" : yaml_dom_kind_name(v));
        return NULL;
    }
    char **list = util_calloc(v->nitems + 1, sizeof *list);
    conf_pos_t *p = pos ? util_calloc(v->nitems + 1, sizeof *p) : NULL;
    for (size_t i = 0; i < v->nitems; i++) {
        const char *s = conf_str(x, v->items[i], name, "a string");
        if (!s)
            continue;
        if (p)
            p[*n] = conf_pos(x, v->items[i]);
        list[(*n)++] = util_strdup(s);
    }
    if (pos)
        *pos = p;
    return list;
}

void conf_str_list_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions, so
 * "colunms" is one edit from "columns"), ASCII case folded. Keys are short:
 * longer strings are not compared (returns a large distance). */
#define SUGGEST_MAX 64
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
        return SIZE_MAX;
    size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* Close enough to be a typo of the name rather than another word: at most two edits, and
 * at most one per three characters ("tlz" -> "tls", but not "id" -> "ip"). */
static long suggest(const char *key, const char *(*name_at)(const void *, size_t), const void *tab,
                    size_t n)
{
    long best = -1;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *name = name_at(tab, i);
        size_t d = edit_distance(key, name), kl = strlen(key), nl = strlen(name);
        size_t longer = kl > nl ? kl : nl;
        if (d == 0 || d > 2 || d * 3 > longer)
            continue;
        if (d < best_d) {
            best_d = d;
            best = (long)i;
        }
    }
    return best;
}

static const char *name_of_str(const void *tab, size_t i)
{
    return ((const char *const *)tab)[i];
}

static const char *name_of_key(const void *tab, size_t i)
{
    return ((const conf_key_t *)tab)[i].name;
}

const char *conf_suggest(const char *key, const char *const *names, size_t n)
{
    long i = suggest(key, name_of_str, names, n);
    return i < 0 ? NULL : names[i];
}

long conf_suggest_key(const char *key, const conf_key_t *keys, size_t nkeys)
{
    return suggest(key, name_of_key, keys, nkeys);
}

/* "what.key" (or "key" at a file's top level), for messages. Both come from the key
 * tables, so they are short; formatting this with printf for every key of every file was a
 * tenth of loading 10,000 site files. */
static void key_name(char *buf, size_t size, const char *what, const char *key)
{
    size_t wl = strlen(what), kl = strlen(key), n = 0;
    if (wl && wl + 1 < size) {
        memcpy(buf, what, wl);
        buf[wl] = '.';
        n = wl + 1;
    }
    if (kl > size - 1 - n)
        kl = size - 1 - n;
    memcpy(buf + n, key, kl);
    buf[n + kl] = '\0';
}

static uint64_t seen_bits(const bool *seen, size_t n)
{
    uint64_t b = 0;
    for (size_t j = 0; j < n; j++)
        if (seen[j])
            b |= (uint64_t)1 << j;
    return b;
}

bool conf_walk(conf_ctx_t *x, const yaml_dom_node_t *map, const char *what,
               const conf_key_t *keys, size_t nkeys, void *obj)
{
    x->misspelt = 0;
    if (map->kind != YAML_DOM_MAPPING) {
        if (*what)
            conf_err(x, map, "'%s' must be a mapping (key: value lines), not a %s", what,
                     yaml_dom_is_null(map) ? "null" : yaml_dom_kind_name(map));
        else
            conf_err(x, map, "the file must be a mapping (key: value lines), not a %s",
                     yaml_dom_kind_name(map));
        return false;
    }
    bool seen[64] = {false};
    uint64_t misspelt = 0;
    if (nkeys > UTIL_ARRAY_LEN(seen))
        UTIL_FATAL("key table too long");
    for (size_t i = 0; i < map->npairs; i++) {
        const yaml_dom_node_t *k = map->pairs[i].key, *v = map->pairs[i].value;
        size_t j = 0;
        while (j < nkeys && strcmp(keys[j].name, k->str) != 0)
            j++;
        if (j == nkeys) {
            long near = conf_suggest_key(k->str, keys, nkeys);
            char hint[96] = "";
            if (near >= 0) {
                snprintf(hint, sizeof hint, "; did you mean '%s'?", keys[near].name);
                misspelt |= (uint64_t)1 << near;
            }
            if (*what)
                conf_err(x, k, "unknown key '%s' in '%s'%s", k->str, what, hint);
            else
                conf_err(x, k, "unknown key '%s'%s", k->str, hint);
            continue;
        }
        seen[j] = true;
        char name[128];
        key_name(name, sizeof name, what, keys[j].name);
        void *target = keys[j].module ? x->slots[keys[j].module - 1] : obj;
        char *field = (char *)target + keys[j].off;
        const char *s;
        uint64_t u;
        switch (keys[j].kind) {
        case CONF_K_STR:
            *(char **)field = conf_strdup(x, v, name);
            break;
        case CONF_K_PATH:
            if ((s = conf_str(x, v, name, "a path")))
                *(char **)field = util_path_resolve(x->c->dir, s);
            break;
        case CONF_K_SIZE:
            if (!(s = conf_str(x, v, name, "a size such as 16KiB")))
                break;
            if (util_parse_size(s, &u) != 0 || u == 0)
                conf_err(x, v, "'%s' must be a size such as 16KiB or 1MiB, not '%s'", name, s);
            else
                *(uint64_t *)field = u;
            break;
        case CONF_K_DURATION:
            if (!(s = conf_str(x, v, name, "a duration such as 10s")))
                break;
            if (util_parse_duration(s, &u) != 0 || u == 0)
                conf_err(x, v, "'%s' must be a duration such as 10s or 500ms, not '%s'", name, s);
            else
                *(uint64_t *)field = u;
            break;
        case CONF_K_COUNT:
            if (conf_count(x, v, name, &u) == 0)
                *(uint64_t *)field = u;
            break;
        case CONF_K_FN:
            keys[j].fn(x, target, k, v);
            break;
        }
    }
    for (size_t j = 0; j < nkeys; j++) {
        /* the key is there, misspelt: its error says so already */
        if (keys[j].required && !seen[j] && !(misspelt & ((uint64_t)1 << j))) {
            if (*what)
                conf_err(x, map, "missing required key '%s' in '%s'", keys[j].name, what);
            else
                conf_err(x, map, "missing required key '%s'", keys[j].name);
        }
    }
    x->misspelt = misspelt & ~seen_bits(seen, nkeys); /* after the nested walks above */
    return true;
}

bool conf_is_slug(const char *s)
{
    if (!s || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    size_t n = 0;
    for (; s[n]; n++)
        if (!(islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-'))
            return false;
    return n <= 32;
}

const char *conf_host_check(char *host)
{
    size_t n = strlen(host);
    if (n == 0)
        return "empty host name";
    if (strchr(host, '/'))
        return "a host name, not a URL, is expected here";
    if (strchr(host, ':'))
        return "a host name must not include a port";
    if (strchr(host, '*'))
        return "wildcard host names are not supported";
    if (n > 253)
        return "host name longer than 253 characters";
    util_lower(host, n);
    if (host[n - 1] == '.')
        return "host name must not end with a dot";
    const char *label = host;
    for (;;) {
        const char *dot = strchr(label, '.');
        size_t len = dot ? (size_t)(dot - label) : strlen(label);
        if (len == 0)
            return "empty label in host name (\"..\" or a leading dot)";
        if (len > 63)
            return "host name label longer than 63 characters";
        if (label[0] == '-' || label[len - 1] == '-')
            return "host name label starts or ends with '-'";
        for (size_t i = 0; i < len; i++)
            if (!(islower((unsigned char)label[i]) || isdigit((unsigned char)label[i]) || label[i] == '-'))
                return "host names use only letters, digits, '-' and '.'";
        if (!dot)
            return NULL;
        label = dot + 1;
    }
}

bool conf_is_url(const char *s)
{
    const char *rest;
    if (strncmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return false;
    size_t host = 0;
    while (isalnum((unsigned char)rest[host]) || rest[host] == '.' || rest[host] == '-')
        host++;
    if (host == 0 || (rest[host] != '\0' && rest[host] != '/' && rest[host] != ':'))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

void conf_format_date(int64_t days, char buf[static 11])
{
    /* civil-from-days, the inverse of util_parse_date's days-from-civil */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    snprintf(buf, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}
