# tests/e2e/test_demo_links.py: the demo cluster (as `make run` loads it: pages, articles,
# messages, stj's next generation) crawled from the portal's home and from the home of
# every site it serves, on the portal's host and on each site's own hosts: no link of a
# page the cluster serves may answer 4xx or 5xx (the national check deducts for every
# broken link). Redirects are followed; links to hosts outside the cluster are not
# fetched. Bounded in pages and time.
import re
import time
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from conftest import ROOT, demo_cluster

MAX_URLS = 4000
MAX_SECONDS = 240
LINK_RE = re.compile(r'''(?:href|src)\s*=\s*["']([^"'<>]+)["']''', re.I)


def site_files():
    return {f.stem: yaml.safe_load(f.read_text()) for f in sorted((ROOT / "sites.d").glob("*.yaml"))}


def portal_paths(sites):
    """Each site's path on the portal's host (mount paths joined through the parents)."""
    def path(sid):
        s = sites[sid]
        if s.get("kind") == "portal":
            return "/"
        mount = (s.get("mount") or {}).get("path")
        if not mount or not s.get("parent"):
            return None
        above = path(s["parent"])
        return above + mount.strip("/") + "/" if above else None
    return {sid: path(sid) for sid in sites}


def state(s):
    st = s.get("status")
    return st.get("state") if isinstance(st, dict) else st


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    c = demo_cluster(tmp_path_factory.mktemp("demo-links"), messages=True)
    # Served over plain HTTP here: sites that send http to https would hide their pages.
    for f in c.sites_dir.glob("*.yaml"):
        f.write_text(re.sub(r"(?m)^https: redirect\n", "", f.read_text()))
    for d in sorted((ROOT / "demo").iterdir()):   # redesigns' next generations, as demo-run.sh
        if d.is_dir() and "@" in d.name:
            sid, gen = d.name.split("@", 1)
            if (c.sites_dir / f"{sid}.yaml").exists():
                r = c.ctl("import", "--generation", gen, sid, d)
                assert r.returncode == 0, r.stderr
    c.start()
    yield c
    c.stop()


def test_no_link_of_the_demo_cluster_is_broken(demo):
    sites = site_files()
    portal_host = next(s["mount"]["hosts"][0] for s in sites.values() if s.get("kind") == "portal")
    hosts = set()
    for s in sites.values():
        m = s.get("mount") or {}
        hosts.update(m.get("hosts") or [])
        hosts.update(m.get("aliases") or [])
    paths = portal_paths(sites)
    starts = ["http://%s/" % portal_host]
    for sid, s in sites.items():
        if state(s) not in (None, "active", "redesign"):
            continue    # a suspended site answers 503 with its notice; a closed one redirects
        if paths[sid]:
            starts.append("http://%s%s" % (portal_host, paths[sid]))
        for h in (s.get("mount") or {}).get("hosts") or []:
            starts.append("http://%s/" % h)

    seen, queue, broken = set(), list(starts), []
    referrer = {u: "(start)" for u in starts}
    deadline = time.monotonic() + MAX_SECONDS
    while queue and len(seen) < MAX_URLS and time.monotonic() < deadline:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        target = parts.path + ("?" + parts.query if parts.query else "")
        r = demo.get(target, host=parts.hostname)
        if r.status >= 400:
            broken.append((r.status, url, referrer.get(url)))
            continue
        found = []
        if r.status in (301, 302, 303, 307, 308):
            found = [r.header("Location")]
        elif r.status == 200 and (r.header("Content-Type") or "").startswith("text/html"):
            found = LINK_RE.findall(r.body.decode("utf-8", "replace"))
        for link in found:
            link = unescape(link.strip())
            if not link or link.startswith(("#", "mailto:", "javascript:", "data:", "tel:")):
                continue
            nxt = urljoin(url, link).split("#", 1)[0]
            p = urlsplit(nxt)
            if p.scheme != "http" or p.hostname not in hosts or p.port:
                continue    # outside the cluster (or its https twin: the same pages)
            if nxt not in seen:
                referrer.setdefault(nxt, url)
                queue.append(nxt)
    assert len(seen) > 120, f"only {len(seen)} URLs reached: the crawl did not get far"
    assert not broken, "\n".join(f"{st} {u}  (linked from {ref})" for st, u, ref in broken[:40])
