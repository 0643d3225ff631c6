/* modules/care/care.h: 适老化 mode (关怀版): the visitor's choice, kept in a cookie, that a
 * page be rendered with the theme's care.css (large text, wide line spacing, 7:1 contrast,
 * large click targets, a simpler navigation, no animation). The same content at the same
 * URLs: every module that renders a page in the theme asks care_mode() and keys its cache
 * by the answer, and marks the response `Vary: Cookie` (its ETag differs with the body).
 *
 * The endpoint `<mount>care?on=1|0&to=PATH` (care.c, the module's handler, before the
 * lifecycle notices so that it works on a suspended site too) sets or clears the cookie
 * and answers 303 to PATH: a plain link, so it works with JavaScript off. PATH must be a
 * path of this host ("/..."); anything else (another host, "//host", "/\host", control
 * bytes) sends the visitor to the site's home instead: never an open redirect. */
#ifndef JIYUE_CARE_H
#define JIYUE_CARE_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "template.h"
#include "util.h"

#define CARE_COOKIE "jiyue_care"
#define CARE_PATH "care" /* below a site's mount */
#define CARE_TO_MAX 2048 /* the longest return path taken */

/* Whether r asks for the 适老化 rendering (its Cookie header holds jiyue_care=1). One
 * header lookup; a request without a Cookie header pays a bit test. */
bool care_mode(const request_t *r);

/* The `care` map every themed page gets: care.on (this rendering's mode) and care.url,
 * the link that switches to the other mode and comes back to `to` (a path of this host,
 * NULL for the site's home). `home` is the site's mount as the request spelled it. */
void care_tpl(tpl_data_t *d, tpl_val_t *root, bool on, const char *home, const char *to,
              size_t to_len);

/* The same link, HTML-escaped, appended to out (pages not rendered from templates). */
void care_link_html(util_buf_t *out, bool on, const char *home, const char *to, size_t to_len);

/* A return path the endpoint accepts: "/" then anything but a second '/' or '\', no
 * control bytes, spaces or backslashes, at most CARE_TO_MAX bytes. */
bool care_local_path(const char *p, size_t n);

/* The switch's answer to r (its query: on=1|0, to=PATH): the cookie set or cleared, then
 * 303 to PATH when care_local_path() takes it, else to `home` (a path already encoded for
 * a Location header). The public endpoint and the console's /care both answer with it. */
void care_switch(request_t *r, const char *home, size_t home_len);

#endif
