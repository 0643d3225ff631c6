/* modules/audit/audit_limits.c: which side of each audit threshold a figure falls on
 * (see audit_limits.h). Kept apart from audit_rules.c so that a unit test can hold every
 * threshold at its boundary without a store. */
#include "audit_limits.h"
#include "content_columns.h"

#define YEAR_DAYS 365

bool audit_limits_days_over(int64_t at, int64_t since, uint64_t days)
{
    return at - since > (int64_t)days * AUDIT_LIMITS_DAY;
}

bool audit_limits_count_veto(size_t n, uint64_t veto)
{
    return n >= veto;
}

bool audit_limits_percent_over(size_t failed, size_t total, uint64_t percent)
{
    return (uint64_t)failed * 100 > (uint64_t)total * percent;
}

bool audit_limits_within_year(int64_t at, int64_t created)
{
    return created >= at - YEAR_DAYS * (int64_t)AUDIT_LIMITS_DAY;
}

uint64_t audit_limits_column_days(const audit_conf_t *au, content_column_type_t t)
{
    switch (t) {
    case COLUMN_DYNAMIC: return au->dynamic_days;
    case COLUMN_NOTICE: return au->notice_days;
    case COLUMN_POLICY: return au->policy_days;
    case COLUMN_PERSONNEL: return au->personnel_days;
    case COLUMN_PLAN: return au->plan_days;
    default: return 0;
    }
}
