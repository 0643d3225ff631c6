/* core/yaml.c: builds the yaml_dom_t tree from libyaml's event stream. It owns the
 * safety rules for configuration text: bounded size, UTF-8 only, one document, no
 * anchors/aliases/tags, no duplicate keys, bounded nesting, and error messages that an
 * operator can act on ("tab used for indentation" rather than libyaml's wording). */
#include "yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml_lib.h>

#include "util.h"

/* ---- text checks before libyaml sees the bytes ---- */

/* Length of the valid UTF-8 sequence at p (strict: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 when it is invalid. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Checks that the text is NUL-free UTF-8; reports the first bad byte with its position.
 * Also returns where the text ends (0-based line and column), to recognise a truncated
 * file in libyaml's errors. */
static bool check_text(const char *file, const char *data, size_t len, diag_t *diag,
                       size_t *end_line, size_t *end_col)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t line = 0, col = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] == 0) {
            diag_error(diag, file, (int)line + 1, (int)col + 1,
                       "NUL byte: this looks like a binary file, not YAML text");
            return false;
        }
        size_t n = p[i] < 0x80 ? 1 : utf8_seq_len(p + i, len - i);
        if (n == 0) {
            diag_error(diag, file, (int)line + 1, (int)col + 1,
                       "invalid UTF-8 (byte 0x%02x): a binary file, or text not saved as UTF-8?", p[i]);
            return false;
        }
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))) {
            line++;
            col = 0;
        } else if (p[i] != '\r') {
            col++;
        }
        i += n;
    }
    *end_line = line;
    *end_col = col;
    return true;
}

/* The byte offset where 0-based (line, col) starts; col counts characters. */
static size_t offset_of(const char *data, size_t len, size_t line, size_t col)
{
    size_t i = 0;
    while (line > 0 && i < len) {
        if (data[i] == '\n')
            line--;
        i++;
    }
    while (col > 0 && i < len && data[i] != '\n') {
        size_t n = utf8_seq_len((const unsigned char *)data + i, len - i);
        i += n ? n : 1;
        col--;
    }
    return i;
}

/* 1-based line and column of a byte offset. */
static void position_of(const char *data, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len;) {
        size_t n = utf8_seq_len((const unsigned char *)data + i, len - i);
        if (data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
        i += n ? n : 1;
    }
}

/* libyaml reports a tab in indentation as "found character that cannot start any token"
 * and similar; when the offending line is indented with a tab, say so instead. Returns
 * the 0-based column of the tab, or -1. */
static long indent_tab_col(const char *data, size_t len, size_t line)
{
    size_t i = offset_of(data, len, line, 0);
    for (long col = 0; i < len && (data[i] == ' ' || data[i] == '\t'); i++, col++)
        if (data[i] == '\t')
            return col;
    return -1;
}

static void report_parser_error(const char *file, const yaml_parser_t *p, const char *data,
                                size_t len, size_t end_line, size_t end_col, diag_t *diag)
{
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_MEMORY_ERROR) {
        diag_error(diag, file, 0, 0, "out of memory while parsing YAML");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        position_of(data, len, p->problem_offset, &line, &col);
        diag_error(diag, file, line, col, "%s (byte 0x%02x)", problem, p->problem_value & 0xff);
        return;
    }
    size_t line = p->problem_mark.line, col = p->problem_mark.column;
    long tab = indent_tab_col(data, len, line);
    if (tab >= 0) {
        diag_error(diag, file, (int)line + 1, (int)tab + 1,
                   "tab character used for indentation (YAML indents with spaces only)");
        return;
    }
    util_buf_t m = {0};
    util_buf_printf(&m, "YAML syntax error: %s", problem);
    if (p->context)
        util_buf_printf(&m, " (%s at line %zu, column %zu)", p->context, p->context_mark.line + 1,
                        p->context_mark.column + 1);
    if (line == end_line && col == end_col)
        util_buf_appends(&m, "; the file ends here: is it truncated?");
    diag_error(diag, file, (int)line + 1, (int)col + 1, "%s", m.data);
    util_buf_free(&m);
}

/* ---- the tree ---- */

/* Every node, string and child array of a document comes from one arena that is freed
 * whole: a site file is some forty small nodes, and 10,000 site files made a malloc and a
 * free per node a fifth of a configuration load (callgrind). Blocks double in size, so a
 * 1 MiB file still needs only a few. */
