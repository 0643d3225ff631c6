/* core/template.c: the template engine of template.h: the data arena, the compiler (text
 * to a flat list of operations with jump targets), the linker (includes, cycles) and the
 * renderer. Rendering allocates nothing but the output it appends. */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- data */

typedef enum { V_STR, V_BOOL, V_INT, V_MAP, V_LIST } vkind_t;

typedef struct tpl_pair {
    const char *key;
    tpl_val_t *val;
    struct tpl_pair *next;
} tpl_pair_t;

struct tpl_val {
    vkind_t kind;
    const char *s;
    size_t len;
    long long i; /* V_INT, V_BOOL */
    tpl_pair_t *first, *last; /* V_MAP */
    tpl_val_t *head, *tail;   /* V_LIST */
    size_t n;
    tpl_val_t *next; /* sibling in a list */
};

typedef struct chunk {
    struct chunk *prev;
    size_t used, cap;
    char mem[];
} chunk_t;

struct tpl_data {
    chunk_t *chunk;
    tpl_val_t *root;
};

static void *arena_alloc(tpl_data_t *d, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!d->chunk || d->chunk->used + n > d->chunk->cap) {
        size_t cap = n > 16384 ? n : 16384;
        chunk_t *c = util_malloc(sizeof *c + cap);
        c->prev = d->chunk;
        c->used = 0;
        c->cap = cap;
        d->chunk = c;
    }
    void *p = d->chunk->mem + d->chunk->used;
    d->chunk->used += n;
    memset(p, 0, n);
    return p;
}

static const char *arena_strn(tpl_data_t *d, const char *s, size_t n)
{
    char *p = arena_alloc(d, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static tpl_val_t *new_val(tpl_data_t *d, vkind_t k)
{
    tpl_val_t *v = arena_alloc(d, sizeof *v);
    v->kind = k;
    return v;
}

tpl_data_t *tpl_data_new(void)
{
    tpl_data_t *d = util_calloc(1, sizeof *d);
    d->root = new_val(d, V_MAP);
    return d;
}

void tpl_data_free(tpl_data_t *d)
{
    if (!d)
        return;
    chunk_t *c = d->chunk;
    while (c) {
        chunk_t *p = c->prev;
        free(c);
        c = p;
    }
    free(d);
}

tpl_val_t *tpl_data_root(tpl_data_t *d)
{
    return d->root;
}

void tpl_set_ref(tpl_data_t *d, tpl_val_t *map, const char *key, tpl_val_t *v)
{
    if (!map || map->kind != V_MAP || !v)
        return;
    tpl_pair_t *p = arena_alloc(d, sizeof *p);
    p->key = arena_strn(d, key, strlen(key));
    p->val = v;
    if (map->last)
        map->last->next = p;
    else
        map->first = p;
    map->last = p;
}

void tpl_set_strn(tpl_data_t *d, tpl_val_t *map, const char *key, const char *s, size_t n)
{
    if (!s)
        return;
    tpl_val_t *v = new_val(d, V_STR);
    v->s = arena_strn(d, s, n);
    v->len = n;
    tpl_set_ref(d, map, key, v);
}

void tpl_set_str(tpl_data_t *d, tpl_val_t *map, const char *key, const char *s)
{
    if (s)
        tpl_set_strn(d, map, key, s, strlen(s));
}

void tpl_set_bool(tpl_data_t *d, tpl_val_t *map, const char *key, bool b)
{
    tpl_val_t *v = new_val(d, V_BOOL);
    v->i = b;
    tpl_set_ref(d, map, key, v);
}

void tpl_set_int(tpl_data_t *d, tpl_val_t *map, const char *key, long long i)
{
    tpl_val_t *v = new_val(d, V_INT);
    v->i = i;
    tpl_set_ref(d, map, key, v);
}

tpl_val_t *tpl_set_map(tpl_data_t *d, tpl_val_t *map, const char *key)
{
    tpl_val_t *v = new_val(d, V_MAP);
    tpl_set_ref(d, map, key, v);
    return v;
}

tpl_val_t *tpl_set_list(tpl_data_t *d, tpl_val_t *map, const char *key)
{
    tpl_val_t *v = new_val(d, V_LIST);
    tpl_set_ref(d, map, key, v);
    return v;
}

static void list_append(tpl_val_t *list, tpl_val_t *v)
{
    if (list->tail)
        list->tail->next = v;
    else
        list->head = v;
    list->tail = v;
    list->n++;
}

tpl_val_t *tpl_list_add_map(tpl_data_t *d, tpl_val_t *list)
{
    tpl_val_t *v = new_val(d, V_MAP);
    if (list && list->kind == V_LIST)
        list_append(list, v);
    return v;
}

void tpl_list_add_str(tpl_data_t *d, tpl_val_t *list, const char *s)
{
    if (!s || !list || list->kind != V_LIST)
        return;
    tpl_val_t *v = new_val(d, V_STR);
    v->len = strlen(s);
    v->s = arena_strn(d, s, v->len);
    list_append(list, v);
}

/* ---------------------------------------------------------------- compiled form */

typedef enum { OP_TEXT, OP_VAR, OP_RAW, OP_IF, OP_UNLESS, OP_EACH, OP_ELSE, OP_END, OP_INCLUDE } op_kind_t;

typedef struct op {
    op_kind_t kind;
    size_t off, len;  /* OP_TEXT: bytes of the template's text */
    char **path;      /* OP_VAR/RAW/IF/UNLESS/EACH: name segments ("." = no segments) */
    size_t npath;
    size_t else_i;    /* blocks: index of OP_ELSE, or end_i when there is none */
    size_t end_i;     /* blocks: index of OP_END */
    char *inc_name;   /* OP_INCLUDE */
    const tpl_t *inc; /* resolved by tpl_set_link */
    int line, col;
} op_t;

struct tpl {
    char *name;
    char *file;
    char *text;
    op_t *ops;
    size_t nops;
    int mark; /* cycle detection during link */
};

struct tpl_set {
    const tpl_set_t *fallback;
    tpl_t **items;
    size_t n, cap;
};

tpl_set_t *tpl_set_new(const tpl_set_t *fallback)
{
    tpl_set_t *s = util_calloc(1, sizeof *s);
    s->fallback = fallback;
    return s;
}

static void tpl_free(tpl_t *t)
{
    for (size_t i = 0; i < t->nops; i++) {
        for (size_t j = 0; j < t->ops[i].npath; j++)
            free(t->ops[i].path[j]);
        free(t->ops[i].path);
        free(t->ops[i].inc_name);
    }
    free(t->ops);
    free(t->name);
    free(t->file);
    free(t->text);
    free(t);
}

void tpl_set_free(tpl_set_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        tpl_free(s->items[i]);
    free(s->items);
    free(s);
}

size_t tpl_set_count(const tpl_set_t *s)
{
    return s ? s->n : 0;
}

static tpl_t *set_find_own(const tpl_set_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i]->name, name) == 0)
            return s->items[i];
    return NULL;
}

