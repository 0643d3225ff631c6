/* modules/care/care.c: the 适老化 mode's cookie, its switch endpoint and the link every
 * themed page shows (see care.h). The module has a handler and nothing else: it answers
 * `<mount>care` and declines every other request after one length comparison. */
#include "care.h"

#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "module.h"
#include "url.h"

bool care_mode(const request_t *r)
{
    const http1_header_t *ck = request_header(r, "Cookie");
    if (!ck)
        return false;
    static const char want[] = CARE_COOKIE "=1";
    const size_t wn = sizeof want - 1;
    const char *s = ck->value.p;
    size_t len = ck->value.len, i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == ';'))
            i++;
        size_t start = i;
        while (i < len && s[i] != ';')
            i++;
        size_t end = i;
        while (end > start && s[end - 1] == ' ')
            end--;
        if (end - start == wn && memcmp(s + start, want, wn) == 0)
            return true;
    }
    return false;
}

bool care_local_path(const char *p, size_t n)
{
    return n <= CARE_TO_MAX && url_local_path(p, n);
}

/* Percent-encodes a query value: all but unreserved characters and '/'. */
static void encode_value(util_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            util_buf_append(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            util_buf_append(b, e, 3);
        }
    }
}

static void link_url(util_buf_t *b, bool on, const char *home, const char *to, size_t to_len)
{
    util_buf_appends(b, home);
    util_buf_appends(b, on ? CARE_PATH "?on=0" : CARE_PATH "?on=1");
    if (to && to_len) {
        util_buf_appends(b, "&to=");
        encode_value(b, to, to_len);
    }
}

void care_tpl(tpl_data_t *d, tpl_val_t *root, bool on, const char *home, const char *to,
              size_t to_len)
{
    tpl_val_t *m = tpl_set_map(d, root, "care");
    tpl_set_bool(d, m, "on", on);
    util_buf_t b = {0};
    link_url(&b, on, home, to, to_len);
    tpl_set_strn(d, m, "url", b.data, b.len);
    util_buf_free(&b);
}

void care_link_html(util_buf_t *out, bool on, const char *home, const char *to, size_t to_len)
{
    util_buf_t b = {0};
    link_url(&b, on, home, to, to_len);
    util_buf_appends(out, "<a class=\"care-switch\" href=\"");
    tpl_escape(out, b.data, b.len);
    util_buf_appends(out, on ? "\">返回标准版</a>" : "\">关怀版（大字）</a>");
    util_buf_free(&b);
}

/* on=1|0&to=PATH: the cookie set (a year) or cleared, then 303 to PATH or home. */
void care_switch(request_t *r, const char *home, size_t home_len)
{
    bool on = false;
    char *to = NULL;
    size_t to_len = 0;
    const char *p = r->query, *end = r->query ? r->query + r->query_len : NULL;
    const char *k, *v;
    size_t kl, vl;
    for (int fields = 0; p && fields < 8 && form_next_field(&p, end, &k, &kl, &v, &vl); fields++) {
        if (kl == 2 && memcmp(k, "on", 2) == 0)
            on = v && vl == 1 && v[0] == '1';
        else if (kl == 2 && memcmp(k, "to", 2) == 0 && v && !to && vl <= 3 * CARE_TO_MAX)
            to = form_decode(v, vl, &to_len);
    }
    util_buf_t loc = {0}, cookie = {0};
    if (to && care_local_path(to, to_len)) {
        static const char hex[] = "0123456789ABCDEF";
        for (size_t i = 0; i < to_len; i++) {
            unsigned char c = (unsigned char)to[i];
            if (c < 0x80) {
                util_buf_append(&loc, (const char *)&c, 1);
            } else {
                char e[3] = {'%', hex[c >> 4], hex[c & 15]};
                util_buf_append(&loc, e, 3);
            }
        }
    } else {
        util_buf_append(&loc, home, home_len);
    }
    free(to);
    if (on)
        util_buf_appends(&cookie, CARE_COOKIE "=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    else
        util_buf_appends(&cookie, CARE_COOKIE "=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly");
    if (r->tls)
        util_buf_appends(&cookie, "; Secure");
    response_begin(r, 303);
    response_header(r, "Location", loc.data, loc.len);
    response_header(r, "Set-Cookie", cookie.data, cookie.len);
    if (!r->not_public) /* else the core's "private, no-store" is said already */
        response_header(r, "Cache-Control", "no-store", 8);
    response_header(r, "Content-Type", "text/plain; charset=utf-8", 25);
    response_end_headers(r, 0);
    util_buf_free(&loc);
    util_buf_free(&cookie);
}

/* GET <mount>care?on=1|0&to=PATH, back to the site's home without a good PATH. */
static module_result_t care_handle(request_t *r)
{
    static const char me[] = "/" CARE_PATH;
    if (r->rel_len != sizeof me - 1 || memcmp(r->rel, me, sizeof me - 1) != 0)
        return MODULE_DECLINED;
    util_buf_t home = {0};
    url_append_path(&home, r->path, r->path_len - r->rel_len + 1); /* the site's home */
    care_switch(r, home.data, home.len);
    util_buf_free(&home);
    return MODULE_DONE;
}

module_t module_care = {
    .name = "care",
    .handle = care_handle,
};
