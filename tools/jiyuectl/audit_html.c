/* tools/jiyuectl/audit_html.c: the audit report as one self-contained HTML file an office
 * can open, mail or print: inline CSS, inline SVG charts (findings per site, column
 * freshness, reply times), a summary table of every site and each site's findings with
 * links to the pages. Nothing is loaded from anywhere: no scripts, fonts or images. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "lifecycle.h"
#include "audit_report.h"
#include "template.h"

typedef struct series {
    const char *name;
    const char *color;
} series_t;

/* A horizontal bar chart: n rows, each with nseries stacked values. */
static void svg_bars(util_buf_t *b, const char *id, const char *title, size_t n,
                     const char *const *labels, const size_t *values, size_t nseries,
                     const series_t *series)
{
    size_t max = 1;
    for (size_t i = 0; i < n; i++) {
        size_t sum = 0;
        for (size_t k = 0; k < nseries; k++)
            sum += values[i * nseries + k];
        if (sum > max)
            max = sum;
    }
    const int label_w = 170, bar_w = 360, row_h = 20, top = 30;
    int height = top + (int)n * row_h + 30;
    util_buf_printf(b, "<figure class=\"chart\" id=\"%s\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                       "role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><title>",
                    id, label_w + bar_w + 60, height, label_w + bar_w + 60, height);
    tpl_escape_str(b, title);
    util_buf_appends(b, "</title><text x=\"0\" y=\"16\" class=\"ct\">");
    tpl_escape_str(b, title);
    util_buf_appends(b, "</text>");
    for (size_t i = 0; i < n; i++) {
        int y = top + (int)i * row_h;
        util_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"cl\">", label_w - 6,
                        y + 14);
        tpl_escape_str(b, labels[i]);
        util_buf_appends(b, "</text>");
        double x = label_w;
        size_t sum = 0;
        for (size_t k = 0; k < nseries; k++) {
            size_t v = values[i * nseries + k];
            sum += v;
            if (!v)
                continue;
            double w = (double)v * bar_w / (double)max;
            util_buf_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                               "<title>%s: %zu</title></rect>",
                            x, y + 3, w, row_h - 6, series[k].color, series[k].name, v);
            x += w;
        }
        util_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"cv\">%zu</text>", x + 4, y + 14, sum);
    }
    if (nseries > 1) {
        int x = label_w;
        for (size_t k = 0; k < nseries; k++) {
            util_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                               "<text x=\"%d\" y=\"%d\" class=\"cl\">%s</text>",
                            x, height - 18, series[k].color, x + 14, height - 9, series[k].name);
            x += 90;
        }
    }
    util_buf_appends(b, "</svg></figure>\n");
}

static int cmp_worst(const void *pa, const void *pb)
{
    const audit_site_t *a = *(const audit_site_t *const *)pa, *b = *(const audit_site_t *const *)pb;
    size_t na[3], nb[3];
    audit_counts(a, na);
    audit_counts(b, nb);
    for (int k = 0; k < 3; k++)
        if (na[k] != nb[k])
            return na[k] < nb[k] ? 1 : -1;
    return strcmp(a->conf->id, b->conf->id);
}

static void charts(util_buf_t *b, const audit_t *a)
{
    util_buf_appends(b, "<section class=\"charts\" aria-label=\"charts\">\n");
    /* findings per site: the 30 with most, worst first */
    const audit_site_t **order = util_calloc(a->nsites + 1, sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < a->nsites; i++)
        if (a->sites[i].nf)
            order[n++] = &a->sites[i];
    qsort(order, n, sizeof *order, cmp_worst);
    if (n > 30)
        n = 30;
    const char **labels = util_calloc(n + 1, sizeof *labels);
    size_t *vals = util_calloc(n * 3 + 1, sizeof *vals);
    for (size_t i = 0; i < n; i++) {
        labels[i] = order[i]->conf->id;
        audit_counts(order[i], vals + i * 3);
    }
    static const series_t sev_series[3] = {
        {"veto", "#c62828"}, {"deduct", "#ef6c00"}, {"info", "#1565c0"}};
    if (n)
        svg_bars(b, "chart-findings", "Findings per site (单项否决 / 扣分 / 提示)", n, labels, vals, 3,
                 sev_series);
    else
        util_buf_appends(b, "<p class=\"none\" id=\"chart-findings\">No findings on any site.</p>\n");
    free(labels);
    free(vals);
    free(order);

    static const char *const age_labels[AUDIT_AGE_BUCKETS] = {
        "≤ 7 days", "8–14 days", "15–30 days", "31–90 days", "91–183 days", "184–365 days",
        "> 365 days", "never"};
    static const series_t one = {"columns", "#2e7d32"};
    svg_bars(b, "chart-freshness", "Column freshness: days since the newest item (栏目更新)",
             AUDIT_AGE_BUCKETS, age_labels, a->age_buckets, 1, &one);
    static const char *const reply_labels[AUDIT_REPLY_BUCKETS] = {
        "≤ 3 days", "4–7 days", "8–15 days", "16–30 days", "31–90 days", "> 90 days",
        "unanswered"};
    static const series_t msgs = {"messages", "#6a1b9a"};
    svg_bars(b, "chart-replies", "Reply times of citizens' messages (留言答复)", AUDIT_REPLY_BUCKETS,
             reply_labels, a->reply_buckets, 1, &msgs);
    util_buf_appends(b, "</section>\n");
}

