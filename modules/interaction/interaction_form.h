/* modules/interaction/interaction_form.h: a submitted message form (defined in
 * interaction_form.c): the media type, urlencoded decoding into UTF-8 fields, and
 * the checks that name each problem for the citizen. Part of the interaction module
 * (interaction.h). */
#ifndef JIYUE_INTERACTION_FORM_H
#define JIYUE_INTERACTION_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define INTERACTION_MAX_ERRORS 8

/* A submitted form: the fields decoded, trimmed and checked. Heap strings (NULL when the
 * field was absent). */
typedef struct interaction_form {
    char *title, *body, *name, *phone, *email, *token, *honeypot;
    struct {
        const char *field; /* "title", "body", ... or "form" */
        const char *text;  /* what is wrong, for the citizen */
    } errors[INTERACTION_MAX_ERRORS];
    size_t nerrors;
    bool bad_encoding; /* not a well-formed urlencoded body of UTF-8 text */
} interaction_form_t;

/* Media type check: application/x-www-form-urlencoded, charset absent or UTF-8. */
bool interaction_form_type_ok(const char *ct, size_t len);
/* Decodes the body into f (fields only; errors for what is malformed). */
void interaction_form_parse(interaction_form_t *f, const char *body, size_t len);
/* Checks the fields a message needs; adds an error per problem. */
void interaction_form_check(interaction_form_t *f);
void interaction_form_error(interaction_form_t *f, const char *field, const char *text);
void interaction_form_free(interaction_form_t *f);

#endif
