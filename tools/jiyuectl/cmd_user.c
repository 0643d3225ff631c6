/* tools/jiyuectl/cmd_user.c: `jiyuectl user VERB`: the web console's accounts
 * (modules/accounts/accounts.h), managed from the central server's shell:
 *   user add NAME --role ROLE[:SITE|:SITE/\*] [--role ...] [--password-stdin]
 *   user passwd NAME [--password-stdin]
 *   user roles NAME ROLE[:SITE|:SITE/\*]...      (replaces the roles)
 *   user disable NAME / user enable NAME
 *   user ls
 * Without --password-stdin a strong password is generated and printed once on stdout; it
 * is stored only as its Argon2id hash. Everything is checked (name, roles against the
 * configuration's sites, the password's rules) and the password hashed before the store
 * is opened for writing; each change is one write transaction with its record in the
 * audit trail (`jiyuectl history`: action user-*, the account as id, the OS user who ran
 * jiyuectl as who), or is refused with one line and nothing written. Neither a password
 * nor a hash is ever printed, but the generated password, once. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "article.h"
#include "ctl.h"
#include "util.h"

/* An argument as the user typed it, in an error message: bounded, so that a huge argument
 * does not flood the terminal, and with control characters as '?', so that it cannot
 * move the cursor or rewrite what the terminal shows. */
#define SHOWN 40

static void defang(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static const char *shown(const char *arg, char buf[static SHOWN + 4])
{
    size_t n = strlen(arg);
    snprintf(buf, SHOWN + 4, "%.*s%s", SHOWN, arg, n > SHOWN ? "..." : "");
    defang(buf);
    return buf;
}

static int bad_name(ctl_t *ctl, const char *name)
{
    char b[SHOWN + 4];
    return ctl_fail(ctl, "bad account name '%s': 1-%d of [a-z0-9._-], starting with a letter "
                         "or digit", shown(name, b), ACCOUNT_NAME_MAX);
}

/* Parses role texts, checks each site against the configuration (which must be loaded),
 * and sets them on a. Reports and returns CTL_FAIL on the first bad one. */
static int parse_roles(ctl_t *ctl, char **texts, int n, account_t *a)
{
    if (n == 0)
        return ctl_fail(ctl, "give at least one role (ROLE:SITE, ROLE:SITE/* or "
                             "cluster_admin); to take every right away: user disable NAME");
    if (n > ACCOUNT_ROLES_MAX)
        return ctl_fail(ctl, "too many roles: at most %d", ACCOUNT_ROLES_MAX);
    account_role_t roles[ACCOUNT_ROLES_MAX];
    for (int i = 0; i < n; i++) {
        char err[200];
        if (!account_role_parse(texts[i], &roles[i], err, sizeof err)) {
            defang(err);
            return ctl_fail(ctl, "%s", err);
        }
        if (!account_role_check(&roles[i], ctl->conf))
            return ctl_fail(ctl, "role '%s': no site '%s' in sites.d", texts[i], roles[i].site);
    }
    if (!account_set_roles(a, roles, (size_t)n))
        return ctl_fail(ctl, "too many roles: at most %d", ACCOUNT_ROLES_MAX);
    return CTL_OK;
}

/* Reads the password from standard input: everything up to EOF (a terminal: one line,
 * not echoed), at most ACCOUNT_PASSWORD_MAX bytes and one line break. */
static int read_password(ctl_t *ctl, char *pw, size_t cap, size_t *len)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    bool echo_off = false;
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        fputs("password: ", stderr);
    }
    size_t n = 0;
    int rc = CTL_OK;
    while (n < cap) {
        ssize_t r = read(STDIN_FILENO, pw + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = ctl_fail(ctl, "cannot read the password from standard input: %s", strerror(errno));
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (tty && memchr(pw, '\n', n))
            break;
    }
    if (echo_off) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (rc != CTL_OK)
        return rc;
    if (n == cap)
        return ctl_fail(ctl, "the password on standard input is too long (at most %d bytes)",
                        ACCOUNT_PASSWORD_MAX);
    /* one line break at the end is the line's, not the password's */
    if (n > 0 && pw[n - 1] == '\n')
        n--;
    if (n > 0 && pw[n - 1] == '\r')
        n--;
    if (n == 0)
        return ctl_fail(ctl, "no password on standard input");
    *len = n;
    return CTL_OK;
}

