/* modules/report/report_annual.h: the figures of a site's 政府网站工作年度报表 (the annual
 * report every government site publishes on its home page by 31 January, 国办函〔2018〕12号)
 * that the platform itself knows (report_annual.c), gathered from the store and the
 * configuration: the site's identity, its visits, what it published, its citizens'
 * messages and its self-inspections. The fields it cannot know (办事服务, 新媒体, ...) are
 * listed blank for the web office to fill (report_format.c). Years are calendar years in
 * China Standard Time. */
#ifndef JIYUE_REPORT_ANNUAL_H
#define JIYUE_REPORT_ANNUAL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

typedef struct report_annual {
    const conf_site_t *site;
    int year;
    /* 网站基本情况 */
    const char *name, *site_code, *organizer, *icp, *police; /* "" when not registered */
    /* 网站访问情况 (the visit statistics; zero before they were kept) */
    uint64_t visitors, page_views;
    /* 信息发布: articles first published in the year, and of those the form's 政务动态
     * (dynamic and notice columns) and 信息公开目录 (policy, personnel, plan). 概况类 (the
     * imported pages of static columns) is left to the office. */
    uint64_t articles, news, open_catalogue;
    /* 解读回应: articles in `interpretation` columns */
    uint64_t interpretations;
    /* 专栏专题: `topic` columns kept, and those whose first article is of this year */
    uint64_t topics, topics_new;
    /* 互动交流: messages received in the year, answered, mean days to the first reply,
     * made public (a reply is published with its message) */
    uint64_t messages, answered, published;
    double reply_days;
    /* 安全防护: `jiyuectl audit` runs over the site in the year, problems they found (a
     * finding counted once however many runs saw it) and problems fixed (found by one run,
     * gone in the next) */
    uint64_t audit_runs, problems_found, problems_fixed;
} report_annual_t;

/* Fills *out for site s and `year` from read transaction t. 0 or a STORE_E* code. */
int report_annual(store_txn_t *t, const conf_site_t *s, int year, report_annual_t *out);

#endif
