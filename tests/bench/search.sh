#!/bin/sh
# tests/bench/search.sh: `make bench-search`: jiyue's search index beside SQLite FTS5 with the
# trigram tokenizer on the same generated articles (search_bench.py does the work). Owns the
# temp dir and the last word on cleanup (common.sh). Size: BENCH_SEARCH_DOCS (default
# 1,000,000), BENCH_SEARCH_SITES, BENCH_SEARCH_REPS, BENCH_SEARCH_OUT (see README.md here).
set -eu
cd "$(dirname "$0")/../.."
. tests/bench/common.sh

bench_need bench-search python3
bench_run jiyue-search-bench tests/bench/search_bench.py
