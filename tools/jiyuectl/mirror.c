/* tools/jiyuectl/mirror.c: see mirror.h. */
#include "mirror.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "store_keys.h"
#include "util.h"

int mirror_options(ctl_t *ctl, int *argc, char **argv, mirror_t *m)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "--mirror") == 0) {
            m->enabled = true;
        } else if (strcmp(a, "--map") == 0) {
            if (i + 1 >= *argc)
                return ctl_usage(ctl, "--map needs a CSV file");
            m->map_file = argv[++i];
        } else if (strncmp(a, "--map=", 6) == 0) {
            m->map_file = a + 6;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    return -1;
}

/* Named like a host: [A-Za-z0-9.-] with a dot and a top-level label of two or more
 * letters ("old-host.example", "www.x.gov.cn"; not "v1.2" or "backup.2024"), then
 * optionally wget's ":port" or "+port". */
static bool host_like(const char *s)
{
    size_t end = strcspn(s, ":+");
    if (s[end] && !s[end + 1])
        return false;
    for (size_t i = end + (s[end] != '\0'); s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    const char *dot = memrchr(s, '.', end);
    if (!dot || dot == s || (size_t)(s + end - dot - 1) < 2)
        return false;
    for (size_t i = 0; i < end; i++) {
        char c = s[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool other = (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (!letter && !(other && s + i < dot + 1))
            return false;
    }
    return true;
}

char *mirror_only_host_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *only = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n++ == 0)
            only = util_strdup(e->d_name);
    }
    bool host = n == 1 && host_like(only);
    struct stat st;
    if (host && (fstatat(dirfd(d), only, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode)))
        host = false;
    closedir(d);
    if (!host) {
        free(only);
        return NULL;
    }
    return only;
}

void mirror_set_root(mirror_t *m, const char *dir)
{
    m->root = util_strdup(dir);
    char *only = m->enabled ? mirror_only_host_folder(dir) : NULL;
    if (only) {
        free(m->root);
        m->root = util_asprintf("%s/%s", dir, only);
        m->host = only;
    }
}

static void add(mirror_t *m, char *old, char *to)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->r[i].old, old) == 0) { /* the later word wins (the CSV map) */
            free(m->r[i].to);
            free(old);
            m->r[i].to = to;
            return;
        }
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->r = util_realloc(m->r, m->cap * sizeof *m->r);
    }
    m->r[m->n++] = (mirror_redirect_t){old, to};
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static bool is_html_name(const char *s, size_t n)
{
    return ends_with(s, n, ".html") || ends_with(s, n, ".htm") || ends_with(s, n, ".shtml");
}

/* Extensions of pages a server generated: wget -E saves "x.asp" as "x.asp.html". */
static bool is_dynamic_name(const char *s, size_t n)
{
    static const char *const ext[] = {".asp", ".aspx", ".php", ".jsp", ".jspx", ".do",
                                      ".action", ".cgi", ".pl", ".cfm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ends_with(s, n, ext[i]))
            return true;
    return false;
}

static bool sniff_html(const uint8_t *b, size_t len)
{
    size_t n = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 5 <= n; i++)
        if (b[i] == '<' && (strncasecmp((const char *)b + i, "<html", 5) == 0 ||
                            (i + 9 <= n && strncasecmp((const char *)b + i, "<!doctype", 9) == 0)))
            return true;
    return false;
}

/* Old sites are often GB2312/GBK: keep the charset a page declares instead of the UTF-8
 * its extension would get. Returns false when it declares none or UTF-8. */
static bool declared_charset(const uint8_t *b, size_t len, char *out, size_t cap)
{
    size_t n = len < 2048 ? len : 2048;
    for (size_t i = 0; i + 8 < n; i++) {
        if (strncasecmp((const char *)b + i, "charset=", 8) != 0)
            continue;
        size_t j = i + 8, k = 0;
        if (j < n && (b[j] == '"' || b[j] == '\''))
            j++;
        while (j < n && k + 1 < cap &&
               ((b[j] >= 'a' && b[j] <= 'z') || (b[j] >= 'A' && b[j] <= 'Z') ||
                (b[j] >= '0' && b[j] <= '9') || b[j] == '-' || b[j] == '_'))
            out[k++] = (char)b[j++];
        out[k] = '\0';
        return k > 0 && strcasecmp(out, "utf-8") != 0 && strcasecmp(out, "utf8") != 0;
    }
    return false;
}

char *mirror_file(mirror_t *m, const char *rel, const uint8_t *body, size_t len,
                  const char **type, char *typebuf, size_t typecap)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    size_t dirlen = (size_t)(base - rel), blen = strlen(base);
    bool html = m->enabled && sniff_html(body, len);
    /* The separator wget put between path and query: '?' always (such a name could never
     * be asked for as it is), '@' (--restrict-file-names=windows) only in a mirror and
     * only when a "key=value" follows. */
    const char *sep = memchr(base, '?', blen);
    if (!sep && m->enabled) {
        sep = memchr(base, '@', blen);
        if (sep && !memchr(sep, '=', blen - (size_t)(sep - base)))
            sep = NULL;
    }
    util_buf_t stored = {0};
    util_buf_append(&stored, "/", 1);
    util_buf_appends(&stored, rel);
    util_buf_append(&stored, "", 1);
    if (sep) {
        size_t plen = (size_t)(sep - base);
        const char *q = sep + 1;
        size_t qlen = blen - plen - 1;
        /* "show.asp?id=12.html": the ".html" is wget's (-E), not the query's */
        if (html && ends_with(q, qlen, ".html") && !is_html_name(base, plen))
            qlen -= 5;
        char *old = util_asprintf("/%.*s%.*s?%.*s", (int)dirlen, rel, (int)plen, base, (int)qlen, q);
        char *s = stored.data + 1 + dirlen + plen;
        *s = '@';
        if (html && !is_html_name(stored.data, stored.len - 1)) {
            stored.len--;
            util_buf_appends(&stored, ".html");
            util_buf_append(&stored, "", 1);
        }
        add(m, old, util_strdup(stored.data));
    } else if (m->enabled && html && ends_with(base, blen, ".html") &&
               is_dynamic_name(base, blen - 5)) {
        add(m, util_asprintf("/%.*s", (int)(strlen(rel) - 5), rel), util_strdup(stored.data));
    }
    if (html) {
        char cs[32];
        if (declared_charset(body, len, cs, sizeof cs)) {
            snprintf(typebuf, typecap, "text/html; charset=%s", cs);
            *type = typebuf;
        } else if (!is_html_name(stored.data, stored.len - 1)) {
            snprintf(typebuf, typecap, "text/html; charset=utf-8");
            *type = typebuf;
        }
    }
    return stored.data;
}

