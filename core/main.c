/* core/main.c: bin/jiyue's command line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: jiyue [-c conf/jiyue.yaml] [-t] [-s reload|stop|reopen]\n"
                 "  -c FILE    server configuration (default conf/jiyue.yaml)\n"
                 "  -t         check the configuration and every site file, say how long that\n"
                 "             took, then exit\n"
                 "  -s SIGNAL  signal the running server (reload, stop, reopen); reload waits for\n"
                 "             the server to check and apply the configuration, and reports it;\n"
                 "             only a process named jiyue is signalled\n"
                 "  -h         this help\n");
}

int main(int argc, char **argv)
{
    const char *conf = "conf/jiyue.yaml", *sig = NULL;
    int test = 0, opt;
    while ((opt = getopt(argc, argv, "c:ts:hq")) != -1) {
        switch (opt) {
        case 'c': conf = optarg; break;
        case 't': test = 1; break;
        case 's': sig = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (test)
        return server_test_config(conf, 0);
    if (sig)
        return server_signal(conf, sig);
    return server_run(conf);
}
