#!/bin/sh
# tests/bench/tls.sh: the HTTPS benchmark (jiyue against nginx on the same certificate, and
# 1,000 certificated sites: config test, reload, memory; HTTP/2 with h2load); tls_bench.py does the work and
# writes tests/bench/TLS-RESULTS.md. This script owns the temp dir and its cleanup (common.sh).
# Knobs: TLS_BENCH_SECONDS, TLS_BENCH_RUNS, TLS_BENCH_CONNS, TLS_BENCH_SITES, TLS_BENCH_OUT.
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/common.sh

bench_need "tls bench" wrk h2load /usr/sbin/nginx taskset python3 openssl curl
bench_nofile

bench_run jiyue-tls-bench tests/bench/tls_bench.py
