#!/bin/sh
# tests/bench/run.sh: `make bench`: jiyue against nginx on the same corpus (bench.py does the
# work). Owns the temp dir and the last word on cleanup: whatever way the run ends, the
# Python side is told to stop its servers, then the dir goes (common.sh).
# Sizes and lengths: BENCH_SITES, BENCH_ARTICLES, BENCH_SECONDS, BENCH_RUNS, BENCH_WORKERS,
# BENCH_CONNS, BENCH_IDLE, BENCH_RELOADS, BENCH_BIG_SITES, BENCH_OUT (see README.md here).
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/common.sh

bench_need bench wrk /usr/sbin/nginx taskset python3

# 10,000 idle connections need as many descriptors in the server and in the client.
bench_nofile
if [ "$hard" -lt 12000 ]; then
    echo "bench: open-file limit $hard is below 12000; lowering BENCH_IDLE" >&2
    BENCH_IDLE=$((hard - 2000 > 100 ? hard - 2000 : 100)); export BENCH_IDLE
fi

bench_run jiyue-bench tests/bench/bench.py
