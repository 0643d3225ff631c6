/* tools/jiyuectl/cmd_census.c: `jiyuectl census sites|columns [--format csv|json] [--bom]`:
 * the two census tables the seed asks every cluster to keep, written to standard output
 * in UTF-8:
 *   sites    基本信息表: one row per site (registration, domains, status with its dates);
 *   columns  栏目信息表: one row per column, with its item count and last update taken
 *            from the store: the articles published into the column (modules/content/article.h)
 *            plus the imported HTML pages under /<column>/ or its `folder:` in the site's
 *            live generation other than list pages (index.html, index_N.html) and old
 *            pages an article replaces (audit_columns.c, content_route.c: what the
 *            audit counts); the last update is the newest of
 *            their publication, revision or modification times (Beijing date); for a
 *            policy column also its policy documents (its articles) and how many of them
 *            have no 发文字号 (doc_no), the header field an inspection looks for first.
 *            Without a store every count is 0.
 * CSV follows RFC 4180 (CRLF, quoted where needed) with Chinese header labels, and is
 * for people: kinds, statuses and column types in Chinese (部门, 正常运行, 工作动态) and
 * the parent by its name. --bom puts a UTF-8 byte order mark first, which spreadsheet
 * software needs to read UTF-8. JSON is for programs: an array of objects keyed by the
 * English field names, values as in the site files (ids, English enumerations) plus the
 * Chinese names beside them (kind_name, parent_name, status_name, type_name), with
 * Chinese left unescaped; built and escaped by libjansson. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "article.h"
#include "audit.h"
#include "content_columns.h"
#include "content_route.h"
#include "ctl.h"
#include "json_common.h"
#include "lifecycle.h"
#include "registration.h"
#include "router.h"
#include "store_keys.h"
#include "util.h"

typedef struct field {
    const char *key;   /* JSON key */
    const char *label; /* CSV header; NULL: a JSON-only field */
    int shown;         /* CSV: the index of the field whose value the cell shows (the
                        * Chinese name of an id or enumeration); -1: its own */
} field_t;

/* The JSON-only *_name fields come last: a JSON consumer's fields keep their order. */
static const field_t site_fields[] = {
    {"site_code", "网站标识码", -1}, {"id", "站点标识", -1},     {"name", "网站名称", -1},
    {"kind", "网站类型", 18},        {"parent", "上级网站", 19}, {"organizer", "主办单位", -1},
    {"url", "首页地址", -1},         {"domains", "域名", -1},    {"aliases", "旧域名", -1},
    {"status", "运行状态", 20},      {"status_from", "开始日期", -1}, {"status_until", "结束日期", -1},
    {"status_reason", "原因", -1},   {"migrate_to", "迁移至", -1}, {"generation", "改版版本", -1},
    {"icp", "ICP备案号", -1},        {"police", "公安备案号", -1}, {"contact", "联系方式", -1},
    {"kind_name", NULL, -1},         {"parent_name", NULL, -1},  {"status_name", NULL, -1},
};
#define NSITE_FIELDS (sizeof site_fields / sizeof site_fields[0])

static const field_t column_fields[] = {
    {"site", "站点标识", -1}, {"site_name", "网站名称", -1}, {"id", "栏目标识", -1},
    {"name", "栏目名称", -1}, {"type", "栏目类型", 7},       {"items", "信息条数", -1},
    {"last_update", "最近更新", -1}, {"type_name", NULL, -1},
    /* added later, so at the end: a policy column's documents and those without 发文字号
     * (empty for other columns) */
    {"policy_documents", "政策文件数", -1}, {"policy_without_doc_no", "缺发文字号", -1},
};
#define NCOLUMN_FIELDS (sizeof column_fields / sizeof column_fields[0])

typedef struct out {
    bool json;
    json_t *list; /* the JSON rows, written by out_end */
    const field_t *fields;
    size_t nfields;
    size_t rows;
} out_t;

static void csv_cell(const char *v)
{
    if (!v)
        v = "";
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, stdout);
        return;
    }
    putchar('"');
    for (; *v; v++) {
        if (*v == '"')
            putchar('"');
        putchar(*v);
    }
    putchar('"');
}

static void out_begin(out_t *o, bool bom)
{
    if (o->json) {
        o->list = json_array();
        return;
    }
    if (bom)
        fputs("\xEF\xBB\xBF", stdout);
    for (size_t i = 0; i < o->nfields; i++) {
        if (!o->fields[i].label)
            continue;
        if (i)
            putchar(',');
        csv_cell(o->fields[i].label);
    }
    fputs("\r\n", stdout);
}