typedef struct newpw {
    char hash[ACCOUNT_HASH_MAX];
    char generated[ACCOUNT_PASSWORD_GEN_LEN + 1]; /* "" when the password was read */
} newpw_t;

/* The new password, from standard input or generated, hashed into p->hash. */
static int new_password(ctl_t *ctl, bool from_stdin, newpw_t *p)
{
    /* room for the longest password, a CR LF, and one byte more to see that it is longer */
    char pw[ACCOUNT_PASSWORD_MAX + 3];
    size_t len = 0;
    char err[200];
    int rc = CTL_OK;
    *p = (newpw_t){0};
    if (from_stdin) {
        rc = read_password(ctl, pw, sizeof pw, &len);
        if (rc == CTL_OK && !account_password_ok(pw, len, err, sizeof err))
            rc = ctl_fail(ctl, "%s", err);
    } else if (account_password_generate(p->generated, sizeof p->generated) != 0) {
        rc = ctl_fail(ctl, "no randomness to generate a password (OpenSSL RAND_bytes)");
    } else {
        len = strlen(p->generated);
        memcpy(pw, p->generated, len);
    }
    if (rc == CTL_OK && account_password_hash(pw, len, p->hash, sizeof p->hash, err, sizeof err) != 0)
        rc = ctl_fail(ctl, "%s", err);
    account_password_wipe(pw, sizeof pw);
    if (rc != CTL_OK)
        account_password_wipe(p, sizeof *p);
    return rc;
}

/* Who ran jiyuectl, for the trail: the OS user, and under sudo the user who called it. */
static void os_user(char *buf, size_t cap)
{
    uid_t uid = getuid();
    struct passwd *pw = getpwuid(uid);
    int n;
    if (pw && pw->pw_name && *pw->pw_name)
        n = snprintf(buf, cap, "%s", pw->pw_name);
    else
        n = snprintf(buf, cap, "uid %u", (unsigned)uid);
    const char *sudo = getenv("SUDO_USER");
    size_t sl = sudo ? strlen(sudo) : 0;
    bool plain = sl > 0 && sl <= 32;
    for (size_t i = 0; plain && i < sl; i++)
        plain = (sudo[i] >= 'a' && sudo[i] <= 'z') || (sudo[i] >= 'A' && sudo[i] <= 'Z') ||
                (sudo[i] >= '0' && sudo[i] <= '9') || strchr("._-", sudo[i]);
    if (uid == 0 && plain && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, " (sudo by %s)", sudo);
}

/* One change: opens the store for writing, reads the account and calls fn on it inside one
 * transaction, writes it back with its trail record and commits; prints `done` (and the
 * generated password) only when the commit succeeded. fn changes the account and says
 * what the trail records (c->title, c->note) and what is printed (c->done), or sets
 * c->nothing when there is nothing to change (then nothing is written). */
typedef struct change {
    const char *action; /* user-add, ... */
    const char *name;
    bool create;                 /* may bring the store into being (add) */
    const newpw_t *pw;           /* add, passwd: the new hash */
    const account_t *proposed;   /* add, roles: the roles to set */
    util_buf_t title, note, done;
    bool nothing;                /* fn found nothing to change: no write, no record */
} change_t;

typedef int (*change_fn)(change_t *c, account_t *a, int64_t now);

static int run_change(ctl_t *ctl, change_t *c, change_fn fn)
{
    store_txn_t *w;
    int rc = ctl_write_begin(ctl, c->create ? CTL_STORE_CREATE : CTL_STORE_WRITE,
                             "cannot start a write", &w);
    if (rc != CTL_OK)
        return rc;
    int src;
    int64_t now = (int64_t)time(NULL);
    account_t a;
    src = account_get(w, c->name, &a);
    if (src != STORE_OK && !(src == STORE_NOTFOUND && c->create)) {
        store_abort(w);
        if (src == STORE_NOTFOUND)
            return ctl_fail(ctl, "no account '%s'", c->name);
        return ctl_store_fail(ctl, src, "the account could not be read");
    }
    if (src == STORE_OK && c->create) {
        store_abort(w);
        return ctl_fail(ctl, "account '%s' exists (user passwd and user roles change it): "
                             "nothing written", c->name);
    }
    if (src == STORE_NOTFOUND)
        a = (account_t){0};
    rc = fn(c, &a, now);
    if (rc != CTL_OK || c->nothing) {
        store_abort(w);
        account_password_wipe(&a, sizeof a);
        if (rc == CTL_OK)
            fwrite(c->done.data ? c->done.data : "", 1, c->done.len, stdout);
        return rc;
    }
    a.changed = now;
    src = account_put(w, &a);
    account_password_wipe(&a, sizeof a);
    uint64_t seq = 0;
    char who[96];
    os_user(who, sizeof who);
    util_buf_append(&c->title, "", 1);
    util_buf_append(&c->note, "", 1);
    if (src == 0)
        src = article_audit_append(w, now, c->action, "", "", c->name, who, c->title.data,
                                   c->note.data, &seq);
    if ((rc = ctl_store_finish(ctl, w, src, "nothing was written")) != CTL_OK)
        return rc;
    printf("%.*s (trail record %llu)\n", (int)c->done.len, c->done.data ? c->done.data : "",
           (unsigned long long)seq);
    if (c->pw && *c->pw->generated) {
        printf("password: %s\n", c->pw->generated);
        /* the only copy: when it could not be shown, say so rather than leave an account
         * nobody knows the password of */
        if (fflush(stdout) != 0 || ferror(stdout))
            return ctl_fail(ctl, "the generated password could not be printed (%s): the change "
                                 "is made; set another with `jiyuectl user passwd %s`",
                            strerror(errno), c->name);
    }
    return CTL_OK;
}

