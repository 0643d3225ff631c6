/* modules/content/article.c: article records, their indexes and the audit trail in the
 * store's "content" database (key families documented in content_keys.h), the front
 * matter schema of an article, and the refusals.
 *
 * Records are length-prefixed and versioned so a later jiyue can read older ones:
 *   article: "JYAR" u16 version(2), i64 pubtime, i64 updated, u64 seq, u32 revision, then
 *            19 strings (u32 length, bytes, NUL): site column id title source author
 *            publisher reviewer disclosure secrecy_by secrecy_date format body attachments
 *            doc_no issuer written topic index_no (the policy header; version 1 records
 *            end after attachments and are read with an empty header)
 *   audit:   "JYAU" u16 version(1), i64 time, u32 revision, then 8 strings: action site
 *            column id who reviewer title note
 * The NUL after each string lets readers use them in place as C strings. */
#include "article.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article_link.h"
#include "content_columns.h"
#include "content_keys.h"
#include "mime.h"
#include "rec.h"
#include "registration.h"
#include "search_index.h"
#include "gzip.h"
#include "store_keys.h"
#include "util.h"

#define KEYBUF (STORE_KEY_MAX + 1)

/* ------------------------------------------------------------------ front matter */

typedef struct meta_field {
    const char *name;
    size_t off;
} meta_field_t;

static const meta_field_t meta_fields[] = {
    {"site", offsetof(article_meta_t, site)},
    {"column", offsetof(article_meta_t, column)},
    {"id", offsetof(article_meta_t, id)},
    {"title", offsetof(article_meta_t, title)},
    {"source", offsetof(article_meta_t, source)},
    {"author", offsetof(article_meta_t, author)},
    {"publisher", offsetof(article_meta_t, publisher)},
    {"reviewer", offsetof(article_meta_t, reviewer)},
    {"disclosure", offsetof(article_meta_t, disclosure)},
    {"date", offsetof(article_meta_t, date)},
    {"secrecy_by", offsetof(article_meta_t, secrecy_by)},
    {"secrecy_date", offsetof(article_meta_t, secrecy_date)},
    {"doc_no", offsetof(article_meta_t, doc_no)},
    {"issuer", offsetof(article_meta_t, issuer)},
    {"written", offsetof(article_meta_t, written)},
    {"topic", offsetof(article_meta_t, topic)},
    {"index_no", offsetof(article_meta_t, index_no)},
};

static char **field_ptr(article_meta_t *m, const meta_field_t *f)
{
    return (char **)((char *)m + f->off);
}

static void set_field(char **slot, const char *v)
{
    free(*slot);
    *slot = v && *v ? util_strdup(v) : NULL;
}

static const char *scalar(const yaml_dom_node_t *v, const char *name, diag_t *d)
{
    if (v->kind != YAML_DOM_SCALAR) {
        diag_error(d, v->file, v->line, v->col, "'%s' must be text, not a %s", name,
                   yaml_dom_kind_name(v));
        return NULL;
    }
    return yaml_dom_is_null(v) ? "" : v->str;
}

static void read_secrecy(article_meta_t *m, const yaml_dom_node_t *v, diag_t *d)
{
    m->secrecy_given = true;
    if (v->kind != YAML_DOM_MAPPING) {
        diag_error(d, v->file, v->line, v->col,
                   "'secrecy_review' must be a mapping: {by: NAME, date: YYYY-MM-DD}");
        return;
    }
    for (size_t i = 0; i < v->npairs; i++) {
        const yaml_dom_node_t *k = v->pairs[i].key, *val = v->pairs[i].value;
        const char *s;
        if (strcmp(k->str, "by") == 0 && (s = scalar(val, "secrecy_review.by", d)))
            set_field(&m->secrecy_by, s);
        else if (strcmp(k->str, "date") == 0 && (s = scalar(val, "secrecy_review.date", d)))
            set_field(&m->secrecy_date, s);
        else if (strcmp(k->str, "by") != 0 && strcmp(k->str, "date") != 0)
            diag_error(d, k->file, k->line, k->col,
                       "unknown key '%s' in 'secrecy_review' (expected by and date)", k->str);
    }
}

static void read_attachments(article_meta_t *m, const yaml_dom_node_t *v, diag_t *d)
{
    if (v->kind == YAML_DOM_SCALAR) {
        if (!yaml_dom_is_null(v))
            m->attachments[m->nattachments++] = util_strdup(v->str);
        return;
    }
    if (v->kind != YAML_DOM_SEQUENCE) {
        diag_error(d, v->file, v->line, v->col, "'attachments' must be a list of file paths");
        return;
    }
    for (size_t i = 0; i < v->nitems; i++) {
        const char *s = scalar(v->items[i], "attachments", d);
        if (!s)
            continue;
        if (m->nattachments == ARTICLE_MAX_ATTACHMENTS) {
            diag_error(d, v->file, v->line, v->col, "more than %d attachments",
                       ARTICLE_MAX_ATTACHMENTS);
            return;
        }
        m->attachments[m->nattachments++] = util_strdup(s);
    }
}

int article_meta_read(article_meta_t *m, const yaml_dom_node_t *root, diag_t *d)
{
    size_t errors = d->errors;
    for (size_t i = 0; i < root->npairs; i++) {
        const yaml_dom_node_t *k = root->pairs[i].key, *v = root->pairs[i].value;
        if (strcmp(k->str, "secrecy_review") == 0) {
            read_secrecy(m, v, d);
            continue;
        }
        if (strcmp(k->str, "attachments") == 0) {
            read_attachments(m, v, d);
            continue;
        }
        const meta_field_t *f = NULL;
        for (size_t j = 0; j < UTIL_ARRAY_LEN(meta_fields); j++)
            if (strcmp(meta_fields[j].name, k->str) == 0 && strncmp(k->str, "secrecy_", 8) != 0)
                f = &meta_fields[j];
        if (!f) {
            diag_error(d, k->file, k->line, k->col,
                       "unknown key '%s' (expected site, column, id, title, source, author, "
                       "publisher, reviewer, disclosure, secrecy_review, date, attachments; "
                       "in a policy column also doc_no, issuer, written, topic, index_no)",
                       k->str);
            continue;
        }
        const char *s = scalar(v, k->str, d);
        if (s)
            set_field(field_ptr(m, f), s);
    }
    return d->errors > errors ? -1 : 0;
}

