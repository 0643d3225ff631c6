/* core/theme.h: the themes a configuration uses, compiled once when the configuration is
 * loaded (and so again at every SIGHUP): every file in <themes>/<name>/ becomes a
 * template named by its file name ("home.html", "style.css"). The default theme is
 * built into the binaries (generated from conf/themes/default at build time), so every
 * install renders; files in <themes>/default/ replace built-in files of the same name. A
 * theme other than "default" falls back to "default" for the templates it does not have.
 * A template error is a configuration error (FILE:LINE:COL), so a broken theme never
 * replaces a working snapshot. */
#ifndef JIYUE_THEME_H
#define JIYUE_THEME_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "template.h"

#define THEME_DEFAULT "default"

/* One file of the built-in default theme. */
typedef struct theme_file {
    const char *name;
    const char *data;
    size_t len;
} theme_file_t;

/* The built-in default theme, ended by a NULL name (build/gen/theme_default.c). */
extern const theme_file_t theme_builtin_default[];

/* A module's check that the built-in default theme has every template it renders with (a
 * themes folder replaces files, never removes one): an error in d for each one missing. */
void theme_require_builtin(diag_t *d, const char *const *names, size_t n);

typedef struct theme {
    char *name;
    tpl_set_t *set;
} theme_t;

typedef struct theme_set {
    theme_t *themes; /* [0] is the default theme */
    size_t n;
    int64_t loaded; /* when compiled (seconds since the epoch): a Last-Modified floor */
} theme_set_t;

/* Compiles the default theme (built in, overridden file by file by <themes>/default/) and
 * every theme a site names, from c->themes_dir. A themes folder left to its default that
 * does not exist is no error: the built-in default theme serves every site (a site naming
 * another theme is then an error). Returns NULL with errors in `d` when something is
 * wrong. */
theme_set_t *theme_set_load(const conf_t *c, diag_t *d);
void theme_set_free(theme_set_t *t);
/* The templates for a site: its own theme or the default. */
const tpl_set_t *theme_for_site(const theme_set_t *t, const conf_site_t *s);

#endif