/* One row: values in field order; NULL is an empty cell (null in JSON). `numeric` marks
 * fields written as JSON numbers. */
static void out_row(out_t *o, const char *const *vals, const bool *numeric)
{
    if (o->json) {
        json_t *row = json_object();
        for (size_t i = 0; i < o->nfields; i++) {
            json_t *v = !vals[i]                  ? json_null()
                        : numeric && numeric[i] ? json_integer(strtoll(vals[i], NULL, 10))
                                                : json_common_text(vals[i]);
            json_object_set_new(row, o->fields[i].key, v);
        }
        json_array_append_new(o->list, row);    } else {
        for (size_t i = 0; i < o->nfields; i++) {
            if (!o->fields[i].label)
                continue;
            if (i)
                putchar(',');
            csv_cell(vals[o->fields[i].shown >= 0 ? (size_t)o->fields[i].shown : i]);
        }
        fputs("\r\n", stdout);
    }
    o->rows++;
}

static void out_end(out_t *o)
{
    if (!o->json)
        return;
    json_dumpf(o->list, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(o->list);
    o->list = NULL;
}

static char *join(char *const *v, size_t n, const char *sep)
{
    util_buf_t b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            util_buf_appends(&b, sep);
        util_buf_appends(&b, v[i]);
    }
    util_buf_append(&b, "", 1);
    return b.data;
}

static void site_rows(ctl_t *ctl, out_t *o)
{
    router_t *r = router_build(ctl->conf);
    for (size_t i = 0; i < ctl->conf->nsites; i++) {
        const conf_site_t *s = &ctl->conf->sites[i];
        const lifecycle_conf_t *st = lifecycle_conf(s);
        const registration_t *reg = registration_of(s);
        const router_site_t *rs = router_site(r, s->id);
        char *url = util_asprintf("%s://%s%s", s->https_redirect ? "https" : "http",
                                  rs && rs->canon_host ? rs->canon_host : "",
                                  rs ? rs->canon_prefix : "/");
        char *domains = join(s->hosts, s->nhosts, " ");
        char *aliases = join(s->aliases, s->naliases, " ");
        const char *from = st->state == LIFECYCLE_CLOSED ? st->date : st->from;
        const char *vals[NSITE_FIELDS] = {
            reg->site_code, s->id, s->name, conf_kind_name(s->kind), s->parent_id,
            reg->organizer, url, domains, aliases, lifecycle_state_name(st->state), from,
            st->until, st->reason, st->migrate_to, st->generation, reg->icp, reg->police,
            reg->contact, conf_kind_name_zh(s->kind), s->parent ? s->parent->name : NULL,
            lifecycle_state_name_zh(st->state),
        };
        out_row(o, vals, NULL);
        free(url);
        free(domains);
        free(aliases);
    }
    router_free(r);
}

typedef struct col_count {
    store_txn_t *t;
    bool themed;
    const conf_site_t *site;
    size_t *items;
    int64_t *newest;
} col_count_t;

static int count_page(void *ud, const char *path, size_t len, const store_page_t *p)
{
    col_count_t *cc = ud;
    if (p->content_type_len < 9 || memcmp(p->content_type, "text/html", 9) != 0)
        return 0;
    /* below /<id>/ or the column's folder:, but not a list page (the audit's rule) */
    bool list;
    int c = audit_page_column(cc->site, path, len, &list);
    if (c < 0 || list)
        return 0;
    /* an old page a rendered one replaces (an article of the same name) is not an item */
    if (content_route_answers(cc->t, cc->themed, cc->site, path, len) == 1)
        return 0;
    cc->items[c]++;
    if (p->mtime > cc->newest[c])
        cc->newest[c] = p->mtime;
    return 0;
}

static int newest_article(void *ud, const article_t *a)
{
    int64_t *newest = ud;
    int64_t t = a->updated > a->pubtime ? a->updated : a->pubtime;
    if (t > *newest)
        *newest = t;
    return 1; /* newest first: the first one is enough */
}

typedef struct policy_count {
    size_t docs, without_doc_no;
} policy_count_t;

static int count_policy(void *ud, const article_t *a)
{
    policy_count_t *pc = ud;
    pc->docs++;
    if (!*a->doc_no)
        pc->without_doc_no++;
    return 0;
}

