/* tools/jiyuectl/cmd_import.c: `jiyuectl import [--generation GEN] [--mirror] [--map CSV]
 * SITE DIR` (-h lists the flags): replaces a site's pages with the files under DIR, each with its media type and, when it pays, a
 * gzip variant made now so the server never compresses. Everything happens in ONE write
 * transaction (clear, then put every file): a crash, an unreadable file or a full map
 * leaves the old content whole, because LMDB simply never sees a commit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "ctl.h"
#include "search_pages.h"
#include "gzip.h"
#include "mime.h"
#include "mirror.h"
#include "util.h"
#include "walk.h"

/* One file larger than this is almost certainly a mistake (a video, a backup archive)
 * in what should be a website, and it would sit in memory twice during the import. */
#define IMPORT_MAX_FILE ((uint64_t)64 << 20)
/* LMDB's key limit (511 bytes) minus the longest namespace ("site@generation"). */
#define IMPORT_MAX_PATH (511 - 32 - 1 - 32)

typedef struct import_stats {
    size_t files;
    uint64_t bytes;
    size_t gzips;
} import_stats_t;

/* Reads a whole regular file, refusing anything that changed into something else since
 * the walk (a symlink, a fifo, a folder on the way swapped for a symlink: beneath_open
 * follows none) or grew past the limit. */
static int read_file(ctl_t *ctl, int rootfd, const char *root, const char *rel, uint8_t **out,
                     size_t *len, int64_t *mtime)
{
    int fd = beneath_open(rootfd, rel, O_RDONLY | O_NONBLOCK);
    if (fd < 0 && errno == ELOOP)
        return ctl_fail(ctl, "%s/%s is now a symbolic link or lies under one (it was not "
                             "when the folder was listed): nothing was changed", root, rel);
    if (fd < 0)
        return ctl_fail(ctl, "cannot read %s/%s: %s: nothing was changed", root, rel,
                        strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ctl_fail(ctl, "%s/%s is no longer a regular file: nothing was changed", root, rel);
    }
    uint8_t *buf = (uint8_t *)util_read_fd(fd, (size_t)st.st_size, IMPORT_MAX_FILE, len);
    int e = errno;
    close(fd);
    if (!buf && e == EFBIG)
        return ctl_fail(ctl, "%s/%s grew past the limit while reading: nothing was changed",
                        root, rel);
    if (!buf)
        return ctl_fail(ctl, "cannot read %s/%s: %s: nothing was changed", root, rel,
                        strerror(e));
    *out = buf;
    *mtime = (int64_t)st.st_mtim.tv_sec;
    return CTL_OK;
}

static int store_one(ctl_t *ctl, store_txn_t *w, const char *ns, int rootfd, const char *root,
                     const char *rel, import_stats_t *st, mirror_t *mr)
{
    uint8_t *body = NULL;
    size_t len = 0;
    int64_t mtime = 0;
    int rc = read_file(ctl, rootfd, root, rel, &body, &len, &mtime);
    if (rc != CTL_OK)
        return rc;
    const char *type = mime_for_name(rel);
    char typebuf[64];
    /* The stored path: "/" + rel, except for wget's names of URLs with a query. */
    char *path = mirror_file(mr, rel, body, len, &type, typebuf, sizeof typebuf);
    uint8_t *gz = NULL;
    size_t gz_len = 0;
    if (mime_is_compressible(type) && gzip_variant(body, len, &gz, &gz_len) < 0) {
        free(body);
        free(path);
        return ctl_fail(ctl, "cannot compress %s/%s: nothing was changed", root, rel);
    }
    int src = store_page_put(w, ns, path, type, body, len, gz, gz_len, mtime);
    free(path);
    free(body);
    free(gz);
    if (src != 0)
        return ctl_store_fail(ctl, src, "nothing was changed");
    st->files++;
    st->bytes += len;
    st->gzips += gz != NULL;
    return CTL_OK;
}

static void progress(size_t done, size_t total, uint64_t *last_ms)
{
    uint64_t now = util_now_ms();
    if (done != total && now - *last_ms < 100)
        return;
    *last_ms = now;
    fprintf(stderr, "\r  imported %zu/%zu files", done, total);
    if (done == total)
        fputs("\r\033[K", stderr); /* leave the line clean for the summary */
    fflush(stderr);
}

static int import_run(ctl_t *ctl, int argc, char **argv, mirror_t *mr);

static void import_help(void)
{
    puts("usage: jiyuectl [-c FILE] import [--generation GEN] [--mirror] [--map CSV] SITE DIR\n"
         "  replace a site's pages with the files under DIR, in one transaction\n"
         "  --generation GEN  import into generation GEN of the site (a redesign, previewed\n"
         "                    and then promoted) instead of the pages it serves now\n"
         "  --mirror          DIR is a `wget --mirror` of the old site: a DIR holding only\n"
         "                    the old host's folder is entered, pages saved for URLs with a\n"
         "                    query get servable names, and every old URL that changed is\n"
         "                    redirected (301) to the new one\n"
         "  --map CSV         more redirects: one OLD,NEW per line (OLD an old URL or path,\n"
         "                    NEW a path below the site or an absolute URL); overrides --mirror's\n"
         "  -h, --help        this help\n"
         "Dotfiles are skipped; symbolic links, special files and names that cannot be served\n"
         "are skipped with a warning. Nothing outside DIR is ever read.");
}

/* --mirror and --map FILE are taken out first; the rest is what import always took. */
int ctl_cmd_import(ctl_t *ctl, int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            import_help();
            return CTL_OK;
        }
    mirror_t mr = {0};
    int rc = mirror_options(ctl, &argc, argv, &mr);
    if (rc < 0)
        rc = import_run(ctl, argc, argv, &mr);
    mirror_free(&mr);
    return rc;
}

