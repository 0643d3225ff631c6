/* core/main.c: bin/jiyue's command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pid.h"
#include "server.h"
#include "tls_mem.h"
#include "version.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: jiyue [-c FILE] [-t] [-s reload|stop|reopen]\n"
                 "Serve a cluster of government sites from one store (jiyue %s).\n"
                 "\n"
                 "Options:\n"
                 "  -c, --conf FILE      server configuration (default " JIYUE_CONF_DEFAULT ")\n"
                 "  -t, --test           check the configuration and every site file, say how\n"
                 "                       long that took, then exit\n"
                 "  -s, --signal SIGNAL  signal the running server (reload, stop, reopen);\n"
                 "                       reload waits for the server to check and apply the\n"
                 "                       configuration, and reports it; only a process named\n"
                 "                       jiyue is signalled\n"
                 "  -h, --help           this help\n"
                 "  -V, --version        the version\n"
                 "\n"
                 "Signals: SIGHUP reloads the configuration, SIGUSR1 reopens the logs,\n"
                 "SIGTERM and SIGINT stop after the requests in flight.\n"
                 "Under systemd (Type=notify) the server reports READY, RELOADING and STOPPING\n"
                 "on $NOTIFY_SOCKET. `jiyuectl --help` lists the administration commands.\n",
            JIYUE_VERSION);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'}, {"test", no_argument, NULL, 't'},
        {"signal", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    pid_cache_init();
    /* First, before anything calls OpenSSL: it takes no allocator once it has allocated. */
    if (!tls_mem_install())
        fprintf(stderr, "jiyue: OpenSSL had allocated before start; its allocations go to malloc directly\n");
    const char *conf = JIYUE_CONF_DEFAULT, *sig = NULL;
    int test = 0, opt;
    while ((opt = getopt_long(argc, argv, "c:ts:hV", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': conf = optarg; break;
        case 't': test = 1; break;
        case 's': sig = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("jiyue %s\n", JIYUE_VERSION); return 0;
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
