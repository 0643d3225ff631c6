/* core/snapshot.c: building and reference counting snapshots. */
#include "snapshot.h"

#include <stdlib.h>

#include "metrics.h"
#include "util.h"

snapshot_t *snapshot_new(conf_t *conf, uint64_t generation)
{
    snapshot_t *s = util_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->generation = generation;
    s->conf = conf;
    for (size_t i = 0; i < conf->nsites; i++)
        conf->sites[i].metrics_slot = metrics_site_slot(conf->sites[i].id);
    s->router = router_build(conf);
    s->sni = tls_sni_build(conf);
    return s;
}

void snapshot_ref(snapshot_t *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void snapshot_unref(snapshot_t *s)
{
    if (!s)
        return;
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    router_free(s->router);
    tls_sni_free(s->sni);
    conf_free(s->conf);
    free(s);
}
