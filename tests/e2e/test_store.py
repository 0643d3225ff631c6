# tests/e2e/test_store.py: jiyuectl import / ls / rm against the shared LMDB store while
# the server runs: the next request sees the change, with no reload.
import os
import signal
import subprocess
import time

import pytest

from conftest import (EDU_HOST, JIYUECTL, PORTAL_HOST, check_sanitized_output, gunzip, html, make_cluster,
                      write_pages)


@pytest.fixture(autouse=True)
def base_content(cluster):
    """Every test starts from the base pages (tests here import, remove and kill imports:
    none may depend on what another left behind, in any order)."""
    cluster.import_base()


def test_ls_lists_imported_paths(cluster):
    r = cluster.ctl("ls", "edu")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    for p in ("index.html", "page.html", "news/index.html"):
        assert p in out, out
    assert "style.css" not in out, "ls edu must not list the portal's pages"


def test_ls_portal_lists_chinese_name(cluster):
    r = cluster.ctl("ls", "portal")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "通知公告.html" in out and "style.css" in out and "logo.png" in out, out


def test_import_visible_at_next_request(cluster):
    before = cluster.get("/edu/page.html")
    assert b"EDU-PAGE" in before.body
    cluster.import_pages("edu", {
        "index.html": html("edu", "EDU-HOME"),
        "page.html": html("edu page v2", "EDU-PAGE-V2"),
        "news/index.html": html("edu news", "EDU-NEWS"),
        "fresh/new.html": html("new", "EDU-FRESH"),
        "fresh/data.css": b"body{}\n" * 300,
    })
    # No reload, no wait: the very next request sees the new commit.
    r = cluster.get("/edu/fresh/new.html")
    assert r.status == 200 and b"EDU-FRESH" in r.body, r
    r = cluster.get("/page.html", host=EDU_HOST)
    assert r.status == 200 and b"EDU-PAGE-V2" in r.body, r
    assert r.header("ETag") != before.header("ETag"), "ETag must change with the content"
    # The stored gzip variant was refreshed with the page, not left stale.
    g = cluster.get("/edu/page.html", headers={"Accept-Encoding": "gzip"})
    assert (g.header("Content-Encoding") or "") == "gzip", g
    assert b"EDU-PAGE-V2" in gunzip(g.body)
    # The new page shows up in ls.
    assert "fresh/new.html" in cluster.ctl("ls", "edu").stdout.decode()


def test_import_keeps_connection_serving(cluster):
    # A keep-alive connection opened before an import sees the new content on its next request.
    from conftest import RawConn
    with RawConn(cluster.port) as c:
        c.send_request("GET", "/xian/page.html", {"Host": PORTAL_HOST})
        assert b"XIAN-PAGE" in c.read_response().body
        cluster.import_pages("xian", {"index.html": html("xian", "XIAN-HOME"),
                                      "page.html": html("xian page", "XIAN-PAGE-V2")})
        c.send_request("GET", "/xian/page.html", {"Host": PORTAL_HOST})
        r = c.read_response()
    assert r.status == 200 and b"XIAN-PAGE-V2" in r.body, r


def test_rm_gives_404(cluster):
    assert cluster.get("/edu/news/").status == 200
    r = cluster.ctl("rm", "edu", "/news/index.html")
    assert r.returncode == 0, r.stderr
    r = cluster.get("/edu/news/index.html")
    # A configured column whose imported page is gone is rendered, empty, by the theme.
    assert r.status == 200 and "本栏目暂无信息" in r.body.decode(), r
    assert b"EDU-NEWS" not in r.body
    assert cluster.ctl("rm", "edu", "/page.html").returncode == 0
    r = cluster.get("/edu/page.html")
    assert r.status == 404, r
    listing = cluster.ctl("ls", "edu").stdout.decode()
    assert "news/index.html" not in listing and "page.html" not in listing
    # Other pages of the site are untouched.
    assert cluster.get("/edu/").status == 200


def test_rm_missing_page_fails(cluster):
    r = cluster.ctl("rm", "edu", "/never-existed.html")
    assert r.returncode != 0
    assert r.stderr.strip(), "a failure gives a reason"


def test_import_unknown_site_fails(cluster, tmp_path):
    (tmp_path / "index.html").write_bytes(b"<p>x</p>")
    r = cluster.ctl("import", "no-such-site", tmp_path)
    assert r.returncode != 0
    assert r.stderr.strip()
    assert len(r.stderr.decode().strip().splitlines()) == 1, "a one-line reason"


