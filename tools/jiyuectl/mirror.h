/* tools/jiyuectl/mirror.h: importing an old site saved with `wget --mirror`: the file
 * names wget makes for URLs with a query string ("show.asp?id=12", "show.asp@id=12.html"
 * with --restrict-file-names=windows, ".html" appended by --adjust-extension) become
 * servable paths, and every old URL that changed gets a redirect of the site (store_keys.h
 * "redir/", modules/static/redirect.h), which modules/static/static.c answers with a 301. An operator's CSV map (--map) adds to and
 * overrides those redirects. */
#ifndef JIYUE_CTL_MIRROR_H
#define JIYUE_CTL_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

typedef struct mirror_redirect {
    char *old; /* "/path" or "/path?query": decoded path, raw query */
    char *to;  /* "/new/path" (below the site's mount) or an absolute URL */
} mirror_redirect_t;

typedef struct mirror {
    bool enabled;         /* --mirror */
    const char *map_file; /* --map FILE */
    char *root;           /* the folder imported (DIR, or DIR/<old host>/) */
    char *host;           /* the old host's folder name, when DIR held only that */
    mirror_redirect_t *r;
    size_t n, cap;
} mirror_t;

/* Takes --mirror and --map FILE (or --map=FILE) out of argv, compacting it for
 * ctl_parse_args. Returns -1 to go on, else an exit code. */
int mirror_options(ctl_t *ctl, int *argc, char **argv, mirror_t *m);
/* Sets m->root: with --mirror, a DIR holding nothing but one folder named like a host
 * (wget's "old.example.gov.cn/") is entered. */
void mirror_set_root(mirror_t *m, const char *dir);
/* DIR holds nothing but one folder named like a host ("old-host.example", wget's
 * "host:port" too; not "v1.2"): the name (heap), else NULL. Without --mirror such a
 * folder would be imported as /old-host.example/..., which import warns about. */
char *mirror_only_host_folder(const char *dir);
/* The path (heap, "/...") to store the file at `rel` under, given its body, and records
 * the redirect from its old URL when that differs. *type is set to a media type to use
 * instead of the one its name gives, or left alone. */
char *mirror_file(mirror_t *m, const char *rel, const uint8_t *body, size_t len,
                  const char **type, char *typebuf, size_t typecap);
/* Reads the CSV map (old URL or path, new path or URL per line). CTL_OK or CTL_FAIL after
 * reporting FILE:LINE: reason. */
int mirror_read_map(ctl_t *ctl, mirror_t *m);
/* Writes the redirects as the SITE's (modules/static/redirect.h: they outlive promote and
 * rollback), after removing the site's old ones, and those an older store kept for
 * namespace ns, when `replace`; else they add to and override what is there. Returns 0 or
 * a STORE_E* code. */
int mirror_store(store_txn_t *w, const char *site, const char *ns, const mirror_t *m,
                 bool replace);
void mirror_free(mirror_t *m);

#endif
