/* core/listener.h: listening sockets. Each worker gets its own socket per address, bound
 * with SO_REUSEPORT, so the kernel spreads new connections across workers and no accept
 * lock is needed (libuv 1.44 has no UV_TCP_REUSEPORT, so we bind the fds ourselves and
 * hand them to uv_tcp_open). All binding happens in main before privileges are dropped. */
#ifndef JIYUE_LISTENER_H
#define JIYUE_LISTENER_H

#include <stddef.h>

#include "conf.h"

/* Binds nworkers sockets for each listen address: fds[w * nlisten + j]. Port 0 picks a
 * free port once and binds every worker's socket to it; *ports (nlisten entries) receives
 * the actual ports. Returns 0, or -1 with a reason in *err (heap string). */
int listener_bind_all(const conf_t *conf, int nworkers, int **fds, int **ports, char **err);
void listener_close_all(int *fds, size_t n);

#endif