def test_import_missing_dir_fails_and_keeps_content(cluster, tmp_path):
    r = cluster.ctl("import", "zhen", tmp_path / "does-not-exist")
    assert r.returncode != 0
    r = cluster.get("/xian/zhen/")
    assert r.status == 200 and b"ZHEN-HOME" in r.body


def test_import_does_not_touch_other_sites(cluster):
    cluster.import_pages("zhen", {"index.html": html("zhen", "ZHEN-HOME-V2")})
    assert b"ZHEN-HOME-V2" in cluster.get("/xian/zhen/").body
    assert b"PORTAL-HOME" in cluster.get("/").body
    assert cluster.get("/style.css").status == 200


def page_set(cluster, sid):
    r = cluster.ctl("ls", sid)
    assert r.returncode == 0, r.stderr
    return {line.split("\t")[0].strip() for line in r.stdout.decode().splitlines() if line.strip()}


@pytest.mark.parametrize("delay", [0.05, 0.12, 0.2])
def test_killed_import_leaves_old_or_new_never_half(cluster, tmp_path, delay):
    # An import of this size takes a few tenths of a second: SIGKILL lands somewhere in it
    # (walk, write or commit). Whatever the moment, the site is entirely old or entirely new.
    old = page_set(cluster, "zhen")
    tag = f"ZHEN-BULK-{delay}"
    new_pages = {f"bulk/p{i:04d}.html": html(f"p{i}", f"BULK-{i}", pad=5) for i in range(2000)}
    new_pages["index.html"] = html("zhen", tag)
    folder = write_pages(tmp_path / "bulk", new_pages)
    argv = [str(JIYUECTL), "-c", str(cluster.conf), "import", "zhen", str(folder)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    check_sanitized_output(argv, *proc.communicate(timeout=10))
    after = {p.lstrip("/") for p in page_set(cluster, "zhen")}
    assert after in ({p.lstrip("/") for p in old}, set(new_pages)), \
        f"half an import is visible: {len(after)} pages (old {len(old)}, new {len(new_pages)})"
    r = cluster.get("/xian/zhen/")
    assert r.status == 200 and (tag.encode() in r.body) == (after == set(new_pages)), r
    # The store is still usable for the next writer.
    cluster.import_pages("zhen", {"index.html": html("zhen", "ZHEN-AFTER-KILL")})
    assert b"ZHEN-AFTER-KILL" in cluster.get("/xian/zhen/").body


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "tinymap", map_size="2MiB")
    c.start()
    yield c
    c.stop()


def test_full_map_keeps_old_content_and_says_why(tiny, tmp_path):
    before = page_set(tiny, "edu")
    pages = {"index.html": html("edu", "EDU-TOO-BIG")}
    pages.update({f"blob{i}.bin": os.urandom(512 * 1024) for i in range(12)})  # 6 MiB, incompressible
    folder = write_pages(tmp_path / "big", pages)
    r = tiny.ctl("import", "edu", folder)
    assert r.returncode != 0, "an import larger than the map must fail"
    err = r.stderr.decode()
    assert err.strip() and ("map" in err.lower() or "full" in err.lower()), err
    assert page_set(tiny, "edu") == before, "a failed import changed the site"
    g = tiny.get("/edu/")
    assert g.status == 200 and b"EDU-HOME" in g.body and b"EDU-TOO-BIG" not in g.body


def test_served_gzip_is_the_stored_variant(cluster):
    # ls shows the sizes stored at import time; the server sends exactly those bytes.
    rows = {}
    for line in cluster.ctl("ls", "portal").stdout.decode().splitlines():
        cols = line.split("\t")
        if len(cols) >= 4:
            rows[cols[0].strip().lstrip("/")] = cols
    assert "style.css" in rows and "logo.png" in rows, rows
    ident = cluster.get("/style.css")
    gz = cluster.get("/style.css", headers={"Accept-Encoding": "gzip"})
    assert rows["style.css"][2].strip() == str(len(ident.body)), rows["style.css"]
    assert rows["style.css"][3].strip() == str(len(gz.body)), rows["style.css"]
    assert rows["logo.png"][3].strip() in ("-", "0", ""), "an image got a gzip variant"
    # Same bytes every time: nothing is compressed per request.
    assert cluster.get("/style.css", headers={"Accept-Encoding": "gzip"}).body == gz.body
