/* core/listener.c: socket(), SO_REUSEPORT, TCP_NODELAY, bind(), listen() for every worker. */
#include "listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

static int make_addr(const conf_listen_t *l, int port, struct sockaddr_storage *ss,
                     socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *host = l->host && *l->host ? l->host : "0.0.0.0";
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        return 0;
    }
    return -1;
}

static int bind_one(const conf_listen_t *l, int *port, char **err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (make_addr(l, *port, &ss, &len) != 0) {
        *err = util_asprintf("listen %s: not an IP address", l->address);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = util_asprintf("listen %s: socket: %s", l->address, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    /* Every response goes out as soon as it is written (no Nagle delay behind an unacked
     * segment). Set here, once: Linux gives each accepted connection a copy of the
     * listener's options, so conn_accept needs no setsockopt per connection (a system
     * call, about 1 us on this VM, of a resumed TLS connection's 250-300). */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 511) != 0) {
        *err = util_asprintf("listen %s: %s", l->address, strerror(errno));
        close(fd);
        return -1;
    }
    if (*port == 0) {
        getsockname(fd, (struct sockaddr *)&ss, &len);
        *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                              : ((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

int listener_bind_all(const conf_t *conf, int nworkers, int **fds_out, int **ports_out,
                      char **err)
{
    size_t n = conf->nlisten;
    int *fds = util_calloc((size_t)nworkers * (n ? n : 1), sizeof *fds);
    int *ports = util_calloc(n ? n : 1, sizeof *ports);
    for (size_t j = 0; j < n; j++) {
        ports[j] = conf->listen[j].port;
        for (int w = 0; w < nworkers; w++) {
            int fd = bind_one(&conf->listen[j], &ports[j], err);
            if (fd < 0) {
                listener_close_all(fds, (size_t)w * n + j);
                free(fds);
                free(ports);
                return -1;
            }
            fds[(size_t)w * n + j] = fd;
        }
    }
    *fds_out = fds;
    *ports_out = ports;
    return 0;
}

void listener_close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] > 0)
            close(fds[i]);
}
