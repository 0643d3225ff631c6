/* modules/interaction/interaction_metrics.h: how many citizens' messages were accepted,
 * and refused for which reason (interaction_metrics.c), for the /metrics scrape
 * (module_t.metrics). Counted with atomics where the outcome is decided: a submission is
 * rare next to a page view, so a shared counter costs nothing that matters. */
#ifndef JIYUE_INTERACTION_METRICS_H
#define JIYUE_INTERACTION_METRICS_H

#include "util.h"

typedef enum {
    IM_ACCEPTED,
    IM_MEDIA_TYPE,   /* not an urlencoded UTF-8 form: 415 */
    IM_ENCODING,     /* malformed escapes or not UTF-8: 400 */
    IM_ORIGIN,       /* another site's page posted it: 403 */
    IM_TOKEN,        /* no valid form token: 403 */
    IM_HONEYPOT,     /* a bot filled the hidden field (told success, nothing stored) */
    IM_INVALID,      /* a field missing or malformed: 400 */
    IM_RATE,         /* too many from one address or prefix: 429 */
    IM_SITE_DAY,     /* the site's daily limit: 429 */
    IM_BUDGET,       /* the cluster's daily bytes or the store's reserve: 503 */
    IM_STORE,        /* the store refused the write, or no writer: 503 */
    IM_OUTCOMES
} interaction_outcome_t;

void interaction_metrics_count(interaction_outcome_t o);
/* module_t.metrics: jiyue_messages_accepted_total and jiyue_messages_refused_total{reason}. */
void interaction_metrics_render(util_buf_t *out);

#endif
