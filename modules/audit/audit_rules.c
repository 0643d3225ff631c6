/* modules/audit/audit_rules.c: the national inspection rules (国办秘函〔2019〕19号, as
 * summarised in the README's self-inspection section) applied to one site, as of the
 * audit's moment `at`: content published later, messages received later and probes made
 * later do not exist yet, so a report run with --at is reproducible.
 *
 * What counts as an item of a column is what `jiyuectl census columns` counts: the
 * articles published into it plus the imported HTML pages under /<column>/, or under the
 * column's `folder:`, of the live generation other than its list pages (index.html,
 * index_N.html; audit_columns.c). Articles are new at
 * their publication time (a revision is not a new item); an imported page at its stored
 * modification time. The home page shows the newest items of the site's content columns
 * (and, on the portal, the cluster's newest), so it is fresh when they are. An imported
 * page that a rendered page replaces (the old index.html once articles are published,
 * an old article page an article of the same name replaces) is served to nobody: it is
 * neither counted nor judged (content_route.c decides, as the server does).
 *
 * Rules apply to what an inspector can see: an active site or one being redesigned (it
 * serves its live generation). A suspended site is judged only on its date; a closed site
 * not at all. */
#include "audit_rules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "audit.h"
#include "audit_limits.h"
#include "audit_personal.h"
#include "audit_probe.h"
#include "content_columns.h"
#include "content_route.h"
#include "interaction_conf.h"
#include "lifecycle.h"
#include "message.h"
#include "registration.h"
#include "store_keys.h"
#include "theme.h"

#define DAY 86400

typedef struct col_state {
    const conf_column_t *c;
    size_t items;
    int64_t newest;    /* 0: nothing */
    size_t no_date;    /* imported article pages without a visible date */
    char *no_date_url; /* the first of them */
    size_t list_pages; /* imported list pages (index.html ...) in its folders */
    char *list_folder; /* the folder of the first of them */
} col_state_t;

typedef struct site_ctx {
    audit_t *a;
    audit_site_t *s;
    col_state_t *cols;
    size_t ncols;
    col_state_t *cur;
    int64_t newest_page; /* any HTML page of the live generation */
    size_t unattributed;  /* imported pages in folders that are no column's */
    char *unattributed_folder; /* the first such folder, "/gzdt/" */
    bool have_home_page;
    util_buf_t home_text;
    size_t articles;
    long at_ymd; /* the audit's day as YYYYMMDD (audit_personal_day): no later birth date */
    util_buf_t article_text; /* article_cb's visible text, one buffer for all the articles */
} site_ctx_t;

static bool listing(const conf_column_t *c)
{
    return c->type != COLUMN_STATIC && c->type != COLUMN_INTERACTION;
}

static void day_of(int64_t t, char buf[11])
{
    article_format_day(t, buf);
}

/* ---- personal data ---- */

/* personal-id and personal-phone for one page citizens see (path below the mount): one
 * finding per rule with the count and a masked sample, never the number itself. */
static void report_personal(audit_site_t *s, const audit_personal_t *p, const char *path,
                            size_t len)
{
    if (!p->ids && !p->phones)
        return;
    char *url = audit_url(s, path, len);
    if (p->ids) {
        audit_add(s, AUDIT_PERSONAL_ID, AUDIT_DEDUCT, url,
                  "%zu unmasked ID card number%s (居民身份证号码) shown, first %s: mask %s",
                  p->ids, p->ids > 1 ? "s" : "", p->id_sample, p->ids > 1 ? "them" : "it");
        audit_zh(s, "页面显示 %zu 个未遮蔽的居民身份证号码（首个 %s），请作遮蔽处理", p->ids,
                 p->id_sample);
    }
    if (p->phones) {
        audit_add(s, AUDIT_PERSONAL_PHONE, AUDIT_INFO, url,
                  "%zu unmasked mobile number%s shown, first %s: unless it is an official's "
                  "published contact, mask it", p->phones, p->phones > 1 ? "s" : "",
                  p->phone_sample);
        audit_zh(s, "页面显示 %zu 个未遮蔽的手机号码（首个 %s）：如非公开的工作联系电话，请作遮蔽处理",
                 p->phones, p->phone_sample);
    }
    free(url);
}