static int column_rows(ctl_t *ctl, out_t *o, store_txn_t *t)
{
    for (size_t i = 0; i < ctl->conf->nsites; i++) {
        const conf_site_t *s = &ctl->conf->sites[i];
        size_t nc = s->ncolumns ? s->ncolumns : 1;
        col_count_t cc = {t, ctl->conf->themes != NULL, s, util_calloc(nc, sizeof(size_t)), util_calloc(nc, sizeof(int64_t))};
        if (t) {
            char ns[STORE_KEY_MAX + 1];
            int rc = store_site_live(t, s->id, ns, sizeof ns);
            if (rc == 0)
                rc = store_page_each(t, ns, count_page, &cc);
            for (size_t c = 0; rc == 0 && c < s->ncolumns; c++) {
                uint64_t n = article_column_count(t, s->id, s->columns[c].id);
                if (n == 0)
                    continue;
                cc.items[c] += (size_t)n;
                rc = article_column_each(t, s->id, s->columns[c].id, 0, 1, newest_article,
                                         &cc.newest[c]);
                if (rc == 1)
                    rc = 0;
            }
            if (rc != 0) {
                free(cc.items);
                free(cc.newest);
                return ctl_fail(ctl, "reading %s: %s", s->id, store_strerror(rc));
            }
        }
        for (size_t c = 0; c < s->ncolumns; c++) {
            const conf_column_t *col = &s->columns[c];
            char items[24], when[16] = "";
            snprintf(items, sizeof items, "%zu", cc.items[c]);
            if (cc.items[c]) {
                time_t bj = (time_t)(cc.newest[c] + 8 * 3600);
                struct tm tm;
                if (gmtime_r(&bj, &tm))
                    strftime(when, sizeof when, "%Y-%m-%d", &tm);
            }
            char docs[24], without[24];
            bool policy = col->type == COLUMN_POLICY;
            if (policy) {
                policy_count_t pc = {0};
                int rc = t ? article_column_each(t, s->id, col->id, 0, SIZE_MAX, count_policy, &pc)
                           : 0;
                if (rc != 0 && rc != STORE_NOTFOUND) {
                    free(cc.items);
                    free(cc.newest);
                    return ctl_fail(ctl, "reading %s: %s", s->id, store_strerror(rc));
                }
                snprintf(docs, sizeof docs, "%zu", pc.docs);
                snprintf(without, sizeof without, "%zu", pc.without_doc_no);
            }
            const char *vals[NCOLUMN_FIELDS] = {s->id, s->name, col->id, col->name,
                                                content_column_type_name(col->type), items,
                                                when[0] ? when : NULL,
                                                content_column_type_name_zh(col->type),
                                                policy ? docs : NULL, policy ? without : NULL};
            static const bool numeric[NCOLUMN_FIELDS] = {[5] = true, [8] = true, [9] = true};
            out_row(o, vals, numeric);
        }
        free(cc.items);
        free(cc.newest);
    }
    return CTL_OK;
}

int ctl_cmd_census(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"bom", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false, bom = false;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "csv") != 0)
                return ctl_usage(ctl, "--format is csv or json, not '%s'", optarg);
            break;
        case 'b':
            bom = true;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return ctl_usage(ctl, argc - optind < 1 ? "which table: sites or columns?" : "too many arguments");
    const char *table = argv[optind];
    bool columns = strcmp(table, "columns") == 0;
    if (!columns && strcmp(table, "sites") != 0)
        return ctl_usage(ctl, "unknown table '%s' (sites or columns)", table);
    if (bom && json)
        return ctl_usage(ctl, "--bom is for CSV only");
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;

    store_txn_t *t = NULL;
    if (columns) {
        /* Counts come from the store; a cluster never imported simply has none. */
        store_options_t opt = {.map_size = ctl->conf->store_map_size, .read_only = true};
        char *err = NULL;
        ctl->store = store_open(ctl->conf->store, &opt, &err);
        if (!ctl->store)
            ctl_warn(ctl, "no store (%s): item counts are 0", err ? err : "cannot open");
        free(err);
        if (ctl->store && ((t = store_read_txn_new(ctl->store)) == NULL || store_read_renew(t) != 0)) {
            store_txn_free(t);
            return ctl_fail(ctl, "cannot read the store");
        }
    }
    out_t o = {.json = json,
               .fields = columns ? column_fields : site_fields,
               .nfields = columns ? NCOLUMN_FIELDS : NSITE_FIELDS};
    out_begin(&o, bom);
    if (columns)
        rc = column_rows(ctl, &o, t);
    else
        site_rows(ctl, &o);
    out_end(&o);
    store_txn_free(t);
    if (fflush(stdout) != 0 || ferror(stdout))
        return ctl_fail(ctl, "cannot write the table");
    return rc;
}