int article_meta_set(article_meta_t *m, const char *key, const char *value)
{
    char name[32];
    size_t n = strlen(key);
    if (n >= sizeof name)
        return -1;
    for (size_t i = 0; i <= n; i++)
        name[i] = key[i] == '-' ? '_' : key[i];
    for (size_t j = 0; j < UTIL_ARRAY_LEN(meta_fields); j++) {
        if (strcmp(meta_fields[j].name, name) == 0) {
            set_field(field_ptr(m, &meta_fields[j]), value);
            if (strncmp(name, "secrecy_", 8) == 0)
                m->secrecy_given = true;
            return 0;
        }
    }
    return -1;
}

void article_meta_free(article_meta_t *m)
{
    for (size_t j = 0; j < UTIL_ARRAY_LEN(meta_fields); j++)
        free(*field_ptr(m, &meta_fields[j]));
    for (size_t i = 0; i < m->nattachments; i++)
        free(m->attachments[i]);
    free(m->site_code);
    memset(m, 0, sizeof *m);
}

void article_meta_prepare(const conf_t *c, article_meta_t *m)
{
    const conf_site_t *s = conf_site_find(c, m->site ? m->site : "");
    const conf_column_t *col = s && m->column ? conf_column_find(s, m->column) : NULL;
    const registration_t *reg = s ? registration_of(s) : NULL;
    m->policy = col && col->type == COLUMN_POLICY;
    free(m->site_code);
    m->site_code = reg && reg->site_code && *reg->site_code ? util_strdup(reg->site_code) : NULL;
}

/* ------------------------------------------------------------------ time */

int article_parse_time(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n < 10)
        return -1;
    char day[11];
    memcpy(day, s, 10);
    day[10] = '\0';
    int64_t days;
    if (util_parse_date(day, &days) != 0)
        return -1;
    int64_t secs = 0, offset = ARTICLE_TZ_OFFSET;
    const char *p = s + 10;
    if (*p == ' ' || *p == 'T') {
        p++;
        int hh, mm, ss = 0, used = 0;
        if (sscanf(p, "%2d:%2d%n", &hh, &mm, &used) != 2 || used != 5)
            return -1;
        p += 5;
        if (*p == ':') {
            if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
                return -1;
            ss = (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
        }
        if (hh > 23 || mm > 59 || ss > 59)
            return -1;
        secs = hh * 3600 + mm * 60 + ss;
        if (*p == 'Z') {
            offset = 0;
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &used) != 2 || used != 5 || oh > 14 || om > 59)
                return -1;
            offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
            p += 6;
        }
    }
    if (*p)
        return -1;
    *out = days * 86400 + secs - offset;
    return 0;
}

static void local_tm(int64_t t, struct tm *tm)
{
    time_t local = (time_t)(t + ARTICLE_TZ_OFFSET);
    gmtime_r(&local, tm);
}

void article_format_minute(int64_t t, char buf[static 17])
{
    struct tm tm;
    local_tm(t, &tm);
    strftime(buf, 17, "%Y-%m-%d %H:%M", &tm);
}

void article_format_day(int64_t t, char buf[static 11])
{
    struct tm tm;
    local_tm(t, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
}

void article_format_rfc3339(int64_t t, char buf[static 26])
{
    struct tm tm;
    local_tm(t, &tm);
    strftime(buf, 26, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

char *article_site_path(const conf_site_t *s)
{
    const conf_site_t *chain[64];
    size_t n = 0;
    for (; s && s->parent && n < UTIL_ARRAY_LEN(chain); s = s->parent)
        chain[n++] = s;
    util_buf_t b = {0};
    util_buf_append(&b, "/", 1);
    while (n--) {
        if (!chain[n]->mount_path) { /* only on its own host: not below the portal's */
            util_buf_free(&b);
            return NULL;
        }
        util_buf_appends(&b, chain[n]->mount_path + 1);
    }
    return b.data;
}

char *article_url_path(const conf_t *c, const char *site, const char *column, const char *id)
{
    const conf_site_t *s = conf_site_find(c, site);
    if (!s)
        return NULL;
    char *site_path = article_site_path(s);
    char *url = site_path ? util_asprintf("%s%s/%s.html", site_path, column, id)
                : s->nhosts ? util_asprintf("http://%s/%s/%s.html", s->hosts[0], column, id)
                            : util_asprintf("%s/%s/%s.html", site, column, id);
    free(site_path);
    return url;
}

bool article_attachment_name_ok(const char *n)
{
    if (!*n || n[0] == '.' || strlen(n) > ARTICLE_ATTACHMENT_NAME_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)n; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '?' || *p == '#' ||
            *p == '%')
            return false;
    return true;
}

const char *article_future_check(const article_meta_t *m, int64_t now, char *buf, size_t cap)
{
    int64_t t;
    if (!m->date || article_parse_time(m->date, &t) != 0 || t <= now + ARTICLE_FUTURE_SLACK)
        return NULL;
    char when[17], at[17];
    article_format_minute(t, when);
    article_format_minute(now, at);
    snprintf(buf, cap, "date %s is in the future (now %s, UTC+8): articles are not scheduled, "
                       "publish it when it is due", when, at);
    return buf;
}

bool article_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64 || id[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) || id[i] == '-'))
            return false;
    return true;
}

/* ------------------------------------------------------------------ refusals */

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* Text a header cell may hold: valid UTF-8 without control characters, at most max
 * characters. */
static bool header_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s), chars = 0;
    for (size_t i = 0; i < n; chars++) {
        uint32_t cp;
        size_t l = util_utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (l == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return false;
        i += l;
    }
    return chars <= max;
}

static bool index_no_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ARTICLE_INDEX_NO_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-./_", s[i]))
            return false;
    return true;
}

/* The policy document keys: only in a policy column, bounded, `written` a date, and a
 * 索引号 that can be made (a site without 网站标识码 must give one). */
