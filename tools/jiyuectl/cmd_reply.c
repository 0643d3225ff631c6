/* tools/jiyuectl/cmd_reply.c: `jiyuectl reply SITE CODE FILE --by NAME`: records a reply to
 * a citizen's message (plain text from FILE, or '-' for standard input) with who gave it
 * and when, and publishes it at once on the receipt page and in the public list. A
 * reply is never edited: running this again adds a correction, and the trail keeps both. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "article.h"
#include "ctl.h"
#include "message.h"
#include "util.h"

static char *read_all(FILE *f, size_t *len)
{
    util_buf_t b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 4u * MESSAGE_REPLY_MAX + 1)
        util_buf_append(&b, chunk, n);
    bool err = ferror(f);
    util_buf_append(&b, "", 1);
    *len = b.len - 1;
    if (err) {
        util_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int ctl_cmd_reply(ctl_t *ctl, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"by", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *by = NULL;
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'b':
            by = optarg;
            break;
        case 'h':
            return ctl_help(ctl);
        default:
            return ctl_usage(ctl, "unknown option or missing value: '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 3)
        return ctl_usage(ctl, "give SITE CODE FILE");
    size_t n;
    if (!by || !*by)
        return ctl_usage(ctl, "--by NAME is required: a reply says who answered");
    if (!message_text_ok(by, strlen(by), false, &n) || n > MESSAGE_BY_MAX)
        return ctl_fail(ctl, "--by must be UTF-8 text on one line, at most %d characters",
                        MESSAGE_BY_MAX);
    const char *site_id = argv[optind], *code = argv[optind + 1], *file = argv[optind + 2];
    int rc;
    if ((rc = ctl_load_conf(ctl)) != CTL_OK)
        return rc;
    const conf_site_t *site = conf_site_find(ctl->conf, site_id);
    if (!site)
        return ctl_fail(ctl, "unknown site '%s' (no such id in sites.d)", site_id);
    if (!message_code_ok(code, strlen(code)))
        return ctl_fail(ctl, "'%s' is not a receipt code (%d of a-z and 2-7)", code,
                        MESSAGE_CODE_LEN);

    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f)
        return ctl_fail(ctl, "cannot read %s", file);
    size_t len = 0;
    char *text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!text)
        return ctl_fail(ctl, "cannot read %s", file);
    /* the same rule as the console's reply (modules/interaction/message_text.h) */
    const char *why = message_reply_text_check(text, &len);
    if (why) {
        free(text);
        return ctl_fail(ctl, "%s %s", file, why);
    }

    if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK) {
        free(text);
        return rc;
    }
    int src;
    store_txn_t *w = store_write_begin(ctl->store, &src);
    if (!w) {
        free(text);
        return ctl_store_fail(ctl, src, "cannot start a write");
    }
    message_t m;
    src = message_get(w, code, &m);
    if (src == STORE_NOTFOUND || (src == 0 && strcmp(m.site, site->id) != 0)) {
        store_abort(w);
        free(text);
        return ctl_fail(ctl, "no message %s on site '%s'", code, site->id);
    }
    char column[64];
    snprintf(column, sizeof column, "%s", src == 0 ? m.column : "");
    uint32_t nth = 0;
    int64_t now = (int64_t)time(NULL);
    if (src == 0)
        src = message_reply_add(w, code, by, text, now, &nth);
    free(text);
    if ((rc = ctl_store_finish(ctl, w, src, "the reply was not recorded")) != CTL_OK)
        return rc;
    char *path = article_site_path(site);
    printf("reply %u to %s recorded%s; published at %s%s/q/%s\n", nth, code,
           nth > 1 ? " (a correction: earlier replies stay in the trail)" : "",
           path ? path : "/", column, code);
    free(path);
    return CTL_OK;
}
