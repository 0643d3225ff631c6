/* tools/jiyuectl/cmd_publish.c: `jiyuectl publish FILE` and `jiyuectl update FILE`: one
 * Markdown or HTML file with a YAML front matter block becomes an article (or its next
 * revision) in one store transaction, or is refused with one line and nothing written.
 * Every front matter key can be overridden by a flag (--site edu, --secrecy-by NAME). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "article.h"
#include "beneath.h"
#include "ctl.h"
#include "frontmatter.h"
#include "markdown.h"
#include "replaced.h"
#include "util.h"

#define MAX_FILE_BYTES (64u << 20)

/* Reads the whole regular file open as fd (and closes it); NULL with errno set on
 * failure (EISDIR: not a regular file, EFBIG: over the limit). */
static char *read_fd(int fd, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE_BYTES) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EISDIR;
        return NULL;
    }
    char *buf = util_read_fd(fd, (size_t)st.st_size, MAX_FILE_BYTES, len);
    int e = errno;
    close(fd);
    errno = e;
    return buf;
}

/* Reads a whole file named by the operator; NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    return fd < 0 ? NULL : read_fd(fd, len);
}

/* Reads attachment `a` (as written in the front matter) strictly below the article's
 * folder (open as dirfd), following no symbolic link (core/beneath.h). On refusal returns
 * NULL after reporting one line naming the attachment and the article file. */
static char *read_attachment(ctl_t *ctl, int dirfd, const char *file, const char *a,
                             size_t *len)
{
    if (!beneath_path_ok(a)) {
        ctl_fail(ctl, "refused: attachment '%s' of %s is outside the article's folder: an "
                      "attachment must be a file below it (no absolute path, no '..')", a, file);
        return NULL;
    }
    int fd = dirfd < 0 ? -1 : beneath_open(dirfd, a, O_RDONLY | O_NONBLOCK);
    char *data = fd < 0 ? NULL : read_fd(fd, len);
    if (data)
        return data;
    if (dirfd < 0)
        ctl_fail(ctl, "refused: attachment '%s' of %s cannot be read: the article's folder "
                      "cannot be opened", a, file);
    else if (errno == ELOOP)
        ctl_fail(ctl, "refused: attachment '%s' of %s is a symbolic link or lies under one: "
                      "attachments must be regular files below the article's folder", a, file);
    else if (errno == EISDIR)
        ctl_fail(ctl, "refused: attachment '%s' of %s is not a regular file", a, file);
    else
        ctl_fail(ctl, "refused: attachment '%s' of %s cannot be read: %s", a, file,
                 strerror(errno));
    return NULL;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The id when none is given: the file name without its extension when that is usable in a
 * URL ("2026-11-20-changwuhui.md"), else the date and a hash of the title, so the same
 * file published twice is recognised as the same article. */
static char *default_id(const char *file, const article_meta_t *m, int64_t now)
{
    const char *b = base_name(file);
    const char *dot = strrchr(b, '.');
    char *stem = util_strndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
    if (article_id_ok(stem))
        return stem;
    free(stem);
    int64_t t = now;
    if (m->date)
        article_parse_time(m->date, &t);
    char day[11];
    article_format_day(t, day);
    uint64_t h = 1469598103934665603ull;
    for (const char *p = m->title ? m->title : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return util_asprintf("%.4s%.2s%.2s-%06llx", day, day + 5, day + 8,
                         (unsigned long long)(h & 0xffffff));
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? util_strndup(path, (size_t)(s - path)) : util_strdup(".");
}

/* The store read-only for a dry run's warnings; left closed, without a word, when it
 * cannot be opened (a dry run checks the article, not the store). */
static void open_quietly(ctl_t *ctl)
{
    store_options_t opt = {.map_size = ctl->conf->store_map_size, .read_only = true};
    char *err = NULL;
    ctl->store = store_open(ctl->conf->store, &opt, &err);
    free(err);
}

/* The command line: FILE, --dry-run, and front-matter keys given as --key=value or
 * --key value (they override the file's). */
typedef struct publish_args {
    const char *path;
    bool dry_run;
    const char *flag_keys[32], *flag_vals[32]; /* keys allocated */
    size_t nflags;
} publish_args_t;

/* Fills *a; false with *rc set when the command ends here (help, a usage error). */
static bool parse_args(ctl_t *ctl, int argc, char **argv, publish_args_t *pa, int *rc)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return *rc = ctl_help(ctl), false;
        if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) {
            pa->dry_run = true;
        } else if (strncmp(a, "--", 2) == 0 && a[2]) {
            const char *eq = strchr(a, '=');
            if (pa->nflags == UTIL_ARRAY_LEN(pa->flag_keys))
                return *rc = ctl_usage(ctl, "too many flags"), false;
            if (eq) {
                pa->flag_keys[pa->nflags] = util_strndup(a + 2, (size_t)(eq - a - 2));
                pa->flag_vals[pa->nflags++] = eq + 1;
            } else {
                if (i + 1 >= argc)
                    return *rc = ctl_usage(ctl, "%s needs a value", a), false;
                pa->flag_keys[pa->nflags] = util_strdup(a + 2);
                pa->flag_vals[pa->nflags++] = argv[++i];
            }
        } else if (a[0] == '-' && a[1]) {
            return *rc = ctl_usage(ctl, "unknown option '%s'", a), false;
        } else if (pa->path) {
            return *rc = ctl_usage(ctl, "too many arguments"), false;
        } else {
            pa->path = a;
        }
    }
    if (!pa->path)
        return *rc = ctl_usage(ctl, "missing FILE"), false;
    return true;
}