static void pw_note(change_t *c)
{
    util_buf_appends(&c->note, *c->pw->generated ? "password generated" : "password from stdin");
}

static int do_add(change_t *c, account_t *a, int64_t now)
{
    *a = *c->proposed;
    snprintf(a->name, sizeof a->name, "%s", c->name);
    memcpy(a->hash, c->pw->hash, sizeof a->hash);
    a->created = now;
    account_roles_text(a, &c->title);
    pw_note(c);
    util_buf_printf(&c->done, "account %s added: ", c->name);
    account_roles_text(a, &c->done);
    return CTL_OK;
}

static int do_passwd(change_t *c, account_t *a, int64_t now)
{
    memcpy(a->hash, c->pw->hash, sizeof a->hash);
    /* whoever was locked out by failed logins may try the new password at once */
    account_throttle_reset(&a->fails);
    pw_note(c);
    util_buf_printf(&c->done, "password of %s changed", c->name);
    return CTL_OK;
}

static int do_roles(change_t *c, account_t *a, int64_t now)
{
    util_buf_appends(&c->note, "were: ");
    account_roles_text(a, &c->note);
    memcpy(a->roles, c->proposed->roles, sizeof a->roles);
    a->nroles = c->proposed->nroles;
    account_roles_text(a, &c->title);
    util_buf_printf(&c->done, "roles of %s: ", c->name);
    account_roles_text(a, &c->done);
    return CTL_OK;
}

static int do_disable(change_t *c, account_t *a, int64_t now)
{
    bool disable = strcmp(c->action, "user-disable") == 0;
    const char *state = disable ? "disabled" : "enabled";
    if (a->disabled == disable) {
        c->nothing = true;
        util_buf_printf(&c->done, "account %s is already %s: nothing written\n", c->name, state);
        return CTL_OK;
    }
    a->disabled = disable;
    util_buf_printf(&c->done, "account %s %s", c->name, state);
    return CTL_OK;
}

/* Options of the verbs; returns -1 to go on with the operands at argv[*first]. */
static int parse_opts(ctl_t *ctl, int argc, char **argv, bool roles_ok, char ***roles,
                      int *nroles, bool *from_stdin, int *first)
{
    static const struct option longopts[] = {
        {"role", required_argument, NULL, 'r'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            if (!roles_ok)
                return ctl_usage(ctl, "--role belongs to user add");
            *roles = util_realloc(*roles, (size_t)(*nroles + 1) * sizeof **roles);
            (*roles)[(*nroles)++] = optarg;
            break;
        case 'p':
            if (!from_stdin)
                return ctl_usage(ctl, "--password-stdin belongs to user add and user passwd");
            *from_stdin = true;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            if (optopt == 'r')
                return ctl_usage(ctl, "--role needs a value: ROLE:SITE, ROLE:SITE/* or "
                                      "cluster_admin");
            return ctl_usage(ctl, "unknown option '%s'", argv[optind - 1]);
        }
    }
    *first = optind;
    return -1;
}