static const char *policy_check(const conf_site_t *s, const conf_column_t *col,
                                const article_meta_t *m, char *buf, size_t cap,
                                const char **field)
{
    static const struct { const char *name, *zh; size_t off, max; } keys[] = {
        {"doc_no", "发文字号", offsetof(article_meta_t, doc_no), ARTICLE_DOC_NO_MAX},
        {"issuer", "发文机关", offsetof(article_meta_t, issuer), ARTICLE_ISSUER_MAX},
        {"written", "成文日期", offsetof(article_meta_t, written), 10},
        {"topic", "主题分类", offsetof(article_meta_t, topic), ARTICLE_TOPIC_MAX},
        {"index_no", "索引号", offsetof(article_meta_t, index_no), ARTICLE_INDEX_NO_MAX},
    };
    bool policy = col->type == COLUMN_POLICY;
    for (size_t i = 0; i < UTIL_ARRAY_LEN(keys); i++) {
        const char *v = *(char *const *)((const char *)m + keys[i].off);
        if (!v)
            continue;
        *field = keys[i].name;
        if (!policy) {
            snprintf(buf, cap, "%s (%s) is a policy document's key: column '%s' of site '%s' "
                     "is of type %s, not policy", keys[i].name, keys[i].zh, m->column, m->site,
                     content_column_type_name(col->type));
            return buf;
        }
        if (!header_text_ok(v, keys[i].max)) {
            snprintf(buf, cap, "%s (%s) must be text of at most %zu characters, without "
                     "control characters", keys[i].name, keys[i].zh, keys[i].max);
            return buf;
        }
    }
    int64_t days;
    if (m->written && (strlen(m->written) != 10 || util_parse_date(m->written, &days) != 0)) {
        *field = "written";
        snprintf(buf, cap, "written (成文日期) '%s' is not a date (YYYY-MM-DD)", m->written);
        return buf;
    }
    if (m->index_no && !index_no_ok(m->index_no)) {
        *field = "index_no";
        snprintf(buf, cap, "index_no (索引号) '%s' must be 1 to %d of 0-9, A-Z, a-z, '-', '.', "
                 "'/' and '_'", m->index_no, ARTICLE_INDEX_NO_MAX);
        return buf;
    }
    const registration_t *reg = registration_of(s);
    if (policy && !m->index_no && !(reg && reg->site_code && *reg->site_code)) {
        *field = "index_no";
        snprintf(buf, cap, "site '%s' has no registration.site_code (网站标识码) to number its "
                 "policy documents: give index_no (索引号)", m->site);
        return buf;
    }
    *field = NULL;
    return NULL;
}

const char *article_check_field(const conf_t *c, const article_meta_t *m, char *buf, size_t cap,
                                const char **field)
{
    const char *unused;
    if (!field)
        field = &unused;
#define REFUSE(name, ...) return (*field = (name), snprintf(buf, cap, __VA_ARGS__), buf)
    if (blank(m->site))
        REFUSE("site", "no site given (site: in the front matter, or --site)");
    const conf_site_t *s = conf_site_find(c, m->site);
    if (!s)
        REFUSE("site", "unknown site '%s' (no such id in sites.d)", m->site);
    if (blank(m->column))
        REFUSE("column", "no column given (column: in the front matter, or --column)");
    if (!conf_column_find(s, m->column)) {
        util_buf_t ids = {0};
        for (size_t i = 0; i < s->ncolumns; i++)
            util_buf_printf(&ids, "%s%s", i ? ", " : "", s->columns[i].id);
        *field = "column";
        snprintf(buf, cap, "site '%s' has no column '%s' (its columns: %s)", m->site, m->column,
                 ids.data ? ids.data : "none");
        util_buf_free(&ids);
        return buf;
    }
    const conf_column_t *col = conf_column_find(s, m->column);
    if (col->type == COLUMN_STATIC || col->type == COLUMN_INTERACTION)
        REFUSE("column",
               "column '%s' of site '%s' is of type %s: its pages are not articles (publish "
               "into a dynamic, notice, policy, personnel or plan column)", m->column, m->site,
               content_column_type_name(col->type));
    if (blank(m->title))
        REFUSE("title", "missing title (title: in the front matter)");
    if (blank(m->publisher))
        REFUSE("publisher",
               "missing publisher: 谁发布谁负责, name who publishes (publisher: ...)");
    if (blank(m->reviewer))
        REFUSE("reviewer",
               "missing reviewer: every article is reviewed before publication (reviewer: ...)");
    if (strcmp(m->reviewer, m->publisher) == 0)
        REFUSE("reviewer", "the reviewer must be someone other than the publisher (both are '%s')",
               m->publisher);
    if (blank(m->secrecy_by) || blank(m->secrecy_date))
        REFUSE("secrecy_review",
               "missing confidentiality review (保密审查): secrecy_review: {by: NAME, date: "
               "YYYY-MM-DD}");
    int64_t t;
    if (article_parse_time(m->secrecy_date, &t) != 0)
        REFUSE("secrecy_review",
               "secrecy_review.date '%s' is not a date (YYYY-MM-DD)", m->secrecy_date);
    if (blank(m->disclosure))
        REFUSE("disclosure", "missing disclosure (公开属性): " ARTICLE_DISCLOSE_ACTIVE ", "
               ARTICLE_DISCLOSE_ON_REQUEST " or " ARTICLE_DISCLOSE_WITHHELD);
    if (strcmp(m->disclosure, ARTICLE_DISCLOSE_WITHHELD) == 0)
        REFUSE("disclosure",
               "disclosure is " ARTICLE_DISCLOSE_WITHHELD ": this content must not be published");
    if (strcmp(m->disclosure, ARTICLE_DISCLOSE_ACTIVE) != 0 &&
        strcmp(m->disclosure, ARTICLE_DISCLOSE_ON_REQUEST) != 0)
        REFUSE("disclosure", "unknown disclosure '%s' (expected " ARTICLE_DISCLOSE_ACTIVE ", "
               ARTICLE_DISCLOSE_ON_REQUEST " or " ARTICLE_DISCLOSE_WITHHELD ")", m->disclosure);
    if (m->date && (article_parse_time(m->date, &t) != 0 || t < 0))
        REFUSE("date", "date '%s' is not a time (YYYY-MM-DD or YYYY-MM-DD HH:MM)", m->date);
    if (m->id && !article_id_ok(m->id))
        REFUSE("id", "id '%s' is not usable in a URL: 1 to 64 of a-z, 0-9 and '-'", m->id);
    return policy_check(s, col, m, buf, cap, field);
#undef REFUSE
}

const char *article_check(const conf_t *c, const article_meta_t *m, char *buf, size_t cap)
{
    return article_check_field(c, m, buf, cap, NULL);
}

/* ------------------------------------------------------------------ decoding (layout: rec.h) */

