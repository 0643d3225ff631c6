/* modules/console/console_guard.h: the checks a console request passes before it acts:
 * its session cookie, the CSRF token of a state-changing request (compared in constant
 * time) and its Origin (the management listener's own). Pure functions over the request's
 * header values, unit-tested. */
#ifndef JIYUE_CONSOLE_GUARD_H
#define JIYUE_CONSOLE_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/* The value of cookie `name` in a Cookie header value ("a=1; name=v"): false when absent. */
bool console_cookie_find(const char *header, size_t len, const char *name, const char **val,
                         size_t *vlen);
/* Whether the token given[0..len) is the session's (`expected`, NUL-terminated): the
 * comparison takes the same time wherever they differ (CRYPTO_memcmp), and an empty or
 * differently sized token never matches. */
bool console_csrf_equal(const char *expected, const char *given, size_t len);
/* Whether an Origin header value is the management listener's own origin: the scheme the
 * request came by (https over TLS) and the Host it names, "scheme://host[:port]"
 * (ASCII case ignored in the scheme and host). A missing Origin (origin NULL), "null", or
 * any other origin is refused. */
bool console_origin_ok(const char *origin, size_t olen, bool tls, const char *host, size_t hlen);
/* The `csrf` field of an application/x-www-form-urlencoded body (its value as sent): false
 * when absent. */
bool console_form_field(const char *body, size_t len, const char *name, const char **val,
                        size_t *vlen);

#endif
