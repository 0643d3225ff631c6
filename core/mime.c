/* core/mime.c: extension -> media type, from /etc/mime.types under a built-in table. */
#include "mime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define EXT_MAX 32

typedef struct builtin {
    const char *ext;
    const char *type; /* full Content-Type */
    bool pinned;      /* wins over /etc/mime.types */
} builtin_t;

#define UTF8 "; charset=utf-8"

/* Pinned entries are the ones where a system table may say something browsers or our
 * own server treat worse (application/javascript is obsolete, htm/shtml variants, a
 * Markdown source must display as text). The rest only fill gaps. */
static const builtin_t builtins[] = {
    {"html", "text/html" UTF8, true},
    {"htm", "text/html" UTF8, true},
    {"css", "text/css" UTF8, true},
    {"js", "text/javascript" UTF8, true},
    {"mjs", "text/javascript" UTF8, true},
    {"json", "application/json" UTF8, true},
    {"txt", "text/plain" UTF8, true},
    {"md", "text/markdown" UTF8, true},
    {"svg", "image/svg+xml" UTF8, true},
    {"xml", "application/xml" UTF8, false},
    {"csv", "text/csv" UTF8, false},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"avif", "image/avif", false},
    {"ico", "image/vnd.microsoft.icon", false},
    {"bmp", "image/bmp", false},
    {"pdf", "application/pdf", false},
    {"doc", "application/msword", false},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
    {"xls", "application/vnd.ms-excel", false},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
    {"ppt", "application/vnd.ms-powerpoint", false},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", false},
    {"wps", "application/vnd.ms-works", false},
    {"rtf", "application/rtf", false},
    {"zip", "application/zip", false},
    {"rar", "application/vnd.rar", false},
    {"7z", "application/x-7z-compressed", false},
    {"gz", "application/gzip", false},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"ttf", "font/ttf", false},
    {"otf", "font/otf", false},
    {"eot", "application/vnd.ms-fontobject", false},
    {"wasm", "application/wasm", false},
    {"mp4", "video/mp4", false},
    {"webm", "video/webm", false},
    {"mp3", "audio/mpeg", false},
    {"wav", "audio/wav", false},
    {"ogg", "audio/ogg", false},
    {"xhtml", "application/xhtml+xml" UTF8, false},
    {"rss", "application/rss+xml" UTF8, false},
    {"atom", "application/atom+xml" UTF8, false},
    {"webmanifest", "application/manifest+json" UTF8, false},
};

typedef struct entry {
    char *ext;
    const char *type; /* full Content-Type, shared by a line's extensions */
    size_t order;     /* line order, so the first mention of an extension wins */
} entry_t;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *table_path = MIME_SYSTEM_TABLE;
static entry_t *table;
static size_t table_len;
static int load_result = -1;
/* Every type string made, kept for the process's life (entries only borrow them). */
static char **types;
static size_t ntypes;

static const char *keep_type(char *t)
{
    types = util_realloc(types, (ntypes + 1) * sizeof *types);
    types[ntypes++] = t;
    return t;
}

/* The media type without parameters, as a length. */
static size_t base_len(const char *type)
{
    size_t n = strcspn(type, ";");
    while (n > 0 && (type[n - 1] == ' ' || type[n - 1] == '\t'))
        n--;
    return n;
}

static bool base_is(const char *t, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(t, want, n) == 0;
}

static bool base_suffix(const char *t, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    return n > sl && strncasecmp(t + n - sl, suffix, sl) == 0;
}

bool mime_is_text(const char *type)
{
    size_t n = base_len(type);
    return (n > 5 && strncasecmp(type, "text/", 5) == 0) ||
           base_is(type, n, "application/javascript") ||
           base_is(type, n, "application/ecmascript") ||
           base_is(type, n, "application/x-javascript") ||
           base_is(type, n, "application/json") || base_is(type, n, "application/xml") ||
           base_suffix(type, n, "+json") || base_suffix(type, n, "+xml");
}

bool mime_is_compressible(const char *content_type)
{
    static const char *const extra[] = {
        "application/wasm", "image/vnd.microsoft.icon", "image/x-icon", "image/bmp",
        "font/ttf", "font/otf", "application/vnd.ms-fontobject", "application/x-font-ttf",
        "application/rtf", "application/msword", "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint", "application/postscript",
    };
    if (mime_is_text(content_type))
        return true;
    size_t n = base_len(content_type);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(extra); i++)
        if (base_is(content_type, n, extra[i]))
            return true;
    return false;
}

static int entry_cmp(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    int c = strcmp(x->ext, y->ext);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static bool token_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == ';' || *s == '"')
            return false;
    return true;
}

static void load(void)
{
    FILE *f = fopen(table_path, "r");
    if (!f)
        return;
    size_t cap = 0, order = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *save = NULL;
        char *type = strtok_r(line, " \t\r\n", &save);
        if (!type || !strchr(type, '/') || !token_ok(type))
            continue;
        const char *full = NULL; /* made only when the line has an extension */
        for (char *ext; (ext = strtok_r(NULL, " \t\r\n", &save));) {
            size_t el = strlen(ext);
            if (el == 0 || el >= EXT_MAX || !token_ok(ext))
                continue;
            if (!full)
                full = keep_type(mime_is_text(type) ? util_asprintf("%s" UTF8, type)
                                                    : util_strdup(type));
            if (table_len == cap) {
                cap = cap ? cap * 2 : 1024;
                table = util_realloc(table, cap * sizeof *table);
            }
            char *e = util_strdup(ext);
            util_lower(e, el);
            table[table_len++] = (entry_t){e, full, order++};
        }
    }
    fclose(f);
    qsort(table, table_len, sizeof *table, entry_cmp);
    /* Keep the first mention of each extension. */
    size_t w = 0;
    for (size_t r = 0; r < table_len; r++) {
        if (w > 0 && strcmp(table[w - 1].ext, table[r].ext) == 0) {
            free(table[r].ext);
            continue;
        }
        table[w++] = table[r];
    }
    table_len = w;
    load_result = (int)w;
}

int mime_load(const char *path)
{
    table_path = path;
    pthread_once(&once, load);
    return load_result;
}

static const builtin_t *builtin_find(const char *ext)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(builtins); i++)
        if (strcmp(builtins[i].ext, ext) == 0)
            return &builtins[i];
    return NULL;
}

const char *mime_for_name(const char *name)
{
    pthread_once(&once, load);
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot[1] == '\0')
        return MIME_DEFAULT;
    size_t el = strlen(dot + 1);
    if (el >= EXT_MAX)
        return MIME_DEFAULT;
    char ext[EXT_MAX];
    memcpy(ext, dot + 1, el + 1);
    util_lower(ext, el);

    const builtin_t *b = builtin_find(ext);
    if (b && b->pinned)
        return b->type;
    if (table_len) {
        entry_t key = {ext, NULL, 0};
        size_t lo = 0, hi = table_len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(table[mid].ext, key.ext);
            if (c == 0)
                return table[mid].type;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return b ? b->type : MIME_DEFAULT;
}
