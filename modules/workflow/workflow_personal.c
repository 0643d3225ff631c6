/* modules/workflow/workflow_personal.c: a draft's unmasked personal data. See
 * workflow_personal.h. */
#include "workflow_personal.h"

#include <string.h>

void workflow_personal_scan(const workflow_draft_t *d, int64_t now, audit_personal_t *out)
{
    memset(out, 0, sizeof *out);
    if (workflow_draft_is_offer(d))
        return;
    long ymd = audit_personal_day(now);
    const char *const texts[] = {d->title, d->body, d->source, d->author, d->doc_no, d->issuer, d->topic};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i])
            audit_personal_scan(out, texts[i], strlen(texts[i]), ymd);
}
