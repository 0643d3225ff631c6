/* modules/interaction/interaction_form.c: a submitted message form: the media type, urlencoded
 * decoding into UTF-8 fields, and the checks that name each problem for the citizen
 * (required fields, lengths in characters, phone and e-mail shapes). */
#include "interaction_form.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "interaction.h"

bool interaction_form_type_ok(const char *ct, size_t len)
{
    return form_media_type_is(ct, len, "application/x-www-form-urlencoded") &&
           form_charset_utf8(ct, len);
}

void interaction_form_error(interaction_form_t *f, const char *field, const char *text)
{
    if (f->nerrors < INTERACTION_MAX_ERRORS) {
        f->errors[f->nerrors].field = field;
        f->errors[f->nerrors].text = text;
        f->nerrors++;
    }
}

/* Leading and trailing white space is not content; CRLF from a textarea becomes LF. */
static void tidy(char *s, size_t *len)
{
    size_t o = 0;
    for (size_t i = 0; i < *len; i++)
        if (!(s[i] == '\r' && i + 1 < *len && s[i + 1] == '\n'))
            s[o++] = s[i] == '\r' ? '\n' : s[i];
    size_t a = 0;
    while (a < o && (s[a] == ' ' || s[a] == '\t' || s[a] == '\n'))
        a++;
    while (o > a && (s[o - 1] == ' ' || s[o - 1] == '\t' || s[o - 1] == '\n'))
        o--;
    memmove(s, s + a, o - a);
    s[o - a] = '\0';
    *len = o - a;
}

void interaction_form_parse(interaction_form_t *f, const char *body, size_t len)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"title", offsetof(interaction_form_t, title)},
        {"body", offsetof(interaction_form_t, body)},
        {"name", offsetof(interaction_form_t, name)},
        {"phone", offsetof(interaction_form_t, phone)},
        {"email", offsetof(interaction_form_t, email)},
        {"token", offsetof(interaction_form_t, token)},
        {INTERACTION_HONEYPOT, offsetof(interaction_form_t, honeypot)},
    };
    const char *p = body ? body : "", *end = p + (body ? len : 0);
    const char *k, *v;
    size_t kl, vl;
    while (form_next_field(&p, end, &k, &kl, &v, &vl)) {
        size_t kn;
        char *key = form_decode(k, kl, &kn);
        if (!key) {
            f->bad_encoding = true;
            continue;
        }
        size_t i;
        for (i = 0; i < UTIL_ARRAY_LEN(fields); i++)
            if (strlen(fields[i].name) == kn && memcmp(fields[i].name, key, kn) == 0)
                break;
        free(key);
        if (i == UTIL_ARRAY_LEN(fields))
            continue; /* a field we do not know (a submit button's name) */
        char **slot = (char **)((char *)f + fields[i].off);
        size_t vn = 0;
        char *val = v ? form_decode(v, vl, &vn) : util_strdup("");
        if (!val || !message_text_ok(val, vn, true, NULL)) {
            /* Not UTF-8 text: never echoed back, never stored. */
            f->bad_encoding = true;
            free(val);
            continue;
        }
        if (*slot) {
            /* Given twice: ambiguous, so neither is taken. */
            interaction_form_error(f, fields[i].name, "该项重复提交");
            free(val);
            continue;
        }
        tidy(val, &vn);
        *slot = val;
    }
    if (f->bad_encoding)
        interaction_form_error(f, "form", "提交的内容不是有效的 UTF-8 文本或编码有误，请检查后重新提交");
}

static bool one_line(const char *s)
{
    return !strpbrk(s, "\n\t");
}

static bool phone_ok(const char *s)
{
    size_t digits = 0, n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!strchr("+-() ", s[i]))
            return false;
    }
    return digits >= 5 && n <= MESSAGE_PHONE_MAX;
}

static bool email_ok(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n > MESSAGE_EMAIL_MAX || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || strchr("<>\"'(),;:\\[]", s[i]))
            return false;
    return at[1] != '.' && s[n - 1] != '.';
}

static size_t chars(const char *s)
{
    size_t n = 0;
    message_text_ok(s, strlen(s), true, &n);
    return n;
}

void interaction_form_check(interaction_form_t *f)
{
    if (f->bad_encoding)
        return;
    if (!f->title || !*f->title)
        interaction_form_error(f, "title", "请填写标题");
    else if (chars(f->title) > MESSAGE_TITLE_MAX)
        interaction_form_error(f, "title", "标题不能超过 100 个字");
    else if (!one_line(f->title))
        interaction_form_error(f, "title", "标题只能有一行");
    if (!f->body || !*f->body)
        interaction_form_error(f, "body", "请填写留言内容");
    else if (chars(f->body) > MESSAGE_BODY_MAX)
        interaction_form_error(f, "body", "留言内容不能超过 5000 个字");
    if (!f->name || !*f->name)
        interaction_form_error(f, "name", "请填写姓名");
    else if (chars(f->name) > MESSAGE_NAME_MAX || !one_line(f->name))
        interaction_form_error(f, "name", "姓名不能超过 32 个字，且只能有一行");
    if (!f->phone || !*f->phone)
        interaction_form_error(f, "phone", "请填写联系电话");
    else if (!phone_ok(f->phone))
        interaction_form_error(f, "phone", "联系电话格式不正确（数字，可含 + - 空格和括号）");
    if (f->email && *f->email && !email_ok(f->email))
        interaction_form_error(f, "email", "电子邮箱格式不正确");
}

void interaction_form_free(interaction_form_t *f)
{
    free(f->title);
    free(f->body);
    free(f->name);
    free(f->phone);
    free(f->email);
    free(f->token);
    free(f->honeypot);
}
