/* modules/workflow/workflow_draft.c: draft records, their attachments and indexes in the
 * store's "content" database (layout and key families in workflow_draft.h). */
#include "workflow_draft.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "store_keys.h"

#define REC_DRAFT "JYWD"
#define KEYBUF (STORE_KEY_MAX + 1)

static const char *const state_names[WORKFLOW_STATE_COUNT] = {
    "draft", "submitted", "rejected", "published", "scheduled"};

const char *workflow_state_name(workflow_state_t s)
{
    return (unsigned)s < WORKFLOW_STATE_COUNT ? state_names[s] : "?";
}

void workflow_draft_free(workflow_draft_t *d)
{
    char **strs[] = {&d->site,   &d->column,     &d->article, &d->title, &d->body,
                     &d->source, &d->author,     &d->disclosure, &d->date, &d->reason,
                     &d->of_site, &d->of_column, &d->of_id, &d->doc_no, &d->issuer,
                     &d->written, &d->topic, &d->index_no};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(strs); i++)
        free(*strs[i]);
    memset(d, 0, sizeof *d);
}

bool workflow_draft_is_offer(const workflow_draft_t *d)
{
    return d->of_site && *d->of_site;
}

const char *workflow_draft_home(const workflow_draft_t *d)
{
    return workflow_draft_is_offer(d) ? d->of_site : d->site;
}

bool workflow_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > WORKFLOW_ID_MAX || id[0] == '0')
        return false;
    for (size_t i = 0; i < n; i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    /* 20 digits may pass UINT64_MAX: compare as text with it */
    return n < WORKFLOW_ID_MAX || strcmp(id, "18446744073709551615") <= 0;
}

static uint64_t id_seq(const char *id)
{
    return strtoull(id, NULL, 10);
}

/* ------------------------------------------------------------------ records */

void workflow_draft_encode(const workflow_draft_t *d, util_buf_t *b)
{
    rec_put_head(b, REC_DRAFT, 3);
    rec_put_str(b, d->id);
    rec_put_str(b, d->site);
    rec_put_str(b, d->column);
    rec_put_str(b, d->article);
    rec_put_n(b, d->update ? 1 : 0, 1);
    rec_put_str(b, d->title);
    rec_put_str(b, d->body);
    rec_put_str(b, d->source);
    rec_put_str(b, d->author);
    rec_put_str(b, d->disclosure);
    rec_put_str(b, d->date);
    rec_put_n(b, (uint64_t)d->scheduled, 8);
    rec_put_n(b, (uint64_t)d->state, 1);
    rec_put_str(b, d->editor);
    rec_put_str(b, d->last_by);
    rec_put_str(b, d->reviewer);
    rec_put_str(b, d->reason);
    rec_put_n(b, (uint64_t)d->created, 8);
    rec_put_n(b, (uint64_t)d->updated, 8);
    rec_put_n(b, (uint64_t)d->submitted, 8);
    rec_put_n(b, (uint64_t)d->decided, 8);
    rec_put_n(b, d->edits, 4);
    rec_put_n(b, d->revision, 4);
    rec_put_n(b, d->natt, 4);
    for (size_t i = 0; i < d->natt; i++) {
        rec_put_str(b, d->att[i].name);
        rec_put_n(b, d->att[i].size, 8);
    }
    rec_put_str(b, d->of_site ? d->of_site : "");
    rec_put_str(b, d->of_column ? d->of_column : "");
    rec_put_str(b, d->of_id ? d->of_id : "");
    const char *pol[] = {d->doc_no, d->issuer, d->written, d->topic, d->index_no};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(pol); i++)
        rec_put_str(b, pol[i] ? pol[i] : "");
}

/* A string of the record: a heap copy (NULL when the record is short or it holds a NUL). */
static char *get_heap(rec_rd_t *r)
{
    size_t n = 0;
    const char *s = rec_get_str(r, &n);
    if (r->bad || memchr(s, '\0', n))
        return NULL;
    return util_strndup(s, n);
}

