/* tools/jiyuectl/cmd_message_import.c: `jiyuectl message-import FILE`: loads messages and
 * their replies from a YAML list, in one transaction, for the demo cluster and for moving
 * an old site's 信箱 into the cluster. Each item:
 *   site, column, title, body, name, phone, optional email,
 *   date: "2026-03-01 10:00" or days_ago: 20 (demo data stays recent),
 *   replies: [{by, text, date | after_days}]
 * A message already present (same site, column, title, body and name) is skipped, so
 * running it twice changes nothing, days_ago or not. Everything is checked before anything is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "content_columns.h"
#include "ctl.h"
#include "message.h"
#include "yaml.h"

static const char *str(const yaml_dom_node_t *m, const char *k)
{
    const yaml_dom_node_t *v = yaml_dom_get(m, k);
    return v && v->kind == YAML_DOM_SCALAR && !yaml_dom_is_null(v) ? v->str : NULL;
}

/* `date` or a relative count of days before `base` (or after, for replies). */
static int when(const yaml_dom_node_t *m, const char *rel_key, int64_t base, int sign,
                int64_t *out)
{
    const char *d = str(m, "date"), *rel = str(m, rel_key);
    if (d)
        return article_parse_time(d, out);
    if (!rel)
        return -1;
    char *end;
    double days = strtod(rel, &end);
    if (*end || days < 0)
        return -1;
    *out = base + sign * (int64_t)(days * MESSAGE_DAY);
    return 0;
}

typedef struct dup {
    const char *title, *body, *name;
    bool found;
} dup_t;

static int dup_cb(void *ud, const message_t *m)
{
    dup_t *d = ud;
    if (strcmp(m->title, d->title) == 0 && strcmp(m->body, d->body) == 0 &&
        strcmp(m->name, d->name) == 0) {
        d->found = true;
        return 1;
    }
    return 0;
}

static const char *check(const conf_t *c, const yaml_dom_node_t *m, int64_t now, int64_t *created)
{
    if (m->kind != YAML_DOM_MAPPING)
        return "each item must be a mapping";
    const char *site = str(m, "site"), *col = str(m, "column");
    const conf_site_t *s = site ? conf_site_find(c, site) : NULL;
    const conf_column_t *cc = s && col ? conf_column_find(s, col) : NULL;
    if (!cc || cc->type != COLUMN_INTERACTION)
        return "site and column must name an interaction column";
    const char *keys[] = {"title", "body", "name", "phone"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = str(m, keys[i]);
        if (!v || !*v || !message_text_ok(v, strlen(v), i == 1, NULL))
            return "title, body, name and phone are required UTF-8 text";
    }
    if (when(m, "days_ago", now, -1, created) != 0)
        return "a message needs date or days_ago";
    const yaml_dom_node_t *rs = yaml_dom_get(m, "replies");
    if (rs && rs->kind != YAML_DOM_SEQUENCE)
        return "replies must be a list";
    for (size_t i = 0; rs && i < rs->nitems; i++) {
        const yaml_dom_node_t *r = rs->items[i];
        int64_t t;
        const char *by = str(r, "by"), *text = str(r, "text");
        if (!by || !text || !*by || !*text || when(r, "after_days", *created, 1, &t) != 0)
            return "each reply needs by, text and date or after_days";
    }
    return NULL;
}

int ctl_cmd_message_import(ctl_t *ctl, int argc, char **argv)
{
    const char *gen;
    int first;
    int rc = ctl_parse_args(ctl, argc, argv, 1, &gen, &first);
    if (rc >= 0)
        return rc;
    if (gen)
        return ctl_usage(ctl, "message-import takes no --generation");
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    diag_t d;
    diag_init(&d);
    yaml_dom_t *doc = yaml_dom_load_file(argv[first], &d);
    diag_print(&d, stderr);
    diag_free(&d);
    if (!doc)
        return ctl_fail(ctl, "%s could not be read", argv[first]);
    const yaml_dom_node_t *list = doc->root;
    int64_t now = (int64_t)time(NULL);
    if (list->kind != YAML_DOM_SEQUENCE) {
        yaml_dom_free(doc);
        return ctl_fail(ctl, "%s must be a list of messages", argv[first]);
    }
    for (size_t i = 0; i < list->nitems; i++) {
        int64_t created;
        const char *why = check(ctl->conf, list->items[i], now, &created);
        if (why) {
            rc = ctl_fail(ctl, "%s:%d:%d: %s", argv[first], list->items[i]->line,
                          list->items[i]->col, why);
            yaml_dom_free(doc);
            return rc;
        }
    }
    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK) {
        yaml_dom_free(doc);
        return rc;
    }
    int src;
    store_txn_t *w = store_write_begin(ctl->store, &src);
    if (!w) {
        yaml_dom_free(doc);
        return ctl_store_fail(ctl, src, "cannot start a write");
    }
    size_t added = 0, skipped = 0;
    for (size_t i = 0; i < list->nitems && src == 0; i++) {
        const yaml_dom_node_t *m = list->items[i];
        message_new_t in = {str(m, "site"), str(m, "column"), str(m, "title"), str(m, "body"),
                            str(m, "name"), str(m, "phone"), str(m, "email"), "import", 0};
        when(m, "days_ago", now, -1, &in.created);
        dup_t dp = {in.title, in.body, in.name, false};
        message_each(w, in.site, in.column, false, 0, SIZE_MAX, dup_cb, &dp);
        if (dp.found) {
            skipped++;
            continue;
        }
        char code[MESSAGE_CODE_LEN + 1];
        do {
            if (message_code_new(code) != 0) {
                src = STORE_EIO;
                break;
            }
            src = message_put(w, &in, code);
        } while (src == STORE_EKEY);
        const yaml_dom_node_t *rs = yaml_dom_get(m, "replies");
        for (size_t j = 0; rs && j < rs->nitems && src == 0; j++) {
            int64_t t;
            when(rs->items[j], "after_days", in.created, 1, &t);
            src = message_reply_add(w, code, str(rs->items[j], "by"), str(rs->items[j], "text"),
                                    t, NULL);
        }
        added++;
    }
    yaml_dom_free(doc);
    if ((rc = ctl_store_finish(ctl, w, src, "nothing was imported")) != CTL_OK)
        return rc;
    printf("%zu message%s imported, %zu already present\n", added, added == 1 ? "" : "s", skipped);
    return CTL_OK;
}
