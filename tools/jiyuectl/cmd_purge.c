/* tools/jiyuectl/cmd_purge.c: `jiyuectl purge [--yes] SITE`: deletes what the store still
 * holds of a site that was removed from sites.d: its pages (every generation), its
 * attachments, articles and their index entries and counters, its citizens' messages and
 * replies, its redirects, generation switches and probe records, its drafts of the
 * publishing workflow, its documents in the search index. One write transaction.
 *
 * Kept on purpose: the accountability trail (h/ records, `jiyuectl history SITE`). It says
 * who published, updated and took down what; a record is never rewritten or removed, and
 * the trail's numbering stays as it was.
 *
 * Without --yes nothing is deleted: the same transaction runs, counts what would go, and
 * is aborted, so the listing is exactly what --yes will delete. A site still configured is
 * refused: its server would go on serving it (and the next publish would bring it back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "article_link.h"
#include "audit_probe.h"
#include "content_keys.h"
#include "ctl.h"
#include "lifecycle_token.h"
#include "rec.h"
#include "search_index.h"
#include "store_keys.h"
#include "util.h"
#include "workflow_draft.h"

typedef struct purge_counts {
    long pages, gen_pages, attachments;
    long articles, index, messages, replies, msg_index;
    long redirects, meta, trail;
    long drafts;
} purge_counts_t;

typedef struct keys {
    char **k;
    size_t *len;
    size_t n, cap;
    /* filters */
    const char *value_prefix; /* only keys whose value starts with this (g/ entries) */
    size_t vp_len;
    bool want_values;         /* keep the values (message codes) instead of the keys */
} keys_t;

static int collect_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    keys_t *ks = ud;
    if (ks->value_prefix && (vlen < ks->vp_len || memcmp(val, ks->value_prefix, ks->vp_len) != 0))
        return 0;
    if (ks->n == ks->cap) {
        ks->cap = ks->cap ? ks->cap * 2 : 64;
        ks->k = util_realloc(ks->k, ks->cap * sizeof *ks->k);
        ks->len = util_realloc(ks->len, ks->cap * sizeof *ks->len);
    }
    const void *src = ks->want_values ? val : key;
    size_t n = ks->want_values ? vlen : klen;
    ks->k[ks->n] = util_strndup(src, n);
    ks->len[ks->n++] = n;
    return 0;
}

static void keys_free(keys_t *ks)
{
    for (size_t i = 0; i < ks->n; i++)
        free(ks->k[i]);
    free(ks->k);
    free(ks->len);
    *ks = (keys_t){0};
}

