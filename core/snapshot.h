/* core/snapshot.h: the configuration the server runs on, as one immutable, reference-
 * counted value (the loaded conf_t and the router built from it).
 *
 * The control thread builds a new snapshot on SIGHUP and hands it to each worker in a
 * message (core/handoff.c); each worker holds a reference to the snapshot it serves new
 * requests with and swaps it in its own loop, so a request always runs start to finish on
 * one snapshot without taking a lock or touching an atomic. A request never outlives the
 * callback it was parsed in (its response is either written or copied before the callback
 * returns), which is what makes that safe. The last reference frees the snapshot, on
 * whichever thread drops it: the hand-off sees to it that this is the control thread. */
#ifndef JIYUE_SNAPSHOT_H
#define JIYUE_SNAPSHOT_H

#include <stdatomic.h>
#include <stdint.h>

#include "conf.h"
#include "router.h"
#include "tls.h"

typedef struct snapshot {
    atomic_int refs;
    uint64_t generation; /* 1 for the first config, +1 per successful reload */
    conf_t *conf;
    router_t *router;
    tls_sni_t *sni; /* host name -> certificate, for TLS handshakes */
} snapshot_t;

/* Takes ownership of conf; builds the router; the result has one reference. */
snapshot_t *snapshot_new(conf_t *conf, uint64_t generation);
void snapshot_ref(snapshot_t *s);
void snapshot_unref(snapshot_t *s);

#endif