/* Reads the article file into *text (which fm's body points into) and its front matter,
 * with the command line's overrides, into *m. CTL_OK or the failure, said. */
static int read_article(ctl_t *ctl, const publish_args_t *pa, char **text, frontmatter_t *fm,
                        article_meta_t *m)
{
    const char *path = pa->path;
    size_t len = 0;
    *text = read_file(path, &len);
    if (!*text)
        return ctl_fail(ctl, "cannot read %s: %s", path, strerror(errno));
    diag_t d;
    diag_init(&d);
    if (frontmatter_parse(path, *text, len, fm, &d) != 0 ||
        (fm->meta && article_meta_read(m, fm->meta->root, &d) != 0)) {
        diag_print(&d, stderr);
        diag_free(&d);
        return ctl_fail(ctl, "%s: the front matter has errors (see above); nothing was published", path);
    }
    diag_free(&d);
    for (size_t i = 0; i < pa->nflags; i++)
        if (article_meta_set(m, pa->flag_keys[i], pa->flag_vals[i]) != 0)
            return ctl_usage(ctl, "unknown option '--%s'", pa->flag_keys[i]);
    return CTL_OK;
}

/* Reads the article's attachments (named in its front matter, relative to its folder)
 * into files[] and data[] (the caller frees data[i]). CTL_OK or the failure, said. */
static int read_attachments(ctl_t *ctl, const char *path, const article_meta_t *m,
                            article_file_t *files, char **data, size_t *nfiles)
{
    char *dir = dir_of(path);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = CTL_OK;
    for (size_t i = 0; i < m->nattachments && rc == CTL_OK; i++) {
        const char *a = m->attachments[i];
        size_t n = 0;
        data[i] = read_attachment(ctl, dirfd, path, a, &n);
        if (!data[i]) {
            rc = CTL_FAIL;
            break;
        }
        const char *name = base_name(a);
        if (!article_attachment_name_ok(name)) {
            rc = ctl_fail(ctl, "%s: refused: attachment name '%s' cannot be used in a URL", path, name);
            break;
        }
        for (size_t j = 0; j < *nfiles; j++)
            if (strcmp(files[j].name, name) == 0) {
                rc = ctl_fail(ctl, "%s: refused: two attachments named '%s'", path, name);
                break;
            }
        if (rc == CTL_OK)
            files[(*nfiles)++] = (article_file_t){.name = name, .data = data[i], .len = n};
    }
    free(dir);
    if (dirfd >= 0)
        close(dirfd);
    return rc;
}

