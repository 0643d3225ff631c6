/* modules/search/search_render.h: the HTML search page (search_render.c) in the site's
 * theme (search.html): the box with the query and its filters, a page of results with
 * highlighted snippets, the page links, the "no results" advice, the hot searches and the
 * related searches. */
#ifndef JIYUE_SEARCH_RENDER_H
#define JIYUE_SEARCH_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "search_query.h"
#include "util.h"

typedef struct search_page {
    request_t *r;
    const char *prefix;         /* the site's mount as this request spells it, final '/' */
    bool cluster;               /* the portal's search: the whole cluster */
    const search_query_t *q;    /* what was asked (q->q NULL: nothing readable) */
    const search_result_t *res; /* NULL: no search ran (a bad parameter, a refusal) */
    const char *error;          /* shown in the page, or NULL */
    const char *const *hot;     /* the hot searches, most searched first */
    size_t nhot;
    const char *const *related; /* the related searches (search_related.h), best first */
    size_t nrelated;
} search_page_t;

/* The URL path of result d as seen from this request (the portal's: the cluster's path;
 * a site's: below its mount). Heap string, NULL when the site is gone. */
char *search_result_url(const conf_t *c, const search_docrec_t *d, bool cluster,
                        const char *prefix);

/* Renders the page into out. False when the site's theme has no search.html. */
bool search_render_page(const search_page_t *p, util_buf_t *out);

#endif
