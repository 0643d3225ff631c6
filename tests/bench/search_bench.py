#!/usr/bin/env python3
"""tests/bench/search_bench.py: `make bench-search` (search.sh calls it with a fresh temp
dir): N generated articles (search_gen.py) across the sites, loaded into a fresh jiyue
store with `jiyuectl publish --batch` (the maintained index, in the same transactions as
the articles), rebuilt once with `jiyuectl reindex` (the bulk path), measured (index size
with `jiyuectl reindex --size`, p50/p99 of a fixed query set through `/search?...&format=json`,
publish-to-findable), then the same documents and queries in SQLite FTS5 with its trigram
tokenizer (python3's sqlite3 on Debian's libsqlite3), and the table written to
tests/bench/SEARCH-RESULTS.md (or $BENCH_SEARCH_OUT).

Every process it starts runs in its own session and is killed by process group at exit;
every wait is bounded (a query's repetitions also by BENCH_SEARCH_QUERY_SECONDS)."""
import datetime
import http.client
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse

from common import env_int, free_port, kill_group, status_kb
import search_gen

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.join(REPO, os.environ.get("JIYUE_BIN_DIR") or "bin")  # (relative: to the repository)
JIYUE = os.path.join(BIN, "jiyue")
JIYUECTL = os.path.join(BIN, "jiyuectl")


DOCS = env_int("BENCH_SEARCH_DOCS", 1000000)
SITES = env_int("BENCH_SEARCH_SITES", 1000)
REPS = env_int("BENCH_SEARCH_REPS", 50)
QUERY_SECONDS = env_int("BENCH_SEARCH_QUERY_SECONDS", 20)
PUBLISHES = env_int("BENCH_SEARCH_PUBLISHES", 5)
REINDEX = env_int("BENCH_SEARCH_REINDEX", 1)
FTS = env_int("BENCH_SEARCH_FTS", 1)  # 0: leave out the SQLite FTS5 half
REINDEX_PUBLISHES = env_int("BENCH_SEARCH_REINDEX_PUBLISHES", 20)  # publishes timed during it
SEED = env_int("BENCH_SEARCH_SEED", 20261205)
OUT = os.environ.get("BENCH_SEARCH_OUT") or os.path.join(HERE, "SEARCH-RESULTS.md")
HOST = "www.yunling.gov.cn"

STARTED = []


def log(msg):
    print("bench-search: " + msg, flush=True)


def cleanup():
    while STARTED:
        kill_group(STARTED.pop(), wait=5.0)


def run(argv, timeout=7200):
    t0 = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv[:4]), r.returncode,
                                                    r.stderr[-2000:]))
    return dt, r.stdout