/* ---- the CSV map ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Splits one CSV line into up to 2 fields (RFC 4180 quoting); returns how many. */
static int csv_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        f[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    break;
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        char end = *p;
        *w = '\0';
        if (end != ',')
            break;
        p++;
    }
    return n;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* An old URL ("http://old/x?y" or "/x?y") -> "/x?y" with the path percent-decoded (the
 * server matches decoded paths) and the query as sent. NULL when it is neither. */
static char *old_key(const char *s)
{
    if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
        s = strchr(s + 8 - (s[4] == ':'), '/');
        if (!s)
            return util_strdup("/");
    }
    if (s[0] != '/')
        return NULL;
    util_buf_t b = {0};
    const char *q = strchr(s, '?');
    size_t plen = q ? (size_t)(q - s) : strlen(s);
    for (size_t i = 0; i < plen; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < plen && (h = hexval(s[i + 1])) >= 0 && (l = hexval(s[i + 2])) >= 0) {
            char c = (char)(h * 16 + l);
            util_buf_append(&b, &c, 1);
            i += 2;
        } else {
            util_buf_append(&b, s + i, 1);
        }
    }
    if (q)
        util_buf_appends(&b, q);
    util_buf_append(&b, "", 1);
    if (memchr(b.data, '\0', b.len - 1) || has_ctl(b.data)) {
        util_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int mirror_read_map(ctl_t *ctl, mirror_t *m)
{
    if (!m->map_file)
        return CTL_OK;
    FILE *f = fopen(m->map_file, "r");
    if (!f)
        return ctl_fail(ctl, "cannot open %s: %s", m->map_file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = CTL_OK;
    while (rc == CTL_OK && getline(&line, &cap, f) > 0) {
        lineno++;
        char *l = line;
        if (lineno == 1 && strncmp(l, "\xEF\xBB\xBF", 3) == 0)
            l += 3; /* a BOM from spreadsheet software */
        char *fld[3];
        int n = csv_fields(l, fld, 3);
        char *a = trim(fld[0]), *b = n > 1 ? trim(fld[1]) : (char *)"";
        if (a[0] == '\0' || a[0] == '#')
            continue;
        bool a_ok = a[0] == '/' || strncasecmp(a, "http", 4) == 0;
        if (lineno == 1 && !a_ok)
            continue; /* a header row */
        char *old = old_key(a);
        bool to_ok = b[0] == '/' || strncasecmp(b, "http://", 7) == 0 || strncasecmp(b, "https://", 8) == 0;
        if (!old || n < 2 || !to_ok || has_ctl(b) || strchr(b, ' ')) {
            free(old);
            rc = ctl_fail(ctl, "%s:%d: expected OLD,NEW: an old URL or path, then a new path "
                               "(below the site) or an http(s) URL: nothing was changed",
                          m->map_file, lineno);
            break;
        }
        add(m, old, util_strdup(b));
    }
    free(line);
    fclose(f);
    return rc;
}

/* Clears "redir/<ns>/". */
static int clear_ns(store_txn_t *w, const char *ns)
{
    char key[STORE_KEY_MAX + 1];
    size_t f = sizeof STORE_META_REDIR - 1, n = strlen(ns);
    if (f + n + 1 > STORE_KEY_MAX)
        return STORE_EKEY;
    memcpy(key, STORE_META_REDIR, f);
    memcpy(key + f, ns, n);
    key[f + n] = '/';
    key[f + n + 1] = '\0';
    long rc = store_meta_clear_prefix(w, key);
    return rc < 0 ? (int)rc : 0;
}

int mirror_store(store_txn_t *w, const char *site, const char *ns, const mirror_t *m,
                 bool replace)
{
    char key[STORE_KEY_MAX + 1];
    int rc;
    /* The generation's own redirects of an older store go too: the site's replace them. */
    if (replace && ((rc = clear_ns(w, site)) != 0 ||
                    (strcmp(ns, site) != 0 && (rc = clear_ns(w, ns)) != 0)))
        return rc;
    for (size_t i = 0; i < m->n; i++) {
        const char *old = m->r[i].old, *q = strchr(old, '?');
        size_t plen = q ? (size_t)(q - old) : strlen(old);
        if (!store_key_redirect(key, site, old, plen, q ? q + 1 : NULL, q ? strlen(q + 1) : 0))
            return STORE_EKEY;
        rc = store_meta_put(w, key, m->r[i].to, strlen(m->r[i].to));
        if (rc != 0)
            return rc;
    }
    return 0;
}

void mirror_free(mirror_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->r[i].old);
        free(m->r[i].to);
    }
    free(m->r);
    free(m->root);
    free(m->host);
}