static int run_publish(ctl_t *ctl, int argc, char **argv, article_op_t op)
{
    article_meta_t m = {0};
    article_file_t files[ARTICLE_MAX_ATTACHMENTS];
    char *file_data[ARTICLE_MAX_ATTACHMENTS] = {0};
    size_t nfiles = 0;
    char *text = NULL, *html = NULL;
    int rc = CTL_FAIL;
    frontmatter_t fm = {0};
    publish_args_t pa = {0};

    if (!parse_args(ctl, argc, argv, &pa, &rc))
        goto out;
    const char *path = pa.path;
    bool dry_run = pa.dry_run;

    if ((rc = read_article(ctl, &pa, &text, &fm, &m)) != CTL_OK)
        goto out;
    /* the site's own files (and the whole folder when that is not certain); templates and
     * certificates are the server's: `jiyue -t` and reload still check them */
    if ((rc = ctl_load_conf_for(ctl, m.site, CONF_LOAD_NO_THEMES | CONF_LOAD_NO_TLS)) != CTL_OK)
        goto out;
    char why[512];
    if (article_check(ctl->conf, &m, why, sizeof why)) {
        rc = ctl_fail(ctl, "%s: refused: %s", path, why);
        goto out;
    }
    int64_t now = (int64_t)time(NULL);
    if (article_future_check(&m, now, why, sizeof why)) {
        rc = ctl_fail(ctl, "%s: refused: %s", path, why);
        goto out;
    }
    if (!m.id)
        m.id = default_id(path, &m, now);
    article_meta_prepare(ctl->conf, &m);

    if ((rc = read_attachments(ctl, path, &m, files, file_data, &nfiles)) != CTL_OK)
        goto out;

    bool is_html = markdown_is_html_name(path);
    html = is_html ? markdown_html_body(fm.body, fm.body_len)
                   : markdown_to_html(fm.body, fm.body_len);
    char *url = article_url_path(ctl->conf, m.site, m.column, m.id);
    if (!dry_run && (rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK) {
        free(url);
        goto out;
    }
    if (dry_run)
        open_quietly(ctl); /* a dry run works without a store too */
    if (op == ARTICLE_PUBLISH)
        replaced_warn(ctl, &m);
    if (dry_run) {
        printf("%s\n", url);
        free(url);
        rc = CTL_OK;
        goto out;
    }
    char err[512];
    article_result_t res;
    if (article_publish(ctl->store, op, &m, is_html ? "html" : "markdown", html, strlen(html),
                        files, nfiles, now, &res, err, sizeof err) != 0) {
        rc = ctl_fail(ctl, "%s: refused: %s", path, err);
        free(url);
        goto out;
    }
    printf("%s\n", url);
    free(url);
    rc = CTL_OK;
out:
    for (size_t i = 0; i < pa.nflags; i++)
        free((char *)pa.flag_keys[i]);
    for (size_t i = 0; i < ARTICLE_MAX_ATTACHMENTS; i++)
        free(file_data[i]);
    frontmatter_free(&fm);
    article_meta_free(&m);
    free(text);
    free(html);
    return rc;
}

int ctl_cmd_publish(ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--batch") == 0)
        return argc == 3 ? ctl_publish_batch(ctl, argv[2])
                         : ctl_usage(ctl, "--batch takes one FILE and nothing else");
    return run_publish(ctl, argc, argv, ARTICLE_PUBLISH);
}

int ctl_cmd_update(ctl_t *ctl, int argc, char **argv)
{
    return run_publish(ctl, argc, argv, ARTICLE_UPDATE);
}