int workflow_draft_decode(const void *data, size_t len, workflow_draft_t *out)
{
    workflow_draft_t *d = out;
    memset(d, 0, sizeof *d);
    rec_rd_t r = rec_reader(data, len);
    /* versions 3, 2 and 1 (each appends fields to the one before) */
    int version = 3;
    for (; version >= 1; version--) {
        r = rec_reader(data, len);
        if (rec_get_head(&r, REC_DRAFT, (uint16_t)version))
            break;
    }
    bool v2 = version >= 2;
    bool ok = version >= 1 && rec_get_fixed(&r, d->id, sizeof d->id);
    if (ok) {
        d->site = get_heap(&r);
        d->column = get_heap(&r);
        d->article = get_heap(&r);
    }
    uint64_t update = rec_get_n(&r, 1);
    if (ok) {
        d->title = get_heap(&r);
        d->body = get_heap(&r);
        d->source = get_heap(&r);
        d->author = get_heap(&r);
        d->disclosure = get_heap(&r);
        d->date = get_heap(&r);
    }
    d->scheduled = (int64_t)rec_get_n(&r, 8);
    uint64_t state = rec_get_n(&r, 1);
    ok = ok && rec_get_fixed(&r, d->editor, sizeof d->editor) &&
         rec_get_fixed(&r, d->last_by, sizeof d->last_by) &&
         rec_get_fixed(&r, d->reviewer, sizeof d->reviewer);
    if (ok)
        d->reason = get_heap(&r);
    d->created = (int64_t)rec_get_n(&r, 8);
    d->updated = (int64_t)rec_get_n(&r, 8);
    d->submitted = (int64_t)rec_get_n(&r, 8);
    d->decided = (int64_t)rec_get_n(&r, 8);
    d->edits = (uint32_t)rec_get_n(&r, 4);
    d->revision = (uint32_t)rec_get_n(&r, 4);
    uint64_t natt = rec_get_n(&r, 4);
    ok = ok && update <= 1 && state < WORKFLOW_STATE_COUNT && natt <= WORKFLOW_ATTACHMENTS_MAX &&
         d->scheduled >= 0 && d->scheduled <= WORKFLOW_SCHEDULED_MAX;
    for (uint64_t i = 0; ok && i < natt; i++) {
        ok = rec_get_fixed(&r, d->att[i].name, sizeof d->att[i].name);
        d->att[i].size = rec_get_n(&r, 8);
    }
    if (ok && v2) {
        d->of_site = get_heap(&r);
        d->of_column = get_heap(&r);
        d->of_id = get_heap(&r);
    } else if (ok) {
        d->of_site = util_strdup("");
        d->of_column = util_strdup("");
        d->of_id = util_strdup("");
    }
    char **pol[] = {&d->doc_no, &d->issuer, &d->written, &d->topic, &d->index_no};
    bool pol_ok = true;
    for (size_t i = 0; ok && i < UTIL_ARRAY_LEN(pol); i++) {
        *pol[i] = version >= 3 ? get_heap(&r) : util_strdup("");
        pol_ok = pol_ok && *pol[i];
    }
    d->update = update == 1;
    d->state = (workflow_state_t)state;
    d->natt = ok ? (size_t)natt : 0;
    ok = ok && !r.bad && r.p == r.end && workflow_id_ok(d->id) && d->site && d->column &&
         d->article && d->title && d->body && d->source && d->author && d->disclosure &&
         d->date && d->reason && d->of_site && d->of_column && d->of_id && pol_ok &&
         account_name_ok(d->editor);
    if (!ok) {
        workflow_draft_free(d);
        return STORE_ECORRUPT;
    }
    return STORE_OK;
}

/* ------------------------------------------------------------------ the store */

