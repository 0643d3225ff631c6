/* core/conf_node.h: typed reading of YAML values for the config loader, with errors at
 * their FILE:LINE:COL, and the key-table walker that makes "unknown key" and "missing
 * key" uniform across the server file and site files (defined in core/conf_node.c).
 * Used by the loader (core/conf_priv.h) and by modules reading the keys they declare
 * (core/module.h). */
#ifndef JIYUE_CONF_NODE_H
#define JIYUE_CONF_NODE_H

#include "conf_priv.h"

conf_pos_t conf_pos(const conf_ctx_t *x, const yaml_dom_node_t *n);
void conf_err(conf_ctx_t *x, const yaml_dom_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_err_at(conf_ctx_t *x, conf_pos_t p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_warn_at(conf_ctx_t *x, conf_pos_t p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef void (*conf_key_fn)(conf_ctx_t *x, void *obj, const yaml_dom_node_t *key,
                            const yaml_dom_node_t *val);

/* How a key's value is read. The simple kinds are stored at `off` inside the object being
 * filled; CONF_K_FN calls `fn`. */
typedef enum {
    CONF_K_STR,      /* char *: any non-empty string */
    CONF_K_PATH,     /* char *: resolved against the server config's folder */
    CONF_K_SIZE,     /* uint64_t bytes: "16KiB" */
    CONF_K_DURATION, /* uint64_t milliseconds: "10s" */
    CONF_K_COUNT,    /* uint64_t: a positive integer */
    CONF_K_FN,
} conf_key_kind_t;

typedef struct conf_key {
    const char *name;
    conf_key_kind_t kind;
    size_t off;
    conf_key_fn fn;
    bool required;
    /* 0: the key fills the object conf_walk() was given. n > 0: it belongs to module n - 1
     * of modules_list and fills that module's slot of the object (x->slots[n - 1]); the
     * loader sets this when it joins the modules' keys to its own (core/conf_modules.c). */
    unsigned module;
} conf_key_t;

/* Reads every key of the mapping `map` through the table: unknown keys are errors at the
 * key, missing required keys are errors at the mapping. `what` names the mapping in
 * messages ("limits", "mount"; "" for a file's top level). Returns false (with an error)
 * when `map` is not a mapping. */
bool conf_walk(conf_ctx_t *x, const yaml_dom_node_t *map, const char *what,
               const conf_key_t *keys, size_t nkeys, void *obj);

/* The known name closest to `key` (a typo: at most two edits, transpositions counting
 * one, and few for the length), or NULL. For "did you mean" hints. */
const char *conf_suggest(const char *key, const char *const *names, size_t n);
/* conf_suggest over a key table; returns the index or -1. */
long conf_suggest_key(const char *key, const conf_key_t *keys, size_t nkeys);

/* The text of a non-null scalar, or NULL after an error saying `name` must be `expected`. */
const char *conf_str(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, const char *expected);
char *conf_strdup(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name);
int conf_bool(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, bool *out);
int conf_count(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, uint64_t *out);
int conf_date(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, int64_t *days);
/* A list of strings (a single string is not accepted: hosts: [a, b]). */
char **conf_str_list(conf_ctx_t *x, const yaml_dom_node_t *v, const char *name, size_t *n,
                     conf_pos_t **pos);
void conf_str_list_free(char **list, size_t n);

/* Lower-cases a DNS host name in place and checks it; returns NULL or why it is wrong. */
const char *conf_host_check(char *host);
/* An absolute http:// or https:// URL with a host. */
bool conf_is_url(const char *s);
/* Formats days since 1970-01-01 as YYYY-MM-DD into buf[11]. */
void conf_format_date(int64_t days, char buf[static 11]);

#endif
