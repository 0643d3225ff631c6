/* core/request_internal.h: what the connection layer calls to have requests answered.
 * Modules never include this; they see request.h. */
#ifndef JIYUE_REQUEST_INTERNAL_H
#define JIYUE_REQUEST_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "http1.h"
#include "worker.h"

typedef union peer_addr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
} peer_addr_t;

/* Answers one parsed request into the worker's output batch (tls: it arrived over TLS;
 * admin: on a management listener, so it goes to the modules' admin_handle, never to a
 * site; body: the whole request body of a POST, else NULL; *status: the status answered).
 * Returns true when the connection may carry another request. */
bool request_handle(worker_t *w, struct conn *c, const peer_addr_t *peer,
                    const http1_request_t *h, bool tls, bool admin, const char *body,
                    size_t body_len, int *status);
/* Answers a request the parser refused (status 400, 413, 414, 431, 501, 505) with an error
 * page and `Connection: close`, and logs it. */
void request_reject(worker_t *w, const peer_addr_t *peer, int status, const char *reason);
/* The same for an HTTP/2 stream (h2: the head stays in worker_t.head for core/http2.c). */
void request_reject_on(worker_t *w, const peer_addr_t *peer, int status, const char *reason,
                       bool h2);

#endif
