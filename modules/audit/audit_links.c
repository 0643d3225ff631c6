/* modules/audit/audit_links.c: the links of stored HTML (imported pages and article
 * bodies), judged without any network access: a link into the cluster must name
 * something the server would answer (a stored page, a folder's index, a stored redirect,
 * an article, a column page, an attachment; any path of a suspended or closed site, whose
 * notices and redirects answer everything); a link, image, script or frame outside the
 * cluster is external (info), or foreign (deduct) when its host is outside .cn/.中国 and
 * not in audit.allow_hosts; one matching an ad pattern is an ad (veto), and that is all
 * it is reported as. Government sites (.gov.cn) end in .cn and so are never foreign.
 *
 * A link (<a href>) out of the cluster that citizens cannot see (hidden by inline style
 * or an ancestor's: audit_html.c tracks that) and that points to no government host
 * (.gov.cn) is a hidden link (暗链, veto), and that is all it is reported as. Hidden
 * links inside the cluster (a collapsed menu) and to .gov.cn are ordinary links.
 *
 * The document is read by audit_html.c's tolerant tokenizer; this file judges what it
 * finds. */
#include "audit_links.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "audit.h"
#include "audit_html.h"
#include "content_columns.h"
#include "content_route.h"
#include "lifecycle.h"
#include "path.h"
#include "redirect.h"
#include "store_keys.h"

/* ---- small string helpers ---- */

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* host equals pat, or ends with "." + pat */
static bool host_matches(const char *host, size_t n, const char *pat)
{
    size_t k = strlen(pat);
    if (n == k)
        return memcmp(host, pat, k) == 0;
    return n > k && host[n - k - 1] == '.' && memcmp(host + n - k, pat, k) == 0;
}

static bool contains_nocase(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n)
        return false;
    for (size_t i = 0; i + k <= n; i++) {
        if (tolower((unsigned char)s[i]) != needle[0])
            continue;
        size_t j = 1;
        while (j < k && tolower((unsigned char)s[i + j]) == needle[j])
            j++;
        if (j == k)
            return true;
    }
    return false;
}

/* A host pattern has a dot and no '/': it matches a host and its subdomains. Any other
 * pattern is a marker searched for in URLs and inline scripts. */
static bool pattern_is_host(const char *p)
{
    return strchr(p, '.') && !strchr(p, '/') && !strchr(p, '_');
}

/* The ad pattern a URL (with its host, lower-case) matches, or NULL. */
static const char *ad_match_url(const audit_t *a, const char *host, size_t hlen, const char *url,
                                size_t ulen)
{
    for (size_t i = 0; i < a->au->nad_patterns; i++) {
        const char *p = a->au->ad_patterns[i];
        if (a->ad_is_host[i] ? (hlen && host_matches(host, hlen, p))
                               : contains_nocase(url, ulen, p))
            return p;
    }
    return NULL;
}

void audit_links_prepare(audit_t *a)
{
    size_t n = a->au->nad_patterns;
    a->ad_is_host = util_calloc(n + 1, sizeof *a->ad_is_host);
    for (size_t i = 0; i < n; i++)
        a->ad_is_host[i] = pattern_is_host(a->au->ad_patterns[i]);
}

void audit_links_done(audit_t *a)
{
    free(a->ad_is_host);
    a->ad_is_host = NULL;
}

static const char *ad_match_script(const audit_t *a, const char *code, size_t len)
{
    for (size_t i = 0; i < a->au->nad_patterns; i++) {
        const char *p = a->au->ad_patterns[i];
        if (contains_nocase(code, len, p))
            return p;
    }
    return NULL;
}

static bool host_allowed(const audit_t *a, const char *host, size_t n)
{
    for (size_t i = 0; i < a->au->nallow_hosts; i++) {
        const char *h = a->au->allow_hosts[i];
        if (strncmp(h, "*.", 2) == 0 ? host_matches(host, n, h + 2) && n > strlen(h) - 2
                                     : (strlen(h) == n && memcmp(h, host, n) == 0))
            return true;
    }
    return false;
}

bool audit_host_is_gov(const char *host, size_t n)
{
    return host_matches(host, n, "gov.cn");
}

static bool host_is_cn(const char *host, size_t n)
{
    return has_suffix(host, n, ".cn") || has_suffix(host, n, ".xn--fiqs8s") ||
           has_suffix(host, n, ".中国");
}

/* ---- does an internal path exist? ---- */

static bool page_exists(store_txn_t *t, const char *ns, const char *path, size_t len)
{
    store_page_t p;
    return len > 0 && store_page_get(t, ns, path, len, &p) == 0;
}