/* Deletes the content keys listed. Returns 0 or a STORE_E* code. */
static int del_keys(store_txn_t *w, const keys_t *ks)
{
    for (size_t i = 0; i < ks->n; i++) {
        int rc = store_content_del(w, ks->k[i], ks->len[i]);
        if (rc != 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    return 0;
}

/* Deletes every content key starting with `prefix`; adds how many to *count. */
static int del_content_prefix(store_txn_t *w, const char *prefix, long *count)
{
    keys_t ks = {0};
    int rc = store_content_each(w, prefix, strlen(prefix), collect_cb, &ks);
    if (rc == 0)
        rc = del_keys(w, &ks);
    if (rc == 0 && count)
        *count += (long)ks.n;
    keys_free(&ks);
    return rc;
}

/* One exact content key; adds 1 to *count when it was there. */
static int del_content_key(store_txn_t *w, const char *key, long *count)
{
    int rc = store_content_del(w, key, strlen(key));
    if (rc == 0 && count)
        (*count)++;
    return rc == STORE_NOTFOUND ? 0 : rc;
}

static int add(long *to, long n)
{
    if (n < 0)
        return (int)n;
    *to += n;
    return 0;
}

static int count_trail(void *ud, const article_audit_t *a)
{
    (void)a;
    (*(long *)ud)++;
    return 0;
}

/* Everything of `site` in the store, deleted in w; the counts in *c. Returns 0 or a
 * STORE_E* code. */
static int purge(store_txn_t *w, const char *site, purge_counts_t *c)
{
    char buf[STORE_KEY_MAX + 1];
    int rc;
    /* pages: the base namespace, every generation ("<site>@gen"), the attachments */
    if ((rc = add(&c->pages, store_site_clear(w, site))) != 0)
        return rc;
    snprintf(buf, sizeof buf, "%s@", site);
    if ((rc = add(&c->gen_pages, store_pages_clear_prefix(w, buf))) != 0)
        return rc;
    snprintf(buf, sizeof buf, "%s" CONTENT_ATT_NS_SUFFIX, site);
    if ((rc = add(&c->attachments, store_site_clear(w, buf))) != 0)
        return rc;

    /* meta: redirects of every namespace, the generation switches, the preview secret,
     * probe records */
    snprintf(buf, sizeof buf, STORE_META_REDIR "%s/", site);
    if ((rc = add(&c->redirects, store_meta_clear_prefix(w, buf))) != 0)
        return rc;
    snprintf(buf, sizeof buf, STORE_META_REDIR "%s@", site);
    if ((rc = add(&c->redirects, store_meta_clear_prefix(w, buf))) != 0)
        return rc;
    static const char *const exact_meta[] = {STORE_META_LIVE, STORE_META_PREV,
                                             LIFECYCLE_META_PREVIEW_SECRET};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(exact_meta); i++) {
        store_key_meta_site(buf, exact_meta[i], site);
        rc = store_meta_del(w, buf);
        if (rc == 0)
            c->meta++;
        else if (rc != STORE_NOTFOUND)
            return rc;
    }
    audit_probe_key(buf, site, -1);
    if ((rc = add(&c->meta, store_meta_clear_prefix(w, buf))) != 0)
        return rc;

    /* listings of its articles on the sites above it (报送, article_link.h) go first: a
     * parent never links to a purged page */
    char why[256];
    if (article_link_purge_site_txn(w, site, "jiyuectl purge", (int64_t)time(NULL),
                                    &c->index, why, sizeof why) != 0)
        return STORE_EIO;

    /* articles: records, column indexes, counters, the cluster-wide index, the version */
    snprintf(buf, sizeof buf, CONTENT_KEY_ARTICLE "%s/", site);
    if ((rc = del_content_prefix(w, buf, &c->articles)) != 0)
        return rc;
    snprintf(buf, sizeof buf, CONTENT_KEY_INDEX "%s/", site);
    if ((rc = del_content_prefix(w, buf, &c->index)) != 0)
        return rc;
    snprintf(buf, sizeof buf, CONTENT_KEY_COUNT "%s/", site);
    if ((rc = del_content_prefix(w, buf, &c->index)) != 0)
        return rc;
    snprintf(buf, sizeof buf, CONTENT_KEY_VERSION "%s", site);
    if ((rc = del_content_key(w, buf, &c->index)) != 0)
        return rc;
    /* policy documents' 索引号 and the site's serial */
    snprintf(buf, sizeof buf, CONTENT_KEY_INDEX_NO "%s/", site);
    if ((rc = del_content_prefix(w, buf, &c->index)) != 0)
        return rc;
    snprintf(buf, sizeof buf, CONTENT_KEY_INDEX_SERIAL "%s", site);
    if ((rc = del_content_key(w, buf, &c->index)) != 0)
        return rc;
    snprintf(buf, sizeof buf, "%s/", site);
    keys_t g = {.value_prefix = buf, .vp_len = strlen(buf)};
    rc = store_content_each(w, CONTENT_KEY_GLOBAL, CONTENT_KEY_LEN(CONTENT_KEY_GLOBAL), collect_cb,
                            &g);
    if (rc == 0)
        rc = del_keys(w, &g);
    c->index += (long)g.n;
    keys_free(&g);
    if (rc != 0)
        return rc;

    /* the search index: the site's documents, their postings, its number in postings
     * (modules/search/search_keys.h) */
    if ((rc = search_index_clear(w, site, true, &c->index)) != 0)
        return rc;

    /* messages: each record and its replies (found through the site's index), then the
     * site's indexes, counters, version and rate-limit times */
    /* mi/ lists every message but those marked spam, which ms/ lists */
    keys_t codes = {.want_values = true};
    snprintf(buf, sizeof buf, "mi/%s/", site);
    rc = store_content_each(w, buf, strlen(buf), collect_cb, &codes);
    snprintf(buf, sizeof buf, "ms/%s/", site);
    if (rc == 0)
        rc = store_content_each(w, buf, strlen(buf), collect_cb, &codes);
    for (size_t i = 0; rc == 0 && i < codes.n; i++) {
        char k[STORE_KEY_MAX + 1];
        snprintf(k, sizeof k, "m/%s", codes.k[i]);
        if ((rc = del_content_key(w, k, &c->messages)) != 0)
            break;
        snprintf(k, sizeof k, "mr/%s/", codes.k[i]);
        rc = del_content_prefix(w, k, &c->replies);
    }
    keys_free(&codes);
    if (rc != 0)
        return rc;
    static const char *const msg_families[] = {"mi/", "ma/", "mc/", "mt/", "ms/", "mp/"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(msg_families); i++) {
        snprintf(buf, sizeof buf, "%s%s/", msg_families[i], site);
        if ((rc = del_content_prefix(w, buf, &c->msg_index)) != 0)
            return rc;
    }
    snprintf(buf, sizeof buf, "mv/%s", site);
    if ((rc = del_content_key(w, buf, &c->msg_index)) != 0)
        return rc;

    /* the publishing workflow's drafts, their attachments and indexes */
    if ((rc = workflow_purge_site(w, site, &c->drafts)) != 0)
        return rc;

    /* the trail stays: count its records to say so */
    return article_history_each(w, site, count_trail, &c->trail);
}

/* The cluster's content version (v/, modules/content/content_keys.h): bumped so rendered
 * portal pages that listed the site's articles (latest news) are rendered again. */
static int bump_cluster_version(store_txn_t *w)
{
    const void *v;
    size_t len;
    int rc = store_content_get(w, CONTENT_KEY_VERSION, CONTENT_KEY_LEN(CONTENT_KEY_VERSION), &v,
                               &len);
    if (rc == STORE_NOTFOUND)
        return 0; /* nothing was ever published in the cluster */
    if (rc != 0)
        return rc;
    util_buf_t b = {0};
    rec_put_n(&b, rec_u64_at(v, len, 0) + 1, 8);
    rec_put_n(&b, util_now_ms() / 1000, 8);
    rc = store_content_put(w, CONTENT_KEY_VERSION, CONTENT_KEY_LEN(CONTENT_KEY_VERSION), b.data,
                           b.len);
    util_buf_free(&b);
    return rc;
}

int ctl_cmd_purge(ctl_t *ctl, int argc, char **argv)
{
    bool yes;
    const char *site;
    int rc = ctl_parse_flag_site(ctl, argc, argv, "--yes", "-y", &yes, &site);
    if (rc >= 0)
        return rc;
    if (!site)
        return ctl_usage(ctl, "missing SITE");
    if (!conf_is_slug(site))
        return ctl_usage(ctl, "'%s' is not a site id (1 to 32 of a-z, 0-9 and '-')", site);
    rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    const conf_site_t *cs = conf_site_find(ctl->conf, site);
    if (cs)
        return ctl_fail(ctl, "site '%s' is still in sites.d (%s): remove its file and reload "
                             "first; nothing was deleted", site, cs->file);
    store_txn_t *w;
    if ((rc = ctl_write_begin(ctl, CTL_STORE_WRITE, "nothing was deleted", &w)) != CTL_OK)
        return rc;
    int src;
    purge_counts_t c = {0};
    src = purge(w, site, &c);
    long total = c.pages + c.gen_pages + c.attachments + c.articles + c.index + c.messages +
                 c.replies + c.msg_index + c.redirects + c.meta + c.drafts;
    if (src == 0 && yes && total > 0)
        src = bump_cluster_version(w);
    if (src != 0 || !yes || total == 0) {
        store_abort(w);
        if (src != 0)
            return ctl_store_fail(ctl, src, "nothing was deleted");
    } else if ((src = store_commit(w)) != 0) {
        return ctl_store_fail(ctl, src, "nothing was deleted");
    }
    if (total == 0)
        printf("the store holds no content of site '%s'\n", site);
    else
        printf("%s %s: %ld pages, %ld pages of other generations, %ld attachments, %ld "
               "articles (%ld index entries and counters), %ld messages with %ld replies (%ld "
               "index entries and counters), %ld redirects, %ld other records, %ld drafts\n",
               yes ? "purged" : "would purge", site, c.pages, c.gen_pages, c.attachments,
               c.articles, c.index, c.messages, c.replies, c.msg_index, c.redirects, c.meta,
               c.drafts);
    if (c.trail > 0)
        printf("kept: the accountability trail (%ld records of %s; `jiyuectl history %s` "
               "lists them)\n", c.trail, site, site);
    if (!yes && total > 0)
        printf("nothing was deleted: run `jiyuectl purge --yes %s` to delete it\n", site);
    return CTL_OK;
}
