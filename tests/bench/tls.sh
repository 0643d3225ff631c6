#!/bin/sh
# tests/bench/tls.sh: the HTTPS benchmark (jiyue against nginx on the same certificate, and
# 1,000 certificated sites: config test, reload, memory); tls_bench.py does the work and
# writes tests/bench/TLS-RESULTS.md. This script owns the temp dir and its cleanup.
# Knobs: TLS_BENCH_SECONDS, TLS_BENCH_RUNS, TLS_BENCH_CONNS, TLS_BENCH_SITES, TLS_BENCH_OUT.
set -eu
cd "$(dirname "$0")/../.."

for b in bin/jiyue bin/jiyuectl; do
    [ -x "$b" ] || { echo "tls bench: $b missing: run make first" >&2; exit 1; }
done
for t in wrk /usr/sbin/nginx taskset python3 openssl curl; do
    command -v "$t" >/dev/null 2>&1 || { echo "tls bench: $t missing (tools/install-deps.sh --bench)" >&2; exit 1; }
done
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jiyue-tls-bench.XXXXXX")
PY=""
cleanup() {
    if [ -n "$PY" ]; then
        kill -TERM "$PY" 2>/dev/null || true
        wait "$PY" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 tests/bench/tls_bench.py "$TMP" &
PY=$!
rc=0
wait "$PY" || rc=$?
PY=""
exit "$rc"
