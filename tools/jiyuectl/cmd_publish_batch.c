/* tools/jiyuectl/cmd_publish_batch.c: `jiyuectl publish --batch FILE`: many articles from
 * one JSON-lines file (one object a line: front-matter keys as strings, "body" the Markdown
 * text), for a migration or a benchmark where one process per article is too slow. Every
 * line is read and checked as `jiyuectl publish` checks one file (against the files of the
 * sites the lines name while they are few: ctl_load_conf_for) before anything is written;
 * then the articles are published through the same article_publish_txn (search index
 * included) in write transactions of CTL_BATCH_TXN lines each, the index in bulk mode
 * (search_postings.h: each term's new entries merged once a transaction). Lines oldest
 * first make that cheapest. Attachments are not taken here. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "ctl.h"
#include "markdown.h"
#include "search_bulk.h"
#include "util.h"

#define CTL_BATCH_TXN 5000
#define CTL_BATCH_CONF (CONF_LOAD_NO_THEMES | CONF_LOAD_NO_TLS)
#define CTL_BATCH_LINE_MAX (1u << 20)

/* Line `lineno` of the file into *m and *body (heap). CTL_OK or the failure, said. */
static int batch_line(ctl_t *ctl, const char *file, long lineno, const char *line, size_t len,
                      article_meta_t *m, char **body)
{
    json_error_t e;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &e);
    *body = NULL;
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return ctl_fail(ctl, "%s:%ld: refused: not a JSON object%s%s", file, lineno,
                        o ? "" : ": ", o ? "" : e.text);
    }
    const char *k;
    json_t *v;
    int rc = CTL_OK;
    json_object_foreach(o, k, v) {
        if (!json_is_string(v)) {
            rc = ctl_fail(ctl, "%s:%ld: refused: '%s' is not a string", file, lineno, k);
            break;
        }
        if (strcmp(k, "body") == 0) {
            free(*body);
            *body = util_strdup(json_string_value(v));
        } else if (strcmp(k, "attachments") == 0 || article_meta_set(m, k, json_string_value(v)) != 0) {
            rc = ctl_fail(ctl, "%s:%ld: refused: unknown key '%s'", file, lineno, k);
            break;
        }
    }
    json_decref(o);
    if (rc == CTL_OK && !m->id)
        rc = ctl_fail(ctl, "%s:%ld: refused: a batch line needs an id", file, lineno);
    if (rc == CTL_OK && !*body)
        *body = util_strdup("");
    return rc;
}

/* One pass over the file: check every line (publish == false) or publish them. */
static int batch_pass(ctl_t *ctl, const char *file, bool publish, int64_t now, long *count)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return ctl_fail(ctl, "cannot read %s: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, in_txn = 0;
    int rc = CTL_OK, src;
    store_txn_t *w = NULL;
    *count = 0;
    while (rc == CTL_OK && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n == 0 || (n == 1 && line[0] == '\n'))
            continue;
        if ((size_t)n > CTL_BATCH_LINE_MAX) {
            rc = ctl_fail(ctl, "%s:%ld: refused: a line is longer than 1 MiB", file, lineno);
            break;
        }
        article_meta_t m = {0};
        char *body = NULL, why[512];
        rc = batch_line(ctl, file, lineno, line, (size_t)n, &m, &body);
        if (rc == CTL_OK && !publish) {
            /* the sites the lines name, read as they come (ctl.h) */
            rc = ctl_load_conf_for(ctl, m.site, CTL_BATCH_CONF);
            if (rc == CTL_OK && (article_check(ctl->conf, &m, why, sizeof why) ||
                                 article_future_check(&m, now, why, sizeof why)))
                rc = ctl_fail(ctl, "%s:%ld: refused: %s", file, lineno, why);
        } else if (rc == CTL_OK) {
            /* the store is opened once (ctl_write_begin would open it again) */
            if (!ctl->store && (rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK)
                w = NULL;
            else if (!w && !(w = store_write_begin(ctl->store, &src)))
                rc = ctl_store_fail(ctl, src, "the batch was cut here");
            else if (in_txn == 0 && (src = search_bulk_begin(w)) != 0)
                rc = ctl_store_fail(ctl, src, "the batch was cut here");
            char *html = rc == CTL_OK ? markdown_to_html(body, strlen(body)) : NULL;
            if (rc == CTL_OK &&
                article_publish_txn(w, ARTICLE_PUBLISH, &m, "markdown", html, strlen(html), NULL,
                                    0, now, NULL, why, sizeof why) != 0) {
                search_bulk_end(w, false);
                store_abort(w);
                w = NULL;
                rc = ctl_fail(ctl, "%s:%ld: refused: %s; the %ld articles before line %ld are "
                                   "published", file, lineno, why, *count - in_txn,
                              lineno - in_txn);
            }
            free(html);
            if (rc == CTL_OK && ++in_txn == CTL_BATCH_TXN) {
                rc = ctl_store_finish(ctl, w, search_bulk_end(w, true), "the batch was cut here");
                w = NULL;
                in_txn = 0;
            }
        }
        if (rc == CTL_OK)
            (*count)++;
        free(body);
        article_meta_free(&m);
    }
    if (rc == CTL_OK && ferror(f))
        rc = ctl_fail(ctl, "cannot read %s: %s", file, strerror(errno));
    if (w)
        rc = rc == CTL_OK ? ctl_store_finish(ctl, w, search_bulk_end(w, true), "the batch was cut here")
                          : (search_bulk_end(w, false), store_abort(w), rc);
    free(line);
    fclose(f);
    return rc;
}

int ctl_publish_batch(ctl_t *ctl, const char *file)
{
    int rc;
    int64_t now = (int64_t)time(NULL);
    long checked, published;
    if ((rc = batch_pass(ctl, file, false, now, &checked)) != CTL_OK)
        return rc;
    /* a file of no lines names no site: the whole configuration, as before */
    if (!ctl->conf && (rc = ctl_load_conf_for(ctl, NULL, CTL_BATCH_CONF)) != CTL_OK)
        return rc;
    if ((rc = batch_pass(ctl, file, true, now, &published)) != CTL_OK)
        return rc;
    printf("published %ld articles from %s\n", published, file);
    return CTL_OK;
}