static bool redirect_exists(store_txn_t *t, const char *ns, const char *path, size_t len,
                            const char *query, size_t qlen)
{
    const void *v;
    size_t vlen; /* the site's redirects, whatever generation ns is (modules/static/redirect.h) */
    return redirect_lookup(t, ns, path, len, query, qlen, &v, &vlen) == 0;
}

/* What the content and interaction modules answer below a site. */
static bool content_exists(audit_t *a, const conf_site_t *s, const char *rel, size_t len)
{
    /* The interaction module owns everything below its column (forms, lists, receipts). */
    const char *seg = rel + 1, *slash = len > 1 ? memchr(seg, '/', len - 1) : NULL;
    if (slash) {
        char col[64];
        if ((size_t)(slash - seg) < sizeof col) {
            memcpy(col, seg, (size_t)(slash - seg));
            col[slash - seg] = '\0';
            const conf_column_t *c = conf_column_find(s, col);
            if (c && c->type == COLUMN_INTERACTION)
                return true;
        }
    }
    return content_route_answers(a->t, a->conf->themes != NULL, s, rel, len) == 1;
}

static bool static_exists(audit_t *a, const conf_site_t *s, const char *rel, size_t len,
                          const char *query, size_t qlen)
{
    char ns[STORE_KEY_MAX + 1];
    if (store_site_live(a->t, s->id, ns, sizeof ns) != 0)
        return false;
    if (query && redirect_exists(a->t, ns, rel, len, query, qlen))
        return true;
    char buf[STORE_KEY_MAX + 16];
    if (len + 12 > sizeof buf)
        return false;
    memcpy(buf, rel, len);
    if (rel[len - 1] == '/') {
        memcpy(buf + len, "index.html", 10);
        return page_exists(a->t, ns, buf, len + 10) || redirect_exists(a->t, ns, rel, len, NULL, 0);
    }
    if (page_exists(a->t, ns, rel, len))
        return true;
    memcpy(buf + len, "/index.html", 11); /* the folder, named without its slash */
    return page_exists(a->t, ns, buf, len + 11) || redirect_exists(a->t, ns, rel, len, NULL, 0);
}

/* Judges an internal target on a cluster host: a full path "/edu/news/a.html?x" (raw,
 * still percent-encoded). Returns true when the server would answer it. */
static bool internal_exists(audit_t *a, const char *host, size_t hlen, const char *target,
                            size_t tlen)
{
    char path[4096];
    size_t plen;
    path_target_t info;
    if (path_normalize(target, tlen, path, sizeof path, &plen, &info) != PATH_OK)
        return false;
    route_t r;
    router_resolve(a->router, host, hlen, path, plen, &r);
    if (r.kind == ROUTE_ALIAS || r.kind == ROUTE_ADD_SLASH)
        return true;
    if (r.kind != ROUTE_SITE)
        return false;
    const conf_site_t *s = r.rsite->site;
    if (lifecycle_conf(s)->state == LIFECYCLE_SUSPENDED || lifecycle_conf(s)->state == LIFECYCLE_CLOSED)
        return true;
    return content_exists(a, s, r.rel, r.rel_len) ||
           static_exists(a, s, r.rel, r.rel_len, info.query, info.query_len);
}

/* ---- one URL ---- */

typedef enum { KIND_LINK, KIND_IMAGE, KIND_SCRIPT, KIND_FRAME } ref_kind_t;

static const char *kind_name(ref_kind_t k)
{
    static const char *const names[] = {"link", "image", "script", "frame"};
    return names[k];
}

static const char *kind_name_zh(ref_kind_t k)
{
    static const char *const names[] = {"链接", "图片", "脚本", "框架"};
    return names[k];
}

/* What a reference u[0, n) is: -1 no place on the web (mailto:, tel:, javascript:,
 * data: ...), 0 relative to the page, 1 a network reference ("http://h/...", "//h/...")
 * whose "//" begins at *rest. */
static int url_network(const char *u, size_t n, const char **rest, size_t *rn)
{
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.'))
        i++;
    bool has_scheme = i > 0 && i < n && u[i] == ':' && isalpha((unsigned char)u[0]);
    *rest = NULL;
    *rn = 0;
    if (has_scheme) {
        if (!(i == 4 && strncasecmp(u, "http", 4) == 0) && !(i == 5 && strncasecmp(u, "https", 5) == 0))
            return -1;
        *rest = u + i + 1;
        *rn = n - i - 1;
        if (*rn < 2 || (*rest)[0] != '/' || (*rest)[1] != '/')
            return -1;
        return 1;
    }
    if (n >= 2 && u[0] == '/' && u[1] == '/') {
        *rest = u;
        *rn = n;
        return 1;
    }
    return 0;
}

