#!/usr/bin/python3
# tools/bench-messages.py: how many citizen messages per second jiyue stores (each one
# committed and synced before its 303) while pages keep being served. Builds a temporary
# cluster with the e2e fixtures (the portal has a board with a high rate limit), then runs
# two wrk processes at once: one posting messages, one fetching a page, and checks that the
# store holds exactly as many messages as there were 303s.
#
#   /usr/bin/python3 tools/bench-messages.py [--seconds 10] [--post-conns 32] [--page-conns 32]
import argparse
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import conftest  # noqa: E402

LUA = """
wrk.method = "POST"
wrk.body = "%s"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Host"] = "%s"
wrk.headers["Cookie"] = "jiyue_form=%s"
done = function(summary, latency, requests)
  io.write(string.format("completed %%d refused %%d\\n", summary.requests, summary.errors.status))
end
"""


def wrk(url, seconds, conns, script=None, host=conftest.PORTAL_HOST):
    args = ["wrk", "-t", "4", "-c", str(conns), "-d", f"{seconds}s", "--latency"]
    if script:
        args += ["-s", str(script)]
    else:
        args += ["-H", f"Host: {host}"]
    return subprocess.Popen(args + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def rps(out):
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else 0.0


def p99(out):
    m = re.search(r"99%\s+(\S+)", out)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--post-conns", type=int, default=32)
    ap.add_argument("--page-conns", type=int, default=32)
    ap.add_argument("--workers", type=int, default=4)
    a = ap.parse_args()

    sites = {k: dict(v) for k, v in conftest.BASE_SITES.items()}
    sites["portal"]["extra"] = ("  - {id: hudong, name: 政民互动, type: interaction}\n"
                                "interaction: {rate_limit: 100000000, daily_limit: 100000000}\n")
    with tempfile.TemporaryDirectory(prefix="jiyue-bench-msg-") as tmp:
        c = conftest.Cluster(Path(tmp) / "c", sites=sites, workers=a.workers,
                             limits={"max_connections": 10000, "max_body_bytes": "64KiB",
                                     "message_bytes_per_day": "512MiB"},
                             extra_conf=f"themes: {ROOT / 'conf' / 'themes'}\n", map_size="1GiB")
        c.import_base()
        c.start()
        try:
            r = c.get("/hudong/new")
            form = r.body.decode()
            tok = re.search(r'name="token" value="([^"]+)"', form).group(1)
            nonce = re.match(r"jiyue_form=([0-9a-f]+);", r.header("Set-Cookie")).group(1)
            body = urllib.parse.urlencode({
                "title": "压力测试留言", "body": "留言内容。" * 40, "name": "测试",
                "phone": "13800000000", "token": tok})
            script = Path(tmp) / "post.lua"
            script.write_text(LUA % (body, conftest.PORTAL_HOST, nonce))
            base = f"http://127.0.0.1:{c.port}"
            t0 = time.monotonic()
            posts = wrk(base + "/hudong/", a.seconds, a.post_conns, script)
            pages = wrk(base + "/edu/page.html", a.seconds, a.page_conns)
            pout, gout = posts.communicate(timeout=a.seconds + 60)[0], pages.communicate(timeout=a.seconds + 60)[0]
            elapsed = time.monotonic() - t0
            m = re.search(r"completed (\d+) refused (\d+)", pout)
            done, refused = (int(m.group(1)), int(m.group(2))) if m else (0, -1)
            stored = len(c.ctl("messages", "portal", timeout=120).stdout.splitlines())
            # wrk stops with up to one request in flight per connection: those may have
            # been committed without wrk counting their 303.
            ok = refused == 0 and done <= stored <= done + a.post_conns
            print(f"submissions: {rps(pout):.0f}/s (p99 {p99(pout)}), {done} answered 303, "
                  f"{refused} refused")
            print(f"pages meanwhile: {rps(gout):.0f}/s (p99 {p99(gout)})")
            print(f"stored: {stored} messages for {done} receipts "
                  f"({'each once' if ok else 'MISMATCH'}; up to {a.post_conns} in flight at the end), "
                  f"{elapsed:.1f}s")
            return 0 if ok else 1
        finally:
            c.stop()


if __name__ == "__main__":
    sys.exit(main())