const tpl_t *tpl_set_get(const tpl_set_t *s, const char *name)
{
    for (; s; s = s->fallback) {
        tpl_t *t = set_find_own(s, name);
        if (t)
            return t;
    }
    return NULL;
}

/* ---------------------------------------------------------------- compiler */

typedef struct cc {
    tpl_t *t;
    diag_t *d;
    size_t cap;
    int errors;
    size_t stack[64]; /* open blocks: op indices */
    size_t depth;
} cc_t;

static void position(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            c++; /* columns count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

static void cc_err(cc_t *c, size_t off, const char *fmt, const char *arg)
{
    int line, col;
    position(c->t->text, off, &line, &col);
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    diag_error(c->d, c->t->file, line, col, "%s", msg);
    c->errors++;
}

static op_t *emit(cc_t *c, op_kind_t k, size_t at)
{
    if (c->t->nops == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->t->ops = util_realloc(c->t->ops, c->cap * sizeof *c->t->ops);
    }
    op_t *op = &c->t->ops[c->t->nops++];
    memset(op, 0, sizeof *op);
    op->kind = k;
    position(c->t->text, at, &op->line, &op->col);
    return op;
}

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-' || ch == '@' || ch == '.';
}

/* Splits "a.b.c" into segments; "." alone is the current item (no segments). */
static bool parse_path(const char *s, size_t n, op_t *op)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i]))
            return false;
    if (n == 1 && s[0] == '.')
        return true;
    if (s[0] == '.' || s[n - 1] == '.')
        return false;
    size_t segs = 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '.') {
            if (i + 1 < n && s[i + 1] == '.')
                return false;
            segs++;
        }
    op->path = util_calloc(segs, sizeof *op->path);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            op->path[op->npath++] = util_strndup(s + start, i - start);
            start = i + 1;
        }
    }
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
                  (*s)[*n - 1] == '\r'))
        (*n)--;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    size_t wn = strlen(w);
    return n >= wn && memcmp(s, w, wn) == 0 && (n == wn || s[wn] == ' ' || s[wn] == '\t');
}