# The fixed query set: (what, jiyue parameters, FTS5 SQL and its arguments, FTS5 note).
# FTS5's trigram tokenizer cannot match a term under three characters with MATCH: those
# rows use LIKE, which it answers by scanning every row.
FTS_REL = "SELECT rowid FROM f WHERE f MATCH ? ORDER BY rank LIMIT 10"
FTS_DATE = "SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid DESC LIMIT 10"
FTS_LIKE = "SELECT rowid FROM f WHERE title LIKE ? OR body LIKE ? ORDER BY rowid DESC LIMIT 10"
QUERIES = [
    ("two-character word 社保", {"q": "社保"}, FTS_LIKE, ("%社保%", "%社保%"), "LIKE (full scan), newest 10"),
    ("two-character word 工作 (in every article)", {"q": "工作"}, FTS_LIKE, ("%工作%", "%工作%"),
     "LIKE (full scan), newest 10"),
    ("rare term 澜沧江大桥", {"q": "澜沧江大桥"}, FTS_REL, ('"澜沧江大桥"',), "MATCH, bm25"),
    ("very common term 政务服务", {"q": "政务服务"}, FTS_REL, ('"政务服务"',), "MATCH, bm25"),
    ("two terms 社保卡 公积金", {"q": "社保卡 公积金"}, FTS_REL, ('"社保卡" "公积金"',), "MATCH, bm25"),
    ("phrase \"乡村振兴\"", {"q": '"乡村振兴"'}, FTS_REL, ('"乡村振兴"',), "MATCH, bm25"),
    ("phrase \"加强工作\" (common words)", {"q": '"加强工作"'}, FTS_REL, ('"加强工作"',), "MATCH, bm25"),
    ("site filter 政务服务 site=s007", {"q": "政务服务", "site": "s007"},
     "SELECT rowid FROM f WHERE f MATCH ? AND site = ? ORDER BY rank LIMIT 10",
     ('"政务服务"', "s007"), "MATCH, bm25, site column"),
    ("sort=date 政务服务", {"q": "政务服务", "sort": "date"}, FTS_DATE, ('"政务服务"',),
     "MATCH, rowid (= date) order"),
    ("sort=date 社保卡 公积金", {"q": "社保卡 公积金", "sort": "date"}, FTS_DATE,
     ('"社保卡" "公积金"',), "MATCH, rowid (= date) order"),
    ("sort=date 工作", {"q": "工作", "sort": "date"}, FTS_LIKE, ("%工作%", "%工作%"),
     "LIKE, newest 10"),
]


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def timed_reps(fn):
    """Runs fn() once to warm up, then REPS times (or until QUERY_SECONDS): times in ms."""
    fn()
    ts, deadline = [], time.monotonic() + QUERY_SECONDS
    for _ in range(REPS):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000.0)
        if time.monotonic() > deadline:
            break
    return ts


class Client:
    def __init__(self, port):
        self.port = port
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def search(self, params):
        path = "/search?" + urllib.parse.urlencode(dict(params, format="json"))
        for attempt in (0, 1):
            try:
                self.c.request("GET", path, headers={"Host": HOST})
                r = self.c.getresponse()
                body = r.read()
                break
            except (OSError, http.client.HTTPException):
                self.c.close()
                self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        if r.status != 200:
            raise RuntimeError("search %s: %d %r" % (path, r.status, body[:300]))
        return json.loads(body)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def generate(tmp):
    sites = os.path.join(tmp, "sites.d")
    os.makedirs(sites)
    write(os.path.join(sites, "portal.yaml"), search_gen.site_yaml(0, portal=True))
    for i in range(SITES):
        write(os.path.join(sites, search_gen.site_id(i) + ".yaml"), search_gen.site_yaml(i))
    docs = os.path.join(tmp, "docs.jsonl")
    t0 = time.monotonic()
    chars = 0
    with open(docs, "w") as f:
        for d in search_gen.documents(DOCS, SITES, SEED):
            chars += len(d["body"])
            f.write(search_gen.batch_line(d) + "\n")
    log("%d documents generated in %.1f s (%.0f characters of body each)"
        % (DOCS, time.monotonic() - t0, chars / max(1, DOCS)))
    return sites, docs, chars / max(1, DOCS)


def jiyue_conf(tmp, sites, port):
    conf = os.path.join(tmp, "jiyue.yaml")
    store = os.path.join(tmp, "store")
    os.makedirs(store, mode=0o700)
    write(conf, """# generated by tests/bench/search_bench.py
listen: ["127.0.0.1:%d"]
workers: 1
store: %s
store_map_size: %d
sites: %s
pid_file: %s/jiyue.pid
access_log: off
error_log: %s/error.log
limits:
  exempt_addresses: [127.0.0.1]
""" % (port, store, max(1 << 30, DOCS * 40000), sites, tmp, tmp))
    return conf, store


def parse_size(text):
    fam = {}
    for line in text.splitlines():
        m = re.match(r"(\S+)\s+(\d+) entries\s+(\d+) key bytes\s+(\d+) value bytes", line)
        if m:
            fam[m.group(1)] = (int(m.group(2)), int(m.group(3)) + int(m.group(4)))
        m = re.match(r"all\s+(\d+) entries\s+(\d+) bytes", line)
        if m:
            fam["all"] = (int(m.group(1)), int(m.group(2)))
    return fam


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(path) for f in fs)


