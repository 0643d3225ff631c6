/* modules/audit/audit_personal.h: unmasked personal data in a page's visible text: the
 * rules personal-id (居民身份证号码, GB 11643) and personal-phone (a mainland mobile number),
 * defined in audit_personal.c. Pure functions over a text buffer, so that
 * tests/unit/test_audit_personal.c pins every form; audit_rules.c feeds them what citizens
 * can see and reports the counts. */
#ifndef JIYUE_AUDIT_PERSONAL_H
#define JIYUE_AUDIT_PERSONAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What was found in one page's texts: counts add up over several calls (a message's body
 * and its reply are one page). The samples are masked: a report must never itself
 * publish a full number. */
typedef struct audit_personal {
    size_t ids, phones;
    char id_sample[24];    /* the first ID, "530102********1234"; "" while ids == 0 */
    char phone_sample[16]; /* the first mobile, "138****5678"; "" while phones == 0 */
} audit_personal_t;

/* Scans text[0, len) (UTF-8; full-width digits and letters count as their ASCII forms)
 * for 18-character ID numbers whose birth date is a real day from 1900-01-01 to `at_ymd`
 * (the audit's day as YYYYMMDD) and whose check character is right, and for mobile
 * numbers (1[3-9] and 9 digits, or 3-4-4 with single spaces or hyphens, after an optional
 * +86/86), neither inside a longer run of digits, letters or mask stars. */
void audit_personal_scan(audit_personal_t *out, const char *text, size_t len, long at_ymd);

/* The day of t (seconds) in Beijing time as YYYYMMDD, the at_ymd the scan takes: the
 * audit's day, or today for a draft or a reply. */
long audit_personal_day(int64_t t);

/* The GB 11643 check of 18 ASCII characters: 17 digits, then the check digit or X/x. */
bool audit_personal_id_valid(const char *id, long at_ymd);

#endif
