# tests/e2e/test_search_bench.py: `make bench-search` cannot rot: its generator is
# deterministic and its whole harness (tests/bench/search_bench.py: batch publish, reindex,
# index size, the query set over HTTP, publish-to-findable, SQLite FTS5) runs at a tiny N
# and writes a table whose figures agree with each other.
import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(REPO, "tests", "bench")
sys.path.insert(0, BENCH)
import search_gen  # noqa: E402


def test_generator_is_deterministic_and_ordered():
    a = list(search_gen.documents(300, 20, seed=7))
    b = list(search_gen.documents(300, 20, seed=7))
    c = list(search_gen.documents(300, 20, seed=8))
    assert a == b and a != c
    assert [d["date"] for d in a] == sorted(d["date"] for d in a)     # oldest first
    assert len({d["id"] for d in a}) == 300
    assert all(250 <= len(d["body"]) <= 400 for d in a)
    assert {d["site"] for d in a} <= {"s%03d" % i for i in range(20)}
    # the Zipf head is in nearly every article, the tail in few
    head = sum(search_gen.WORDS[0] in d["body"] for d in a)
    tail = sum(search_gen.WORDS[-1] in d["body"] for d in a)
    assert head > 280 and tail < 60, (head, tail)


def test_harness_runs_at_tiny_n(tmp_path):
    out = tmp_path / "r.md"
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, BENCH_SEARCH_DOCS="200", BENCH_SEARCH_SITES="10", BENCH_SEARCH_REPS="2",
               BENCH_SEARCH_PUBLISHES="1", BENCH_SEARCH_REINDEX_PUBLISHES="0",
               BENCH_SEARCH_OUT=str(out))
    r = subprocess.run([sys.executable, os.path.join(BENCH, "search_bench.py"), str(work)],
                       env=env, cwd=BENCH, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    text = out.read_text()
    assert "N = 200 articles across 10 sites" in text
    # 200 articles and the one publish-to-findable added
    assert "reindexed 201 documents of all sites: the rebuilt index equals the maintained one" in text
    rows = [l for l in text.splitlines() if l.startswith("| ") and " ms |" in l]
    assert len(rows) == len(__import__("search_bench").QUERIES), rows
    # jiyue's hits: every article holds the Zipf head word; the rare word is in few
    hits = {l.split("|")[1].strip(): l.split("|")[2].strip() for l in rows}
    assert hits["two-character word 工作 (in every article)"] == "200"
    assert int(hits["rare term 澜沧江大桥"]) < 20
    # date order stops once its page is full: its total is marked as the estimate it is
    # (one term in every article: the estimate is exact)
    assert hits["sort=date 工作"] == "~200 (estimate)", hits
    m = re.search(r"the article was found ([\d.]+) ms after", text)
    assert m and "never found" not in text, text
    m = re.search(r"\| all \| ([\d.]+) MB in (\d+) entries \| ([\d.]+) MB \|", text)
    assert m and float(m.group(1)) > 0 and float(m.group(3)) > 0, text
