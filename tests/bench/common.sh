# tests/bench/common.sh: sourced by run.sh and tls.sh (from the repository root): the checks
# before a benchmark and the run of its Python driver in a temp dir that this shell owns:
# whatever way the run ends, the driver is told to stop its servers, then the dir goes.

# bench_need NAME TOOL...: the built binaries and the tools the benchmark runs.
bench_need() {
    name=$1
    shift
    for b in bin/jiyue bin/jiyuectl; do
        [ -x "$b" ] || { echo "$name: $b missing: run make first" >&2; exit 1; }
    done
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || { echo "$name: $t missing (tools/install-deps.sh --bench)" >&2; exit 1; }
    done
}

# bench_nofile: the open-file limit raised to its hard limit, which is left in $hard.
bench_nofile() {
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] && hard=1048576
    ulimit -n "$hard"
}

# bench_run TMPNAME DRIVER: python3 DRIVER TMPDIR; exits with the driver's status.
bench_run() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PY=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    python3 "$2" "$TMP" &
    PY=$!
    rc=0
    wait "$PY" || rc=$?
    PY=""
    exit "$rc"
}

bench_cleanup() {
    if [ -n "$PY" ]; then
        kill -TERM "$PY" 2>/dev/null || true
        wait "$PY" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
