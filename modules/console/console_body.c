/* modules/console/console_body.c: a console request's body as one JSON object, from JSON
 * or from an urlencoded form, and the field readers every handler shares
 * (console_body.h). */
#include "console_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_api.h"
#include "form.h"
#include "path.h"

static json_t *body_from_json(request_t *r)
{
    json_error_t err;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!o) {
        char msg[JSON_ERROR_TEXT_LENGTH + 64];
        snprintf(msg, sizeof msg, "the body is not JSON: %s (at byte %d)", err.text,
                 err.position);
        console_error(r, 400, msg, NULL);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        console_error(r, 400, "the body must be a JSON object", NULL);
        return NULL;
    }
    return o;
}

/* Whether a decoded field name is one a console form could use: short, [a-z0-9_]. */
static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > CONSOLE_FORM_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static json_t *body_from_form(request_t *r)
{
    json_t *o = json_object();
    const char *p = r->body, *end = r->body + r->body_len, *k, *v;
    size_t kl, vl, nfields = 0;
    while (form_next_field(&p, end, &k, &kl, &v, &vl)) {
        size_t kn, vn = 0;
        char *key = form_decode(k, kl, &kn);
        char *val = key ? (v ? form_decode(v, vl, &vn) : util_strdup("")) : NULL;
        const char *why = NULL;
        if (!key || !val)
            why = "the form has a malformed % escape";
        else if (!name_ok(key, kn))
            why = "the form has a field this console does not use";
        else if (!path_utf8_valid((const unsigned char *)val, vn) || memchr(val, '\0', vn))
            why = "the form is not UTF-8 text";
        else if (++nfields > CONSOLE_FORM_FIELDS_MAX)
            why = "the form has too many fields";
        else if (json_object_get(o, key))
            why = "a field is given twice";
        if (why) {
            console_error(r, 400, why, key && name_ok(key, kn) ? key : NULL);
            free(key);
            free(val);
            json_decref(o);
            return NULL;
        }
        if (strcmp(key, "csrf") != 0)
            json_object_set_new(o, key, json_stringn(val, vn));
        free(key);
        free(val);
    }
    return o;
}

/* A multipart form: its fields as the JSON object, its files (when the handler takes
 * them) into *files. */
static json_t *body_from_multipart(request_t *r, const http1_header_t *ct,
                                   console_multipart_t **files)
{
    const char *b;
    size_t bl;
    if (!form_media_param(ct->value.p, ct->value.len, "boundary", &b, &bl)) {
        console_error(r, 400, "a multipart form needs its boundary", NULL);
        return NULL;
    }
    console_multipart_t *m = util_malloc(sizeof *m);
    const char *why = NULL;
    if (!console_multipart_parse(r->body, r->body_len, b, bl, m, &why)) {
        free(m);
        console_error(r, 400, why, NULL);
        return NULL;
    }
    json_t *o = json_object();
    size_t nfiles = 0;
    for (size_t i = 0; i < m->n; i++) {
        const console_part_t *p = &m->part[i];
        const char *bad = NULL;
        if (p->is_file && !files)
            bad = "this request takes no files";
        else if (p->is_file && p->filename[0])
            m->part[nfiles++] = *p; /* kept in place: nfiles <= i */
        else if (p->is_file)
            ; /* a file input left empty */
        else if (!path_utf8_valid((const unsigned char *)p->data, p->len) ||
                 memchr(p->data, '\0', p->len))
            bad = "the form is not UTF-8 text";
        else if (json_object_get(o, p->name))
            bad = "a field is given twice";
        else if (strcmp(p->name, "csrf") != 0)
            json_object_set_new(o, p->name, json_stringn(p->data, p->len));
        if (bad) {
            console_error(r, 400, bad, p->name);
            json_decref(o);
            free(m);
            return NULL;
        }
    }
    m->n = nfiles;
    if (files && nfiles)
        *files = m;
    else
        free(m);
    return o;
}

static json_t *body_parse(request_t *r, console_multipart_t **files)
{
    if (files)
        *files = NULL;
    if (!r->body || r->body_len == 0) {
        console_error(r, 400, "the body is empty: a JSON object is expected", NULL);
        return NULL;
    }
    const http1_header_t *ct = request_header(r, "Content-Type");
    if (ct && form_media_type_is(ct->value.p, ct->value.len, "multipart/form-data"))
        return body_from_multipart(r, ct, files); /* files are bytes: UTF-8 per field */
    if (!path_utf8_valid((const unsigned char *)r->body, r->body_len)) {
        console_error(r, 400, "the body is not UTF-8", NULL);
        return NULL;
    }
    /* A body without a type is taken as JSON: the API's scripts often leave it out. */
    if (!ct || form_media_type_is(ct->value.p, ct->value.len, "application/json"))
        return body_from_json(r);
    if (form_media_type_is(ct->value.p, ct->value.len, "application/x-www-form-urlencoded")) {
        if (!form_charset_utf8(ct->value.p, ct->value.len)) {
            console_error(r, 415, "a form must be sent in UTF-8", NULL);
            return NULL;
        }
        return body_from_form(r);
    }
    console_error(r, 415, "the body must be application/json or a form", NULL);
    return NULL;
}

json_t *console_body_json(request_t *r)
{
    return body_parse(r, NULL);
}

json_t *console_body_upload(request_t *r, console_multipart_t **files)
{
    return body_parse(r, files);
}

const char *console_field_str(request_t *r, json_t *o, const char *name, size_t *len)
{
    json_t *v = json_object_get(o, name);
    if (!v) {
        console_error(r, 400, "missing field", name);
        return NULL;
    }
    if (!json_is_string(v)) {
        console_error(r, 400, "must be a string", name);
        return NULL;
    }
    *len = json_string_length(v);
    if (*len == 0) {
        console_error(r, 400, "must not be empty", name);
        return NULL;
    }
    return json_string_value(v);
}

bool console_field_bool(const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    if (json_is_true(v))
        return true;
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    return !strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "1") || !strcmp(s, "yes");
}

bool console_field_opt(request_t *r, const json_t *o, const char *name, const char **out)
{
    const json_t *v = json_object_get(o, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v)) {
        console_error(r, 400, "must be a string", name);
        return false;
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        console_error(r, 400, "must not hold a NUL character", name);
        return false;
    }
    *out = s;
    return true;
}

bool console_fields_known(request_t *r, const json_t *o, const char *const *names)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        size_t i = 0;
        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        if (!names[i]) {
            /* the name is the client's: shown only when it is short and plain */
            console_error(r, 400, "unknown field", name_ok(key, strlen(key)) ? key : NULL);
            return false;
        }
    }
    return true;
}
