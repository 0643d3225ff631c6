/* core/h2_priority.c: reads the urgency out of an RFC 9218 Priority field value, a
 * Structured Field dictionary (RFC 8941 section 3.2) such as "u=1, i". Strict, and only as
 * wide as the values clients send: members and parameters whose values are integers,
 * booleans or tokens. A value holding a string, a decimal, a byte sequence or an inner
 * list (valid RFC 8941, but sent by no browser in this field) is not read: its stream
 * waits with urgency 3 while nghttp2 may schedule its DATA by it. Where a value is read,
 * the result is nghttp2's (nghttp2_http_parse_priority): u must be an integer from 0 to 7
 * and i a boolean, else the whole value is ignored; other keys are checked for syntax
 * only. */
#include "h2_priority.h"

#include <string.h>

#include "http1.h"

/* The rest of the value, not yet read. */
typedef struct {
    const char *p, *end;
} sf_in_t;

typedef enum { SF_INTEGER, SF_BOOLEAN, SF_TOKEN } sf_type_t;

typedef struct {
    sf_type_t type;
    long long n; /* an integer's value, a boolean's 0 or 1 */
} sf_item_t;

static bool at(const sf_in_t *in, char c)
{
    return in->p < in->end && *in->p == c;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lcalpha(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_alpha(char c)
{
    return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}

/* A token's later characters (RFC 8941 section 3.3.4): tchar, ":" and "/". */
static bool is_token_char(char c)
{
    return http1_is_tchar(c) || c == ':' || c == '/';
}

static void skip_sp(sf_in_t *in)
{
    while (at(in, ' '))
        in->p++;
}

static void skip_ows(sf_in_t *in)
{
    while (at(in, ' ') || at(in, '\t'))
        in->p++;
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static bool read_key(sf_in_t *in, const char **key, size_t *len)
{
    const char *start = in->p;
    if (!(at(in, '*') || (in->p < in->end && is_lcalpha(*in->p))))
        return false;
    for (in->p++; in->p < in->end; in->p++) {
        char c = *in->p;
        if (!is_lcalpha(c) && !is_digit(c) && !(c && strchr("_-.*", c)))
            break;
    }
    *key = start;
    *len = (size_t)(in->p - start);
    return true;
}

/* integer = ["-"] 1*15DIGIT (RFC 8941 section 3.3.1) */
static bool read_integer(sf_in_t *in, sf_item_t *item)
{
    bool negative = at(in, '-');
    in->p += negative;
    long long n = 0;
    int digits = 0;
    for (; in->p < in->end && is_digit(*in->p); in->p++) {
        if (++digits > 15)
            return false;
        n = n * 10 + (*in->p - '0');
    }
    *item = (sf_item_t){SF_INTEGER, negative ? -n : n};
    return digits > 0;
}

/* bare-item, of the kinds read here: an integer, a boolean (?0 or ?1), a token
 * ((ALPHA / "*") *(tchar / ":" / "/")). */
static bool read_bare_item(sf_in_t *in, sf_item_t *item)
{
    if (in->p == in->end)
        return false;
    char c = *in->p;
    if (c == '-' || is_digit(c))
        return read_integer(in, item);
    if (c == '?') {
        if (in->end - in->p < 2 || (in->p[1] != '0' && in->p[1] != '1'))
            return false;
        *item = (sf_item_t){SF_BOOLEAN, in->p[1] == '1'};
        in->p += 2;
        return true;
    }
    if (c == '*' || is_alpha(c)) {
        for (in->p++; in->p < in->end && is_token_char(*in->p); in->p++)
            ;
        *item = (sf_item_t){SF_TOKEN, 0};
        return true;
    }
    return false; /* a string, a byte sequence, an inner list, or not RFC 8941 at all */
}

/* parameters = *( ";" *SP key [ "=" bare-item ] ): checked, their values not needed. */
static bool skip_params(sf_in_t *in)
{
    while (at(in, ';')) {
        in->p++;
        skip_sp(in);
        const char *key;
        size_t len;
        sf_item_t item;
        if (!read_key(in, &key, &len))
            return false;
        if (at(in, '=') && (in->p++, !read_bare_item(in, &item)))
            return false;
    }
    return true;
}

/* member = key [ "=" bare-item ] parameters; a key alone is the boolean true. */
static bool read_member(sf_in_t *in, const char **key, size_t *len, sf_item_t *item)
{
    if (!read_key(in, key, len))
        return false;
    *item = (sf_item_t){SF_BOOLEAN, 1};
    if (at(in, '=') && (in->p++, !read_bare_item(in, item)))
        return false;
    return skip_params(in);
}

bool h2_priority_parse(const char *v, size_t len, unsigned *urgency)
{
    if (!len)
        return true; /* an empty dictionary (v may be NULL: a PRIORITY_UPDATE's empty value) */
    sf_in_t in = {v, v + len};
    int u = -1;
    skip_sp(&in);
    while (in.p < in.end) {
        const char *key;
        size_t klen;
        sf_item_t item;
        if (!read_member(&in, &key, &klen, &item))
            return false;
        if (klen == 1 && key[0] == 'u') {
            if (item.type != SF_INTEGER || item.n < 0 || item.n > 7)
                return false;
            u = (int)item.n; /* a later u replaces it (RFC 8941: the last value wins) */
        } else if (klen == 1 && key[0] == 'i' && item.type != SF_BOOLEAN) {
            return false;
        }
        skip_ows(&in);
        if (in.p == in.end)
            break;
        if (*in.p++ != ',')
            return false;
        skip_ows(&in);
        if (in.p == in.end)
            return false; /* a trailing comma */
    }
    if (u >= 0)
        *urgency = (unsigned)u;
    return true;
}
