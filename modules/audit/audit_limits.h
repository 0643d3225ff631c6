/* modules/audit/audit_limits.h: the comparisons behind the audit's thresholds, as pure
 * functions (no store, no config file) so that tests/unit/test_audit_limits.c pins each
 * threshold at its boundary. The values are config (audit_conf_init: 14, 183, 365
 * days, 5 columns, 90 days, 5% of probes); which side of the value a site falls on is
 * decided here and only here. */
#ifndef JIYUE_AUDIT_LIMITS_H
#define JIYUE_AUDIT_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit_conf.h"
#include "content_columns.h"

#define AUDIT_LIMITS_DAY 86400

/* More than `days` whole days passed between `since` and `at` (seconds): day `days`
 * itself is still in time. */
bool audit_limits_days_over(int64_t at, int64_t since, uint64_t days);
/* `n` stale or blank columns reach the veto count `veto`. */
bool audit_limits_count_veto(size_t n, uint64_t veto);
/* More than `percent` % of `total` probes failed. */
bool audit_limits_percent_over(size_t failed, size_t total, uint64_t percent);
/* A message received at `created` is within the year before `at` (its unanswered veto
 * counts only then). */
bool audit_limits_within_year(int64_t at, int64_t created);
/* The update limit in days of a column of type t; 0 for types without one. */
uint64_t audit_limits_column_days(const audit_conf_t *au, content_column_type_t t);

#endif
