/* core/peerlimit.h: open connections per client address, counted across every worker, for
 * limits.max_connections_per_address. An IPv6 client counts per /64 (one host commonly
 * holds a whole /64, so counting single addresses would not limit it); an IPv4-mapped
 * IPv6 address counts as the IPv4 address it is. */
#ifndef JIYUE_PEERLIMIT_H
#define JIYUE_PEERLIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"

typedef enum {
    PEERLIMIT_EXEMPT,  /* in limits.exempt_addresses (or not an IP peer): not counted */
    PEERLIMIT_COUNTED, /* counted: call peerlimit_leave() when the connection closes */
    PEERLIMIT_OVER     /* the address already has `max` connections: not counted, refuse */
} peerlimit_result_t;

/* Counts a new connection from `sa` unless exempt or over `max`. Thread-safe. */
peerlimit_result_t peerlimit_enter(const struct sockaddr *sa, const conf_limits_t *lim);
/* Uncounts a connection that peerlimit_enter() counted. */
void peerlimit_leave(const struct sockaddr *sa);
/* Connections counted for the address of `sa` now (tests, diagnostics). */
uint64_t peerlimit_count(const struct sockaddr *sa);

#endif
