/* modules/interaction/message_stats.h: statistics of citizens' messages (受理反馈统计) and the overdue
 * report (defined in message_stats.c). */
#ifndef JIYUE_MESSAGE_STATS_H
#define JIYUE_MESSAGE_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

struct message; /* message.h */

/* ---- the reply deadline ---- */
/* When a message received at `created` on site s is due its reply: `created` plus the
 * site's interaction.reply_days. */
int64_t message_deadline(const conf_site_t *s, int64_t created);
/* Whether message m of site s is overdue at `now`: no reply, not marked spam, and past its
 * deadline. The one rule of `jiyuectl messages --overdue`, the overdue report, the
 * statistics' "overdue now" and the console's message list. */
bool message_overdue(const conf_site_t *s, const struct message *m, int64_t now);

/* ---- statistics (受理反馈统计) ---- */
typedef struct message_stat {
    unsigned received, answered, in_time, overdue;
    double days_sum; /* over the answered: first reply - received, in days */
} message_stat_t;
/* Per month (0..11) of `year` (UTC+8) by the month received, and the year's total.
 * "overdue" counts messages without a reply older than reply_days at `now`. */
int message_stats(store_txn_t *t, const char *site, const char *column, int year,
                  uint64_t reply_days, int64_t now, message_stat_t months[12],
                  message_stat_t *total);

/* ---- overdue report (jiyuectl check, the server after a reload) ---- */
/* Calls emit once per message past its site's reply_days without a reply, in every
 * interaction column of every site in c, with a one-line description; returns how many
 * (>= 0) or a STORE_E* code. */
typedef void (*message_emit_fn)(void *ud, const char *line);
long message_report_overdue(store_txn_t *t, const conf_t *c, int64_t now, message_emit_fn emit,
                            void *ud);

#endif
