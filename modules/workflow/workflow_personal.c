/* modules/workflow/workflow_personal.c: a draft's unmasked personal data. See
 * workflow_personal.h. */
#include "workflow_personal.h"

#include <stdlib.h>
#include <string.h>

#include "article.h"

/* The day of t (Beijing time) as YYYYMMDD, as audit_personal_scan takes it. */
static long ymd_of(int64_t t)
{
    char day[11];
    article_format_day(t, day);
    return strtol(day, NULL, 10) * 10000 + strtol(day + 5, NULL, 10) * 100 + strtol(day + 8, NULL, 10);
}

void workflow_personal_scan(const workflow_draft_t *d, int64_t now, audit_personal_t *out)
{
    memset(out, 0, sizeof *out);
    if (workflow_draft_is_offer(d))
        return;
    long ymd = ymd_of(now);
    const char *const texts[] = {d->title, d->body, d->source, d->author, d->doc_no, d->issuer, d->topic};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i])
            audit_personal_scan(out, texts[i], strlen(texts[i]), ymd);
}