/* ---- articles ---- */

/* Is c an HTML attribute-name character (for telling `alt` from `data-alt`)? */
static bool attr_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == ':';
}

/* The images of an article body with no text alternative: an <img> without an `alt`
 * attribute or with an empty (or blank) one. Markdown's ![text](src) keeps `text` as the
 * alt; ![](src) has none. Quoted attribute values are skipped whole, so a '>' or an "alt"
 * inside another attribute's value counts for nothing. */
size_t audit_images_without_alt(const char *html, size_t len)
{
    size_t missing = 0;
    for (size_t i = 0; i + 4 < len; i++) {
        if (html[i] != '<' || strncasecmp(html + i + 1, "img", 3) != 0 ||
            attr_char(html[i + 4]))
            continue;
        bool has_alt = false;
        size_t j = i + 4;
        while (j < len && html[j] != '>') {
            if (!attr_char(html[j])) {
                j++;
                continue;
            }
            size_t name = j;
            while (j < len && attr_char(html[j]))
                j++;
            bool alt = j - name == 3 && strncasecmp(html + name, "alt", 3) == 0;
            while (j < len && (html[j] == ' ' || html[j] == '\t' || html[j] == '\n' || html[j] == '\r'))
                j++;
            const char *v = NULL;
            size_t vn = 0;
            if (j < len && html[j] == '=') {
                j++;
                while (j < len && (html[j] == ' ' || html[j] == '\t' || html[j] == '\n'))
                    j++;
                if (j < len && (html[j] == '"' || html[j] == '\'')) {
                    char q = html[j++];
                    v = html + j;
                    while (j < len && html[j] != q)
                        j++;
                    vn = (size_t)(html + j - v);
                    if (j < len)
                        j++;
                } else {
                    v = html + j;
                    while (j < len && html[j] != '>' && html[j] != ' ' && html[j] != '\t')
                        j++;
                    vn = (size_t)(html + j - v);
                }
            }
            if (alt)
                for (size_t k = 0; k < vn && !has_alt; k++)
                    has_alt = v[k] != ' ' && v[k] != '\t' && v[k] != '\n';
        }
        if (!has_alt)
            missing++;
        i = j;
    }
    return missing;
}

static int article_cb(void *ud, const article_t *art)
{
    site_ctx_t *x = ud;
    if (art->pubtime > x->a->at)
        return 0;
    col_state_t *c = x->cur;
    c->items++;
    x->articles++;
    if (art->pubtime > c->newest)
        c->newest = art->pubtime;
    x->a->scanned_articles++;
    char path[256];
    snprintf(path, sizeof path, "/%s/%s.html", art->column, art->id);
    util_buf_t *text = &x->article_text;
    text->len = 0;
    audit_scan_html(x->a, x->s, path, art->body, art->body_len, text);
    audit_personal_t pii = {0};
    audit_personal_scan(&pii, art->title, strlen(art->title), x->at_ymd);
    audit_personal_scan(&pii, text->data, text->len, x->at_ymd);
    report_personal(x->s, &pii, path, strlen(path));
    /* 无障碍 (GB/T 37668): every image of an article says what it shows */
    size_t bare = audit_images_without_alt(art->body, art->body_len);
    if (bare) {
        char *url = audit_url(x->s, path, strlen(path));
        audit_add(x->s, AUDIT_IMAGE_ALT_MISSING, AUDIT_DEDUCT, url,
                  "%zu image(s) without alt text in \"%s\"", bare, art->title);
        audit_zh(x->s, "文章《%s》有 %zu 张图片没有替代文本（alt）", art->title, bare);
        free(url);
    }
    return 0;
}

/* ---- imported pages ---- */

/* Is the imported page at path hidden behind a page another module answers: a
 * rendering of the content module, or an interaction column's message list? */
static bool shadowed(const site_ctx_t *x, const char *path, size_t len)
{
    const conf_site_t *s = x->s->conf;
    if (content_route_answers(x->a->t, x->a->conf->themes != NULL, s, path, len) == 1)
        return true;
    bool list;
    int ci = audit_page_column(s, path, len, &list);
    if (ci < 0 || !list || s->columns[ci].type != COLUMN_INTERACTION)
        return false;
    size_t n = strlen(s->columns[ci].id);
    return len > n + 2 && memcmp(path + 1, s->columns[ci].id, n) == 0 && path[n + 1] == '/' &&
           !memchr(path + n + 2, '/', len - n - 2);
}