static int cmd_change(ctl_t *ctl, int argc, char **argv, const char *verb)
{
    bool is_add = strcmp(verb, "add") == 0, is_passwd = strcmp(verb, "passwd") == 0;
    bool is_roles = strcmp(verb, "roles") == 0;
    char **roles = NULL;
    int nroles = 0, first = 0;
    bool from_stdin = false;
    int rc = parse_opts(ctl, argc, argv, is_add, &roles, &nroles,
                        is_add || is_passwd ? &from_stdin : NULL, &first);
    if (rc >= 0) {
        free(roles);
        return rc;
    }
    int operands = argc - first;
    if (operands < 1 || (!is_roles && operands > 1)) {
        free(roles);
        return ctl_usage(ctl, operands < 1 ? "give the account's NAME" : "too many arguments");
    }
    const char *name = argv[first];
    change_t c = {.name = name, .create = is_add};
    account_t proposed = {0};
    newpw_t pw;
    if (!account_name_ok(name))
        rc = bad_name(ctl, name);
    else if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        ;
    else if (is_add)
        rc = parse_roles(ctl, roles, nroles, &proposed);
    else if (is_roles)
        rc = parse_roles(ctl, argv + first + 1, operands - 1, &proposed);
    free(roles);
    if (rc != CTL_OK)
        return rc;
    change_fn fn = do_disable;
    if (is_add || is_passwd) {
        if ((rc = new_password(ctl, from_stdin, &pw)) != CTL_OK)
            return rc;
        c.pw = &pw;
        fn = is_add ? do_add : do_passwd;
    } else if (is_roles) {
        fn = do_roles;
    }
    c.proposed = &proposed;
    char action[16];
    snprintf(action, sizeof action, "user-%s", verb);
    c.action = action;
    rc = run_change(ctl, &c, fn);
    if (c.pw)
        account_password_wipe(&pw, sizeof pw);
    util_buf_free(&c.title);
    util_buf_free(&c.note);
    util_buf_free(&c.done);
    return rc;
}

/* ------------------------------------------------------------------ ls */

typedef struct lister {
    ctl_t *ctl;
    size_t n;
} lister_t;

static int print_account(void *ud, const account_t *a)
{
    lister_t *l = ud;
    util_buf_t roles = {0};
    account_roles_text(a, &roles);
    char created[17], last[17] = "never";
    article_format_minute(a->created, created);
    if (a->last_login)
        article_format_minute(a->last_login, last);
    printf("%s\t%.*s\t%s\tcreated %s\tlast login %s\n", a->name, (int)roles.len, roles.data,
           a->disabled ? "disabled" : "enabled", created, last);
    util_buf_free(&roles);
    for (size_t i = 0; i < a->nroles; i++) {
        char t[ACCOUNT_ROLE_TEXT_MAX];
        if (!account_role_check(&a->roles[i], l->ctl->conf))
            ctl_warn(l->ctl, "%s: role %s names no site in sites.d: it grants nothing", a->name,
                     account_role_format(&a->roles[i], t));
    }
    l->n++;
    return 0;
}

static int cmd_ls(ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = parse_opts(ctl, argc, argv, false, NULL, NULL, NULL, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return ctl_usage(ctl, "too many arguments");
    if ((rc = ctl_load_conf(ctl)) != CTL_OK || (rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = ctl_read_txn(ctl);
    if (!t)
        return CTL_FAIL;
    lister_t l = {ctl, 0};
    int src = account_each(t, print_account, &l);
    store_txn_free(t);
    if (src < 0)
        return ctl_store_fail(ctl, src, "the accounts could not be read");
    if (l.n == 0)
        fprintf(stderr, "jiyuectl: user: no accounts (user add makes one)\n");
    return CTL_OK;
}

int ctl_cmd_user(ctl_t *ctl, int argc, char **argv)
{
    if (argc < 2)
        return ctl_usage(ctl, "give a verb: add, passwd, roles, disable, enable or ls");
    const char *verb = argv[1];
    if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0)
        return ctl_help(ctl);
    /* the verb's arguments, with the verb where getopt expects the program's name */
    argc--;
    argv++;
    if (strcmp(verb, "ls") == 0)
        return cmd_ls(ctl, argc, argv);
    static const char *const verbs[] = {"add", "passwd", "roles", "disable", "enable"};
    for (size_t i = 0; i < UTIL_ARRAY_LEN(verbs); i++)
        if (strcmp(verb, verbs[i]) == 0)
            return cmd_change(ctl, argc, argv, verbs[i]);
    char b[SHOWN + 4];
    return ctl_usage(ctl, "unknown verb '%s' (add, passwd, roles, disable, enable, ls)",
                     shown(verb, b));
}
