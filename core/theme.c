/* core/theme.c: reading theme folders, over the built-in default theme, into compiled
 * template sets. */
#include "theme.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

#define THEME_MAX_FILE (1u << 20)
#define THEME_MAX_FILES 256

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = util_malloc(THEME_MAX_FILE + 1);
    size_t n = fread(buf, 1, THEME_MAX_FILE + 1, f);
    fclose(f);
    if (n > THEME_MAX_FILE) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    *len = n;
    return buf;
}

static bool listed(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Compiles one folder (dir NULL: none), then, when `builtin` is given, every built-in file
 * the folder does not replace, so that includes resolve against the merged set; on any
 * error returns -1 (errors in d). */
static int load_dir(const char *dir, const theme_file_t *builtin, tpl_set_t *set, diag_t *d)
{
    DIR *dp = dir ? opendir(dir) : NULL;
    if (dir && !dp)
        return -1;
    char *names[THEME_MAX_FILES];
    size_t n = 0;
    struct dirent *e;
    while (dp && (e = readdir(dp)) && n < THEME_MAX_FILES) {
        if (e->d_name[0] == '.')
            continue;
        char *p = util_asprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            names[n++] = util_strdup(e->d_name);
        free(p);
    }
    if (dp)
        closedir(dp);
    qsort(names, n, sizeof *names, cmp_name);
    int rc = 0;
    for (const theme_file_t *f = builtin; f && f->name; f++) {
        if (listed(names, n, f->name))
            continue;
        /* Diagnostics name the source the file was built from. */
        char *p = util_asprintf("(built-in) conf/themes/" THEME_DEFAULT "/%s", f->name);
        if (tpl_set_add(set, f->name, p, f->data, f->len, d) != 0)
            rc = -1;
        free(p);
    }
    for (size_t i = 0; i < n; i++) {
        char *p = util_asprintf("%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = slurp(p, &len);
        if (!text) {
            diag_error(d, p, 0, 0, "cannot read template: %s", strerror(errno));
            rc = -1;
        } else if (tpl_set_add(set, names[i], p, text, len, d) != 0) {
            rc = -1;
        }
        free(text);
        free(p);
        free(names[i]);
    }
    if (rc == 0)
        rc = tpl_set_link(set, d);
    return rc;
}

static const theme_t *find(const theme_set_t *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->themes[i].name, name) == 0)
            return &t->themes[i];
    return NULL;
}

theme_set_t *theme_set_load(const conf_t *c, diag_t *d)
{
    size_t errors = d->errors;
    char *dir = c->themes_dir ? util_strdup(c->themes_dir) : util_path_resolve(c->dir, "themes");
    struct stat st;
    bool have_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    /* Named explicitly, the folder must be there; left to its default and absent, the
     * built-in default theme renders every page. */
    if (!have_dir && c->themes_dir) {
        diag_error(d, c->file, c->themes_pos.line, c->themes_pos.col,
                   "themes folder %s cannot be opened: %s", dir,
                   errno ? strerror(errno) : "not a folder");
        free(dir);
        return NULL;
    }
    theme_set_t *t = util_calloc(1, sizeof *t);
    t->loaded = (int64_t)time(NULL);
    t->themes = util_calloc(c->nsites + 1, sizeof *t->themes);
    char *ddir = have_dir ? util_asprintf("%s/%s", dir, THEME_DEFAULT) : NULL;
    if (ddir && (stat(ddir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        free(ddir); /* a themes folder without default/: every file is the built-in one */
        ddir = NULL;
    }
    t->themes[0].name = util_strdup(THEME_DEFAULT);
    t->themes[0].set = tpl_set_new(NULL);
    t->n = 1;
    /* Every built-in file is in the default theme now (a folder replaces built-in files,
     * never removes one): the modules check at load that the built-in theme has the
     * templates their pages need (their conf_check). */
    load_dir(ddir, theme_builtin_default, t->themes[0].set, d);
    free(ddir);
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        if (!s->theme || find(t, s->theme))
            continue;
        conf_pos_t p = s->theme_pos.line ? s->theme_pos : s->pos;
        bool slug = s->theme[0] && !strchr(s->theme, '/') && s->theme[0] != '.';
        char *tdir = util_asprintf("%s/%s", dir, s->theme);
        if (!slug || !have_dir || stat(tdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            diag_error(d, p.file, p.line, p.col, "theme '%s' not found (no folder %s)", s->theme,
                       tdir);
            free(tdir);
            continue;
        }
        theme_t *th = &t->themes[t->n++];
        th->name = util_strdup(s->theme);
        th->set = tpl_set_new(t->themes[0].set);
        load_dir(tdir, NULL, th->set, d);
        free(tdir);
    }
    free(dir);
    if (d->errors > errors) {
        theme_set_free(t);
        return NULL;
    }
    return t;
}

void theme_set_free(theme_set_t *t)
{
    if (!t)
        return;
    /* Derived themes point at the default one: free them first. */
    for (size_t i = t->n; i-- > 0;) {
        tpl_set_free(t->themes[i].set);
        free(t->themes[i].name);
    }
    free(t->themes);
    free(t);
}

const tpl_set_t *theme_for_site(const theme_set_t *t, const conf_site_t *s)
{
    if (!t)
        return NULL;
    if (s && s->theme) {
        const theme_t *th = find(t, s->theme);
        if (th)
            return th->set;
    }
    return t->themes[0].set;
}

void theme_require_builtin(diag_t *d, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const theme_file_t *f = theme_builtin_default;
        while (f->name && strcmp(f->name, names[i]) != 0)
            f++;
        if (!f->name)
            diag_error(d, "(built-in) conf/themes/" THEME_DEFAULT, 0, 0,
                       "the default theme has no %s", names[i]);
    }
}
