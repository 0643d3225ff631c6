/* tests/unit/test_listener.c: the listening sockets (core/listener.c): every worker's socket
 * for an address is bound to the same port, and the connections they accept have
 * TCP_NODELAY from the listener (conn_accept no longer sets it on each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listener.h"

enum { WORKERS = 2 };

/* A connection to 127.0.0.1:port, accepted by whichever worker's socket the kernel chose. */
static int accept_one(const int *fds, int port, int *client)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    *client = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(*client >= 0);
    assert_int_equal(connect(*client, (struct sockaddr *)&a, sizeof a), 0);
    struct pollfd p[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    assert_true(poll(p, WORKERS, 5000) > 0);
    for (int i = 0; i < WORKERS; i++)
        if (p[i].revents & POLLIN)
            return accept(fds[i], NULL, NULL);
    return -1;
}

static void accepted_connections_have_nodelay(void **state)
{
    (void)state;
    conf_listen_t l = {.address = "127.0.0.1:0", .host = "127.0.0.1", .port = 0};
    conf_t conf = {.listen = &l, .nlisten = 1};
    int *fds = NULL, *ports = NULL;
    char *err = NULL;
    assert_int_equal(listener_bind_all(&conf, WORKERS, &fds, &ports, &err), 0);
    assert_true(ports[0] > 0);
    for (int round = 0; round < 4; round++) { /* the kernel spreads them over both sockets */
        int client, s = accept_one(fds, ports[0], &client);
        assert_true(s >= 0);
        int on = 0;
        socklen_t len = sizeof on;
        assert_int_equal(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
        assert_int_equal(on, 1);
        close(s);
        close(client);
    }
    listener_close_all(fds, WORKERS);
    free(fds);
    free(ports);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted_connections_have_nodelay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