static int decode_article(const void *data, size_t len, article_t *a)
{
    rec_rd_t r = rec_reader(data, len);
    if (len < 6 || memcmp(data, "JYAR", 4) != 0)
        return STORE_ECORRUPT;
    r.p += 4;
    uint64_t version = rec_get_n(&r, 2);
    if (version != 1 && version != 2)
        return STORE_ECORRUPT;
    memset(a, 0, sizeof *a);
    a->pubtime = (int64_t)rec_get_n(&r, 8);
    a->updated = (int64_t)rec_get_n(&r, 8);
    a->seq = rec_get_n(&r, 8);
    a->revision = (uint32_t)rec_get_n(&r, 4);
    a->site = rec_get_str(&r, NULL);
    a->column = rec_get_str(&r, NULL);
    a->id = rec_get_str(&r, NULL);
    a->title = rec_get_str(&r, NULL);
    a->source = rec_get_str(&r, NULL);
    a->author = rec_get_str(&r, NULL);
    a->publisher = rec_get_str(&r, NULL);
    a->reviewer = rec_get_str(&r, NULL);
    a->disclosure = rec_get_str(&r, NULL);
    a->secrecy_by = rec_get_str(&r, NULL);
    a->secrecy_date = rec_get_str(&r, NULL);
    a->format = rec_get_str(&r, NULL);
    a->body = rec_get_str(&r, &a->body_len);
    a->attachments = rec_get_str(&r, NULL);
    const char **hdr[] = {&a->doc_no, &a->issuer, &a->written, &a->topic, &a->index_no};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(hdr); i++)
        *hdr[i] = version >= 2 ? rec_get_str(&r, NULL) : "";
    return r.bad ? STORE_ECORRUPT : STORE_OK;
}

static int decode_audit(const void *data, size_t len, article_audit_t *a)
{
    rec_rd_t r = rec_reader(data, len);
    if (!rec_get_head(&r, "JYAU", 1))
        return STORE_ECORRUPT;
    a->time = (int64_t)rec_get_n(&r, 8);
    a->revision = (uint32_t)rec_get_n(&r, 4);
    a->action = rec_get_str(&r, NULL);
    a->site = rec_get_str(&r, NULL);
    a->column = rec_get_str(&r, NULL);
    a->id = rec_get_str(&r, NULL);
    a->who = rec_get_str(&r, NULL);
    a->reviewer = rec_get_str(&r, NULL);
    a->title = rec_get_str(&r, NULL);
    a->note = rec_get_str(&r, NULL);
    return r.bad ? STORE_ECORRUPT : STORE_OK;
}

/* ------------------------------------------------------------------ keys */

/* family + the parts joined by '/' ("a/" "edu" "news" "x1" -> "a/edu/news/x1") into
 * k[KEYBUF]; 0 when it does not fit. By hand, not snprintf: the server builds these keys
 * on every article request. */
static size_t key_join(char *k, const char *family, const char *const *parts, size_t n)
{
    size_t len = strlen(family);
    if (len >= KEYBUF)
        return 0;
    memcpy(k, family, len);
    for (size_t i = 0; i < n; i++) {
        size_t pl = strlen(parts[i]);
        if (len + (i > 0) + pl >= KEYBUF)
            return 0;
        if (i > 0)
            k[len++] = '/';
        memcpy(k + len, parts[i], pl);
        len += pl;
    }
    k[len] = '\0';
    return len;
}

static size_t key_article(char *k, const char *site, const char *col, const char *id)
{
    const char *parts[] = {site, col, id};
    return key_join(k, CONTENT_KEY_ARTICLE, parts, 3);
}

/* The index order, newest first: publication time descending, then, for articles of the
 * same time, the sequence number descending (the later published first). Stores written
 * before ties were ordered so kept the sequence number ascending: `legacy` builds those
 * keys, which update and unpublish delete too. */
static void rank(char out[33], int64_t pubtime, uint64_t seq, bool legacy)
{
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, (uint64_t)INT64_MAX - (uint64_t)pubtime,
             legacy ? seq : UINT64_MAX - seq);
}

static size_t key_index_rank(char *k, const char *site, const char *col, int64_t pubtime,
                             uint64_t seq, bool legacy)
{
    char r[33];
    rank(r, pubtime, seq, legacy);
    int n = snprintf(k, KEYBUF, CONTENT_KEY_INDEX "%s/%s/%s", site, col, r);
    return n > 0 && n < KEYBUF ? (size_t)n : 0;
}

static size_t key_index(char *k, const char *site, const char *col, int64_t pubtime, uint64_t seq)
{
    return key_index_rank(k, site, col, pubtime, seq, false);
}

static size_t key_global_rank(char *k, int64_t pubtime, uint64_t seq, bool legacy)
{
    char r[33];
    rank(r, pubtime, seq, legacy);
    return (size_t)snprintf(k, KEYBUF, CONTENT_KEY_GLOBAL "%s", r);
}

static size_t key_global(char *k, int64_t pubtime, uint64_t seq)
{
    return key_global_rank(k, pubtime, seq, false);
}

