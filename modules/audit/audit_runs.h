/* modules/audit/audit_runs.h: what each `jiyuectl audit` run found, kept in the store
 * (audit_runs.c), so the annual report can say how many self-inspections a site had and
 * how many problems they found and saw fixed (年度报表: 安全防护).
 *
 * "content" database:
 *   ar/<site>/<YYYYMMDDHHMMSS>   record "JYAR" v1: i64 run time, u32 n, then n strings:
 *                                each finding's identity, "<rule>|<url or what or detail>"
 *                                (the same problem seen again has the same identity)
 * A run at the same second replaces the one before. `jiyuectl purge` leaves them. */
#ifndef JIYUE_AUDIT_RUNS_H
#define JIYUE_AUDIT_RUNS_H

#include <stdint.h>

#include "audit.h"
#include "store.h"

#define AUDIT_RUNS_PREFIX "ar/"

/* Records the findings of one run over site s at `when` (write transaction w). */
int audit_runs_record(store_txn_t *w, const audit_site_t *s, int64_t when);

typedef struct audit_runs_year {
    uint64_t runs;   /* runs in the year */
    uint64_t found;  /* distinct findings among them */
    uint64_t fixed;  /* findings of a run absent from the next run */
} audit_runs_year_t;

/* Sums the runs over `site` in [from, to) (seconds). 0 or a STORE_E* code. */
int audit_runs_between(store_txn_t *t, const char *site, int64_t from, int64_t to,
                       audit_runs_year_t *out);

#endif
