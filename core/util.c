/* core/util.c: allocation, human sizes/durations/dates, paths and a growable buffer. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Noreturn void util_fatal(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "jiyue: fatal: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *util_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        UTIL_FATAL("out of memory (%zu bytes)", n);
    return p;
}

void *util_calloc(size_t count, size_t n)
{
    void *p = calloc(count ? count : 1, n ? n : 1);
    if (!p)
        UTIL_FATAL("out of memory (%zu x %zu bytes)", count, n);
    return p;
}

void *util_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        UTIL_FATAL("out of memory (%zu bytes)", n);
    return q;
}

char *util_strndup(const char *s, size_t n)
{
    char *p = util_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *util_strdup(const char *s)
{
    return s ? util_strndup(s, strlen(s)) : NULL;
}

char *util_asprintf(const char *fmt, ...)
{
    util_buf_t b = {0};
    va_list ap;
    va_start(ap, fmt);
    util_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return b.data ? b.data : util_strdup("");
}

/* Reads an unsigned decimal number with an optional fraction ("1.5"); returns the number
 * of characters used, 0 when there is no number. */
static size_t read_number(const char *s, double *out)
{
    size_t i = 0;
    double v = 0;
    bool digits = false;
    while (isdigit((unsigned char)s[i])) {
        v = v * 10 + (s[i++] - '0');
        digits = true;
    }
    if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
        double scale = 0.1;
        i++;
        while (isdigit((unsigned char)s[i])) {
            v += (s[i++] - '0') * scale;
            scale /= 10;
        }
        digits = true;
    }
    *out = v;
    return digits ? i : 0;
}

int util_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        double mult;
    } units[] = {
        {"", 1},          {"b", 1},
        {"k", 1024.0},    {"kib", 1024.0},       {"kb", 1000.0},
        {"m", 1048576.0}, {"mib", 1048576.0},    {"mb", 1e6},
        {"g", 1073741824.0}, {"gib", 1073741824.0}, {"gb", 1e9},
        {"t", 1099511627776.0}, {"tib", 1099511627776.0}, {"tb", 1e12},
    };
    double v;
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    size_t n = read_number(s, &v);
    if (!n)
        return -1;
    s += n;
    while (*s == ' ')
        s++;
    char suffix[8];
    size_t len = strlen(s);
    if (len >= sizeof suffix)
        return -1;
    for (size_t i = 0; i <= len; i++)
        suffix[i] = (char)tolower((unsigned char)s[i]);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(units); i++) {
        if (strcmp(suffix, units[i].suffix) == 0) {
            double bytes = v * units[i].mult;
            if (bytes >= 18446744073709551615.0)
                return -1;
            *out = (uint64_t)bytes;
            return 0;
        }
    }
    return -1;
}

int util_parse_duration(const char *s, uint64_t *out_ms)
{
    static const struct {
        const char *suffix;
        double ms;
    } units[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
    };
    if (!s || !*s)
        return -1;
    double total = 0;
    bool any = false;
    while (*s) {
        double v;
        size_t n = read_number(s, &v);
        if (!n)
            return -1;
        s += n;
        size_t ulen = 0;
        while (isalpha((unsigned char)s[ulen]))
            ulen++;
        if (ulen == 0) {
            if (*s || any)
                return -1; /* a bare number only on its own: "10" means 10 seconds */
            total = v * 1000;
            any = true;
            break;
        }
        bool found = false;
        for (size_t i = 0; i < UTIL_ARRAY_LEN(units); i++) {
            if (strlen(units[i].suffix) == ulen && strncmp(s, units[i].suffix, ulen) == 0) {
                total += v * units[i].ms;
                found = true;
                break;
            }
        }
        if (!found)
            return -1;
        s += ulen;
        any = true;
    }
    if (!any || total >= 9.2e18)
        return -1;
    *out_ms = (uint64_t)total;
    return 0;
}

/* Days from civil date, Howard Hinnant's well-known algorithm (public domain description). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int util_parse_date(const char *s, int64_t *out_days)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    int y = atoi(s);
    unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
    if (m < 1 || m > 12 || d < 1)
        return -1;
    unsigned dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d > dim)
        return -1;
    *out_days = days_from_civil(y, m, d);
    return 0;
}

char *util_path_resolve(const char *base_dir, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !base_dir || !*base_dir)
        return util_strdup(path);
    return util_asprintf("%s/%s", base_dir, path);
}

char *util_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return util_strdup(".");
    if (slash == path)
        return util_strdup("/");
    return util_strndup(path, (size_t)(slash - path));
}

bool util_streq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

void util_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s[i] = (char)tolower((unsigned char)s[i]);
}

uint64_t util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void util_buf_reserve(util_buf_t *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    b->data = util_realloc(b->data, cap);
    b->cap = cap;
}

void util_buf_append(util_buf_t *b, const void *p, size_t n)
{
    util_buf_reserve(b, n + 1);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void util_buf_appends(util_buf_t *b, const char *s)
{
    util_buf_append(b, s, strlen(s));
}

void util_buf_vprintf(util_buf_t *b, const char *fmt, va_list ap)
{
    /* Format straight into the buffer; grow and format again only when it did not fit. */
    util_buf_reserve(b, 128);
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->data[b->len] = '\0';
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        util_buf_reserve(b, (size_t)n + 1);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void util_buf_printf(util_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    util_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void util_buf_free(util_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void util_buf_json_str(util_buf_t *b, const char *s, size_t n, bool html_safe)
{
    util_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            util_buf_printf(b, "\\%c", c);
        else if (c == '\n' && !html_safe)
            util_buf_appends(b, "\\n");
        else if (c < 0x20 || c == 0x7F || (html_safe && (c == '<' || c == '>' || c == '&')))
            util_buf_printf(b, "\\u%04x", c);
        else
            util_buf_append(b, s + i, 1);
    }
    util_buf_append(b, "\"", 1);
}

char *util_read_fd(int fd, size_t hint, size_t max, size_t *len)
{
    size_t cap = (hint < max ? hint : max) + 1, n = 0; /* +1: EOF seen without a regrow */
    char *buf = util_malloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (n > max)
                break;
            cap = cap > max / 2 ? max + 1 : cap * 2;
            buf = util_realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

size_t util_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}