/* Deletes an article's column and cluster index entries, in both key orders. */
static int drop_index(store_txn_t *w, const char *site, const char *col, int64_t pubtime,
                      uint64_t seq)
{
    char k[KEYBUF];
    for (int legacy = 0; legacy < 2; legacy++) {
        size_t n = key_index_rank(k, site, col, pubtime, seq, legacy);
        int rc = store_content_del(w, k, n);
        if (rc != 0 && rc != STORE_NOTFOUND)
            return rc;
        n = key_global_rank(k, pubtime, seq, legacy);
        rc = store_content_del(w, k, n);
        if (rc != 0 && rc != STORE_NOTFOUND)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ reading */

int article_get(store_txn_t *t, const char *site, const char *column, const char *id,
                article_t *out)
{
    char k[KEYBUF];
    size_t kl = key_article(k, site, column, id);
    if (!kl)
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    return rc ? rc : decode_article(v, len, out);
}

bool article_exists(store_txn_t *t, const char *site, const char *column, const char *id)
{
    char k[KEYBUF];
    size_t kl = key_article(k, site, column, id);
    const void *v;
    size_t len;
    return kl && store_content_get(t, k, kl, &v, &len) == 0;
}

uint64_t article_column_count(store_txn_t *t, const char *site, const char *column)
{
    char k[KEYBUF];
    const char *parts[] = {site, column};
    size_t n = key_join(k, CONTENT_KEY_COUNT, parts, 2);
    const void *v;
    size_t len;
    if (!n || store_content_get(t, k, n, &v, &len) != 0)
        return 0;
    return rec_u64_at(v, len, 0);
}

void article_version(store_txn_t *t, const char *site, uint64_t *version, int64_t *mtime)
{
    char k[KEYBUF];
    const char *parts[] = {site ? site : ""};
    size_t n = key_join(k, CONTENT_KEY_VERSION, parts, 1);
    const void *v;
    size_t len;
    *version = 0;
    *mtime = 0;
    if (n && store_content_get(t, k, n, &v, &len) == 0 && len >= 16) {
        *version = rec_u64_at(v, len, 0);
        *mtime = (int64_t)rec_u64_at(v, len, 8);
    }
}

typedef struct walk {
    store_txn_t *t;
    size_t skip, limit, seen;
    article_fn fn;
    void *ud;
    const char *site, *column; /* column walks: the value is only the id */
} walk_t;

static int walk_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    walk_t *w = ud;
    if (w->limit == 0)
        return 1;
    if (w->skip) {
        w->skip--;
        return 0;
    }
    char buf[KEYBUF];
    if (vlen >= sizeof buf)
        return 0;
    memcpy(buf, val, vlen);
    buf[vlen] = '\0';
    article_t a;
    int rc;
    if (w->site) {
        rc = article_get(w->t, w->site, w->column, buf, &a);
    } else {
        char *col = strchr(buf, '/');
        char *id = col ? strchr(col + 1, '/') : NULL;
        if (!id)
            return 0;
        *col++ = '\0';
        *id++ = '\0';
        rc = article_get(w->t, buf, col, id, &a);
    }
    if (rc != 0)
        return 0; /* an index entry without its article is skipped, never shown half */
    w->limit--;
    return w->fn(w->ud, &a);
}

int article_column_each(store_txn_t *t, const char *site, const char *column, size_t skip,
                        size_t limit, article_fn fn, void *ud)
{
    char p[KEYBUF];
    int n = snprintf(p, sizeof p, CONTENT_KEY_INDEX "%s/%s/", site, column);
    if (n <= 0 || n >= KEYBUF)
        return STORE_EKEY;
    walk_t w = {t, skip, limit, 0, fn, ud, site, column};
    int rc = store_content_each(t, p, (size_t)n, walk_cb, &w);
    return w.limit == 0 && rc == 1 ? 0 : rc;
}

int article_latest_each(store_txn_t *t, size_t skip, size_t limit, article_fn fn, void *ud)
{
    walk_t w = {t, skip, limit, 0, fn, ud, NULL, NULL};
    int rc = store_content_each(t, CONTENT_KEY_GLOBAL, CONTENT_KEY_LEN(CONTENT_KEY_GLOBAL),
                                walk_cb, &w);
    return w.limit == 0 && rc == 1 ? 0 : rc;
}

/* The trail is numbered as it is read: a record's number is its place in the trail listed
 * (the cluster's for every site, the site's own for one site), 1, 2, 3... Records are only
 * ever appended, so a number never changes; and stores written before the trail had its
 * own counter (when articles and trail records shared n/seq, leaving gaps in the keys)
 * read densely too, with nothing migrated. */
typedef struct hist {
    const char *site;
    article_audit_fn fn;
    void *ud;
    uint64_t n;
} hist_t;

static int hist_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    hist_t *h = ud;
    article_audit_t a = {0};
    if (decode_audit(val, vlen, &a) != 0)
        return 0;
    if (h->site && strcmp(h->site, a.site) != 0)
        return 0;
    a.seq = ++h->n;
    return h->fn(h->ud, &a);
}

article_trail_kind_t article_trail_kind(const article_audit_t *a)
{
    if (strncmp(a->action, "user-", 5) == 0)
        return ARTICLE_TRAIL_ACCOUNT;
    if (strncmp(a->action, "draft-", 6) == 0)
        return ARTICLE_TRAIL_DRAFT;
    if (strcmp(a->action, "unpublish") == 0 || strcmp(a->action, "spam") == 0)
        return ARTICLE_TRAIL_REMOVAL;
    return ARTICLE_TRAIL_ARTICLE;
}

int article_history_each(store_txn_t *t, const char *site, article_audit_fn fn, void *ud)
{
    hist_t h = {site, fn, ud, 0};
    return store_content_each(t, CONTENT_KEY_TRAIL, CONTENT_KEY_LEN(CONTENT_KEY_TRAIL), hist_cb,
                              &h);
}

/* ------------------------------------------------------------------ writing */