def jiyue_part(tmp, sites, docs):
    port = free_port()
    conf, store = jiyue_conf(tmp, sites, port)
    ctl = [JIYUECTL, "-c", conf]
    res = {}
    log("jiyue: publishing %d articles with `jiyuectl publish --batch`" % DOCS)
    res["publish_s"], out = run(ctl + ["publish", "--batch", docs])
    log("jiyue: %s in %.1f s" % (out.strip(), res["publish_s"]))
    res["size"] = parse_size(run(ctl + ["reindex", "--size"])[1])
    res["store_bytes"] = dir_bytes(store)
    p = subprocess.Popen([JIYUE, "-c", conf], start_new_session=True,
                         stdout=open(os.path.join(tmp, "jiyue.out"), "w"), stderr=subprocess.STDOUT)
    STARTED.append(p)
    deadline = time.monotonic() + 60
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            break
        except OSError:
            if p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("jiyue did not start: see %s/jiyue.out" % tmp)
            time.sleep(0.05)
    c = Client(port)
    res["queries"] = []
    for what, params, _, _, _ in QUERIES:
        ans = c.search(params)
        ts = timed_reps(lambda: c.search(params))
        res["queries"].append({"total": ans["total"], "capped": ans.get("capped"),
                               "n": len(ans["results"]), "p50": pct(ts, 50), "p99": pct(ts, 99),
                               "reps": len(ts)})
        log("jiyue: %-40s total %7s  p50 %7.2f ms  p99 %7.2f ms" % (what, ans["total"], pct(ts, 50), pct(ts, 99)))
    # publish to findable
    finds, cmds, cpus = [], [], []
    for i in range(PUBLISHES):
        token = "zqfind%04d" % i
        md = os.path.join(tmp, "new-%d.md" % i)
        write(md, "---\nsite: s001\ncolumn: news\nid: bench-new-%d\ntitle: 新发布的测试文章%d\n"
                  "publisher: 张伟\nreviewer: 李娜\ndisclosure: 主动公开\n"
                  "secrecy_review: {by: 保密员, date: 2026-01-01}\n---\n\n%s 这是刚刚发布的文章。\n"
                  % (i, i, token))
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        r = subprocess.run(ctl + ["publish", md], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        cmds.append((time.monotonic() - t0) * 1000)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime) * 1000)
        if r.returncode != 0:
            raise RuntimeError("publish failed: " + r.stderr)
        found = None
        while time.monotonic() - t0 < 30:
            if c.search({"q": token})["total"] >= 1:
                found = (time.monotonic() - t0) * 1000
                break
        finds.append(found)
    res["publish_cmd_ms"] = cmds
    res["publish_cpu_ms"] = cpus
    res["findable_ms"] = finds
    log("jiyue: publish command %s ms, findable after %s ms"
        % (["%.0f" % x for x in cmds], ["%.0f" % x if x else "never" for x in finds]))
    res["hwm_kb"] = status_kb([p.pid], "VmHWM")
    res["rss_kb"] = status_kb([p.pid], "VmRSS")
    kill_group(p)
    STARTED.remove(p)
    res["ctl"] = ctl
    return res