static size_t key_draft(char k[KEYBUF], const char *id)
{
    int n = snprintf(k, KEYBUF, WORKFLOW_KEY_DRAFT "%s", id);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

int workflow_draft_get(store_txn_t *t, const char *id, workflow_draft_t *out)
{
    memset(out, 0, sizeof *out);
    char k[KEYBUF];
    if (!workflow_id_ok(id))
        return STORE_NOTFOUND;
    size_t kl = key_draft(k, id);
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    if (rc != STORE_OK)
        return rc;
    rc = workflow_draft_decode(v, len, out);
    if (rc == STORE_OK && strcmp(out->id, id) != 0) {
        workflow_draft_free(out);
        return STORE_ECORRUPT;
    }
    return rc;
}

int workflow_draft_put(store_txn_t *w, const workflow_draft_t *d)
{
    char k[KEYBUF];
    if (!workflow_id_ok(d->id))
        return STORE_EKEY;
    size_t kl = key_draft(k, d->id);
    util_buf_t b = {0};
    workflow_draft_encode(d, &b);
    int rc = store_content_put(w, k, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

int workflow_draft_next_id(store_txn_t *w, char id[static WORKFLOW_ID_MAX + 1])
{
    const void *v;
    size_t len;
    uint64_t cur = 0;
    size_t kl = strlen(WORKFLOW_KEY_SEQ);
    int rc = store_content_get(w, WORKFLOW_KEY_SEQ, kl, &v, &len);
    if (rc == STORE_OK)
        cur = rec_u64_at(v, len, 0);
    else if (rc != STORE_NOTFOUND)
        return rc;
    if (cur == UINT64_MAX)
        return STORE_EIO;
    cur++;
    util_buf_t b = {0};
    rec_put_n(&b, cur, 8);
    rc = store_content_put(w, WORKFLOW_KEY_SEQ, kl, b.data, b.len);
    util_buf_free(&b);
    snprintf(id, WORKFLOW_ID_MAX + 1, "%" PRIu64, cur);
    return rc;
}

/* ------------------------------------------------------------------ indexes */

static size_t key_index(char k[KEYBUF], workflow_index_t which, const char *owner, uint64_t seq)
{
    int n;
    switch (which) {
    case WORKFLOW_INDEX_MINE:
        n = snprintf(k, KEYBUF, WORKFLOW_KEY_MINE "%s/%016" PRIx64, owner, UINT64_MAX - seq);
        break;
    case WORKFLOW_INDEX_QUEUE:
        n = snprintf(k, KEYBUF, WORKFLOW_KEY_QUEUE "%s/%016" PRIx64, owner, seq);
        break;
    default:
        n = snprintf(k, KEYBUF, WORKFLOW_KEY_SITE "%s/%016" PRIx64, owner, UINT64_MAX - seq);
        break;
    }
    return n > 0 && n < KEYBUF && !strchr(owner, '/') ? (size_t)n : 0;
}

int workflow_index_set(store_txn_t *w, workflow_index_t which, const workflow_draft_t *d, bool add)
{
    char k[KEYBUF];
    const char *owner = which == WORKFLOW_INDEX_MINE ? d->editor : d->site;
    size_t kl = key_index(k, which, owner, id_seq(d->id));
    if (!kl)
        return STORE_EKEY;
    if (add)
        return store_content_put(w, k, kl, d->id, strlen(d->id));
    int rc = store_content_del(w, k, kl);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

typedef struct ids {
    char (*id)[WORKFLOW_ID_MAX + 1];
    size_t n, cap;
} ids_t;

static int collect_id(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    ids_t *ids = ud;
    if (vlen == 0 || vlen > WORKFLOW_ID_MAX)
        return 0; /* not an id: skipped, as an entry without its record */
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? ids->cap * 2 : 32;
        ids->id = util_realloc(ids->id, ids->cap * sizeof *ids->id);
    }
    memcpy(ids->id[ids->n], val, vlen);
    ids->id[ids->n++][vlen] = '\0';
    return 0;
}

/* The ids an index lists, in its order (collected first: the callback may write). */
static int index_ids(store_txn_t *t, workflow_index_t which, const char *owner, ids_t *ids)
{
    static const char *const fam[] = {WORKFLOW_KEY_MINE, WORKFLOW_KEY_QUEUE, WORKFLOW_KEY_SITE};
    char p[KEYBUF];
    int n = snprintf(p, sizeof p, "%s%s/", fam[which], owner);
    if (n <= 0 || n >= KEYBUF || strchr(owner, '/') || !*owner)
        return STORE_EKEY;
    int rc = store_content_each(t, p, (size_t)n, collect_id, ids);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int workflow_each(store_txn_t *t, workflow_index_t which, const char *owner, workflow_fn fn,
                  void *ud)
{
    ids_t ids = {0};
    int rc = index_ids(t, which, owner, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        workflow_draft_t d;
        int g = workflow_draft_get(t, ids.id[i], &d);
        if (g == STORE_NOTFOUND)
            continue;
        if (g != STORE_OK) {
            rc = g;
            break;
        }
        rc = fn(ud, &d);
        workflow_draft_free(&d);
    }
    free(ids.id);
    return rc;
}

/* ------------------------------------------------------------------ the schedule */

static size_t key_due(char k[KEYBUF], int64_t when, const char *id)
{
    int n = snprintf(k, KEYBUF, WORKFLOW_KEY_DUE "%016" PRIx64 "/%016" PRIx64, (uint64_t)when,
                     id_seq(id));
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

int workflow_due_set(store_txn_t *w, const workflow_draft_t *d, bool add)
{
    char k[KEYBUF];
    size_t kl = key_due(k, d->scheduled, d->id);
    if (!kl || !workflow_id_ok(d->id))
        return STORE_EKEY;
    if (add)
        return store_content_put(w, k, kl, d->id, strlen(d->id));
    int rc = store_content_del(w, k, kl);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

typedef struct due_walk {
    int64_t now;
    workflow_due_t *out;
    size_t max, n;
} due_walk_t;

static int collect_due(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    due_walk_t *dw = ud;
    const char *k = key;
    size_t pl = strlen(WORKFLOW_KEY_DUE);
    if (dw->n == dw->max)
        return 1;
    /* keys sort by time: the first one ahead of now ends the walk */
    if (klen >= pl + 16) {
        char hex[17];
        memcpy(hex, k + pl, 16);
        hex[16] = '\0';
        if ((int64_t)strtoull(hex, NULL, 16) > dw->now)
            return 1;
    }
    if (klen >= sizeof dw->out[0].key)
        return 0; /* not one of ours */
    workflow_due_t *d = &dw->out[dw->n++];
    memcpy(d->key, key, klen);
    d->key[klen] = '\0';
    d->klen = klen;
    size_t n = vlen <= WORKFLOW_ID_MAX ? vlen : 0; /* not an id: "" (the entry is removed) */
    memcpy(d->id, val, n);
    d->id[n] = '\0';
    return 0;
}

int workflow_due_list(store_txn_t *t, int64_t now, workflow_due_t *out, size_t max, size_t *n)
{
    due_walk_t dw = {.now = now, .out = out, .max = max};
    int rc = store_content_each(t, WORKFLOW_KEY_DUE, strlen(WORKFLOW_KEY_DUE), collect_due, &dw);
    *n = dw.n;
    return rc == STORE_NOTFOUND || rc > 0 ? STORE_OK : rc;
}

/* ------------------------------------------------------------------ attachments */

static size_t key_attachment(char k[KEYBUF], const char *id, const char *name)
{
    if (!workflow_id_ok(id) || !article_attachment_name_ok(name))
        return 0;
    int n = snprintf(k, KEYBUF, WORKFLOW_KEY_ATTACHMENT "%s/%s", id, name);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

int workflow_attachment_get(store_txn_t *t, const char *id, const char *name, const void **data,
                            size_t *len)
{
    char k[KEYBUF];
    size_t kl = key_attachment(k, id, name);
    return kl ? store_content_get(t, k, kl, data, len) : STORE_NOTFOUND;
}

int workflow_attachment_put(store_txn_t *w, const char *id, const char *name, const void *data,
                            size_t len)
{
    char k[KEYBUF];
    size_t kl = key_attachment(k, id, name);
    return kl ? store_content_put(w, k, kl, data, len) : STORE_EKEY;
}

int workflow_attachment_del(store_txn_t *w, const char *id, const char *name)
{
    char k[KEYBUF];
    size_t kl = key_attachment(k, id, name);
    if (!kl)
        return STORE_EKEY;
    int rc = store_content_del(w, k, kl);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

/* ------------------------------------------------------------------ purge */

int workflow_purge_site(store_txn_t *w, const char *site, long *count)
{
    ids_t ids = {0};
    int rc = index_ids(w, WORKFLOW_INDEX_SITE, site, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++) {
        workflow_draft_t d;
        int g = workflow_draft_get(w, ids.id[i], &d);
        if (g == STORE_NOTFOUND)
            continue;
        if (g != STORE_OK) {
            rc = g;
            break;
        }
        for (size_t j = 0; rc == 0 && j < d.natt; j++)
            rc = workflow_attachment_del(w, d.id, d.att[j].name);
        for (int x = 0; rc == 0 && x < 3; x++)
            rc = workflow_index_set(w, (workflow_index_t)x, &d, false);
        if (rc == 0 && d.state == WORKFLOW_SCHEDULED)
            rc = workflow_due_set(w, &d, false);
        char k[KEYBUF];
        if (rc == 0)
            rc = store_content_del(w, k, key_draft(k, d.id));
        if (rc == 0)
            (*count)++;
        workflow_draft_free(&d);
    }
    free(ids.id);
    return rc;
}
