/* modules/search/search_index.h: keeping the search index (key families in
 * search_keys.h) in step with what citizens can read. Every function here works inside the
 * caller's write transaction, so the index changes in the same commit as the content:
 * article.c calls search_index_article from article_publish_txn (publish and update) and
 * search_unindex_article from article_unpublish_txn; the index never holds an article that
 * is not published. A change goes to the live family of keys, and during a rebuild to the
 * one being filled as its phase asks (search_fam.h). */
#ifndef JIYUE_SEARCH_INDEX_H
#define JIYUE_SEARCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search_fam.h"
#include "store.h"

typedef enum {
    SEARCH_TYPE_ARTICLE = 1,
    SEARCH_TYPE_PAGE = 2,
    SEARCH_TYPE_MESSAGE = 3
} search_type_t;

/* A document to index; strings NUL-terminated, source, doc_no and meta may be NULL. */
typedef struct search_doc {
    search_type_t type;
    const char *site, *column;
    const char *ref;   /* what names it within the site and type: "<column>/<id>" */
    const char *id;
    const char *title, *source;
    const char *text;  /* plain text (cut at SEARCH_TEXT_MAX bytes) */
    size_t text_len;
    /* A policy document's header: its 发文字号 and the rest (发文机关, 主题分类, 索引号,
     * 成文日期) as one text, its 索引号 apart. Indexed below the body (SEARCH_META_UNITS), and the 文号 and
     * 索引号 whole too (search_text_exact_term), so a query that is one finds it first. */
    const char *doc_no, *index_no, *meta;
    int64_t pubtime;
    uint64_t seq;      /* the source's own number (an article's sequence number) */
} search_doc_t;

/* Indexes d, replacing what the index held for the same site, type and ref. Returns 0 or
 * a STORE_E* code. */
int search_index_put(store_txn_t *w, const search_doc_t *d);
/* Bytes of document records written by this thread so far (a rebuild's step bound). */
uint64_t search_index_record_bytes(void);
/* Removes the document of site, type and ref: 0 (also when there was none) or a STORE_E*
 * code. */
int search_index_del(store_txn_t *w, const char *site, search_type_t type, const char *ref);

/* A policy document's header (each may be NULL or ""). */
typedef struct search_policy {
    const char *doc_no, *issuer, *written, *topic, *index_no;
} search_policy_t;

/* An article as article.c stores it: its HTML body made plain text; pol NULL for none. */
int search_index_article(store_txn_t *w, const char *site, const char *column, const char *id,
                         const char *title, const char *source, const char *html,
                         size_t html_len, const search_policy_t *pol, int64_t pubtime,
                         uint64_t seq);
int search_unindex_article(store_txn_t *w, const char *site, const char *column,
                           const char *id);

/* A stored document record; strings point into the store (valid while t is). */
typedef struct search_docrec {
    int64_t pubtime;
    uint8_t type;
    uint32_t length;
    const char *site, *column, *id, *title, *source, *text;
    size_t text_len;
    const char *doc_no, *index_no, *meta; /* "" for none (and in v1 records) */
} search_docrec_t;
int search_doc_get(store_txn_t *t, const search_fam_t *f, uint64_t doc, search_docrec_t *out);
int search_doc_decode(const void *v, size_t len, search_docrec_t *out);

/* The number postings carry for a site / a column id: 0 and STORE_NOTFOUND when none was
 * handed out (nothing of it is indexed). */
int search_site_number(store_txn_t *t, const char *site, uint32_t *num);
int search_column_number(store_txn_t *t, const char *column, uint32_t *num);
/* Documents family f holds and their total length in terms (for BM25's average). */
void search_counters(store_txn_t *t, const search_fam_t *f, uint64_t *docs,
                     uint64_t *total_len);
/* Family f's counts to nothing ("yn" deleted; "xn" keeps the shared numbers). */
int search_counters_reset(store_txn_t *w, const search_fam_t *f);

/* Removes every document of site and type (the pages a sync replaces), in each family a
 * change writes; during a rebuild's walk their sources are queued. */
int search_index_del_all(store_txn_t *w, const char *site, search_type_t type);
/* Removes everything the index holds of a site, including postings whose document record
 * is gone, in the live family and in the one a rebuild fills. purge: the site's number
 * goes too (`jiyuectl purge`); else it is kept (a reindex). *count (may be NULL): documents
 * removed from the live family. Returns 0 or a STORE_E* code. */
int search_index_clear(store_txn_t *w, const char *site, bool purge, long *count);
/* A digest of what family f holds of a site (NULL: all of it) in a form that does not
 * depend on how postings fell into blocks, nor on the family: equal digests, equal
 * indexes. *docs (may be NULL): the document records digested. */
int search_index_digest(store_txn_t *t, const search_fam_t *f, const char *site,
                        unsigned char out[32], long *docs);

#endif
