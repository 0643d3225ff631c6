/* tests/fuzz/fuzz_router.c: libFuzzer harness for routing as a request meets it: the
 * target is normalised (path.c), then Host + path select a site (router.c) in a fixed
 * cluster with own hosts, aliases and nested mounts. Input: "HOST\nTARGET". Whatever the
 * Host and target, a route is well formed, deterministic, and blind to the Host's case. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "path.h"
#include "router.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static char dir[64];
static conf_t *conf;
static router_t *router;

static void put(const char *name, const char *text)
{
    char p[160];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || fputs(text, f) < 0)
        abort();
    fclose(f);
}

/* site codes and police numbers are unique in a cluster (the loader refuses repeats) */
#define REG(code) "registration:\n  site_code: \"" code "\"\n  icp: 滇ICP备1号\n" \
                  "  police: 滇公网安备 " code "号\n  organizer: 办公室\n  contact: 0871-1234567\n"

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/jiyue-fuzz-router-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    char sites[96];
    snprintf(sites, sizeof sites, "%s/sites", dir);
    if (mkdir(sites, 0700) != 0)
        abort();
    put("jiyue.yaml", "listen: [\"127.0.0.1:8080\"]\nstore: store\nsites: sites\n");
    put("sites/portal.yaml", "id: portal\nname: 门户\nkind: portal\nmount:\n"
                             "  hosts: [www.f.gov.cn, f.gov.cn]\n  aliases: [old.f.gov.cn]\n"
                             REG("5399000001"));
    put("sites/edu.yaml", "id: edu\nname: 教育\nkind: department\nparent: portal\nmount:\n"
                          "  path: /edu/\n  hosts: [edu.f.gov.cn]\n  aliases: [jy.f.gov.cn]\n"
                          REG("5399000002"));
    put("sites/xian.yaml", "id: xian\nname: 县\nkind: county\nparent: portal\nmount:\n"
                           "  path: /xian/\n  hosts: [xian.f.gov.cn]\n" REG("5399000003"));
    put("sites/zhen.yaml", "id: zhen\nname: 镇\nkind: township\nparent: xian\nmount:\n"
                           "  path: /zhen/\n" REG("5399000004"));
    put("sites/cun.yaml", "id: cun\nname: 村\nkind: village\nparent: zhen\nmount:\n"
                          "  path: /cun/\n" REG("5399000005"));
    char cpath[96];
    snprintf(cpath, sizeof cpath, "%s/jiyue.yaml", dir);
    diag_t d;
    diag_init(&d);
    conf = conf_load(cpath, 20499, &d);
    if (!conf) {
        for (size_t i = 0; i < d.count; i++)
            fprintf(stderr, "%s\n", d.items[i].text);
        abort();
    }
    diag_free(&d);
    router = router_build(conf);
    CHECK(router != NULL);
}

static void same_route(const route_t *a, const route_t *b)
{
    CHECK(a->kind == b->kind && a->rsite == b->rsite && a->rel_len == b->rel_len &&
          a->prefix_len == b->prefix_len && a->host_known == b->host_known);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!router)
        setup();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : size;
    size_t tlen = nl ? size - hlen - 1 : 0;
    char *host = malloc(hlen ? hlen : 1);
    char *target = malloc(tlen ? tlen : 1);
    char *path = malloc(tlen + 2);
    CHECK(host && target && path);
    memcpy(host, data, hlen);
    if (tlen)
        memcpy(target, nl + 1, tlen);
    size_t plen = 0;
    path_target_t info;
    if (tlen == 0 || path_normalize(target, tlen, path, tlen + 2, &plen, &info) != PATH_OK) {
        path[0] = '/';
        plen = 1;
    }
    route_t r;
    memset(&r, 0xa5, sizeof r);
    router_resolve(router, host, hlen, path, plen, &r);
    CHECK(r.kind == ROUTE_SITE || r.kind == ROUTE_ALIAS || r.kind == ROUTE_ADD_SLASH ||
          r.kind == ROUTE_NONE);
    CHECK(r.kind != ROUTE_NONE); /* the cluster has a portal: someone always answers */
    CHECK(r.rsite != NULL);
    CHECK(r.rsite >= router->sites && r.rsite < router->sites + router->nsites);
    CHECK(r.prefix_len <= plen);
    if (r.kind == ROUTE_SITE) {
        CHECK(r.rel >= path && r.rel_len <= plen && r.rel + r.rel_len == path + plen);
        CHECK(r.rel_len >= 1 && r.rel[0] == '/');
        /* a site's pages are under its mount: the prefix is what the rel is not */
        CHECK(r.prefix_len + r.rel_len == plen);
    }
    if (r.host_known)
        CHECK(hlen > 0);
    /* deterministic, and blind to the Host's case */
    route_t again;
    router_resolve(router, host, hlen, path, plen, &again);
    same_route(&r, &again);
    for (size_t i = 0; i < hlen; i++)
        host[i] = (char)toupper((unsigned char)host[i]);
    router_resolve(router, host, hlen, path, plen, &again);
    same_route(&r, &again);
    free(host);
    free(target);
    free(path);
    return 0;
}