static int page_cb(void *ud, const char *path, size_t len, const store_page_t *p)
{
    site_ctx_t *x = ud;
    if (p->content_type_len < 9 || memcmp(p->content_type, "text/html", 9) != 0)
        return 0;
    if (p->mtime > x->a->at)
        return 0; /* imported after the moment judged */
    if (shadowed(x, path, len))
        return 0; /* nobody sees it */
    x->a->scanned_pages++;
    if (p->mtime > x->newest_page)
        x->newest_page = p->mtime;
    /* Which column folder, if any: below /<col>/ or the column's folder, not a list page. */
    bool list;
    int ci = audit_page_column(x->s->conf, path, len, &list);
    col_state_t *col = ci >= 0 && !list ? &x->cols[ci] : NULL;
    if (ci >= 0 && list && !x->cols[ci].list_pages++) {
        const char *last = path + len;
        while (last > path && last[-1] != '/')
            last--;
        x->cols[ci].list_folder = util_strndup(path, (size_t)(last - path));
    }
    bool home = len == 11 && memcmp(path, "/index.html", 11) == 0;
    const char *slash2 = len > 1 ? memchr(path + 1, '/', len - 1) : NULL;
    if (ci < 0 && slash2 && !x->unattributed++)
        x->unattributed_folder = util_strndup(path, (size_t)(slash2 - path) + 1);
    char *p0 = util_strndup(path, len);
    util_buf_t text = {0};
    audit_scan_html(x->a, x->s, p0, (const char *)p->body, p->body_len, &text);
    audit_personal_t pii = {0};
    audit_personal_scan(&pii, text.data, text.len, x->at_ymd);
    report_personal(x->s, &pii, path, len);
    if (col && listing(col->c)) {
        col->items++;
        if (p->mtime > col->newest)
            col->newest = p->mtime;
        if (!audit_text_has_date(text.data ? text.data : "", text.len)) {
            if (!col->no_date++)
                col->no_date_url = audit_url(x->s, path, len);
        }
    }
    if (home) {
        x->have_home_page = true;
        util_buf_free(&x->home_text);
        x->home_text = text;
        text = (util_buf_t){0};
    }
    util_buf_free(&text);
    free(p0);
    return 0;
}

/* ---- home page ---- */

static int newest_cb(void *ud, const article_t *art)
{
    int64_t *out = ((int64_t **)ud)[0];
    const int64_t *at = ((int64_t **)ud)[1];
    if (art->pubtime > *at)
        return 0;
    *out = art->pubtime;
    return 1;
}

static void rule_homepage(site_ctx_t *x)
{
    audit_t *a = x->a;
    audit_site_t *s = x->s;
    int64_t newest = 0;
    bool any_items = false;
    for (size_t i = 0; i < x->ncols; i++) {
        if (!listing(x->cols[i].c) || !x->cols[i].items)
            continue;
        any_items = true;
        if (x->cols[i].newest > newest)
            newest = x->cols[i].newest;
    }
    if (s->conf->kind == SITE_PORTAL) {
        /* the portal's home lists the cluster's newest */
        int64_t cl = 0;
        int64_t at = a->at;
        void *ud[2] = {&cl, &at};
        article_latest_each(a->t, 0, SIZE_MAX, newest_cb, ud);
        if (cl > newest)
            newest = cl;
        any_items = any_items || cl > 0;
    }
    if (!any_items)
        newest = x->newest_page; /* an imported site: its newest page */
    if (newest == 0) {
        audit_add(s, AUDIT_HOMEPAGE_STALE, AUDIT_VETO, s->base,
                  "nothing has been published on the home page");
        audit_zh(s, "首页尚未发布任何信息");
    } else if (audit_limits_days_over(a->at, newest, a->au->homepage_days)) {
        char d[11];
        day_of(newest, d);
        audit_add(s, AUDIT_HOMEPAGE_STALE, AUDIT_VETO, s->base,
                  "no new item on the home page since %s (%lld days; the limit is %llu)", d,
                  (long long)((a->at - newest) / DAY), (unsigned long long)a->au->homepage_days);
        audit_zh(s, "首页自 %s 起没有新信息（已 %lld 天，时限 %llu 天）", d,
                 (long long)((a->at - newest) / DAY), (unsigned long long)a->au->homepage_days);
    }
}

