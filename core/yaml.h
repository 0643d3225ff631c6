/* core/yaml.h: a small read-only YAML document tree (DOM) over libyaml, for the config
 * loader. Every node remembers its file, line and column so that the validator can point
 * at the exact place of a problem. Loading is strict on purpose: one document per file,
 * no anchors or aliases (no billion-laughs expansion), no explicit tags, no duplicate
 * mapping keys, UTF-8 text only, at most YAML_DOM_MAX_BYTES bytes.
 *
 * Names are yaml_dom_* because libyaml owns yaml_node_t, yaml_document_t and friends. */
#ifndef JIYUE_YAML_DOM_H
#define JIYUE_YAML_DOM_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define YAML_DOM_MAX_BYTES (1024 * 1024) /* real site files are a few KB */
#define YAML_DOM_MAX_DEPTH 64

typedef enum { YAML_DOM_SCALAR, YAML_DOM_SEQUENCE, YAML_DOM_MAPPING } yaml_dom_kind_t;

typedef struct yaml_dom_node yaml_dom_node_t;

typedef struct yaml_dom_pair {
    yaml_dom_node_t *key; /* always a scalar */
    yaml_dom_node_t *value;
} yaml_dom_pair_t;

struct yaml_dom_node {
    yaml_dom_kind_t kind;
    const char *file; /* owned by the yaml_dom_t */
    int line;         /* 1-based */
    int col;          /* 1-based, in characters */
    /* scalar: NUL-terminated, never contains a NUL itself */
    char *str;
    size_t len;
    bool plain; /* unquoted: only plain scalars can mean null, true, false, auto, off */
    /* sequence */
    yaml_dom_node_t **items;
    size_t nitems;
    /* mapping, in document order */
    yaml_dom_pair_t *pairs;
    size_t npairs;
};

typedef struct yaml_dom {
    char *file;
    yaml_dom_node_t *root; /* NULL never: a loaded document always has a root */
    struct yaml_dom_block *arena; /* every node, string and array of the tree (yaml.c) */
} yaml_dom_t;

/* Reads and parses `path`. On any problem adds "FILE:LINE:COL: message" errors to `diag`
 * and returns NULL. */
yaml_dom_t *yaml_dom_load_file(const char *path, diag_t *diag);
/* The same over bytes in memory; `file` is the name used in messages. */
yaml_dom_t *yaml_dom_load_string(const char *file, const char *data, size_t len, diag_t *diag);
void yaml_dom_free(yaml_dom_t *doc);

/* The value for `key` in a mapping, or NULL (also when `map` is not a mapping). */
const yaml_dom_node_t *yaml_dom_get(const yaml_dom_node_t *map, const char *key);
/* A plain empty, "~", "null" or "Null"/"NULL" scalar. */
bool yaml_dom_is_null(const yaml_dom_node_t *n);
/* "scalar", "list" or "mapping", for messages. */
const char *yaml_dom_kind_name(const yaml_dom_node_t *n);

#endif
