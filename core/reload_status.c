/* core/reload_status.c: writing and reading the reload status file (format and why in
 * reload_status.h). */
#include "reload_status.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAGIC "jiyue-reload-status 1"

static const char *result_names[] = {"started", "accepted", "rejected", "adopting"};

char *reload_status_path(const char *pid_file)
{
    return util_asprintf("%s.reload", pid_file);
}

uint64_t reload_status_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_record(FILE *f, const reload_status_t *st)
{
    fprintf(f,
            MAGIC "\npid %ld\nseq %" PRIu64 "\nstarted_ns %" PRIu64 "\nresult %s\n"
                  "generation %" PRIu64 "\nsites %" PRIu64 "\nerrors %" PRIu64
                  "\nwarnings %" PRIu64 "\n\n",
            st->pid, st->seq, st->started_ns, result_names[st->result], st->generation,
            st->sites, st->errors, st->warnings);
    if (st->text)
        fputs(st->text, f);
    return ferror(f) ? -1 : 0;
}

int reload_status_write(const char *path, const reload_status_t *st, char **err)
{
    /* A fresh name in the same folder, so that rename() replaces the record in one step. */
    char *tmp = util_asprintf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        *err = util_asprintf("cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes it 0600; the command reading it may run as another user than the
     * server (root, while the server dropped to its user). */
    FILE *f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
    int rc = -1;
    if (!f)
        close(fd);
    else if (write_record(f, st) != 0)
        fclose(f);
    else
        rc = fclose(f);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        *err = util_asprintf("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    util_buf_t b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        util_buf_append(&b, chunk, n);
    bool bad = ferror(f);
    fclose(f);
    util_buf_append(&b, "", 1);
    if (bad) {
        util_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    return b.data;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* One "key value" header line (NUL-terminated, no newline). Unknown keys are skipped, so
 * that a newer server can add some. */
static bool parse_line(char *line, reload_status_t *st)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return false;
    *sp = '\0';
    const char *k = line, *v = sp + 1;
    uint64_t u = 0;
    if (strcmp(k, "result") == 0) {
        for (size_t i = 0; i < UTIL_ARRAY_LEN(result_names); i++)
            if (strcmp(v, result_names[i]) == 0) {
                st->result = (reload_result_t)i;
                return true;
            }
        return false;
    }
    if (!parse_u64(v, &u))
        return strcmp(k, "pid") != 0; /* only a known numeric key must be a number */
    if (strcmp(k, "pid") == 0)
        st->pid = (long)u;
    else if (strcmp(k, "seq") == 0)
        st->seq = u;
    else if (strcmp(k, "started_ns") == 0)
        st->started_ns = u;
    else if (strcmp(k, "generation") == 0)
        st->generation = u;
    else if (strcmp(k, "sites") == 0)
        st->sites = u;
    else if (strcmp(k, "errors") == 0)
        st->errors = u;
    else if (strcmp(k, "warnings") == 0)
        st->warnings = u;
    return true;
}

int reload_status_read(const char *path, reload_status_t *st)
{
    memset(st, 0, sizeof *st);
    char *data = read_all(path);
    if (!data)
        return -1;
    size_t ml = strlen(MAGIC);
    if (strncmp(data, MAGIC, ml) != 0 || data[ml] != '\n') {
        free(data);
        return -2;
    }
    char *p = data + ml + 1;
    bool ok = true, ended = false;
    while (*p && ok) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break; /* a header cut short: not a record the server wrote */
        *nl = '\0';
        if (*p == '\0') {
            p = nl + 1;
            ended = true;
            break;
        }
        ok = parse_line(p, st);
        p = nl + 1;
    }
    if (!ok || !ended || st->pid <= 0) {
        free(data);
        return -2;
    }
    st->text = util_strdup(p);
    free(data);
    return 0;
}

void reload_status_free(reload_status_t *st)
{
    free(st->text);
    st->text = NULL;
}
