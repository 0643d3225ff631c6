/* tests/unit/testarticle.h: the front matter of a valid article for unit tests that publish
 * through article_publish() (the search index's tests): every field the publishing rules
 * require, filled with fixed names. Header-only and static inline. */
#ifndef JIYUE_TESTARTICLE_H
#define JIYUE_TESTARTICLE_H

#include "article.h"
#include "util.h"

/* *m (zeroed first) for article `id` of site/col, titled `title`, dated `date` (NULL: now);
 * the strings are the article's own (article_meta_free releases them). */
static inline void testarticle_meta(article_meta_t *m, const char *site, const char *col,
                                    const char *id, const char *title, const char *date)
{
    *m = (article_meta_t){0};
    m->site = util_strdup(site);
    m->column = util_strdup(col);
    m->id = util_strdup(id);
    m->title = util_strdup(title);
    m->source = util_strdup("市人社局");
    m->publisher = util_strdup("李华");
    m->reviewer = util_strdup("王强");
    m->disclosure = util_strdup(ARTICLE_DISCLOSE_ACTIVE);
    m->secrecy_by = util_strdup("赵敏");
    m->secrecy_date = util_strdup("2026-01-01");
    m->secrecy_given = true;
    m->date = date ? util_strdup(date) : NULL;
}

#endif
