/* core/template.h: the template engine themes are written in. Templates are compiled once
 * (at config load, so SIGHUP recompiles) into a flat list of operations; rendering walks
 * that list over a small data tree and never parses anything.
 *
 * Syntax (a small, logic-less subset in the spirit of Mustache/Handlebars):
 *   {{ a.b.c }}             the value, HTML-escaped (& < > " ' ) - the default
 *   {{ raw a.b }}           the value as is (HTML a module rendered and trusts)
 *   {{#if a}} .. {{else}} .. {{/if}}          truthy: non-empty text, true, non-zero,
 *   {{#unless a}} .. {{else}} .. {{/unless}}  a non-empty list, any map
 *   {{#each list}} .. {{else}} .. {{/each}}   once per item; names resolve in the item
 *                           first, then outwards; "." is the item itself; @index (from 0),
 *                           @first and @last describe the position. {{else}}: empty list.
 *   {{> name }}             includes another template of the same theme (or its fallback)
 *   {{! comment }}          nothing
 * A missing name renders as nothing and is false. Errors (an unknown tag, an unclosed
 * block, an include of a template that does not exist, an include cycle) are reported as
 * FILE:LINE:COL at compile or link time, never at render time. */
#ifndef JIYUE_TEMPLATE_H
#define JIYUE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "util.h"

/* ---- data: what a template is rendered over (an arena-owned tree) ---- */
typedef struct tpl_data tpl_data_t;
typedef struct tpl_val tpl_val_t;

tpl_data_t *tpl_data_new(void);
void tpl_data_free(tpl_data_t *d);
/* The root map. */
tpl_val_t *tpl_data_root(tpl_data_t *d);
/* Setters on a map: the key and text are copied. A NULL string sets nothing (so the name
 * stays missing, which templates test with #if). */
void tpl_set_str(tpl_data_t *d, tpl_val_t *map, const char *key, const char *s);
void tpl_set_strn(tpl_data_t *d, tpl_val_t *map, const char *key, const char *s, size_t n);
void tpl_set_bool(tpl_data_t *d, tpl_val_t *map, const char *key, bool b);
void tpl_set_int(tpl_data_t *d, tpl_val_t *map, const char *key, long long v);
/* Adds (and returns) a child map or list under `key`. */
tpl_val_t *tpl_set_map(tpl_data_t *d, tpl_val_t *map, const char *key);
tpl_val_t *tpl_set_list(tpl_data_t *d, tpl_val_t *map, const char *key);
/* Appends an item to a list. */
tpl_val_t *tpl_list_add_map(tpl_data_t *d, tpl_val_t *list);
void tpl_list_add_str(tpl_data_t *d, tpl_val_t *list, const char *s);
/* Makes `key` of `map` refer to an existing value (shared, not copied). */
void tpl_set_ref(tpl_data_t *d, tpl_val_t *map, const char *key, tpl_val_t *v);

/* ---- compiled templates ---- */
typedef struct tpl_set tpl_set_t;
typedef struct tpl tpl_t;

/* A set of named templates (one theme). Names not found in the set are looked up in
 * `fallback` (the default theme), which must outlive the set. */
tpl_set_t *tpl_set_new(const tpl_set_t *fallback);
void tpl_set_free(tpl_set_t *s);
/* Compiles `text` as template `name`; `file` names it in errors. Returns 0, or -1 with
 * errors added to `d`. */
int tpl_set_add(tpl_set_t *s, const char *name, const char *file, const char *text, size_t len,
                diag_t *d);
/* Resolves every include (in the set, then its fallback) and rejects include cycles.
 * Call once after the last tpl_set_add(). Returns 0 or -1 with errors added to `d`. */
int tpl_set_link(tpl_set_t *s, diag_t *d);
/* The template called `name` in the set or its fallback, or NULL. */
const tpl_t *tpl_set_get(const tpl_set_t *s, const char *name);
size_t tpl_set_count(const tpl_set_t *s);

/* Appends the rendering of `t` over `root` to `out`. */
void tpl_render(const tpl_t *t, const tpl_val_t *root, util_buf_t *out);

/* Appends `s` with & < > " ' escaped (text and attribute values alike). */
void tpl_escape(util_buf_t *out, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL appends nothing. The one HTML escaper of the
 * project: error pages, notices and the audit report use it too. */
void tpl_escape_str(util_buf_t *out, const char *s);

#endif