/* ---- columns ---- */

static void age_bucket(audit_t *a, const col_state_t *c)
{
    static const int64_t limits[] = {7, 14, 30, 90, 183, 365};
    size_t b = AUDIT_AGE_BUCKETS - 1;
    if (c->items) {
        int64_t days = (a->at - c->newest) / DAY;
        b = UTIL_ARRAY_LEN(limits);
        for (size_t i = 0; i < UTIL_ARRAY_LEN(limits); i++)
            if (days <= limits[i]) {
                b = i;
                break;
            }
    }
    a->age_buckets[b]++;
}

static void rule_columns(site_ctx_t *x)
{
    audit_t *a = x->a;
    audit_site_t *s = x->s;
    size_t stale = 0, blank = 0;
    for (size_t i = 0; i < x->ncols; i++) {
        col_state_t *c = &x->cols[i];
        if (!listing(c->c))
            continue;
        age_bucket(a, c);
        char path[80];
        snprintf(path, sizeof path, "/%s/", c->c->id);
        char *url = audit_url(s, path, strlen(path));
        uint64_t days = audit_limits_column_days(a->au, c->c->type);
        const char *tzh = content_column_type_name_zh(c->c->type);
        if (c->items == 0 && c->list_pages) {
            /* Its folder holds list pages only (an old site's /tzgg/index.html): the items
             * they list may be stored elsewhere, so this cannot be judged. */
            audit_add(s, AUDIT_COLUMN_BLANK, AUDIT_INFO, url,
                      "column %s (%s, %s) has no items the audit can count: its folder %s holds "
                      "only list pages (%zu); if its items are in another folder, name that "
                      "folder in the column's folder:", c->c->id, c->c->name,
                      content_column_type_name(c->c->type), c->list_folder, c->list_pages);
            audit_zh(s, "栏目 %s（%s，%s）没有可计数的信息：其文件夹 %s 只有列表页（%zu 个）；"
                        "如信息存放在别的文件夹，请在栏目的 folder: 中写明该文件夹",
                     c->c->id, c->c->name, tzh, c->list_folder, c->list_pages);
        } else if (c->items == 0) {
            blank++;
            /* Imported pages in folders no column claims (an old site's /gzdt/) may be its
             * items: say where, so that staff can name the folder. */
            if (x->unattributed) {
                audit_add(s, AUDIT_COLUMN_BLANK, AUDIT_DEDUCT, url,
                          "column %s (%s, %s) has no items; %zu imported pages are in folders no "
                          "column is named after or names (first: %s): if its items are there, "
                          "name that folder in the column's folder:", c->c->id, c->c->name,
                          content_column_type_name(c->c->type), x->unattributed, x->unattributed_folder);
                audit_zh(s, "栏目 %s（%s，%s）没有任何信息；另有 %zu 个导入页面位于不属于任何栏目的"
                            "文件夹（首个：%s）：如本栏目的信息在其中，请在栏目的 folder: 中写明该文件夹",
                         c->c->id, c->c->name, tzh, x->unattributed, x->unattributed_folder);
            } else {
                audit_add(s, AUDIT_COLUMN_BLANK, AUDIT_DEDUCT, url, "column %s (%s, %s) has no items",
                          c->c->id, c->c->name, content_column_type_name(c->c->type));
                audit_zh(s, "栏目 %s（%s，%s）没有任何信息", c->c->id, c->c->name, tzh);
            }
        } else if (audit_limits_days_over(a->at, c->newest, days)) {
            stale++;
            char d[11];
            day_of(c->newest, d);
            audit_add(s, AUDIT_COLUMN_STALE, AUDIT_DEDUCT, url,
                      "column %s (%s, %s) has nothing new since %s (%lld days; the limit is %llu)",
                      c->c->id, c->c->name, content_column_type_name(c->c->type), d,
                      (long long)((a->at - c->newest) / DAY), (unsigned long long)days);
            audit_zh(s, "栏目 %s（%s，%s）自 %s 起没有更新（已 %lld 天，时限 %llu 天）", c->c->id,
                     c->c->name, tzh, d, (long long)((a->at - c->newest) / DAY),
                     (unsigned long long)days);
        }
        if (c->no_date) {
            audit_add(s, AUDIT_NO_PUBDATE, AUDIT_DEDUCT, c->no_date_url,
                      "%zu article page%s of column %s show%s no publication time", c->no_date,
                      c->no_date > 1 ? "s" : "", c->c->id, c->no_date > 1 ? "" : "s");
            audit_zh(s, "栏目 %s 有 %zu 个文章页面没有显示发布时间", c->c->id, c->no_date);
        }
        free(url);
    }
    if (audit_limits_count_veto(stale, a->au->stale_columns_veto)) {
        audit_add(s, AUDIT_COLUMN_STALE, AUDIT_VETO, s->base,
                  "%zu columns not updated in time (a veto from %llu)", stale,
                  (unsigned long long)a->au->stale_columns_veto);
        audit_zh(s, "%zu 个栏目未及时更新（%llu 个起单项否决）", stale,
                 (unsigned long long)a->au->stale_columns_veto);
    }
    if (audit_limits_count_veto(blank, a->au->blank_columns_veto)) {
        audit_add(s, AUDIT_COLUMN_BLANK, AUDIT_VETO, s->base, "%zu blank columns (a veto from %llu)",
                  blank, (unsigned long long)a->au->blank_columns_veto);
        audit_zh(s, "%zu 个空白栏目（%llu 个起单项否决）", blank,
                 (unsigned long long)a->au->blank_columns_veto);
    }
}

