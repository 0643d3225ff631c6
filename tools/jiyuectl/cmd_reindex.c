/* tools/jiyuectl/cmd_reindex.c: `jiyuectl reindex [--check] [SITE]`: rebuilds the search
 * index (modules/search) of one site, or of the whole cluster, from the published
 * articles, the answered messages and the pages each site's live generation serves, and
 * says whether the rebuilt index equals the one kept up to date by every publish, update
 * and unpublish. Normal operation needs no reindex; it is for an upgrade, or to verify.
 * The whole cluster's is built beside the live index in bounded transactions and switched
 * to in one (search_reindex.h: the server keeps searching and anything keeps publishing);
 * a site's is one transaction. --check rebuilds and compares, and leaves the live index
 * as it was (a site's: aborted, nothing written; the cluster's: the copy is deleted); exit
 * 1 when the index differs from the content.
 *
 * Tests only: JIYUE_TEST_REINDEX_STEP=N indexes N documents a transaction, and
 * JIYUE_TEST_REINDEX_STOP=K stops after K transactions as a kill would; with
 * JIYUE_REINDEX_STATS set, the whole cluster's rebuild tells on stderr how many write
 * transactions it took and the longest (what a publish waited for at most; the benchmark's),
 * and the most its heap held after a transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "search_reindex.h"

/* `jiyuectl reindex --size`: what the index takes, by key family; nothing is written. */
static int index_size(ctl_t *ctl)
{
    int rc = ctl_load_conf(ctl);
    if (rc != CTL_OK || (rc = ctl_open_store(ctl, CTL_STORE_READ)) != CTL_OK)
        return rc;
    store_txn_t *t = store_read_txn_new(ctl->store);
    if (!t || (rc = store_read_renew(t)) != 0) {
        store_txn_free(t);
        return ctl_store_fail(ctl, t ? rc : STORE_EIO, "the index was not measured");
    }
    search_size_t z;
    rc = search_index_size(t, &z);
    store_txn_free(t);
    if (rc != 0)
        return ctl_store_fail(ctl, rc, "the index was not measured");
    uint64_t entries = 0, bytes = 0;
    for (int i = 0; i < SEARCH_SIZE_FAMILIES; i++) {
        printf("%-4s %12llu entries %14llu key bytes %14llu value bytes\n", z.f[i].prefix,
               (unsigned long long)z.f[i].entries, (unsigned long long)z.f[i].key_bytes,
               (unsigned long long)z.f[i].value_bytes);
        entries += z.f[i].entries;
        bytes += z.f[i].key_bytes + z.f[i].value_bytes;
    }
    printf("all  %12llu entries %14llu bytes\n", (unsigned long long)entries,
           (unsigned long long)bytes);
    return CTL_OK;
}

int ctl_cmd_reindex(ctl_t *ctl, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--size") == 0)
        return index_size(ctl);
    bool check;
    const char *site;
    int rc = ctl_parse_flag_site(ctl, argc, argv, "--check", NULL, &check, &site);
    if (rc >= 0)
        return rc;
    rc = site ? ctl_load_site(ctl, site, NULL) : ctl_load_conf(ctl);
    if (rc != CTL_OK)
        return rc;
    search_reindex_report_t rep;
    if (!site) {
        if ((rc = ctl_open_store(ctl, CTL_STORE_WRITE)) != CTL_OK)
            return rc;
        const char *step = getenv("JIYUE_TEST_REINDEX_STEP");
        const char *stop = getenv("JIYUE_TEST_REINDEX_STOP");
        search_rebuild_opt_t opt = {.check = check,
                                    .step_docs = step ? strtoul(step, NULL, 10) : 0,
                                    .stop_after = stop ? strtol(stop, NULL, 10) : 0};
        int src = search_rebuild(ctl->store, ctl->conf, &opt, &rep);
        if (src == SEARCH_REBUILD_TAKEN)
            return ctl_fail(ctl, "another `jiyuectl reindex` took the rebuild over: this one "
                                 "stopped (the live index is unchanged)");
        if (src == SEARCH_REBUILD_STOPPED)
            return ctl_fail(ctl, "stopped after %ld transactions (JIYUE_TEST_REINDEX_STOP): the "
                                 "live index is unchanged", rep.steps);
        if (src == STORE_EMAPFULL)
            return ctl_store_fail(ctl, src, "the index was not rebuilt (a rebuild needs room "
                                            "for a second copy of the index beside the live "
                                            "one; the live index is unchanged and the copy "
                                            "was deleted)");
        if (src != 0)
            return ctl_store_fail(ctl, src, check ? "the index was not checked (the live "
                                                    "index is unchanged)"
                                                  : "the index was not rebuilt (the live "
                                                    "index is unchanged)");
    } else {
        store_txn_t *w;
        if ((rc = ctl_write_begin(ctl, CTL_STORE_WRITE, "the index was not changed", &w)) !=
            CTL_OK)
            return rc;
        int src = search_reindex(w, site, ctl->conf, &rep);
        if (check) {
            store_abort(w);
            if (src != 0)
                return ctl_store_fail(ctl, src, "the index was not checked");
        } else if ((rc = ctl_store_finish(ctl, w, src, "the index was not changed")) != CTL_OK) {
            return rc;
        }
    }
    if (!site && getenv("JIYUE_REINDEX_STATS"))
        fprintf(stderr,
                "reindex: %ld write transactions, the longest %.0f ms, heap at most %.1f MB\n",
                rep.steps, rep.longest_ms, rep.peak_heap / 1e6);
    const char *what = site ? site : "all sites";
    if (rep.equal) {
        printf("%s %ld documents of %s: the rebuilt index equals the maintained one\n",
               check ? "checked" : "reindexed", rep.indexed, what);
        return CTL_OK;
    }
    if (check)
        return ctl_fail(ctl, "the search index of %s differs from the content (%ld documents "
                             "held, %ld published): run `jiyuectl reindex%s%s` to rebuild it",
                        what, rep.removed, rep.indexed, site ? " " : "", site ? site : "");
    printf("reindexed %ld documents of %s: the maintained index differed from the content "
           "(it held %ld documents); it is rebuilt now\n", rep.indexed, what, rep.removed);
    return CTL_OK;
}
