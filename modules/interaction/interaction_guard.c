/* modules/interaction/interaction_guard.c: who may post a message form: the form cookie (jiyue_form, a
 * random nonce the form's token is an HMAC over: double submit, so a token is good only in
 * the browser it was given to) and the check that a POST comes from a page of the cluster
 * (Origin, or without one Referer). */
#include "interaction_guard.h"

#include <stdio.h>
#include <string.h>

#include "interaction.h"
#include "lifecycle.h"
#include "router.h"
#include "snapshot.h"

/* The form cookie's values in the request (a browser may send one per matching Path),
 * well-formed ones only; returns how many (at most max). */
size_t interaction_cookie_nonces(const request_t *r, char out[][MESSAGE_NONCE_LEN + 1],
                                 size_t max)
{
    const http1_header_t *ck = request_header(r, "Cookie");
    if (!ck)
        return 0;
    const char *v = ck->value.p, *end = v + ck->value.len;
    size_t n = 0, name = sizeof INTERACTION_COOKIE - 1;
    while (v < end && n < max) {
        while (v < end && (*v == ' ' || *v == ';'))
            v++;
        const char *semi = memchr(v, ';', (size_t)(end - v));
        const char *e = semi ? semi : end;
        if ((size_t)(e - v) == name + 1 + MESSAGE_NONCE_LEN &&
            memcmp(v, INTERACTION_COOKIE, name) == 0 && v[name] == '=' &&
            message_nonce_ok(v + name + 1, MESSAGE_NONCE_LEN)) {
            memcpy(out[n], v + name + 1, MESSAGE_NONCE_LEN);
            out[n++][MESSAGE_NONCE_LEN] = '\0';
        }
        v = e;
    }
    return n;
}

/* The nonce a form page binds its token to: the browser's own when it has one (two open
 * forms stay good), else a fresh one. False when none can be made. */
bool interaction_page_nonce(const request_t *r, char nonce[MESSAGE_NONCE_LEN + 1])
{
    char have[1][MESSAGE_NONCE_LEN + 1];
    if (interaction_cookie_nonces(r, have, 1) == 1) {
        memcpy(nonce, have[0], sizeof have[0]);
        return true;
    }
    return message_nonce_new(nonce) == 0;
}

/* Whether host (no port, any case) is one this request may come from: the request's own
 * host, a host of the cluster (sites and their aliases) or a redesign's preview host. */
static bool host_ours(const request_t *r, const char *host, size_t n)
{
    char low[256];
    if (n == 0 || n >= sizeof low)
        return false;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    const char *own = r->host;
    size_t on = r->host_len;
    const char *colon = own ? memrchr(own, ':', on) : NULL;
    if (colon && !memchr(colon, ']', (size_t)(own + on - colon)))
        on = (size_t)(colon - own);
    if (own && util_streq_nocase(own, on, low, n))
        return true;
    if (strmap_get(&r->snap->router->hosts, low, n))
        return true;
    const conf_t *c = r->snap->conf;
    for (size_t i = 0; i < c->nsites; i++) {
        const char *ph = lifecycle_conf(&c->sites[i])->preview_host;
        if (ph && strlen(ph) == n && memcmp(ph, low, n) == 0)
            return true;
    }
    return false;
}

/* The host of "scheme://host[:port][/...]"; false when v is not such a URL. */
static bool url_host(const char *v, size_t len, const char **host, size_t *n)
{
    const char *sep = len > 3 ? memmem(v, len, "://", 3) : NULL;
    if (!sep || sep == v)
        return false;
    const char *h = sep + 3, *end = v + len;
    const char *e = h;
    if (e < end && *e == '[') {
        while (e < end && *e != ']')
            e++;
        if (e == end)
            return false;
        e++;
    } else {
        while (e < end && *e != ':' && *e != '/' && *e != '?' && *e != '#')
            e++;
    }
    if (e < end && !strchr(":/?#", *e))
        return false;
    *host = h;
    *n = (size_t)(e - h);
    return *n > 0 && !memchr(h, '@', *n);
}

/* False for a POST that names a foreign page as its origin: Origin when the browser sent
 * one ("null", sent from opaque origins, names none), else Referer. Neither: allowed (the
 * SameSite cookie still binds the token). */
bool interaction_origin_ok(const request_t *r)
{
    const http1_header_t *o = request_header(r, "Origin");
    if (!(o && o->value.len == 4 && memcmp(o->value.p, "null", 4) == 0) && o) {
        const char *h;
        size_t n;
        return url_host(o->value.p, o->value.len, &h, &n) && host_ours(r, h, n);
    }
    const http1_header_t *ref = request_header(r, "Referer");
    if (!ref)
        return true;
    const char *h;
    size_t n;
    return url_host(ref->value.p, ref->value.len, &h, &n) && host_ours(r, h, n);
}