/* ---- interaction ---- */

typedef struct msg_ctx {
    site_ctx_t *x;
    const conf_column_t *c;
} msg_ctx_t;

static void reply_bucket(audit_t *a, int64_t days, bool answered)
{
    static const int64_t limits[] = {3, 7, 15, 30, 90};
    size_t b = AUDIT_REPLY_BUCKETS - 1;
    if (answered) {
        b = UTIL_ARRAY_LEN(limits);
        for (size_t i = 0; i < UTIL_ARRAY_LEN(limits); i++)
            if (days <= limits[i]) {
                b = i;
                break;
            }
    }
    a->reply_buckets[b]++;
}

typedef struct reply_at {
    int64_t at;
    util_buf_t text; /* the latest reply by then: the one the public page shows */
} reply_at_t;

static int reply_at_cb(void *ud, const message_reply_t *r)
{
    reply_at_t *ra = ud;
    if (r->time <= ra->at) {
        ra->text.len = 0;
        util_buf_appends(&ra->text, r->text);
    }
    return 0;
}

/* An answered message is public (its page /<column>/m/<seq>.html and the column's list
 * show its title, body and latest reply; the name and phone fields are shown masked). */
static void message_personal(msg_ctx_t *mc, const message_t *m)
{
    audit_t *a = mc->x->a;
    reply_at_t ra = {a->at, {0}};
    message_replies_each(a->t, m->code, reply_at_cb, &ra);
    audit_personal_t pii = {0};
    audit_personal_scan(&pii, m->title, strlen(m->title), mc->x->at_ymd);
    audit_personal_scan(&pii, m->body, strlen(m->body), mc->x->at_ymd);
    audit_personal_scan(&pii, ra.text.data, ra.text.len, mc->x->at_ymd);
    util_buf_free(&ra.text);
    char path[160];
    int n = snprintf(path, sizeof path, "/%s/m/%llu.html", mc->c->id, (unsigned long long)m->seq);
    report_personal(mc->x->s, &pii, path, (size_t)n);
}