/* Hands out the next number of counter `key` (n/seq: articles; n/trail: trail records). */
static int next_n(store_txn_t *w, const char *key, uint64_t start, uint64_t *seq)
{
    const void *v;
    size_t len;
    uint64_t cur = start;
    size_t kl = strlen(key);
    int rc = store_content_get(w, key, kl, &v, &len);
    if (rc == 0)
        cur = rec_u64_at(v, len, 0);
    else if (rc != STORE_NOTFOUND)
        return rc;
    *seq = cur + 1;
    util_buf_t b = {0};
    rec_put_n(&b, *seq, 8);
    rc = store_content_put(w, key, kl, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

static int next_seq(store_txn_t *w, uint64_t *seq)
{
    return next_n(w, CONTENT_KEY_SEQ, 0, seq);
}

static int last_key_cb(void *ud, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    uint64_t *last = ud;
    char hex[17];
    if (klen == CONTENT_KEY_LEN(CONTENT_KEY_TRAIL) + 16) {
        memcpy(hex, (const char *)key + CONTENT_KEY_LEN(CONTENT_KEY_TRAIL), 16);
        hex[16] = '\0';
        uint64_t n = strtoull(hex, NULL, 16);
        if (n > *last)
            *last = n;
    }
    return 0;
}

/* The trail's own counter (n/trail), so trail records no longer take article numbers. A
 * store from before it starts the counter after its last record, keeping h/ in order. */
static int next_trail(store_txn_t *w, uint64_t *seq)
{
    const void *v;
    size_t len;
    uint64_t last = 0;
    int rc = store_content_get(w, CONTENT_KEY_TRAIL_SEQ, CONTENT_KEY_LEN(CONTENT_KEY_TRAIL_SEQ),
                               &v, &len);
    if (rc == STORE_NOTFOUND) {
        rc = store_content_each(w, CONTENT_KEY_TRAIL, CONTENT_KEY_LEN(CONTENT_KEY_TRAIL),
                                last_key_cb, &last);
        if (rc < 0)
            return rc;
    } else if (rc != 0) {
        return rc;
    }
    return next_n(w, CONTENT_KEY_TRAIL_SEQ, last, seq);
}

static int add_count(store_txn_t *w, const char *site, const char *col, int delta)
{
    char k[KEYBUF];
    int n = snprintf(k, sizeof k, CONTENT_KEY_COUNT "%s/%s", site, col);
    uint64_t cur = article_column_count(w, site, col);
    cur = delta < 0 && cur == 0 ? 0 : cur + (uint64_t)(int64_t)delta;
    util_buf_t b = {0};
    rec_put_n(&b, cur, 8);
    int rc = store_content_put(w, k, (size_t)n, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

static int bump_version(store_txn_t *w, const char *site, int64_t now)
{
    uint64_t ver;
    int64_t mt;
    article_version(w, site, &ver, &mt);
    char k[KEYBUF];
    int n = snprintf(k, sizeof k, CONTENT_KEY_VERSION "%s", site ? site : "");
    util_buf_t b = {0};
    rec_put_n(&b, ver + 1, 8);
    rec_put_n(&b, (uint64_t)now, 8);
    int rc = store_content_put(w, k, (size_t)n, b.data, b.len);
    util_buf_free(&b);
    return rc;
}

static int append_audit(store_txn_t *w, int64_t now, const char *action, const char *site,
                        const char *col, const char *id, uint32_t revision, const char *who,
                        const char *reviewer, const char *title, const char *note,
                        uint64_t *seq_out)
{
    uint64_t seq;
    int rc = next_trail(w, &seq);
    if (rc != 0)
        return rc;
    util_buf_t b = {0};
    rec_put_head(&b, "JYAU", 1);
    rec_put_n(&b, (uint64_t)now, 8);
    rec_put_n(&b, revision, 4);
    rec_put_str(&b, action);
    rec_put_str(&b, site);
    rec_put_str(&b, col);
    rec_put_str(&b, id);
    rec_put_str(&b, who);
    rec_put_str(&b, reviewer);
    rec_put_str(&b, title);
    rec_put_str(&b, note);
    char k[32];
    int n = snprintf(k, sizeof k, CONTENT_KEY_TRAIL "%016" PRIx64, seq);
    rc = store_content_put(w, k, (size_t)n, b.data, b.len);
    util_buf_free(&b);
    *seq_out = seq;
    return rc;
}

int article_audit_append(store_txn_t *w, int64_t now, const char *action, const char *site,
                         const char *column, const char *id, const char *who,
                         const char *title, const char *note, uint64_t *seq)
{
    return append_audit(w, now, action, site, column, id, 0, who, "", title, note, seq);
}

static char *att_ns(const char *site)
{
    return util_asprintf("%s" CONTENT_ATT_NS_SUFFIX, site);
}

/* Deletes the attachments named in a record's newline-separated list. */
static int drop_attachments(store_txn_t *w, const char *site, const char *col, const char *id,
                            const char *names)
{
    char *ns = att_ns(site);
    int rc = 0;
    const char *p = names;
    while (rc == 0 && p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *path = util_asprintf("/%s/%s/%.*s", col, id, (int)n, p);
        rc = store_page_del(w, ns, path);
        if (rc == STORE_NOTFOUND)
            rc = 0;
        free(path);
        p = nl ? nl + 1 : NULL;
    }
    free(ns);
    return rc;
}

static int put_attachments(store_txn_t *w, const char *site, const char *col, const char *id,
                           const article_file_t *files, size_t nfiles, int64_t now)
{
    char *ns = att_ns(site);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nfiles; i++) {
        const char *type = mime_for_name(files[i].name);
        uint8_t *gz = NULL;
        size_t gz_len = 0;
        if (mime_is_compressible(type) && gzip_variant(files[i].data, files[i].len, &gz, &gz_len) < 0)
            gz = NULL;
        char *path = util_asprintf("/%s/%s/%s", col, id, files[i].name);
        rc = store_page_put(w, ns, path, type, files[i].data, files[i].len, gz, gz_len, now);
        free(path);
        free(gz);
    }
    free(ns);
    return rc;
}

/* The end of a publish or unpublish in a transaction of its own: commit, then say what
 * was written. The write transaction is gone either way. Returns 0 or -1 with the reason. */
/* The write transaction of a change made in one call (article_publish, article_unpublish),
 * or NULL with the reason in err. */
static store_txn_t *begin_change(store_t *s, char *err, size_t cap)
{
    int rc;
    store_txn_t *w = store_write_begin(s, &rc);
    if (!w)
        snprintf(err, cap, "%s", store_strerror(rc));
    return w;
}

static int commit_change(store_txn_t *w, article_result_t r, article_result_t *res, char *err,
                         size_t cap)
{
    int rc = store_commit(w);
    if (rc != 0) {
        snprintf(err, cap, "%s", store_strerror(rc));
        return -1;
    }
    if (res)
        *res = r;
    return 0;
}

#define FAIL(...) do { snprintf(err, cap, __VA_ARGS__); goto fail; } while (0)

/* Who holds 索引号 `no` on `site`: 0 with "<column>/<id>" in holder, STORE_NOTFOUND, or an
 * error. */
static int index_no_holder(store_txn_t *t, const char *site, const char *no, char *holder,
                           size_t cap)
{
    char k[KEYBUF];
    const char *parts[] = {site, no};
    size_t kl = key_join(k, CONTENT_KEY_INDEX_NO, parts, 2);
    if (!kl)
        return STORE_EKEY;
    const void *v;
    size_t len;
    int rc = store_content_get(t, k, kl, &v, &len);
    if (rc == 0)
        snprintf(holder, cap, "%.*s", (int)len, (const char *)v);
    return rc;
}

static int index_no_set(store_txn_t *w, const char *site, const char *no, const char *col,
                        const char *id, bool add)
{
    char k[KEYBUF], ref[KEYBUF];
    const char *parts[] = {site, no};
    size_t kl = key_join(k, CONTENT_KEY_INDEX_NO, parts, 2);
    if (!kl)
        return STORE_EKEY;
    if (!add) {
        int rc = store_content_del(w, k, kl);
        return rc == STORE_NOTFOUND ? 0 : rc;
    }
    int n = snprintf(ref, sizeof ref, "%s/%s", col, id);
    return store_content_put(w, k, kl, ref, (size_t)n);
}

/* The 索引号 the article gets into out[ARTICLE_INDEX_NO_MAX + 1] ("" for none): the one it
 * has (an update), the one given (if no other article of the site holds it) or, for a
 * policy document, <site_code>-<year>-<serial> with the site's next serial. Returns 0 or
 * -1 with the reason in err. */
static int index_no_assign(store_txn_t *w, const article_meta_t *m, const char *old,
                           int64_t pubtime, char *out, char *err, size_t cap)
{
    char holder[KEYBUF], own[KEYBUF];
    snprintf(own, sizeof own, "%s/%s", m->column, m->id);
    out[0] = '\0';
    if (old && *old) {
        if (m->index_no && strcmp(m->index_no, old) != 0) {
            snprintf(err, cap, "%s/%s/%s.html has index_no (索引号) %s: an index number does "
                     "not change (leave index_no out of the update, or give %s)", m->site,
                     m->column, m->id, old, old);
            return -1;
        }
        snprintf(out, ARTICLE_INDEX_NO_MAX + 1, "%s", old);
        return 0;
    }
    if (m->index_no) {
        int rc = index_no_holder(w, m->site, m->index_no, holder, sizeof holder);
        if (rc == 0 && strcmp(holder, own) != 0) {
            snprintf(err, cap, "index_no (索引号) %s is already held by %s/%s.html of site "
                     "'%s': index numbers are unique per site", m->index_no, m->site, holder,
                     m->site);
            return -1;
        }
        if (rc != 0 && rc != STORE_NOTFOUND) {
            snprintf(err, cap, "%s", store_strerror(rc));
            return -1;
        }
        snprintf(out, ARTICLE_INDEX_NO_MAX + 1, "%s", m->index_no);
        return 0;
    }
    if (!m->policy)
        return 0;
    if (!m->site_code) {
        snprintf(err, cap, "site '%s' has no registration.site_code (网站标识码) to number its "
                 "policy documents: give index_no (索引号)", m->site);
        return -1;
    }
    char day[11], key[KEYBUF];
    article_format_day(pubtime, day);
    snprintf(key, sizeof key, CONTENT_KEY_INDEX_SERIAL "%s", m->site);
    /* an explicit number may already have the generated form: take the next free one */
    for (int tries = 0; tries < 1000; tries++) {
        uint64_t serial;
        int rc = next_n(w, key, 0, &serial);
        if (rc == 0) {
            int n = snprintf(out, ARTICLE_INDEX_NO_MAX + 1, "%s-%.4s-%05" PRIu64, m->site_code,
                             day, serial);
            if (n < 0 || n > ARTICLE_INDEX_NO_MAX) {
                snprintf(err, cap, "the site's 网站标识码 is too long for an index_no (索引号)");
                return -1;
            }
            rc = index_no_holder(w, m->site, out, holder, sizeof holder);
            if (rc == STORE_NOTFOUND)
                return 0;
        }
        if (rc != 0) {
            snprintf(err, cap, "%s", store_strerror(rc));
            return -1;
        }
    }
    snprintf(err, cap, "no free index_no (索引号) for site '%s'", m->site);
    return -1;
}

int article_index_no_check(store_txn_t *t, const article_meta_t *m, char *buf, size_t cap)
{
    if (!m->index_no)
        return 0;
    article_t old;
    int rc = article_get(t, m->site, m->column, m->id, &old);
    if (rc != 0 && rc != STORE_NOTFOUND)
        return rc;
    char *old_no = rc == 0 ? util_strdup(old.index_no ? old.index_no : "") : NULL;
    /* index_no_assign's own refusals, read-only: it never numbers when one is given */
    char out[ARTICLE_INDEX_NO_MAX + 1];
    char holder[KEYBUF];
    int ret = 0;
    if (old_no && *old_no) {
        if (strcmp(m->index_no, old_no) != 0) {
            index_no_assign(NULL, m, old_no, 0, out, buf, cap);
            ret = 1;
        }
    } else {
        rc = index_no_holder(t, m->site, m->index_no, holder, sizeof holder);
        if (rc != 0 && rc != STORE_NOTFOUND)
            ret = rc;
        else if (rc == 0 && index_no_assign(t, m, NULL, 0, out, buf, cap) != 0)
            ret = 1;
    }
    free(old_no);
    return ret;
}

int article_publish_txn(store_txn_t *w, article_op_t op, const article_meta_t *m,
                        const char *format, const char *body_html, size_t body_len,
                        const article_file_t *files, size_t nfiles, int64_t now,
                        article_result_t *res, char *err, size_t cap)
{
    int rc, ret = -1;
    char *old_atts = NULL, *old_index_no = NULL;
    char index_no[ARTICLE_INDEX_NO_MAX + 1];
    util_buf_t rec = {0}, names = {0};
    char k[KEYBUF], ki[KEYBUF];
    size_t kl = key_article(k, m->site, m->column, m->id);
    if (!kl)
        FAIL("article key too long");
    article_t old;
    rc = article_get(w, m->site, m->column, m->id, &old);
    if (rc != 0 && rc != STORE_NOTFOUND)
        FAIL("%s", store_strerror(rc));
    bool exists = rc == 0;
    if (op == ARTICLE_PUBLISH && exists)
        FAIL("%s/%s/%s.html is already published (revision %u): use jiyuectl update to publish "
             "a new revision", m->site, m->column, m->id, old.revision);
    if (op == ARTICLE_UPDATE && !exists)
        FAIL("no article %s/%s/%s.html to update: use jiyuectl publish", m->site, m->column, m->id);

    uint64_t seq;
    uint32_t revision = 1;
    int64_t pubtime = now;
    if (exists) {
        /* Copy what we need: the old record's memory is not ours once we write. */
        seq = old.seq;
        revision = old.revision + 1;
        pubtime = old.pubtime;
        old_atts = util_strdup(old.attachments);
        old_index_no = util_strdup(old.index_no);
        if ((rc = drop_index(w, m->site, m->column, old.pubtime, old.seq)) != 0)
            FAIL("%s", store_strerror(rc));
        if ((rc = drop_attachments(w, m->site, m->column, m->id, old_atts)) != 0)
            FAIL("%s", store_strerror(rc));
    } else if ((rc = next_seq(w, &seq)) != 0) {
        FAIL("%s", store_strerror(rc));
    }
    if (m->date)
        article_parse_time(m->date, &pubtime);
    if (index_no_assign(w, m, old_index_no, pubtime, index_no, err, cap) != 0)
        goto fail;
    if (*index_no && (rc = index_no_set(w, m->site, index_no, m->column, m->id, true)) != 0)
        FAIL("%s", store_strerror(rc));

    for (size_t i = 0; i < nfiles; i++)
        util_buf_printf(&names, "%s%s", i ? "\n" : "", files[i].name);
    rec_put_head(&rec, "JYAR", 2);
    rec_put_n(&rec, (uint64_t)pubtime, 8);
    rec_put_n(&rec, (uint64_t)now, 8);
    rec_put_n(&rec, seq, 8);
    rec_put_n(&rec, revision, 4);
    rec_put_str(&rec, m->site);
    rec_put_str(&rec, m->column);
    rec_put_str(&rec, m->id);
    rec_put_str(&rec, m->title);
    rec_put_str(&rec, m->source);
    rec_put_str(&rec, m->author);
    rec_put_str(&rec, m->publisher);
    rec_put_str(&rec, m->reviewer);
    rec_put_str(&rec, m->disclosure);
    rec_put_str(&rec, m->secrecy_by);
    rec_put_str(&rec, m->secrecy_date);
    rec_put_str(&rec, format);
    rec_put_strn(&rec, body_html, body_len);
    rec_put_strn(&rec, names.data, names.len);
    rec_put_str(&rec, m->doc_no);
    rec_put_str(&rec, m->issuer);
    rec_put_str(&rec, m->written);
    rec_put_str(&rec, m->topic);
    rec_put_str(&rec, index_no);
    if ((rc = store_content_put(w, k, kl, rec.data, rec.len)) != 0)
        FAIL("%s", store_strerror(rc));
    size_t n = key_index(ki, m->site, m->column, pubtime, seq);
    if ((rc = store_content_put(w, ki, n, m->id, strlen(m->id))) != 0)
        FAIL("%s", store_strerror(rc));
    char ref[KEYBUF];
    int rn = snprintf(ref, sizeof ref, "%s/%s/%s", m->site, m->column, m->id);
    n = key_global(ki, pubtime, seq);
    if ((rc = store_content_put(w, ki, n, ref, (size_t)rn)) != 0)
        FAIL("%s", store_strerror(rc));
    if (!exists && (rc = add_count(w, m->site, m->column, 1)) != 0)
        FAIL("%s", store_strerror(rc));
    if ((rc = put_attachments(w, m->site, m->column, m->id, files, nfiles, now)) != 0)
        FAIL("%s", store_strerror(rc));
    /* the search index follows in the same transaction (modules/search); a listing
     * (article_link.h) is not indexed: its original is, once */
    search_policy_t pol = {m->doc_no, m->issuer, m->written, m->topic, index_no};
    if (strcmp(format, ARTICLE_FORMAT_LINK) != 0 &&
        (rc = search_index_article(w, m->site, m->column, m->id, m->title, m->source, body_html,
                                   body_len, &pol, pubtime, seq)) != 0)
        FAIL("search index: %s", store_strerror(rc));
    if ((rc = bump_version(w, m->site, now)) != 0 || (rc = bump_version(w, NULL, now)) != 0)
        FAIL("%s", store_strerror(rc));
    uint64_t aseq;
    if ((rc = append_audit(w, now, exists ? "update" : "publish", m->site, m->column, m->id,
                           revision, m->publisher, m->reviewer, m->title, m->disclosure, &aseq)) != 0)
        FAIL("%s", store_strerror(rc));
    if (res)
        *res = (article_result_t){.seq = seq, .revision = revision, .audit_seq = aseq};
    ret = 0;
fail:
    free(old_atts);
    free(old_index_no);
    util_buf_free(&rec);
    util_buf_free(&names);
    return ret;
}

int article_publish(store_t *s, article_op_t op, const article_meta_t *m, const char *format,
                    const char *body_html, size_t body_len, const article_file_t *files,
                    size_t nfiles, int64_t now, article_result_t *res, char *err, size_t cap)
{
    store_txn_t *w = begin_change(s, err, cap);
    if (!w)
        return -1;
    article_result_t r;
    if (article_publish_txn(w, op, m, format, body_html, body_len, files, nfiles, now, &r, err,
                            cap) != 0) {
        store_abort(w);
        return -1;
    }
    return commit_change(w, r, res, err, cap);
}

int article_unpublish_txn(store_txn_t *w, const char *site, const char *column, const char *id,
                          const char *by, const char *reason, int64_t now,
                          article_result_t *res, char *err, size_t cap)
{
    int rc, ret = -1;
    char *title = NULL, *atts = NULL, *reviewer = NULL, *index_no = NULL;
    char k[KEYBUF];
    size_t kl = key_article(k, site, column, id);
    article_t a;
    rc = kl ? article_get(w, site, column, id, &a) : STORE_EKEY;
    if (rc == STORE_NOTFOUND)
        FAIL("no published article %s/%s/%s.html", site, column, id);
    if (rc != 0)
        FAIL("%s", store_strerror(rc));
    /* a listing leaves its original's reverse entries; an original takes its listings
     * down with it (article_link.h), before its own record goes */
    if (article_is_link(&a)) {
        if ((rc = article_link_forget_txn(w, &a)) != 0)
            FAIL("%s", store_strerror(rc));
        if ((rc = article_get(w, site, column, id, &a)) != 0) /* the write moved it */
            FAIL("%s", store_strerror(rc));
    } else if (article_link_unlist_txn(w, site, column, id, by, now, err, cap) != 0) {
        goto fail;
    } else if ((rc = article_get(w, site, column, id, &a)) != 0) {
        FAIL("%s", store_strerror(rc));
    }
    title = util_strdup(a.title);
    atts = util_strdup(a.attachments);
    reviewer = util_strdup(a.reviewer);
    index_no = util_strdup(a.index_no);
    int64_t pubtime = a.pubtime;
    uint64_t seq = a.seq;
    uint32_t revision = a.revision;
    if ((rc = store_content_del(w, k, kl)) != 0)
        FAIL("%s", store_strerror(rc));
    if ((rc = drop_index(w, site, column, pubtime, seq)) != 0)
        FAIL("%s", store_strerror(rc));
    if ((rc = search_unindex_article(w, site, column, id)) != 0)
        FAIL("search index: %s", store_strerror(rc));
    if (*index_no && (rc = index_no_set(w, site, index_no, column, id, false)) != 0)
        FAIL("%s", store_strerror(rc));
    if ((rc = add_count(w, site, column, -1)) != 0 ||
        (rc = drop_attachments(w, site, column, id, atts)) != 0 ||
        (rc = bump_version(w, site, now)) != 0 || (rc = bump_version(w, NULL, now)) != 0)
        FAIL("%s", store_strerror(rc));
    uint64_t aseq;
    if ((rc = append_audit(w, now, "unpublish", site, column, id, revision, by, reviewer, title,
                           reason, &aseq)) != 0)
        FAIL("%s", store_strerror(rc));
    if (res)
        *res = (article_result_t){.seq = seq, .revision = revision, .audit_seq = aseq};
    ret = 0;
fail:
    free(title);
    free(atts);
    free(reviewer);
    free(index_no);
    return ret;
}

int article_unpublish(store_t *s, const char *site, const char *column, const char *id,
                      const char *by, const char *reason, int64_t now, article_result_t *res,
                      char *err, size_t cap)
{
    store_txn_t *w = begin_change(s, err, cap);
    if (!w)
        return -1;
    article_result_t r;
    if (article_unpublish_txn(w, site, column, id, by, reason, now, &r, err, cap) != 0) {
        store_abort(w);
        return -1;
    }
    return commit_change(w, r, res, err, cap);
}