/* The host of a network reference (from its "//"): lower-cased, without user, port or
 * trailing dots, into host[URL_HOST_MAX]; *tail: the path, query and fragment after it.
 * False when it has no host we can name. */
#define URL_HOST_MAX 256
static bool url_host(const char *rest, size_t rn, char *host, size_t *hlen, const char **tail,
                     size_t *tn)
{
    const char *h = rest + 2, *end = rest + rn;
    const char *he = h;
    while (he < end && *he != '/' && *he != '?' && *he != '#')
        he++;
    const char *at = memchr(h, '@', (size_t)(he - h));
    if (at)
        h = at + 1;
    const char *hp = h;
    if (hp < he && *hp == '[') {
        const char *close = memchr(hp, ']', (size_t)(he - hp));
        hp = close ? close + 1 : he;
    }
    const char *colon = memchr(hp, ':', (size_t)(he - hp));
    const char *hend = colon ? colon : he;
    size_t len = (size_t)(hend - h);
    if (len == 0 || len >= URL_HOST_MAX)
        return false;
    for (size_t k = 0; k < len; k++)
        host[k] = (char)tolower((unsigned char)h[k]);
    while (len && host[len - 1] == '.')
        len--;
    host[len] = '\0';
    *hlen = len;
    *tail = he;
    *tn = (size_t)(end - he);
    return true;
}

/* The path a reference without a host (u) resolves to on the page whose base path is
 * `base` (not NULL unless u begins with '/'). */
static void resolve_path(util_buf_t *target, const char *base, const char *u, size_t n)
{
    if (u[0] == '/') {
        util_buf_append(target, u, n);
    } else if (u[0] == '?') {
        util_buf_appends(target, base);
        util_buf_append(target, u, n);
    } else {
        const char *slash = strrchr(base, '/');
        util_buf_append(target, base, slash ? (size_t)(slash - base) + 1 : 0);
        util_buf_append(target, u, n);
    }
}

static void judge(audit_t *a, audit_site_t *s, const char *base, const char *page_url,
                  ref_kind_t kind, bool hidden, const char *u, size_t n)
{
    while (n && isspace((unsigned char)*u))
        u++, n--;
    while (n && isspace((unsigned char)u[n - 1]))
        n--;
    if (n == 0 || u[0] == '#')
        return;
    a->scanned_links++;
    const char *rest;
    size_t rn;
    if (url_network(u, n, &rest, &rn) < 0)
        return; /* mailto:, tel:, javascript:, data: ... are not places */
    char host[URL_HOST_MAX];
    size_t hlen = 0;
    const char *tail = NULL;
    size_t tn = 0;
    if (rest && !url_host(rest, rn, host, &hlen, &tail, &tn))
        return;
    const char *ad = ad_match_url(a, host, hlen, u, n);
    if (ad) {
        char *what = util_asprintf("%s %.*s matches the ad pattern '%s'", kind_name(kind),
                                   (int)(n > 200 ? 200 : n), u, ad);
        char *what_zh = util_asprintf("%s %.*s 符合广告特征 '%s'", kind_name_zh(kind),
                                      (int)(n > 200 ? 200 : n), u, ad);
        audit_agg(s, AUDIT_AD, AUDIT_VETO, what, what_zh, page_url);
        free(what);
        free(what_zh);
        return;
    }
    if (rest && !strmap_get(&a->router->hosts, host, hlen)) {
        /* Hidden from citizens, pointing out of the cluster and not to a government
         * site: injected (暗链). That is all it is reported as. */
        if (hidden && !audit_host_is_gov(host, hlen))
            audit_agg(s, AUDIT_LINK_HIDDEN, AUDIT_VETO, host, NULL, page_url);
        else if (!host_is_cn(host, hlen) && !host_allowed(a, host, hlen))
            audit_agg(s, AUDIT_LINK_FOREIGN, AUDIT_DEDUCT, host, NULL, page_url);
        else
            audit_agg(s, AUDIT_LINK_EXTERNAL, AUDIT_INFO, host, NULL, page_url);
        return;
    }
    /* A <base> we could not follow: relative links are not judged (no false alarm). */
    if (!rest && u[0] != '/' && !base)
        return;
    /* Inside the cluster: build the target path on the host it resolves against. */
    util_buf_t target = {0};
    const char *th;
    size_t thl;
    if (rest) {
        th = host;
        thl = hlen;
        if (tn == 0 || tail[0] != '/')
            util_buf_append(&target, "/", 1);
        util_buf_append(&target, tail, tn);
    } else {
        th = s->rs->canon_host ? s->rs->canon_host : "";
        thl = strlen(th);
        resolve_path(&target, base, u, n);
    }
    /* the fragment is the browser's business */
    char *hash = target.data ? memchr(target.data, '#', target.len) : NULL;
    if (hash)
        target.len = (size_t)(hash - target.data);
    if (target.len == 0)
        util_buf_append(&target, "/", 1);
    if (!internal_exists(a, th, thl, target.data, target.len)) {
        char *what = util_strndup(target.data, target.len > 300 ? 300 : target.len);
        if (rest) {
            char *full = util_asprintf("http://%s%s", host, what);
            audit_agg(s, AUDIT_LINK_BROKEN, AUDIT_DEDUCT, full, NULL, page_url);
            free(full);
        } else {
            audit_agg(s, AUDIT_LINK_BROKEN, AUDIT_DEDUCT, what, NULL, page_url);
        }
        free(what);
    }
    util_buf_free(&target);
}