static int import_run(ctl_t *ctl, int argc, char **argv, mirror_t *mr)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 2, &gen, &first);
    if (rc >= 0)
        return rc;
    const char *site = argv[first], *dir = argv[first + 1];
    char ns[128];
    if ((rc = ctl_namespace(ctl, site, gen, ns, sizeof ns)) != CTL_OK)
        return rc;
    if ((rc = ctl_load_site(ctl, site, NULL)) != CTL_OK)
        return rc;
    struct stat dst;
    if (stat(dir, &dst) != 0)
        return ctl_fail(ctl, "cannot open %s: %s", dir, strerror(errno));
    if (!S_ISDIR(dst.st_mode))
        return ctl_fail(ctl, "%s is not a directory", dir);
    if ((rc = mirror_read_map(ctl, mr)) != CTL_OK)
        return rc;
    char *hostdir = mr->enabled ? NULL : mirror_only_host_folder(dir);
    if (hostdir)
        ctl_warn(ctl, "%s holds nothing but the folder %s/, which looks like a `wget "
                      "--mirror` of http://%s/: its pages will be under /%s/; to import the "
                      "mirror as the site's pages, run import with --mirror", dir, hostdir,
                 hostdir, hostdir);
    free(hostdir);
    mirror_set_root(mr, dir);
    /* One descriptor for the listing and every read: the folder given, or (--mirror) the
     * host folder in it, entered without following a symbolic link. */
    int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd >= 0 && mr->host) {
        int sub = openat(rootfd, mr->host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(rootfd);
        rootfd = sub;
        errno = e;
    }
    dir = mr->root;
    if (rootfd < 0)
        return ctl_fail(ctl, "cannot open %s: %s", dir, strerror(errno));

    walk_t wk = {.max_path = IMPORT_MAX_PATH, .max_file = IMPORT_MAX_FILE};
    if ((rc = walk_tree(ctl, dir, rootfd, &wk)) != CTL_OK) {
        close(rootfd);
        walk_free(&wk);
        return rc;
    }
    if (wk.nfiles == 0) {
        close(rootfd);
        walk_free(&wk);
        /* Importing nothing would empty the site: far more likely a wrong folder. */
        return ctl_fail(ctl, "%s has no files to import: nothing was changed", dir);
    }
    if ((rc = ctl_open_store(ctl, CTL_STORE_CREATE)) != CTL_OK) {
        close(rootfd);
        walk_free(&wk);
        return rc;
    }

    import_stats_t st = {0};
    bool tty = isatty(STDERR_FILENO);
    uint64_t last_ms = 0;
    int src;
    store_txn_t *w = store_write_begin(ctl->store, &src);
    /* Without --generation, the import replaces what the site serves: after a promote,
     * that is the promoted generation, not the base one. */
    if (w && !gen && store_site_live(w, site, ns, sizeof ns) != 0)
        snprintf(ns, sizeof ns, "%s", site);
    long old = w ? store_site_clear(w, ns) : src;
    if (!w || old < 0) {
        rc = ctl_store_fail(ctl, (int)old, "nothing was changed");
    } else {
        for (size_t i = 0; i < wk.nfiles && rc == CTL_OK; i++) {
            rc = store_one(ctl, w, ns, rootfd, dir, wk.files[i], &st, mr);
            if (tty && rc == CTL_OK)
                progress(i + 1, wk.nfiles, &last_ms);
        }
        if (tty && rc != CTL_OK)
            fputs("\r\033[K", stderr);
    }
    bool redirects = mr->enabled || mr->map_file || mr->n > 0;
    if (w && rc == CTL_OK && redirects) {
        /* Redirects are the site's: the import of what it serves replaces them, one into
         * another generation (--generation) adds to them. */
        src = mirror_store(w, site, ns, mr, (mr->enabled || mr->map_file) && !gen);
        if (src != 0)
            rc = ctl_store_fail(ctl, src, "nothing was changed");
    }
    if (w && rc == CTL_OK) {
        /* What the site serves is what can be found, from the same commit on; an import
         * into a preview generation leaves the index alone. */
        src = search_pages_sync_if_live(w, site, ns);
        if (src != 0)
            rc = ctl_store_fail(ctl, src, "nothing was changed");
    }
    if (w && rc == CTL_OK) {
        src = store_commit(w);
        if (src != 0)
            rc = ctl_store_fail(ctl, src, "nothing was changed");
    } else if (w) {
        store_abort(w);
    }
    if (rc == CTL_OK) {
        printf("imported %zu files (%llu bytes, %zu gzip variants) into %s\n", st.files,
               (unsigned long long)st.bytes, st.gzips, ns);
        if (redirects)
            printf("stored %zu redirects from old URLs\n", mr->n);
        const conf_site_t *cs = conf_site_find(ctl->conf, site);
        bool known = false;
        for (size_t i = 0; mr->host && i < cs->naliases; i++)
            known |= strcasecmp(cs->aliases[i], mr->host) == 0;
        for (size_t i = 0; mr->host && i < cs->nhosts; i++)
            known |= strcasecmp(cs->hosts[i], mr->host) == 0;
        if (mr->host && !known)
            fprintf(stderr, "jiyuectl: import: to redirect the old domain, add %s under "
                            "mount.aliases in %s and reload\n", mr->host, cs->file);
        if (wk.dotfiles || wk.skipped)
            fprintf(stderr, "jiyuectl: import: skipped %zu dotfiles and %zu other entries\n",
                    wk.dotfiles, wk.skipped);
    }
    close(rootfd);
    walk_free(&wk);
    return rc;
}
