/* tests/bench/audit_gen.c: fills the store of a generated cluster with articles for the
 * audit benchmark (tests/bench/audit.sh): N articles in every article column of every site
 * of the configuration, written through the content module's article_publish() (the one
 * record layout), one transaction per article as jiyuectl publish does. Each body has a few
 * links (internal, external, an image) so the audit's link pass has real work. Run it on a
 * store in tmpfs: a commit there costs no disk flush, so a million articles take a minute,
 * not hours.
 *
 *   audit_gen CONF ARTICLES_PER_COLUMN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "conf.h"
#include "content_columns.h"
#include "store.h"
#include "util.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: audit_gen CONF ARTICLES_PER_COLUMN\n");
        return 2;
    }
    int per = atoi(argv[2]);
    diag_t d;
    diag_init(&d);
    conf_t *c = conf_load(argv[1], -1, &d);
    if (!c) {
        diag_print(&d, stderr);
        return 1;
    }
    diag_free(&d);
    store_options_t opt = {.map_size = c->store_map_size, .create = true};
    char *err = NULL;
    store_t *s = store_open(c->store, &opt, &err);
    if (!s) {
        fprintf(stderr, "audit_gen: %s\n", err);
        return 1;
    }
    int64_t now = (int64_t)time(NULL);
    size_t n = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *site = &c->sites[i];
        for (size_t k = 0; k < site->ncolumns; k++) {
            const conf_column_t *col = &site->columns[k];
            if (col->type == COLUMN_STATIC || col->type == COLUMN_INTERACTION)
                continue;
            for (int j = 0; j < per; j++) {
                char id[32], title[96], date[32], body[1024];
                snprintf(id, sizeof id, "a%d", j);
                snprintf(title, sizeof title, "%s %s 第%d条", site->name, col->name, j);
                /* one a day going back, so columns have a spread of ages */
                time_t t = (time_t)(now - (int64_t)j * 86400 - (int64_t)(i % 7) * 3600 + 8 * 3600);
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
                int bl = snprintf(body, sizeof body,
                                  "<p>%s。本条为基准测试生成的内容，用于衡量自查的速度。</p>"
                                  "<p><a href=\"a%d.html\">上一条</a> "
                                  "<a href=\"https://www.gov.cn/zhengce/\">中国政府网</a> "
                                  "<img src=\"https://www.gov.cn/images/logo.png\" alt=\"\"></p>",
                                  title, (j + 1) % per);
                article_meta_t m = {
                    .site = site->id, .column = col->id, .id = id, .title = title,
                    .source = site->name, .publisher = "王五", .reviewer = "李四",
                    .disclosure = ARTICLE_DISCLOSE_ACTIVE, .secrecy_by = "赵六",
                    .secrecy_date = "2026-01-01", .date = date, .secrecy_given = true,
                };
                article_result_t res;
                char e[256];
                if (article_publish(s, ARTICLE_PUBLISH, &m, "html", body, (size_t)bl, NULL, 0,
                                    now, &res, e, sizeof e) != 0) {
                    fprintf(stderr, "audit_gen: %s/%s/%s: %s\n", site->id, col->id, id, e);
                    return 1;
                }
                n++;
            }
        }
        if (i % 100 == 99)
            fprintf(stderr, "audit_gen: %zu sites, %zu articles\n", i + 1, n);
    }
    store_close(s);
    conf_free(c);
    printf("%zu articles\n", n);
    return 0;
}
