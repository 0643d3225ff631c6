/* modules/report/report_format.c: the report's rows, in JSON, CSV and HTML
 * (report_format.h). */
#include "report_format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef enum { V_TEXT, V_COUNT, V_DAYS, V_BLANK } kind_t;

typedef struct row {
    const char *section, *item, *key;
    kind_t kind;
    size_t off; /* into report_annual_t (V_TEXT: a const char *; V_COUNT: uint64_t; V_DAYS: double) */
} row_t;

#define R(f) offsetof(report_annual_t, f)
static const row_t rows[] = {
    {"网站基本信息", "网站名称", "name", V_TEXT, R(name)},
    {"网站基本信息", "网站标识码", "site_code", V_TEXT, R(site_code)},
    {"网站基本信息", "主办单位", "organizer", V_TEXT, R(organizer)},
    {"网站基本信息", "ICP备案号", "icp", V_TEXT, R(icp)},
    {"网站基本信息", "公安机关备案号", "police", V_TEXT, R(police)},
    {"网站基本信息", "独立用户访问总量（个）", "visitors", V_COUNT, R(visitors)},
    {"网站基本信息", "网站总访问量（次）", "page_views", V_COUNT, R(page_views)},
    {"信息发布", "总数（条）", "articles", V_COUNT, R(articles)},
    {"信息发布", "概况类信息更新量（条）", NULL, V_BLANK, 0},
    {"信息发布", "政务动态信息更新量（条）", "news", V_COUNT, R(news)},
    {"信息发布", "信息公开目录信息更新量（条）", "open_catalogue", V_COUNT, R(open_catalogue)},
    {"专栏专题", "维护数量（个）", "topics", V_COUNT, R(topics)},
    {"专栏专题", "新开设数量（个）", "topics_new", V_COUNT, R(topics_new)},
    {"解读回应", "解读信息发布总数（条）", "interpretations", V_COUNT, R(interpretations)},
    {"解读回应", "回应公众关注热点或重大舆情数量（次）", NULL, V_BLANK, 0},
    {"办事服务", "是否发布服务事项目录", NULL, V_BLANK, 0},
    {"办事服务", "注册用户数（个）", NULL, V_BLANK, 0},
    {"办事服务", "政务服务事项数量（项）", NULL, V_BLANK, 0},
    {"互动交流", "收到留言数量（条）", "messages", V_COUNT, R(messages)},
    {"互动交流", "办结留言数量（条）", "answered", V_COUNT, R(answered)},
    {"互动交流", "平均办理时间（天）", "reply_days", V_DAYS, R(reply_days)},
    {"互动交流", "公开答复数量（条）", "published", V_COUNT, R(published)},
    {"互动交流", "征集调查期数（期）", NULL, V_BLANK, 0},
    {"互动交流", "在线访谈期数（期）", NULL, V_BLANK, 0},
    {"安全防护", "安全检测评估次数（次）", "audit_runs", V_COUNT, R(audit_runs)},
    {"安全防护", "发现问题数量（个）", "problems_found", V_COUNT, R(problems_found)},
    {"安全防护", "问题整改数量（个）", "problems_fixed", V_COUNT, R(problems_fixed)},
    {"安全防护", "是否建立安全监测预警机制", NULL, V_BLANK, 0},
    {"安全防护", "是否开展应急演练", NULL, V_BLANK, 0},
    {"移动新媒体", "是否有移动新媒体", NULL, V_BLANK, 0},
    {"移动新媒体", "微博、微信等账号数量（个）", NULL, V_BLANK, 0},
};
#undef R

static const char *text_of(const report_annual_t *r, const row_t *w)
{
    return *(const char *const *)((const char *)r + w->off);
}
static uint64_t count_of(const report_annual_t *r, const row_t *w)
{
    return *(const uint64_t *)((const char *)r + w->off);
}
static double days_of(const report_annual_t *r, const row_t *w)
{
    return *(const double *)((const char *)r + w->off);
}

/* The value as text ("" for a blank): days with one decimal, as the form shows them. */
static void value_text(const report_annual_t *r, const row_t *w, char *buf, size_t cap)
{
    switch (w->kind) {
    case V_TEXT: snprintf(buf, cap, "%s", text_of(r, w)); break;
    case V_COUNT: snprintf(buf, cap, "%llu", (unsigned long long)count_of(r, w)); break;
    case V_DAYS: snprintf(buf, cap, "%.1f", days_of(r, w)); break;
    case V_BLANK: buf[0] = '\0'; break;
    }
}

json_t *report_json(const report_annual_t *r)
{
    json_t *o = json_pack("{s:s,s:i}", "site", r->site->id, "year", r->year);
    json_t *blank = json_array();
    for (size_t i = 0; i < UTIL_ARRAY_LEN(rows); i++) {
        const row_t *w = &rows[i];
        switch (w->kind) {
        case V_TEXT: json_object_set_new(o, w->key, json_string(text_of(r, w))); break;
        case V_COUNT: json_object_set_new(o, w->key, json_integer((json_int_t)count_of(r, w))); break;
        case V_DAYS: {
            char buf[32];
            value_text(r, w, buf, sizeof buf);
            json_object_set_new(o, w->key, json_real(strtod(buf, NULL)));
            break;
        }
        case V_BLANK: {
            char item[160];
            snprintf(item, sizeof item, "%s/%s", w->section, w->item);
            json_array_append_new(blank, json_string(item));
            break;
        }
        }
    }
    json_object_set_new(o, "blank", blank);
    return o;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void report_csv_header(FILE *out)
{
    fputs("站点,栏目,项目,数值\n", out);
}

void report_csv(const report_annual_t *r, FILE *out)
{
    for (size_t i = 0; i < UTIL_ARRAY_LEN(rows); i++) {
        char buf[512];
        value_text(r, &rows[i], buf, sizeof buf);
        csv_field(out, r->site->id);
        fputc(',', out);
        csv_field(out, rows[i].section);
        fputc(',', out);
        csv_field(out, rows[i].item);
        fputc(',', out);
        csv_field(out, buf);
        fputc('\n', out);
    }
}

static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

void report_html_begin(FILE *out, int year)
{
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>政府网站工作年度报表（%d年度）</title>\n"
            "<style>table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #999;"
            "padding:.3em .6em;text-align:left}td.n{text-align:right}td.blank{background:#fffbe6}"
            "</style>\n</head>\n<body>\n<main>\n<h1>政府网站工作年度报表（%d年度）</h1>\n",
            year, year);
}

void report_html(const report_annual_t *r, FILE *out)
{
    fputs("<section>\n<h2>", out);
    html_text(out, r->name);
    fputs("</h2>\n<table>\n<thead><tr><th scope=\"col\">栏目</th><th scope=\"col\">项目</th>"
          "<th scope=\"col\">数值</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < UTIL_ARRAY_LEN(rows); i++) {
        char buf[512];
        value_text(r, &rows[i], buf, sizeof buf);
        fputs("<tr><td>", out);
        html_text(out, rows[i].section);
        fputs("</td><th scope=\"row\">", out);
        html_text(out, rows[i].item);
        fprintf(out, "</th><td class=\"%s\">",
                rows[i].kind == V_BLANK ? "blank" : rows[i].kind == V_TEXT ? "t" : "n");
        html_text(out, buf);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

void report_html_end(FILE *out)
{
    fputs("<p>空白项由网站主办单位填写。</p>\n</main>\n</body>\n</html>\n", out);
}