static const char *block_name(op_kind_t k)
{
    return k == OP_IF ? "if" : k == OP_UNLESS ? "unless" : "each";
}

/* One tag's contents (between the braces), at text offset `at`. */
static void compile_tag(cc_t *c, const char *s, size_t n, size_t at)
{
    trim(&s, &n);
    char shown[80];
    snprintf(shown, sizeof shown, "%.*s", (int)(n < 60 ? n : 60), s);
    if (n == 0) {
        cc_err(c, at, "empty tag {{}}%s", "");
        return;
    }
    if (s[0] == '!')
        return;
    if (s[0] == '>') {
        const char *p = s + 1;
        size_t pn = n - 1;
        trim(&p, &pn);
        if (pn == 0) {
            cc_err(c, at, "{{> }} needs a template name%s", "");
            return;
        }
        op_t *op = emit(c, OP_INCLUDE, at);
        op->inc_name = util_strndup(p, pn);
        return;
    }
    if (s[0] == '#') {
        op_kind_t k;
        size_t kw;
        if (word_is(s + 1, n - 1, "if"))
            k = OP_IF, kw = 3;
        else if (word_is(s + 1, n - 1, "unless"))
            k = OP_UNLESS, kw = 7;
        else if (word_is(s + 1, n - 1, "each"))
            k = OP_EACH, kw = 5;
        else {
            cc_err(c, at, "unknown block {{%s}} (expected #if, #unless or #each)", shown);
            return;
        }
        const char *p = s + kw;
        size_t pn = n - kw;
        trim(&p, &pn);
        if (c->depth == UTIL_ARRAY_LEN(c->stack)) {
            cc_err(c, at, "blocks nested too deeply%s", "");
            return;
        }
        op_t *op = emit(c, k, at);
        if (!parse_path(p, pn, op)) {
            cc_err(c, at, "{{%s}}: expected a name such as item.title", shown);
            return;
        }
        c->stack[c->depth++] = c->t->nops - 1;
        return;
    }
    if (s[0] == '/') {
        const char *p = s + 1;
        size_t pn = n - 1;
        trim(&p, &pn);
        if (c->depth == 0) {
            cc_err(c, at, "{{%s}} closes a block that was never opened", shown);
            return;
        }
        size_t open = c->stack[c->depth - 1];
        op_kind_t k = c->t->ops[open].kind;
        if (pn != strlen(block_name(k)) || memcmp(p, block_name(k), pn) != 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "{{%s}} does not close {{#%s}} (line %d)", shown,
                     block_name(k), c->t->ops[open].line);
            cc_err(c, at, "%s", msg);
            return;
        }
        c->depth--;
        emit(c, OP_END, at);
        op_t *o = &c->t->ops[open];
        o->end_i = c->t->nops - 1;
        if (o->else_i == 0)
            o->else_i = o->end_i;
        return;
    }
    if (n == 4 && memcmp(s, "else", 4) == 0) {
        if (c->depth == 0) {
            cc_err(c, at, "{{else}} outside a block%s", "");
            return;
        }
        op_t *o = &c->t->ops[c->stack[c->depth - 1]];
        if (o->else_i) {
            cc_err(c, at, "a second {{else}} in one block%s", "");
            return;
        }
        emit(c, OP_ELSE, at);
        c->t->ops[c->stack[c->depth - 1]].else_i = c->t->nops - 1;
        return;
    }
    op_kind_t k = OP_VAR;
    if (word_is(s, n, "raw")) {
        k = OP_RAW;
        s += 3;
        n -= 3;
        trim(&s, &n);
    }
    op_t *op = emit(c, k, at);
    if (!parse_path(s, n, op))
        cc_err(c, at, "unknown tag {{%s}}: expected a name, raw NAME, #if, #unless, #each, "
                      "else, /NAME, > NAME or ! comment", shown);
}

