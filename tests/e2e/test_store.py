# tests/e2e/test_store.py: jiyuectl import / ls / rm against the shared LMDB store while
# the server runs: the next request sees the change, with no reload.
from conftest import EDU_HOST, PORTAL_HOST, gunzip, html


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
    assert r.status == 404, r
    assert "news/index.html" not in cluster.ctl("ls", "edu").stdout.decode()
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