static const char css[] =
    "body{font-family:system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;"
    "color:#222;max-width:1100px}h1{font-size:1.6em}table{border-collapse:collapse;width:100%;"
    "margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;"
    "vertical-align:top;font-size:.92em}th{background:#f3f3f3}td.n{text-align:right}"
    ".fail{color:#c62828;font-weight:bold}.pass{color:#2e7d32}.sev-veto{color:#c62828;"
    "font-weight:bold}.sev-deduct{color:#ef6c00}.sev-info{color:#1565c0}.charts{display:flex;"
    "flex-wrap:wrap;gap:1em}.chart{margin:0}.ct{font-size:14px;font-weight:bold}.cl,.cv{"
    "font-size:12px}td a{word-break:break-all}@media print{body{margin:0}a{color:inherit}"
    "section.site{break-inside:avoid}}\n";

void audit_write_html(FILE *out, const audit_t *a)
{
    util_buf_t b = {0};
    size_t fail = 0, totals[3] = {0};
    for (size_t i = 0; i < a->nsites; i++) {
        size_t n[3];
        audit_counts(&a->sites[i], n);
        for (int k = 0; k < 3; k++)
            totals[k] += n[k];
        fail += audit_site_fails(&a->sites[i]);
    }
    util_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>网站自查报告 %s</title><style>%s</style></head>\n<body>\n",
                    a->at_day, css);
    util_buf_printf(&b, "<h1>网站自查报告 · Self-inspection report</h1>\n<p id=\"overview\">As of "
                        "<time>%s</time>: <strong>%zu</strong> site%s audited, <strong class=\"%s\">"
                        "%zu fail</strong> (单项否决); %zu veto, %zu deduct, %zu info findings. "
                        "Rules and thresholds: the 2019 national indicators (国办秘函〔2019〕19号) "
                        "as configured under <code>audit:</code>.</p>\n",
                    a->at_day, a->nsites, a->nsites == 1 ? "" : "s", fail ? "fail" : "pass", fail,
                    totals[0], totals[1], totals[2]);
    charts(&b, a);
    util_buf_appends(&b, "<h2>Summary · 汇总</h2>\n<table id=\"summary\"><thead><tr><th>Site</th>"
                         "<th>Name</th><th>Status</th><th>Verdict</th><th>Veto</th><th>Deduct</th>"
                         "<th>Info</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < a->nsites; i++) {
        const audit_site_t *s = &a->sites[i];
        size_t n[3];
        audit_counts(s, n);
        bool f = audit_site_fails(s);
        util_buf_appends(&b, "<tr><td>");
        if (s->nf) {
            util_buf_appends(&b, "<a href=\"#site-");
            tpl_escape_str(&b, s->conf->id);
            util_buf_appends(&b, "\">");
        }
        tpl_escape_str(&b, s->conf->id);
        util_buf_appends(&b, s->nf ? "</a></td><td>" : "</td><td>");
        tpl_escape_str(&b, s->conf->name);
        util_buf_printf(&b, "</td><td>%s</td><td class=\"%s\">%s</td><td class=\"n\">%zu</td>"
                            "<td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
                        lifecycle_state_name_zh(lifecycle_conf(s->conf)->state), f ? "fail" : "pass",
                        f ? "fail" : "pass", n[0], n[1], n[2]);
        if (b.len > 1 << 20) {
            fwrite(b.data, 1, b.len, out);
            b.len = 0;
        }
    }
    util_buf_appends(&b, "</tbody></table>\n<h2>Findings · 问题清单</h2>\n");
    if (totals[0] + totals[1] + totals[2] == 0)
        util_buf_appends(&b, "<p class=\"none\">Nothing found.</p>\n");
    for (size_t i = 0; i < a->nsites; i++) {
        const audit_site_t *s = &a->sites[i];
        if (!s->nf)
            continue;
        bool f = audit_site_fails(s);
        util_buf_appends(&b, "<section class=\"site\" id=\"site-");
        tpl_escape_str(&b, s->conf->id);
        util_buf_appends(&b, "\"><h3>");
        tpl_escape_str(&b, s->conf->name);
        util_buf_appends(&b, " (");
        tpl_escape_str(&b, s->conf->id);
        util_buf_printf(&b, ") · <span class=\"%s\">%s</span></h3>\n<p><a href=\"",
                        f ? "fail" : "pass", f ? "fail" : "pass");
        tpl_escape_str(&b, s->base);
        util_buf_appends(&b, "\">");
        tpl_escape_str(&b, s->base);
        util_buf_appends(&b, "</a></p>\n<table class=\"findings\"><thead><tr><th>Rule</th>"
                             "<th>Severity</th><th>Detail</th><th>Page</th></tr></thead><tbody>\n");
        for (size_t j = 0; j < s->nf; j++) {
            const audit_finding_t *x = &s->f[j];
            util_buf_printf(&b, "<tr class=\"finding\" data-rule=\"%s\"><td><code>%s</code></td>"
                                "<td class=\"sev-%s\">%s %s</td><td>",
                            x->rule, x->rule, audit_sev_name(x->sev), audit_sev_name(x->sev),
                            audit_sev_name_zh(x->sev));
            tpl_escape_str(&b, audit_detail(x));
            util_buf_appends(&b, "</td><td>");
            if (x->url) {
                util_buf_appends(&b, "<a href=\"");
                tpl_escape_str(&b, x->url);
                util_buf_appends(&b, "\">");
                tpl_escape_str(&b, x->url);
                util_buf_appends(&b, "</a>");
            }
            util_buf_appends(&b, "</td></tr>\n");
        }
        util_buf_appends(&b, "</tbody></table></section>\n");
        if (b.len > 1 << 20) {
            fwrite(b.data, 1, b.len, out);
            b.len = 0;
        }
    }
    util_buf_appends(&b, "</body></html>\n");
    fwrite(b.data, 1, b.len, out);
    util_buf_free(&b);
}