int tpl_set_add(tpl_set_t *s, const char *name, const char *file, const char *text, size_t len,
                diag_t *d)
{
    tpl_t *t = util_calloc(1, sizeof *t);
    t->name = util_strdup(name);
    t->file = util_strdup(file);
    t->text = util_strndup(text, len);
    cc_t c = {.t = t, .d = d};
    size_t i = 0;
    while (i < len) {
        const char *open = NULL;
        for (size_t j = i; j + 1 < len; j++)
            if (text[j] == '{' && text[j + 1] == '{') {
                open = text + j;
                break;
            }
        size_t stop = open ? (size_t)(open - text) : len;
        if (stop > i) {
            op_t *op = emit(&c, OP_TEXT, i);
            op->off = i;
            op->len = stop - i;
        }
        if (!open)
            break;
        size_t body = stop + 2;
        const char *close = NULL;
        for (size_t j = body; j + 1 < len; j++)
            if (text[j] == '}' && text[j + 1] == '}') {
                close = text + j;
                break;
            }
        if (!close) {
            cc_err(&c, stop, "unclosed tag: '{{' without '}}'%s", "");
            break;
        }
        compile_tag(&c, text + body, (size_t)(close - text) - body, stop);
        i = (size_t)(close - text) + 2;
    }
    for (size_t k = 0; k < c.depth; k++) {
        op_t *o = &t->ops[c.stack[k]];
        diag_error(d, t->file, o->line, o->col, "{{#%s}} is never closed with {{/%s}}",
                   block_name(o->kind), block_name(o->kind));
        c.errors++;
    }
    if (c.errors) {
        tpl_free(t);
        return -1;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->items = util_realloc(s->items, s->cap * sizeof *s->items);
    }
    tpl_t *old = set_find_own(s, name);
    if (old) {
        diag_error(d, file, 1, 1, "a second template named '%s' (first in %s)", name, old->file);
        tpl_free(t);
        return -1;
    }
    s->items[s->n++] = t;
    return 0;
}

/* ---------------------------------------------------------------- linker */

/* Depth-first over includes: mark 1 = on the current path, 2 = done. An include that
 * comes back to a template on the path is a cycle; it is reported and left unresolved. */
static int link_one(const tpl_set_t *s, tpl_t *t, diag_t *d)
{
    if (t->mark == 2)
        return 0;
    t->mark = 1;
    int rc = 0;
    for (size_t i = 0; i < t->nops; i++) {
        op_t *op = &t->ops[i];
        if (op->kind != OP_INCLUDE)
            continue;
        op->inc = tpl_set_get(s, op->inc_name);
        if (!op->inc) {
            diag_error(d, t->file, op->line, op->col, "{{> %s}}: no template '%s' in this theme",
                       op->inc_name, op->inc_name);
            rc = -1;
            continue;
        }
        /* Only the set's own templates are walked: the fallback was linked on its own. */
        tpl_t *own = set_find_own(s, op->inc_name);
        if (!own)
            continue;
        if (own->mark == 1) {
            diag_error(d, t->file, op->line, op->col, "{{> %s}}: include cycle", op->inc_name);
            op->inc = NULL;
            rc = -1;
        } else if (link_one(s, own, d) != 0) {
            rc = -1;
        }
    }
    t->mark = 2;
    return rc;
}

int tpl_set_link(tpl_set_t *s, diag_t *d)
{
    int rc = 0;
    for (size_t i = 0; i < s->n; i++)
        s->items[i]->mark = 0;
    for (size_t i = 0; i < s->n; i++)
        if (link_one(s, s->items[i], d) != 0)
            rc = -1;
    return rc;
}

/* ---------------------------------------------------------------- renderer */

typedef struct scope {
    const tpl_val_t *val;
    const struct scope *up;
    size_t index, count; /* position in the list being iterated (count 0: not in #each) */
} scope_t;

static const tpl_val_t *map_get(const tpl_val_t *m, const char *key)
{
    if (!m || m->kind != V_MAP)
        return NULL;
    for (const tpl_pair_t *p = m->first; p; p = p->next)
        if (strcmp(p->key, key) == 0)
            return p->val;
    return NULL;
}

/* Position names answer from the innermost #each, in a caller-provided temporary that is
 * consumed before the next lookup. */