/* ---- the tokenizer ---- */

/* Decodes the few entities that appear in URLs (&amp; &#47; &#x2F; &quot;...). */
static size_t decode_entities(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        if (s[i] != '&') {
            out[o++] = s[i];
            continue;
        }
        const char *semi = memchr(s + i, ';', n - i < 10 ? n - i : 10);
        if (!semi) {
            out[o++] = '&';
            continue;
        }
        size_t k = (size_t)(semi - (s + i));
        const char *e = s + i + 1;
        unsigned long cp = 0;
        if (k == 4 && memcmp(e, "amp", 3) == 0)
            cp = '&';
        else if (k == 5 && memcmp(e, "quot", 4) == 0)
            cp = '"';
        else if (k == 3 && memcmp(e, "lt", 2) == 0)
            cp = '<';
        else if (k == 3 && memcmp(e, "gt", 2) == 0)
            cp = '>';
        else if (k == 5 && memcmp(e, "apos", 4) == 0)
            cp = '\'';
        else if (k > 2 && e[0] == '#')
            cp = (e[1] == 'x' || e[1] == 'X') ? strtoul(e + 2, NULL, 16) : strtoul(e + 1, NULL, 10);
        if (cp == 0 || cp > 0x7f) {
            out[o++] = '&'; /* leave anything else as written */
            continue;
        }
        out[o++] = (char)cp;
        i += k;
    }
    return o;
}

static ref_kind_t tag_kind(const char *tag)
{
    if (strcmp(tag, "img") == 0 || strcmp(tag, "image") == 0)
        return KIND_IMAGE;
    if (strcmp(tag, "script") == 0)
        return KIND_SCRIPT;
    if (strcmp(tag, "iframe") == 0 || strcmp(tag, "frame") == 0 || strcmp(tag, "embed") == 0 ||
        strcmp(tag, "object") == 0)
        return KIND_FRAME;
    return KIND_LINK;
}

/* One scan of a document: what the tokenizer's callbacks judge against. */
typedef struct scan {
    audit_t *a;
    audit_site_t *s;
    const char *url; /* the page's path below the mount (audit_agg makes the URL) */
    char *base;      /* what relative links resolve against; NULL: unknown */
} scan_t;

static void on_ref(void *ud, const audit_html_ref_t *r)
{
    scan_t *x = ud;
    ref_kind_t kind = tag_kind(r->tag);
    if (strcmp(r->name, "data") == 0 && kind != KIND_FRAME)
        return;
    char dec[2048];
    size_t dl = decode_entities(r->val, r->len, dec, sizeof dec);
    if (strcmp(r->tag, "base") == 0) {
        /* <base href="/dir/">: later relative links resolve against it; any other
         * form (another host, a relative base) leaves them unjudged. */
        free(x->base);
        x->base = dl && dec[0] == '/' && (dl < 2 || dec[1] != '/') ? util_strndup(dec, dl) : NULL;
        return;
    }
    /* only an <a> is a link citizens could follow: a hidden one is a 暗链 */
    bool hidden = r->hidden && strcmp(r->tag, "a") == 0;
    judge(x->a, x->s, x->base, x->url, kind, hidden, dec, dl);
}

static void on_script(void *ud, const char *code, size_t len)
{
    scan_t *x = ud;
    const char *ad = ad_match_script(x->a, code, len);
    if (ad) {
        char *what = util_asprintf("inline script matches the ad pattern '%s'", ad);
        char *what_zh = util_asprintf("内嵌脚本符合广告特征 '%s'", ad);
        audit_agg(x->s, AUDIT_AD, AUDIT_VETO, what, what_zh, x->url);
        free(what);
        free(what_zh);
    }
}