typedef struct yaml_dom_block {
    struct yaml_dom_block *next;
    size_t cap, used;
    max_align_t data[];
} yaml_dom_block_t;

#define ARENA_FIRST_BLOCK 4096

static void *arena_alloc(yaml_dom_t *doc, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    yaml_dom_block_t *b = doc->arena;
    if (!b || b->cap - b->used < n) {
        size_t cap = b ? b->cap * 2 : ARENA_FIRST_BLOCK;
        if (cap < n)
            cap = n;
        yaml_dom_block_t *nb = util_malloc(sizeof *nb + cap);
        nb->next = b;
        nb->cap = cap;
        nb->used = 0;
        doc->arena = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_strndup(yaml_dom_t *doc, const char *s, size_t n)
{
    char *p = arena_alloc(doc, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Grows a child array to `cap` entries of `size` bytes; the old copy stays in the arena
 * (doubling keeps the waste below the array's own size). */
static void *arena_grow(yaml_dom_t *doc, void *old, size_t n, size_t cap, size_t size)
{
    void *p = arena_alloc(doc, cap * size);
    if (n)
        memcpy(p, old, n * size);
    return p;
}

void yaml_dom_free(yaml_dom_t *doc)
{
    if (!doc)
        return;
    for (yaml_dom_block_t *b = doc->arena, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(doc->file);
    free(doc);
}

typedef struct frame {
    yaml_dom_node_t *node;
    yaml_dom_node_t *key; /* mapping: a key waiting for its value */
    size_t cap;
} frame_t;

typedef struct builder {
    yaml_dom_t *doc;
    diag_t *diag;
    frame_t stack[YAML_DOM_MAX_DEPTH];
    size_t depth;
    bool failed; /* a fatal problem: stop and return NULL */
} builder_t;

static yaml_dom_node_t *node_new(builder_t *b, yaml_dom_kind_t kind, const yaml_mark_t *m)
{
    yaml_dom_node_t *n = arena_alloc(b->doc, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->file = b->doc->file;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

/* Hangs a finished (scalar) or just-opened (container) node under the current parent. */
static void attach(builder_t *b, yaml_dom_node_t *n)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return;
    }
    frame_t *f = &b->stack[b->depth - 1];
    yaml_dom_node_t *parent = f->node;
    if (parent->kind == YAML_DOM_SEQUENCE) {
        if (parent->nitems == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 4;
            parent->items = arena_grow(b->doc, parent->items, parent->nitems, f->cap,
                                       sizeof *parent->items);
        }
        parent->items[parent->nitems++] = n;
        return;
    }
    if (!f->key) {
        if (n->kind != YAML_DOM_SCALAR) {
            diag_error(b->diag, n->file, n->line, n->col,
                       "a mapping key must be a plain string, not a %s", yaml_dom_kind_name(n));
            b->failed = true;
            /* still attach it as a key: the load fails, and the arena frees it */
        }
        f->key = n;
        return;
    }
    if (parent->npairs == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 4;
        parent->pairs = arena_grow(b->doc, parent->pairs, parent->npairs, f->cap,
                                   sizeof *parent->pairs);
    }
    parent->pairs[parent->npairs].key = f->key;
    parent->pairs[parent->npairs].value = n;
    parent->npairs++;
    f->key = NULL;
}

static void check_anchor_tag(builder_t *b, const yaml_char_t *anchor, const yaml_char_t *tag,
                             const yaml_mark_t *m)
{
    if (anchor)
        diag_error(b->diag, b->doc->file, (int)m->line + 1, (int)m->column + 1,
                   "anchors (&%s) are not allowed in configuration files", (const char *)anchor);
    if (tag)
        diag_error(b->diag, b->doc->file, (int)m->line + 1, (int)m->column + 1,
                   "explicit tags (%s) are not allowed in configuration files", (const char *)tag);
}

/* A key that is not a scalar fails the load, but may still be compared before that. */
static const char *key_str(const yaml_dom_pair_t *p)
{
    return p->key->str ? p->key->str : "";
}

static int cmp_pair_index(const void *a, const void *b, void *arg)
{
    const yaml_dom_pair_t *pairs = arg;
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(key_str(&pairs[ia]), key_str(&pairs[ib]));
    if (c)
        return c;
    return ia < ib ? -1 : ia > ib;
}

#define SMALL_MAP 16 /* up to this many keys, comparing every pair beats sorting */

/* first[i] = the index of the first pair whose key is pair i's key (i when it is the
 * first). Sorting keeps a hostile file with 100k keys from costing n^2; the mappings of
 * real files are small and are compared pairwise, with no allocation. */
static void first_occurrences(const yaml_dom_node_t *map, size_t *first)
{
    size_t n = map->npairs;
    if (n <= SMALL_MAP) {
        for (size_t i = 0; i < n; i++) {
            first[i] = i;
            for (size_t j = 0; j < i; j++)
                if (strcmp(key_str(&map->pairs[i]), key_str(&map->pairs[j])) == 0) {
                    first[i] = j;
                    break;
                }
        }
        return;
    }
    size_t *idx = util_malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    qsort_r(idx, n, sizeof *idx, cmp_pair_index, map->pairs);
    for (size_t i = 0, run = idx[0]; i < n; i++) {
        if (i && strcmp(key_str(&map->pairs[idx[i]]), key_str(&map->pairs[run])) != 0)
            run = idx[i];
        first[idx[i]] = run;
    }
    free(idx);
}

/* Reports every repeated key at its second (third...) occurrence, in document order, and
 * drops the repeats so that the rest of the file can still be checked (their nodes stay
 * in the arena until the document is freed). */
static void check_duplicates(builder_t *b, yaml_dom_node_t *map)
{
    size_t n = map->npairs;
    if (n < 2)
        return;
    size_t small[SMALL_MAP];
    size_t *first = n <= SMALL_MAP ? small : util_malloc(n * sizeof *first);
    first_occurrences(map, first);
    for (size_t i = 0; i < n; i++) {
        if (first[i] == i)
            continue;
        const yaml_dom_node_t *k = map->pairs[i].key;
        diag_error(b->diag, k->file, k->line, k->col, "duplicate key '%s' (first at line %d)",
                   k->str, map->pairs[first[i]].key->line);
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (first[i] == i)
            map->pairs[out++] = map->pairs[i];
    map->npairs = out;
    if (first != small)
        free(first);
}

static void on_scalar(builder_t *b, const yaml_event_t *ev)
{
    yaml_dom_node_t *n = node_new(b, YAML_DOM_SCALAR, &ev->start_mark);
    n->len = ev->data.scalar.length;
    n->str = arena_strndup(b->doc, (const char *)ev->data.scalar.value, n->len);
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (memchr(n->str, '\0', n->len)) {
        diag_error(b->diag, n->file, n->line, n->col, "a string must not contain a NUL character");
        n->len = strlen(n->str);
    }
    check_anchor_tag(b, ev->data.scalar.anchor, ev->data.scalar.tag, &ev->start_mark);
    attach(b, n);
}

static void on_start(builder_t *b, const yaml_event_t *ev, yaml_dom_kind_t kind)
{
    yaml_dom_node_t *n = node_new(b, kind, &ev->start_mark);
    if (kind == YAML_DOM_SEQUENCE)
        check_anchor_tag(b, ev->data.sequence_start.anchor, ev->data.sequence_start.tag, &ev->start_mark);
    else
        check_anchor_tag(b, ev->data.mapping_start.anchor, ev->data.mapping_start.tag, &ev->start_mark);
    attach(b, n);
    if (b->failed)
        return;
    if (b->depth == YAML_DOM_MAX_DEPTH) {
        diag_error(b->diag, n->file, n->line, n->col, "nested deeper than %d levels",
                   YAML_DOM_MAX_DEPTH);
        b->failed = true;
        return;
    }
    b->stack[b->depth++] = (frame_t){.node = n};
}

static void on_end(builder_t *b)
{
    frame_t *f = &b->stack[--b->depth];
    if (f->node->kind == YAML_DOM_MAPPING)
        check_duplicates(b, f->node);
}

static void builder_cleanup(builder_t *b)
{
    /* keys waiting for their value are not in the tree, but in the arena with the rest */
    for (size_t i = 0; i < b->depth; i++)
        b->stack[i].key = NULL;
    b->depth = 0;
}

yaml_dom_t *yaml_dom_load_string(const char *file, const char *data, size_t len, diag_t *diag)
{
    if (len > YAML_DOM_MAX_BYTES) {
        diag_error(diag, file, 0, 0, "file too large (%zu bytes; the limit is 1 MiB)", len);
        return NULL;
    }
    size_t end_line = 0, end_col = 0;
    if (!check_text(file, data, len, diag, &end_line, &end_col))
        return NULL;

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        UTIL_FATAL("out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    builder_t b = {.diag = diag};
    b.doc = util_calloc(1, sizeof *b.doc);
    b.doc->file = util_strdup(file);
    int ndocs = 0;
    bool done = false;
    while (!done && !b.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(b.doc->file, &parser, data, len, end_line, end_col, diag);
            b.failed = true;
            break;
        }
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++ndocs > 1) {
                diag_error(diag, b.doc->file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                           "a second YAML document: a configuration file holds exactly one");
                done = true;
            }
            break;
        case YAML_SCALAR_EVENT:
            on_scalar(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            on_start(&b, &ev, YAML_DOM_SEQUENCE);
            break;
        case YAML_MAPPING_START_EVENT:
            on_start(&b, &ev, YAML_DOM_MAPPING);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            on_end(&b);
            break;
        case YAML_ALIAS_EVENT: {
            diag_error(diag, b.doc->file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                       "aliases (*%s) are not allowed in configuration files",
                       (const char *)ev.data.alias.anchor);
            /* stands in for the alias so that the mapping stays well-formed */
            yaml_dom_node_t *n = node_new(&b, YAML_DOM_SCALAR, &ev.start_mark);
            n->str = arena_strndup(b.doc, "", 0);
            n->plain = true;
            attach(&b, n);
            break;
        }
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    builder_cleanup(&b);
    if (!b.failed && !b.doc->root) {
        diag_error(diag, b.doc->file, 0, 0, "empty file: expected one YAML document");
        b.failed = true;
    }
    if (b.failed) {
        yaml_dom_free(b.doc);
        return NULL;
    }
    return b.doc;
}

yaml_dom_t *yaml_dom_load_file(const char *path, diag_t *diag)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        diag_error(diag, path, 0, 0, "cannot stat: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        diag_error(diag, path, 0, 0, "is a folder, not a YAML file");
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(diag, path, 0, 0, "not a regular file");
        close(fd);
        return NULL;
    }
    /* refuse before reading, so a 50 MB file costs one fstat */
    if (st.st_size > YAML_DOM_MAX_BYTES) {
        diag_error(diag, path, 0, 0, "file too large (%lld bytes; the limit is 1 MiB)",
                   (long long)st.st_size);
        close(fd);
        return NULL;
    }
    size_t len = (size_t)st.st_size;
    /* One read() for the usual case: asked for one byte more than fstat saw, a regular file
     * that returns exactly st_size bytes is at its end (a loader of 1,000 site files pays
     * per system call). Anything else (it grew, shrank, a signal) re-reads from the start
     * with the general loop. */
    char *data = util_malloc(len + 2);
    ssize_t r = read(fd, data, len + 1);
    if (r < 0 || (size_t)r != len) {
        free(data);
        data = lseek(fd, 0, SEEK_SET) == 0
                   ? util_read_fd(fd, (size_t)st.st_size, YAML_DOM_MAX_BYTES, &len)
                   : NULL;
    } else {
        data[len] = '\0';
    }
    if (!data) {
        if (errno == EFBIG)
            diag_error(diag, path, 0, 0, "file too large (it grew past the limit of 1 MiB)");
        else
            diag_error(diag, path, 0, 0, "cannot read: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    close(fd);
    yaml_dom_t *doc = yaml_dom_load_string(path, data, len, diag);
    free(data);
    return doc;
}

const yaml_dom_node_t *yaml_dom_get(const yaml_dom_node_t *map, const char *key)
{
    if (!map || map->kind != YAML_DOM_MAPPING)
        return NULL;
    for (size_t i = 0; i < map->npairs; i++)
        if (strcmp(map->pairs[i].key->str, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

bool yaml_dom_is_null(const yaml_dom_node_t *n)
{
    if (!n || n->kind != YAML_DOM_SCALAR || !n->plain)
        return false;
    /* asked of nearly every value of every file: the length rules out most at once */
    if (n->len == 0 || n->len == 1)
        return n->len == 0 || n->str[0] == '~';
    return n->len == 4 && (strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
                           strcmp(n->str, "NULL") == 0);
}

const char *yaml_dom_kind_name(const yaml_dom_node_t *n)
{
    if (!n)
        return "nothing";
    switch (n->kind) {
    case YAML_DOM_SCALAR:
        return "scalar";
    case YAML_DOM_SEQUENCE:
        return "list";
    case YAML_DOM_MAPPING:
        return "mapping";
    }
    return "?";
}
