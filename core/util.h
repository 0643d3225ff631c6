/* core/util.h: small helpers every part of jiyue shares: allocation that never returns
 * NULL (out of memory is fatal, as in H2O and Redis, so callers need no checks), human
 * sizes and durations from the config, string and path helpers. */
#ifndef JIYUE_UTIL_H
#define JIYUE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define UTIL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *util_malloc(size_t n);
void *util_calloc(size_t count, size_t n);
void *util_realloc(void *p, size_t n);
char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *util_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Aborts the process with a message naming the file and line. For broken invariants and
 * out of memory only: client input never reaches this. */
_Noreturn void util_fatal(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define UTIL_FATAL(...) util_fatal(__FILE__, __LINE__, __VA_ARGS__)

/* "16KiB", "4GiB", "1MB", "512" -> bytes. Binary (KiB, MiB, GiB, TiB) and decimal (kB/KB,
 * MB, GB, TB) suffixes, also bare k/m/g meaning binary. Returns 0 or -1 on a malformed or
 * overflowing value. */
int util_parse_size(const char *s, uint64_t *out);
/* "10s", "75s", "500ms", "2m", "1h", "1d", "1h30m" -> milliseconds. A bare number means
 * seconds. Returns 0 or -1. */
int util_parse_duration(const char *s, uint64_t *out_ms);
/* "2026-11-01" -> days since 1970-01-01 (UTC). Returns 0 or -1 on an invalid date. */
int util_parse_date(const char *s, int64_t *out_days);

/* Joins base folder and a relative path; an absolute path is returned unchanged (copied). */
char *util_path_resolve(const char *base_dir, const char *path);
/* The folder part of a file path ("." when it has none), freshly allocated. */
char *util_dirname(const char *path);
/* Reads fd to its end into a fresh NUL-terminated buffer (sized from `hint`, grown as the
 * file grows: a file can change between fstat and read). NULL with errno set on a read
 * error, or EFBIG once more than `max` bytes arrive. The caller closes fd. */
char *util_read_fd(int fd, size_t hint, size_t max, size_t *len);

bool util_streq_nocase(const char *a, size_t alen, const char *b, size_t blen);
/* Lower-cases ASCII in place. */
void util_lower(char *s, size_t n);

/* Monotonic milliseconds, for timeouts and durations. */
uint64_t util_now_ms(void);

/* A growable byte buffer. */
typedef struct util_buf {
    char *data;
    size_t len;
    size_t cap;
} util_buf_t;

void util_buf_reserve(util_buf_t *b, size_t extra);
void util_buf_append(util_buf_t *b, const void *p, size_t n);
void util_buf_appends(util_buf_t *b, const char *s);
void util_buf_printf(util_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void util_buf_vprintf(util_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void util_buf_free(util_buf_t *b);
/* Appends s[0..n) as a JSON string: quotes, '"' and '\\' escaped, control characters as
 * \u00XX (a newline as \n unless html_safe). html_safe also writes '<', '>' and '&' as
 * \u00XX, so the text is safe inside HTML too. Bytes >= 0x80 are copied as they are. */
void util_buf_json_str(util_buf_t *b, const char *s, size_t n, bool html_safe);

/* A 64-bit hash of n bytes, eight at a time (keys are short and hashed on hot paths: the
 * per-thread lookup caches valcache.c and wcache.c). `salt` separates key spaces (a
 * database, a cache owner) that may hold the same bytes. */
static inline uint64_t util_hash_bytes(uint64_t salt, const void *key, size_t n)
{
    const unsigned char *p = key;
    uint64_t h = (0x9E3779B97F4A7C15ull ^ n) + salt;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 32;
    return h;
}

/* The UTF-8 sequence at s[0..n): its length (1 to 4) with the code point in *cp, or 0 when
 * it is not valid UTF-8 (cut short, overlong, a surrogate, above U+10FFFF). A NUL byte is
 * a valid one-byte sequence. The one decoder the modules share. */
size_t util_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

#endif