void audit_scan_html(audit_t *a, audit_site_t *s, const char *path, const char *html,
                     size_t len, util_buf_t *text)
{
    /* `path` is below the mount; relative links resolve against the canonical full path */
    scan_t x = {a, s, path,
                util_asprintf("%.*s%s", (int)(s->rs->canon_prefix_len ? s->rs->canon_prefix_len - 1 : 0),
                              s->rs->canon_prefix, path)};
    audit_html_visitor_t v = {&x, on_ref, on_script, text};
    audit_html_walk(html, len, &v);
    free(x.base);
}

void audit_links_flush(audit_site_t *s)
{
    for (size_t i = 0; i < s->nagg; i++) {
        audit_agg_t *g = &s->agg[i];
        const char *times = g->count > 1 ? " times" : " time";
        if (strcmp(g->rule, AUDIT_LINK_BROKEN) == 0) {
            audit_add(s, g->rule, g->sev, g->first_url,
                      "link to %s, which does not exist (%zu%s)", g->what, g->count, times);
            audit_zh(s, "链接 %s 指向的页面不存在（%zu 处）", g->what, g->count);
        } else if (strcmp(g->rule, AUDIT_LINK_FOREIGN) == 0) {
            audit_add(s, g->rule, g->sev, g->first_url,
                      "link to %s, a host outside .cn/.中国 and not in audit.allow_hosts (%zu%s)",
                      g->what, g->count, times);
            audit_zh(s, "链接到 %s：该域名不在 .cn/.中国 之下，也不在 audit.allow_hosts 中（%zu 处）",
                     g->what, g->count);
        } else if (strcmp(g->rule, AUDIT_LINK_HIDDEN) == 0) {
            audit_add(s, g->rule, g->sev, g->first_url,
                      "hidden link to %s (暗链): citizens cannot see it, and it points out of the "
                      "cluster to a host that is not a government site (%zu%s)",
                      g->what, g->count, times);
            audit_zh(s, "隐藏链接（暗链）指向 %s：页面上不可见，指向站群以外的非政府网站域名（%zu 处）",
                     g->what, g->count);
        } else if (strcmp(g->rule, AUDIT_LINK_EXTERNAL) == 0) {
            audit_add(s, g->rule, g->sev, g->first_url, "link to %s, outside the cluster (%zu%s)",
                      g->what, g->count, times);
            audit_zh(s, "链接到站群以外的 %s（%zu 处）", g->what, g->count);
        } else {
            audit_add(s, g->rule, g->sev, g->first_url, "%s (%zu%s)", g->what, g->count, times);
            audit_zh(s, "%s（%zu 处）", g->what_zh ? g->what_zh : g->what, g->count);
        }
        free(g->what);
        free(g->what_zh);
        free(g->first_url);
    }
    free(s->agg);
    s->agg = NULL;
    s->nagg = s->capagg = 0;
    strmap_free(&s->agg_index);
    strmap_init(&s->agg_index);
}

/* ---- dates ---- */

static size_t digits(const char *s, size_t n, size_t i, size_t max)
{
    size_t k = 0;
    while (i + k < n && k < max + 1 && isdigit((unsigned char)s[i + k]))
        k++;
    return k;
}

/* A separator after the year or month: '-', '/', '.', or 年 / 月 (3 bytes in UTF-8). */
static size_t date_sep(const char *s, size_t n, size_t i, const char *cn)
{
    if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.'))
        return 1;
    if (i + 3 <= n && memcmp(s + i, cn, 3) == 0)
        return 3;
    return 0;
}

bool audit_text_has_date(const char *s, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i++) {
        if (!(s[i] == '1' || s[i] == '2') || (i > 0 && isdigit((unsigned char)s[i - 1])))
            continue;
        if (digits(s, n, i, 4) != 4)
            continue;
        int year = atoi(s + i);
        if (year < 1990 || year > 2100)
            continue;
        size_t j = i + 4, k;
        if (!(k = date_sep(s, n, j, "年")))
            continue;
        j += k;
        size_t dm = digits(s, n, j, 2);
        if (dm < 1 || dm > 2)
            continue;
        int month = atoi(s + j);
        j += dm;
        if (month < 1 || month > 12 || !(k = date_sep(s, n, j, "月")))
            continue;
        j += k;
        size_t dd = digits(s, n, j, 2);
        if (dd < 1 || dd > 2)
            continue;
        int day = atoi(s + j);
        if (day >= 1 && day <= 31)
            return true;
    }
    return false;
}
