/* modules/registration/registration.c: the registration module (see registration.h):
 * reading a site's `registration:` into the module's slot, the 网站标识码's form, and the
 * rules across sites (what a live site needs, which identifiers are one site's own). A
 * site's lifecycle decides whether it is live: the lifecycle module's state. */
#include "registration.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conf_node.h"
#include "lifecycle.h"
#include "util.h"

static const registration_t none;

const registration_t *registration_of(const conf_site_t *s)
{
    const registration_t *reg = module_site_conf(s, &module_registration);
    return reg ? reg : &none;
}

/* ---- one site file ---- */

/* In the order of registration_t.misspelt's bits and of check_live's fields. */
static const conf_key_t reg_keys[] = {
    {"site_code", CONF_K_STR, offsetof(registration_t, site_code), NULL, false, 0},
    {"icp", CONF_K_STR, offsetof(registration_t, icp), NULL, false, 0},
    {"police", CONF_K_STR, offsetof(registration_t, police), NULL, false, 0},
    {"organizer", CONF_K_STR, offsetof(registration_t, organizer), NULL, false, 0},
    {"contact", CONF_K_STR, offsetof(registration_t, contact), NULL, false, 0},
};

static void key_registration(conf_ctx_t *x, void *obj, const yaml_dom_node_t *k, const yaml_dom_node_t *v)
{
    registration_t *reg = obj;
    reg->pos = conf_pos(x, v);
    if (!conf_walk(x, v, "registration", reg_keys, UTIL_ARRAY_LEN(reg_keys), reg))
        return;
    reg->misspelt = x->misspelt;
    const yaml_dom_node_t *n;
    if (reg->site_code && (n = yaml_dom_get(v, "site_code")))
        reg->site_code_pos = conf_pos(x, n);
    if (reg->icp && (n = yaml_dom_get(v, "icp")))
        reg->icp_pos = conf_pos(x, n);
    if (reg->police && (n = yaml_dom_get(v, "police")))
        reg->police_pos = conf_pos(x, n);
    const char *code = reg->site_code;
    if (code) {
        bool ok = strlen(code) == 10;
        for (size_t i = 0; ok && code[i]; i++)
            ok = isalnum((unsigned char)code[i]);
        if (!ok)
            conf_err(x, yaml_dom_get(v, "site_code"),
                     "registration.site_code '%s' must be 10 letters or digits (网站标识码, e.g. 6210000001)", code);
    }
}

static const conf_key_t site_keys[] = {
    {"registration", CONF_K_FN, 0, key_registration, false, 0},
};

static void site_conf_free(void *slot)
{
    registration_t *reg = slot;
    free(reg->site_code);
    free(reg->icp);
    free(reg->police);
    free(reg->organizer);
    free(reg->contact);
}

/* ---- rules across sites ---- */

static conf_pos_t site_pos(const conf_site_t *s)
{
    return s->id_pos.line ? s->id_pos : s->pos;
}

/* A live site (active, or in redesign) shows all five in its footer. */
static void check_live(conf_ctx_t *x)
{
    static const struct {
        size_t off;
        const char *key, *label;
    } fields[] = {
        {offsetof(registration_t, site_code), "site_code", "网站标识码"},
        {offsetof(registration_t, icp), "icp", "ICP备案号"},
        {offsetof(registration_t, police), "police", "公安备案号"},
        {offsetof(registration_t, organizer), "organizer", "主办单位"},
        {offsetof(registration_t, contact), "contact", "联系方式"},
    };
    const conf_t *c = x->c;
    for (size_t i = 0; i < c->nsites; i++) {
        const conf_site_t *s = &c->sites[i];
        const registration_t *reg = registration_of(s);
        lifecycle_state_t st = lifecycle_conf(s)->state;
        /* a misspelt key already has its error: "needs ..." for each field would bury it */
        if ((st != LIFECYCLE_ACTIVE && st != LIFECYCLE_REDESIGN) || conf_site_misspelt(s, "registration"))
            continue;
        conf_pos_t p = reg->pos.line ? reg->pos : site_pos(s);
        for (size_t f = 0; f < UTIL_ARRAY_LEN(fields); f++) {
            if (!*(char *const *)((const char *)reg + fields[f].off) &&
                !((reg->misspelt >> f) & 1)) /* fields[] is in the order of reg_keys */
                conf_err_at(x, p, "%s site needs registration.%s (%s)", lifecycle_state_name(st),
                            fields[f].key, fields[f].label);
        }
    }
}

typedef struct claim {
    const char *value;
    size_t site; /* file order */
    conf_pos_t pos;
} claim_t;

static int cmp_claim(const void *a, const void *b)
{
    const claim_t *x = a, *y = b;
    int c = strcmp(x->value, y->value);
    return c ? c : (x->site < y->site ? -1 : x->site > y->site);
}

/* 网站标识码 and 公安备案号 name one site each: two sites with the same one is a copied
 * file left half-edited. An ICP number may be shared (a portal's departments often
 * file under the portal's), so a repeat of it is only worth a look. */
static void check_unique(conf_ctx_t *x)
{
    static const struct {
        size_t off, pos_off;
        const char *key;
        bool shared_ok;
    } fields[] = {
        {offsetof(registration_t, site_code), offsetof(registration_t, site_code_pos), "site_code", false},
        {offsetof(registration_t, police), offsetof(registration_t, police_pos), "police", false},
        {offsetof(registration_t, icp), offsetof(registration_t, icp_pos), "icp", true},
    };
    const conf_t *c = x->c;
    claim_t *cl = util_calloc(c->nsites + 1, sizeof *cl);
    for (size_t f = 0; f < UTIL_ARRAY_LEN(fields); f++) {
        size_t n = 0;
        for (size_t i = 0; i < c->nsites; i++) {
            const registration_t *reg = registration_of(&c->sites[i]);
            const char *v = *(char *const *)((const char *)reg + fields[f].off);
            const conf_pos_t *p = (const conf_pos_t *)((const char *)reg + fields[f].pos_off);
            if (v && p->line)
                cl[n++] = (claim_t){v, i, *p};
        }
        if (n > 1)
            qsort(cl, n, sizeof *cl, cmp_claim);
        for (size_t k = 1; k < n; k++) {
            const claim_t *a = &cl[k - 1], *b = &cl[k];
            if (strcmp(a->value, b->value) != 0)
                continue;
            if (fields[f].shared_ok)
                conf_warn_at(x, b->pos,
                             "registration.%s '%s' is also site '%s''s (%s:%d): fine for "
                             "departments filed under one ICP number, otherwise a copy left unedited",
                             fields[f].key, b->value, c->sites[a->site].id, a->pos.file, a->pos.line);
            else
                conf_err_at(x, b->pos, "registration.%s '%s' is already site '%s''s (%s:%d): "
                                       "each site has its own",
                            fields[f].key, b->value, c->sites[a->site].id, a->pos.file, a->pos.line);
        }
    }
    free(cl);
}

static void conf_check(conf_ctx_t *x)
{
    check_live(x);
    check_unique(x);
}

module_t module_registration = {
    .name = "registration",
    .site_keys = site_keys,
    .nsite_keys = UTIL_ARRAY_LEN(site_keys),
    .site_conf_size = sizeof(registration_t),
    .site_conf_free = site_conf_free,
    .conf_check = conf_check,
};