def reindex_part(j):
    """The bulk rebuild, last (the table is written before it and again after): its time,
    the bytes it wrote (the kernel's count of what the process sent to storage,
    ru_oublock), and how long a `jiyuectl publish` started while it runs waits (the one
    writer lock: a rebuild in one transaction holds it throughout)."""
    ctl = j["ctl"]
    tmp = os.path.dirname(ctl[2])
    t0 = time.monotonic()
    p = subprocess.Popen(ctl + ["reindex"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True,
                         env=dict(os.environ, JIYUE_REINDEX_STATS="1"))
    STARTED.append(p)
    waits = []
    done = None  # (status, rusage) once reaped: os.wait4, not p.poll(), which would reap it

    def reaped(block):
        pid, status, ru = os.wait4(p.pid, 0 if block else os.WNOHANG)
        return (status, ru) if pid else None
    time.sleep(0.5)
    for i in range(REINDEX_PUBLISHES):
        if (done := reaped(False)):
            break
        md = os.path.join(tmp, "during-%d.md" % i)
        write(md, "---\nsite: s001\ncolumn: news\nid: bench-during-%d\ntitle: 重建期间发布%d\n"
                  "publisher: 张伟\nreviewer: 李娜\ndisclosure: 主动公开\n"
                  "secrecy_review: {by: 保密员, date: 2026-01-01}\n---\n\n重建期间发布的文章。\n"
                  % (i, i))
        w0 = time.monotonic()
        r = subprocess.run(ctl + ["publish", md], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=7200)
        waits.append((time.monotonic() - w0) * 1000)
        if r.returncode != 0:
            raise RuntimeError("publish during reindex failed: " + r.stderr)
        time.sleep(0.5)
    status, ru = done or reaped(True)
    p.returncode = os.waitstatus_to_exitcode(status)
    STARTED.remove(p)
    j["reindex_s"] = time.monotonic() - t0
    out, err = p.stdout.read(), p.stderr.read()
    if p.returncode != 0:
        raise RuntimeError("reindex failed: " + err[-2000:])
    j["reindex_out"] = out.strip()
    m = re.search(r"reindex: (\d+) write transactions, the longest (\d+) ms", err)
    j["reindex_txns"] = "%s write transactions, the longest %s ms" % m.groups() if m else \
        "1 write transaction"
    m = re.search(r"heap at most ([\d.]+) MB", err)
    j["reindex_heap"] = "its heap at most %s MB, the rest of the RSS being the store's mapped pages" % m.group(1) \
        if m else "heap not reported"
    j["reindex_written"] = ru.ru_oublock * 512
    j["reindex_rss_kb"] = ru.ru_maxrss
    j["reindex_waits_ms"] = waits
    log("jiyue: %s (%.1f s, %s, %s written, max RSS %s, %s; %d publishes during it waited %s ms)"
        % (out.strip(), j["reindex_s"], j["reindex_txns"], mb(j["reindex_written"]),
           mb(ru.ru_maxrss * 1024), j["reindex_heap"], len(waits), ["%.0f" % x for x in waits]))
    j["size_after"] = parse_size(run(ctl + ["reindex", "--size"])[1])


def fts_part(tmp, docs):
    db = os.path.join(tmp, "fts.db")
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(title, body, source, site UNINDEXED, "
                "date UNINDEXED, tokenize='trigram')")
    res = {}
    t0 = time.monotonic()
    batch = []
    with open(docs) as fh:
        for line in fh:
            d = json.loads(line)
            batch.append((d["title"], d["body"], d["source"], d["site"], d["date"]))
            if len(batch) == 10000:
                con.executemany("INSERT INTO f(title, body, source, site, date) VALUES (?,?,?,?,?)", batch)
                batch = []
    if batch:
        con.executemany("INSERT INTO f(title, body, source, site, date) VALUES (?,?,?,?,?)", batch)
    con.commit()
    res["build_s"] = time.monotonic() - t0
    t1 = time.monotonic()
    con.execute("INSERT INTO f(f) VALUES('optimize')")
    con.commit()
    res["optimize_s"] = time.monotonic() - t1
    log("fts5: built in %.1f s (+ optimize %.1f s)" % (res["build_s"], res["optimize_s"]))
    sizes = dict(con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    res["index_bytes"] = sum(v for k, v in sizes.items() if k in ("f_data", "f_idx"))
    res["content_bytes"] = sum(v for k, v in sizes.items() if k in ("f_content", "f_docsize", "f_config"))
    res["file_bytes"] = os.path.getsize(db)
    res["queries"] = []
    for what, _, sql, args, note in QUERIES:
        rows = con.execute(sql, args).fetchall()
        ts = timed_reps(lambda: con.execute(sql, args).fetchall())
        res["queries"].append({"n": len(rows), "p50": pct(ts, 50), "p99": pct(ts, 99),
                               "reps": len(ts), "note": note})
        log("fts5: %-40s n %2d  p50 %7.2f ms  p99 %7.2f ms" % (what, len(rows), pct(ts, 50), pct(ts, 99)))
    con.close()
    return res


def mb(b):
    return "—" if b is None else "%.1f MB" % (b / 1e6)


def fts_none():
    """The FTS5 half left out (BENCH_SEARCH_FTS=0)."""
    return {"build_s": None, "optimize_s": None, "index_bytes": None, "content_bytes": None,
            "file_bytes": None, "queries": [{"n": None, "p50": None, "p99": None,
                                             "note": "(BENCH_SEARCH_FTS=0)"} for _ in QUERIES]}


def ms(x):
    return "—" if x is None else ("%.2f ms" % x if x < 10 else "%.1f ms" % x)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    load = " ".join("%.2f" % x for x in os.getloadavg())
    return "%s, %d CPUs, %.0f GiB RAM, Linux %s; load average at the end %s" % (
        cpu, os.cpu_count(), mem, platform.release(), load)


# the commit the run started at (the binaries are the ones built from it)
COMMIT = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                        stdout=subprocess.PIPE, text=True).stdout.strip()


def report(j, f, gen_s, avg_chars, total_s):
    commit = COMMIT
    L = ["# jiyue search vs SQLite FTS5 (trigram): benchmark results", "",
         "Written by `make bench-search` (tests/bench/search.sh); edit nothing here by hand.", "",
         "- date: %s UTC" % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
         "- machine: %s (anything else running moves the figures)" % machine(),
         "- command: `BENCH_SEARCH_DOCS=%d make bench-search` (jiyue commit %s; SQLite %s)"
         % (DOCS, commit, sqlite3.sqlite_version),
         "- documents: N = %d articles across %d sites, %.0f characters of body each plus a title, "
         "dates over 10 years, words Zipf-distributed over %d government-site words "
         "(tests/bench/search_gen.py, seed %d; generated in %.0f s)"
         % (DOCS, SITES, avg_chars, len(search_gen.WORDS), SEED, gen_s),
         "- jiyue: 1 worker; queries through `GET /search?...&format=json` on the portal's host over "
         "one keep-alive connection (the time includes HTTP, the JSON and the snippets); "
         "FTS5: the same SQL in-process through python3's sqlite3 (no HTTP)",
         "- p50/p99 over up to %d runs of each query after one warm-up (at most %d s a query)"
         % (REPS, QUERY_SECONDS), ""]
    L += ["## Index build and size", "",
          "| | jiyue | FTS5 trigram |", "|---|---:|---:|"]
    jsz = j["size"]
    L.append("| build | %.1f s (`jiyuectl publish --batch`: articles and index, 5,000 a "
             "transaction) | %s |"
             % (j["publish_s"], "—" if f["build_s"] is None else
                "%.1f s (inserts, 10,000 a transaction) + %.1f s `optimize`"
                % (f["build_s"], f["optimize_s"])))
    if "reindex_s" in j:
        waits = j["reindex_waits_ms"]
        L.append("| bulk rebuild | %.1f s (`jiyuectl reindex`: %s; after it the index took %s; "
                 "%s; it wrote %s, max RSS %s, %s; %d `jiyuectl publish` run while it ran took %s "
                 "(max %s)) | |"
                 % (j["reindex_s"], j["reindex_out"], mb(j["size_after"]["all"][1]),
                    j["reindex_txns"],
                    mb(j["reindex_written"]), mb(j["reindex_rss_kb"] * 1024), j["reindex_heap"], len(waits),
                    ms(statistics.median(waits)) if waits else "—",
                    ms(max(waits)) if waits else "—"))
    elif REINDEX:
        L.append("| bulk rebuild | (`jiyuectl reindex` runs after everything else: not finished when this table was written) | |")
    post = jsz.get("xp/", (0, 0))[1] + jsz.get("xf/", (0, 0))[1]
    L.append("| index without the text (jiyue: postings `xp/` + document frequencies `xf/`; "
             "FTS5: `f_data` + `f_idx` pages) | %s | %s |" % (mb(post), mb(f["index_bytes"])))
    L.append("| stored text and records (jiyue: `xd/` `xa/` `xs/+xc/` `xn`; FTS5: `f_content` "
             "`f_docsize` `f_config` pages) | %s | %s |"
             % (mb(jsz["all"][1] - post), mb(f["content_bytes"])))
    L.append("| all | %s in %d entries | %s |" % (mb(jsz["all"][1]), jsz["all"][0],
                                                     mb(None if f["index_bytes"] is None else
                                                        f["index_bytes"] + f["content_bytes"])))
    L += ["", "jiyue's figures are the precise sum of the index's keys and values "
          "(`jiyuectl reindex --size`; LMDB adds its node headers and page slack on top); "
          "the whole jiyue store (articles, their audit trail and the index) took %s on disk. "
          "FTS5's are the pages of its tables (`dbstat`), %s file." % (mb(j["store_bytes"]), mb(f["file_bytes"])), ""]
    L += ["## Queries", "",
          "jiyue hits: the JSON `total`; marked when the JSON says `\"capped\": true`. A "
          "relevance query that reaches the bound of 200,000 postings read "
          "(modules/search/search_query.h) finds the newest matches and counts those found "
          "within the bound: \"(capped)\", a lower bound. A date-sorted query stops reading once "
          "its page is full and estimates the rest from the postings left: \"~N (estimate)\". "
          "FTS5: the rows of the top 10.", "",
          "| query | jiyue hits | jiyue p50 | jiyue p99 | FTS5 | FTS5 p50 | FTS5 p99 |",
          "|---|---:|---:|---:|---|---:|---:|"]
    for (what, params, _, _, _), jq, fq in zip(QUERIES, j["queries"], f["queries"]):
        hits = str(jq["total"])
        if jq.get("capped"):
            hits = "~%s (estimate)" % hits if params.get("sort") == "date" else hits + " (capped)"
        L.append("| %s | %s | %s | %s | %s | %s | %s |"
                 % (what, hits, ms(jq["p50"]),
                    ms(jq["p99"]), fq["note"], ms(fq["p50"]), ms(fq["p99"])))
    fm = [x for x in j["findable_ms"] if x is not None]
    L += ["", "## Publish to findable", "",
          "`jiyuectl publish FILE` of a new article into the loaded store, then `/search` asked "
          "for its one-off word until it is found (%d runs): the command took %s (median; "
          "%s of CPU, user and system: the rest is waiting for a core on a shared machine), "
          "the article was found %s after the command started (median; max %s)%s."
          % (PUBLISHES, ms(statistics.median(j["publish_cmd_ms"])),
             ms(statistics.median(j["publish_cpu_ms"])),
             ms(statistics.median(fm)) if fm else "never", ms(max(fm)) if fm else "—",
             "" if len(fm) == PUBLISHES else "; %d never found" % (PUBLISHES - len(fm))),
          "", "Server memory at the end: VmHWM %s, VmRSS %s (the store's pages the worker touched "
          "through its read-only map count in both)." % (mb(j["hwm_kb"] * 1024), mb(j["rss_kb"] * 1024)),
          "", "Whole run: %.0f s." % total_s, ""]
    write(OUT, "\n".join(L))
    log("wrote " + OUT)


def main():
    tmp = sys.argv[1]
    t0 = time.monotonic()
    try:
        g0 = time.monotonic()
        sites, docs, avg = generate(tmp)
        gen_s = time.monotonic() - g0
        j = jiyue_part(tmp, sites, docs)
        f = fts_part(tmp, docs) if FTS else fts_none()
        report(j, f, gen_s, avg, time.monotonic() - t0)
        if REINDEX:
            reindex_part(j)
            report(j, f, gen_s, avg, time.monotonic() - t0)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