static const tpl_val_t *position_val(const scope_t *sc, const char *name, tpl_val_t *tmp)
{
    for (; sc; sc = sc->up) {
        if (!sc->count)
            continue;
        memset(tmp, 0, sizeof *tmp);
        if (strcmp(name, "@index") == 0) {
            tmp->kind = V_INT;
            tmp->i = (long long)sc->index;
        } else if (strcmp(name, "@first") == 0) {
            tmp->kind = V_BOOL;
            tmp->i = sc->index == 0;
        } else if (strcmp(name, "@last") == 0) {
            tmp->kind = V_BOOL;
            tmp->i = sc->index + 1 == sc->count;
        } else {
            return NULL;
        }
        return tmp;
    }
    return NULL;
}

static const tpl_val_t *lookup(const scope_t *sc, const op_t *op, tpl_val_t *tmp)
{
    if (op->npath == 0)
        return sc->val;
    if (op->path[0][0] == '@')
        return op->npath == 1 ? position_val(sc, op->path[0], tmp) : NULL;
    const tpl_val_t *v = NULL;
    for (const scope_t *s = sc; s && !v; s = s->up)
        v = map_get(s->val, op->path[0]);
    for (size_t i = 1; v && i < op->npath; i++)
        v = map_get(v, op->path[i]);
    return v;
}

static bool truthy(const tpl_val_t *v)
{
    if (!v)
        return false;
    switch (v->kind) {
    case V_STR:
        return v->len > 0;
    case V_BOOL:
    case V_INT:
        return v->i != 0;
    case V_LIST:
        return v->n > 0;
    case V_MAP:
        return true;
    }
    return false;
}

void tpl_escape(util_buf_t *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        util_buf_append(out, s + run, i - run);
        util_buf_appends(out, rep);
        run = i + 1;
    }
    util_buf_append(out, s + run, n - run);
}

void tpl_escape_str(util_buf_t *out, const char *s)
{
    if (s)
        tpl_escape(out, s, strlen(s));
}

static void emit_val(util_buf_t *out, const tpl_val_t *v, bool escape)
{
    if (!v)
        return;
    char num[32];
    switch (v->kind) {
    case V_STR:
        if (escape)
            tpl_escape(out, v->s, v->len);
        else
            util_buf_append(out, v->s, v->len);
        break;
    case V_INT:
        util_buf_append(out, num, (size_t)snprintf(num, sizeof num, "%lld", v->i));
        break;
    case V_BOOL:
        if (v->i)
            util_buf_appends(out, "true");
        break;
    default:
        break;
    }
}

static void render_range(const tpl_t *t, size_t from, size_t to, const scope_t *sc,
                         util_buf_t *out)
{
    tpl_val_t tmp;
    size_t i = from;
    while (i < to) {
        const op_t *op = &t->ops[i];
        switch (op->kind) {
        case OP_TEXT:
            util_buf_append(out, t->text + op->off, op->len);
            i++;
            break;
        case OP_VAR:
        case OP_RAW:
            emit_val(out, lookup(sc, op, &tmp), op->kind == OP_VAR);
            i++;
            break;
        case OP_IF:
        case OP_UNLESS: {
            bool yes = truthy(lookup(sc, op, &tmp));
            if (op->kind == OP_UNLESS)
                yes = !yes;
            if (yes)
                render_range(t, i + 1, op->else_i, sc, out);
            else if (op->else_i != op->end_i)
                render_range(t, op->else_i + 1, op->end_i, sc, out);
            i = op->end_i + 1;
            break;
        }
        case OP_EACH: {
            const tpl_val_t *v = lookup(sc, op, &tmp);
            if (v && v->kind == V_LIST && v->n > 0) {
                size_t k = 0;
                for (const tpl_val_t *it = v->head; it; it = it->next, k++) {
                    scope_t inner = {.val = it, .up = sc, .index = k, .count = v->n};
                    render_range(t, i + 1, op->else_i, &inner, out);
                }
            } else if (op->else_i != op->end_i) {
                render_range(t, op->else_i + 1, op->end_i, sc, out);
            }
            i = op->end_i + 1;
            break;
        }
        case OP_INCLUDE:
            if (op->inc)
                render_range(op->inc, 0, op->inc->nops, sc, out);
            i++;
            break;
        case OP_ELSE:
        case OP_END:
            i++; /* not reached: blocks jump over their own markers */
            break;
        }
    }
}

void tpl_render(const tpl_t *t, const tpl_val_t *root, util_buf_t *out)
{
    scope_t sc = {.val = root};
    render_range(t, 0, t->nops, &sc, out);
}
