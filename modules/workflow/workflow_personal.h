/* modules/workflow/workflow_personal.h: the unmasked personal data (居民身份证号码, mobile
 * numbers: audit_personal.h, the same reading as the audit's personal-id and
 * personal-phone rules) in what a draft would publish, so that a reviewer sees it before
 * approving, and approval asks for a confirmation while ID numbers show (workflow.c). */
#ifndef JIYUE_WORKFLOW_PERSONAL_H
#define JIYUE_WORKFLOW_PERSONAL_H

#include <stdint.h>

#include "audit_personal.h"
#include "workflow_draft.h"

/* Scans d's title, body, source, author and a policy header's 发文字号, 发文机关 and 主题分类
 * (what its page shows) into out (zeroed first); birth dates are judged against the day
 * of `now` (Beijing time). An offer publishes nothing of its own: nothing is found. */
void workflow_personal_scan(const workflow_draft_t *d, int64_t now, audit_personal_t *out);

#endif