static int message_cb(void *ud, const message_t *m)
{
    msg_ctx_t *mc = ud;
    audit_t *a = mc->x->a;
    audit_site_t *s = mc->x->s;
    if (m->created > a->at)
        return 0;
    bool answered = m->first_reply != 0 && m->first_reply <= a->at;
    if (answered) {
        message_personal(mc, m);
        reply_bucket(a, message_days(m->created, m->first_reply), true);
        return 0;
    }
    reply_bucket(a, 0, false);
    int64_t waited = a->at - m->created;
    uint64_t reply_days = interaction_site_conf(s->conf)->reply_days;
    if (!audit_limits_days_over(a->at, m->created, reply_days))
        return 0;
    char d[11], path[80];
    day_of(m->created, d);
    snprintf(path, sizeof path, "/%s/", mc->c->id);
    char *url = audit_url(s, path, strlen(path));
    bool veto = audit_limits_days_over(a->at, m->created, a->au->unanswered_veto_days) &&
                audit_limits_within_year(a->at, m->created);
    audit_add(s, AUDIT_MESSAGE_UNANSWERED, veto ? AUDIT_VETO : AUDIT_DEDUCT, url,
              "message %s in %s received %s is unanswered after %lld days (the limit is %llu%s)",
              m->code, mc->c->id, d, (long long)(waited / DAY),
              (unsigned long long)(veto ? a->au->unanswered_veto_days : reply_days),
              veto ? " within the year" : "");
    audit_zh(s, "栏目 %s 于 %s 收到的留言 %s 已 %lld 天未答复（%s时限 %llu 天）", mc->c->id, d,
             m->code, (long long)(waited / DAY), veto ? "一年内收到的留言" : "",
             (unsigned long long)(veto ? a->au->unanswered_veto_days : reply_days));
    free(url);
    return 0;
}

