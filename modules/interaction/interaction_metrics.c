/* modules/interaction/interaction_metrics.c: the submission counters and their families
 * (interaction_metrics.h). */
#include "interaction_metrics.h"

#include <stdint.h>
#include <stdio.h>

#include "metrics.h"

static uint64_t counts[IM_OUTCOMES];

static const char *const reasons[IM_OUTCOMES] = {
    [IM_MEDIA_TYPE] = "media_type", [IM_ENCODING] = "encoding", [IM_ORIGIN] = "origin",
    [IM_TOKEN] = "token",           [IM_HONEYPOT] = "honeypot", [IM_INVALID] = "invalid",
    [IM_RATE] = "rate_limit",       [IM_SITE_DAY] = "site_daily_limit",
    [IM_BUDGET] = "capacity",       [IM_STORE] = "store",
};

void interaction_metrics_count(interaction_outcome_t o)
{
    __atomic_add_fetch(&counts[o], 1, __ATOMIC_RELAXED);
}

void interaction_metrics_render(util_buf_t *out)
{
    metrics_family(out, "jiyue_messages_accepted_total", "counter",
                   "Citizens' messages accepted and stored.");
    metrics_sample(out, "jiyue_messages_accepted_total", NULL,
                   __atomic_load_n(&counts[IM_ACCEPTED], __ATOMIC_RELAXED));
    metrics_family(out, "jiyue_messages_refused_total", "counter",
                   "Citizens' message submissions refused, by reason.");
    for (int i = IM_ACCEPTED + 1; i < IM_OUTCOMES; i++) {
        char labels[48];
        snprintf(labels, sizeof labels, "reason=\"%s\"", reasons[i]);
        metrics_sample(out, "jiyue_messages_refused_total", labels,
                       __atomic_load_n(&counts[i], __ATOMIC_RELAXED));
    }
}
