#!/bin/sh
# tests/bench/run.sh: `make bench`: jiyue against nginx on the same corpus (bench.py does the
# work). Owns the temp dir and the last word on cleanup: whatever way the run ends, the
# Python side is told to stop its servers, then the dir goes.
# Sizes and lengths: BENCH_SITES, BENCH_ARTICLES, BENCH_SECONDS, BENCH_RUNS, BENCH_WORKERS,
# BENCH_CONNS, BENCH_IDLE, BENCH_RELOADS, BENCH_BIG_SITES, BENCH_OUT (see README.md here).
set -eu
cd "$(dirname "$0")/../.."

for b in bin/jiyue bin/jiyuectl; do
    [ -x "$b" ] || { echo "bench: $b missing: run make first" >&2; exit 1; }
done
for t in wrk /usr/sbin/nginx taskset python3; do
    command -v "$t" >/dev/null 2>&1 || { echo "bench: $t missing (tools/install-deps.sh --bench)" >&2; exit 1; }
done

# 10,000 idle connections need as many descriptors in the server and in the client.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard"
if [ "$hard" -lt 12000 ]; then
    echo "bench: open-file limit $hard is below 12000; lowering BENCH_IDLE" >&2
    BENCH_IDLE=$((hard - 2000 > 100 ? hard - 2000 : 100)); export BENCH_IDLE
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jiyue-bench.XXXXXX")
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

python3 tests/bench/bench.py "$TMP" &
PY=$!
rc=0
wait "$PY" || rc=$?
PY=""
exit "$rc"