static int rule_interaction(site_ctx_t *x)
{
    audit_site_t *s = x->s;
    bool have = false;
    for (size_t i = 0; i < s->conf->ncolumns; i++) {
        const conf_column_t *c = &s->conf->columns[i];
        if (c->type != COLUMN_INTERACTION)
            continue;
        have = true;
        msg_ctx_t mc = {x, c};
        int rc = message_each(x->a->t, s->conf->id, c->id, false, 0, SIZE_MAX, message_cb, &mc);
        if (rc < 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    if (!have) {
        audit_add(s, AUDIT_NO_INTERACTION, AUDIT_VETO, s->base,
                  "no interaction column (咨询建言 channel): add a column of type interaction");
        audit_zh(s, "没有互动交流栏目（咨询建言渠道）：请添加一个 type: interaction 的栏目");
    }
    return 0;
}

/* ---- identifiers ---- */

/* The longest run of digits in a registration value ("滇ICP备05001234号-5" -> 05001234):
 * pages write the prefix and spacing in many ways, the number in one. */
static char *digit_run(const char *v)
{
    const char *best = NULL;
    size_t bl = 0;
    for (const char *p = v; *p;) {
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        const char *st = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if ((size_t)(p - st) > bl) {
            best = st;
            bl = (size_t)(p - st);
        }
    }
    return bl >= 4 ? util_strndup(best, bl) : util_strdup(v);
}

static void rule_identifiers(site_ctx_t *x, bool themed_home)
{
    audit_site_t *s = x->s;
    const registration_t *r = registration_of(s->conf);
    static const struct {
        size_t off;
        const char *label;
    } ids[] = {
        {offsetof(registration_t, site_code), "网站标识码 (registration.site_code)"},
        {offsetof(registration_t, icp), "ICP备案号 (registration.icp)"},
        {offsetof(registration_t, police), "公安备案号 (registration.police)"},
        {offsetof(registration_t, organizer), "主办单位 (registration.organizer)"},
    };
    util_buf_t missing = {0}, unshown = {0};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(ids); i++) {
        const char *v = *(char *const *)((const char *)r + ids[i].off);
        if (!v || !*v) {
            util_buf_printf(&missing, "%s%s", missing.len ? ", " : "", ids[i].label);
            continue;
        }
        /* The theme's footer shows every identifier; an imported home page must too. */
        if (themed_home || !x->have_home_page)
            continue;
        char *needle = ids[i].off == offsetof(registration_t, organizer) ? util_strdup(v)
                                                                                : digit_run(v);
        util_buf_append(&x->home_text, "", 1);
        x->home_text.len--;
        if (!strstr(x->home_text.data ? x->home_text.data : "", needle))
            util_buf_printf(&unshown, "%s%s", unshown.len ? ", " : "", ids[i].label);
        free(needle);
    }
    util_buf_append(&missing, "", 1);
    util_buf_append(&unshown, "", 1);
    if (missing.len > 1) {
        audit_add(s, AUDIT_IDENTIFIER_MISSING, AUDIT_VETO, s->base,
                  "the site file has no %s", missing.data);
        audit_zh(s, "站点文件缺少 %s", missing.data);
    }
    if (unshown.len > 1) {
        audit_add(s, AUDIT_IDENTIFIER_MISSING, AUDIT_VETO, s->base,
                  "the home page (an imported page) does not show %s", unshown.data);
        audit_zh(s, "首页（导入的页面）没有显示 %s", unshown.data);
    }
    util_buf_free(&missing);
    util_buf_free(&unshown);
}

/* ---- availability ---- */

typedef struct probe_ctx {
    int64_t from_ms, to_ms;
    uint64_t timeout_ms;
    size_t total, failed;
} probe_ctx_t;

static int probe_cb(void *ud, const char *key, size_t klen, const void *val, size_t len)
{
    probe_ctx_t *p = ud;
    if (klen < 16 || len < AUDIT_PROBE_REC)
        return 0;
    char hex[17];
    memcpy(hex, key + klen - 16, 16);
    hex[16] = '\0';
    int64_t when = (int64_t)strtoull(hex, NULL, 16);
    if (when < p->from_ms || when > p->to_ms)
        return 0;
    const uint8_t *v = val;
    uint32_t ms = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 24;
    p->total++;
    if (!v[0] || ms > p->timeout_ms)
        p->failed++;
    return 0;
}

static int rule_probes(site_ctx_t *x)
{
    audit_t *a = x->a;
    audit_site_t *s = x->s;
    char prefix[STORE_KEY_MAX + 1];
    if (!audit_probe_key(prefix, s->conf->id, -1))
        return 0;
    probe_ctx_t p = {
        .from_ms = (a->at - (int64_t)a->au->probe_days * DAY) * 1000,
        .to_ms = a->at * 1000 + 999,
        .timeout_ms = a->au->probe_timeout_ms,
    };
    int rc = store_meta_each(a->t, prefix, probe_cb, &p);
    if (rc < 0 && rc != STORE_NOTFOUND)
        return rc;
    if (p.total == 0) {
        audit_add(s, AUDIT_SITE_UNREACHABLE, AUDIT_INFO, s->base,
                  "no availability probes in the %llu days before %s: run `jiyuectl probe` "
                  "from cron (the national check probes at least 20 times a day)",
                  (unsigned long long)a->au->probe_days, a->at_day);
        audit_zh(s, "%s 之前 %llu 天内没有可用性探测记录：请用 cron 定时运行 `jiyuectl probe`"
                    "（全国检查每天至少探测 20 次）",
                 a->at_day, (unsigned long long)a->au->probe_days);
    } else if (audit_limits_percent_over(p.failed, p.total, a->au->probe_fail_percent)) {
        audit_add(s, AUDIT_SITE_UNREACHABLE, AUDIT_VETO, s->base,
                  "%zu of %zu probes in the %llu days before %s failed or took longer than "
                  "%llu ms (more than %llu%%)", p.failed, p.total,
                  (unsigned long long)a->au->probe_days, a->at_day,
                  (unsigned long long)a->au->probe_timeout_ms,
                  (unsigned long long)a->au->probe_fail_percent);
        audit_zh(s, "%s 之前 %llu 天内的 %zu 次探测中有 %zu 次失败或超过 %llu 毫秒（超过 %llu%%）",
                 a->at_day, (unsigned long long)a->au->probe_days, p.total, p.failed,
                 (unsigned long long)a->au->probe_timeout_ms,
                 (unsigned long long)a->au->probe_fail_percent);
    }
    return 0;
}

/* ---- theme ---- */

/* Does the site's article template show the publication time? Read from the theme folder
 * (the site's theme, else the default), as the content module renders with it. */
static bool theme_shows_pubdate(const audit_t *a, const conf_site_t *s)
{
    const char *dir = a->conf->themes_dir;
    char *fallback = NULL;
    if (!dir)
        dir = fallback = util_asprintf("%s/themes", a->conf->dir);
    bool shows = true;
    const char *names[2] = {s->theme, THEME_DEFAULT};
    for (size_t i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        char *path = util_asprintf("%s/%s/article.html", dir, names[i]);
        FILE *f = fopen(path, "rb");
        free(path);
        if (!f)
            continue;
        util_buf_t b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            util_buf_append(&b, chunk, n);
        fclose(f);
        util_buf_append(&b, "", 1);
        shows = strstr(b.data, "article.pubdate") || strstr(b.data, "article.published");
        util_buf_free(&b);
        break;
    }
    free(fallback);
    return shows;
}

/* ---- one site ---- */

int audit_site(audit_t *a, audit_site_t *s)
{
    const conf_site_t *cs = s->conf;
    const lifecycle_conf_t *lc = lifecycle_conf(cs);
    lifecycle_state_t st = lc->state;
    if (st == LIFECYCLE_CLOSED)
        return 0;
    if (st == LIFECYCLE_SUSPENDED) {
        int64_t until;
        if (lc->until && util_parse_date(lc->until, &until) == 0 &&
            until * DAY + DAY - 8 * 3600 <= a->at) { /* the end of `until`, Beijing time */
            long long over = (long long)((a->at - (until * DAY + DAY - 8 * 3600)) / DAY + 1);
            audit_add(s, AUDIT_SUSPENSION_OVERDUE, AUDIT_VETO, s->base,
                      "suspended since %s until %s: %lld days overdue (reopen it, extend the "
                      "suspension within 183 days, or close it with a migration)",
                      lc->from ? lc->from : "?", lc->until, over);
            audit_zh(s, "自 %s 起暂时关停至 %s，已超期 %lld 天（请恢复访问、在 183 天内延长关停，"
                        "或永久关停并迁移）", lc->from ? lc->from : "?",
                     lc->until, over);
        }
        return 0;
    }
    s->audited = true;
    site_ctx_t x = {a, s, util_calloc(cs->ncolumns + 1, sizeof(col_state_t)), cs->ncolumns, NULL,
                    0, 0, NULL, false, {0}, 0, audit_personal_day(a->at), {0}};
    for (size_t i = 0; i < cs->ncolumns; i++)
        x.cols[i].c = &cs->columns[i];
    int rc = 0;
    /* articles: counts, freshness, links in their bodies */
    for (size_t i = 0; rc >= 0 && i < x.ncols; i++) {
        if (!listing(x.cols[i].c))
            continue;
        x.cur = &x.cols[i];
        rc = article_column_each(a->t, cs->id, x.cols[i].c->id, 0, SIZE_MAX, article_cb, &x);
    }
    /* imported pages of the live generation */
    char ns[STORE_KEY_MAX + 1];
    if (rc >= 0)
        rc = store_site_live(a->t, cs->id, ns, sizeof ns);
    if (rc >= 0)
        rc = store_page_each(a->t, ns, page_cb, &x);
    if (rc == STORE_NOTFOUND)
        rc = 0;
    if (rc >= 0) {
        uint64_t ver;
        int64_t when;
        article_version(a->t, cs->kind == SITE_PORTAL ? NULL : cs->id, &ver, &when);
        bool themed_home = a->conf->themes && ver > 0;
        rule_identifiers(&x, themed_home);
        rule_homepage(&x);
        rule_columns(&x);
        rc = rule_interaction(&x);
    }
    if (rc >= 0 && a->conf->themes && x.articles && !theme_shows_pubdate(a, cs)) {
        audit_add(s, AUDIT_NO_PUBDATE, AUDIT_DEDUCT, s->base,
                      "the theme's article.html shows no publication time (article.pubdate)");
        audit_zh(s, "主题的 article.html 没有显示发布时间（article.pubdate）");
    }
    if (rc >= 0)
        rc = rule_probes(&x);
    audit_links_flush(s);
    for (size_t i = 0; i < x.ncols; i++) {
        free(x.cols[i].no_date_url);
        free(x.cols[i].list_folder);
    }
    free(x.cols);
    free(x.unattributed_folder);
    util_buf_free(&x.home_text);
    util_buf_free(&x.article_text);
    return rc < 0 ? rc : 0;
}
