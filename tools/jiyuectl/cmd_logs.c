/* tools/jiyuectl/cmd_logs.c: `jiyuectl logs SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD]`:
 * one site's lines of the access log, for the web office that must keep and hand over its
 * own site's logs: the current file and the rotated ones beside it (access.log-20261205.gz,
 * access.log.1, compressed or not), oldest first, each line whose site field (the
 * second-to-last; see core/request.c) is SITE and whose time falls within the days given
 * (Beijing time, inclusive). Read only. */
#include <dirent.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "article.h"
#include "ctl.h"
#include "util.h"

#define LOG_LINE_MAX (64 * 1024)

typedef struct log_file {
    char *path;
    time_t mtime;
} log_file_t;

static int by_mtime(const void *a, const void *b)
{
    const log_file_t *x = a, *y = b;
    if (x->mtime != y->mtime)
        return x->mtime < y->mtime ? -1 : 1;
    return strcmp(y->path, x->path); /* access.log.2 before access.log.1 */
}

/* "[05/Dec/2026:12:00:00 +0000]" -> seconds since the epoch; -1 when not that shape. */
static int64_t line_time(const char *line)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *p = strchr(line, '[');
    int d, y, H, M, S;
    char mon[4];
    if (!p || sscanf(p, "[%2d/%3s/%4d:%2d:%2d:%2d", &d, mon, &y, &H, &M, &S) != 6)
        return -1;
    const char *m = strstr(months, mon);
    if (!m || (m - months) % 3)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = (int)(m - months) / 3, .tm_mday = d,
                    .tm_hour = H, .tm_min = M, .tm_sec = S};
    return (int64_t)timegm(&tm);
}

/* Whether the line's site field (the second-to-last space-separated one) is `site`. */
static bool line_site_is(const char *line, size_t len, const char *site)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    const char *end = line + len;
    const char *sp = end;
    while (sp > line && sp[-1] != ' ')
        sp--; /* the duration's start */
    if (sp == line)
        return false;
    const char *fe = sp - 1, *fs = fe;
    while (fs > line && fs[-1] != ' ')
        fs--;
    size_t n = strlen(site);
    return (size_t)(fe - fs) == n && memcmp(fs, site, n) == 0;
}

static long filter_file(const char *path, const char *site, int64_t from, int64_t to, char *buf)
{
    gzFile f = gzopen(path, "rb"); /* reads plain files as they are */
    if (!f)
        return -1;
    long n = 0;
    while (gzgets(f, buf, LOG_LINE_MAX)) {
        size_t len = strlen(buf);
        if (!line_site_is(buf, len, site))
            continue;
        int64_t t = line_time(buf);
        if (t < from || t > to)
            continue;
        fputs(buf, stdout);
        if (len && buf[len - 1] != '\n')
            fputc('\n', stdout);
        n++;
    }
    gzclose(f);
    return n;
}

static bool parse_day(const char *s, int64_t *days)
{
    return strlen(s) == 10 && util_parse_date(s, days) == 0;
}

int ctl_cmd_logs(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int64_t from = INT64_MIN, to = INT64_MAX, days;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!parse_day(optarg, &days))
                return ctl_usage(ctl, "--from takes a date YYYY-MM-DD, not '%s'", optarg);
            from = days * 86400 - ARTICLE_TZ_OFFSET;
            break;
        case 't':
            if (!parse_day(optarg, &days))
                return ctl_usage(ctl, "--to takes a date YYYY-MM-DD, not '%s'", optarg);
            to = days * 86400 + 86399 - ARTICLE_TZ_OFFSET;
            break;
        case 'h': return ctl_help(ctl);
        default: return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return ctl_usage(ctl, argc - optind < 1 ? "missing SITE" : "too many arguments");
    const char *site = argv[optind];
    int rc = ctl_load_site(ctl, site, NULL);
    if (rc != CTL_OK)
        return rc;
    const char *log = ctl->conf->access_log;
    if (!log || !strcmp(log, "off"))
        return ctl_fail(ctl, "the access log is off (access_log in %s)", ctl->conf_path);
    char *dcopy = util_strdup(log), *bcopy = util_strdup(log);
    const char *dir = dirname(dcopy), *base = basename(bcopy);
    size_t blen = strlen(base);
    DIR *d = opendir(dir);
    if (!d) {
        free(dcopy);
        free(bcopy);
        return ctl_fail(ctl, "cannot read the log folder %s", dir);
    }
    log_file_t *files = NULL;
    size_t nfiles = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* the log itself, and what logrotate made of it: "<base>-DATE[.gz]", "<base>.N[.gz]" */
        if (strncmp(e->d_name, base, blen) != 0 ||
            (e->d_name[blen] != '\0' && e->d_name[blen] != '-' && e->d_name[blen] != '.'))
            continue;
        char *p = util_asprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        files = util_realloc(files, (nfiles + 1) * sizeof *files);
        files[nfiles++] = (log_file_t){p, st.st_mtime};
    }
    closedir(d);
    qsort(files, nfiles, sizeof *files, by_mtime);
    char *buf = util_malloc(LOG_LINE_MAX);
    long total = 0;
    for (size_t i = 0; i < nfiles; i++) {
        long n = filter_file(files[i].path, site, from, to, buf);
        if (n < 0)
            ctl_warn(ctl, "cannot read %s", files[i].path);
        else
            total += n;
        free(files[i].path);
    }
    free(buf);
    free(files);
    free(dcopy);
    free(bcopy);
    if (total == 0)
        fprintf(stderr, "jiyuectl: logs: no lines of %s in the access logs\n", site);
    return CTL_OK;
}
