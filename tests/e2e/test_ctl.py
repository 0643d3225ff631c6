# tests/e2e/test_ctl.py: jiyuectl's publishing and store commands as an operator meets
# them: attachments and imports that must never read outside their folder, the help and
# warnings of `import`, `unpublish` of a URL copied from the browser, the dense numbering
# of `history`, the warning when a first article replaces an imported home page, and
# `purge` of a removed site.
import os
import subprocess

import pytest

from conftest import (EDU_ALIAS, EDU_HOST, PORTAL_HOST, ROOT, XIAN_HOST, html, make_cluster,
                      store_dump)

THEMES = ROOT / "conf" / "themes"

FRONT = {
    "site": "edu",
    "column": "news",
    "title": "附件安全测试",
    "publisher": "李华",
    "reviewer": "王强",
    "disclosure": "主动公开",
    "date": "2026-09-01 09:30",
}


def article_text(**over):
    meta = dict(FRONT)
    meta.update(over)
    lines = ["---"] + [f"{k}: {v}" for k, v in meta.items() if v is not None]
    lines.append("secrecy_review: {by: 赵敏, date: 2026-08-31}")
    return "\n".join(lines) + "\n---\n正文。\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "ctl", extra_conf=f"themes: {THEMES}\n")
    c.start()
    yield c
    c.stop()


def dump(site):
    return store_dump(site.root)


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text)
    return p


# ---------------------------------------------------------------- attachments: containment

@pytest.fixture()
def secret(site):
    """A file outside every article folder that must never be published."""
    p = site.root / "outside" / "default.key"
    p.parent.mkdir(exist_ok=True)
    p.write_text("-----BEGIN PRIVATE KEY-----\nSECRET\n")
    return p


def refused_attachment(site, folder, name, attachment, needle):
    before = dump(site)
    f = write(folder, name, article_text(id=name.split(".")[0], attachments=f"['{attachment}']"))
    r = site.ctl("publish", f)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err                        # one line ...
    assert f"attachment '{attachment}'" in lines[0]     # ... naming the attachment
    assert needle in lines[0], err
    assert r.stdout == b""
    assert dump(site) == before                          # nothing written
    assert site.get(f"/edu/news/{name.split('.')[0]}.html").status == 404


def test_attachment_climbing_out_is_refused(site, secret):
    folder = site.root / "articles" / "a" / "b"
    refused_attachment(site, folder, "climb.md", "../../../outside/default.key",
                       "outside the article's folder")
    refused_attachment(site, folder, "climb2.md", "sub/../../x.pdf", "outside the article's folder")


def test_attachment_absolute_path_is_refused(site, secret):
    refused_attachment(site, site.root / "articles", "absolute.md", str(secret),
                       "outside the article's folder")
    refused_attachment(site, site.root / "articles", "passwd.md", "/etc/passwd",
                       "outside the article's folder")


def test_attachment_symlink_is_refused(site, secret):
    folder = site.root / "articles" / "links"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "fujian.pdf"
    if not link.is_symlink():
        link.symlink_to(secret)
    refused_attachment(site, folder, "symlink.md", "fujian.pdf", "symbolic link")


def test_attachment_under_symlinked_folder_is_refused(site, secret):
    folder = site.root / "articles" / "dirlinks"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "files"
    if not link.is_symlink():
        link.symlink_to(secret.parent, target_is_directory=True)
    refused_attachment(site, folder, "dirlink.md", "files/default.key", "symbolic link")


def test_attachment_not_regular_is_refused(site):
    folder = site.root / "articles" / "fifo"
    folder.mkdir(parents=True, exist_ok=True)
    fifo = folder / "pipe.pdf"
    if not fifo.exists():
        os.mkfifo(fifo)
    refused_attachment(site, folder, "fifo.md", "pipe.pdf", "not a regular file")
    (folder / "adir").mkdir(exist_ok=True)
    refused_attachment(site, folder, "adir.md", "adir", "not a regular file")


def test_attachment_in_subfolder_is_published(site):
    folder = site.root / "articles" / "ok"
    (folder / "files").mkdir(parents=True, exist_ok=True)
    (folder / "files" / "方案.pdf").write_bytes(b"%PDF-1.4\nOK\n%%EOF\n")
    f = write(folder, "below.md", article_text(id="below", attachments="['./files/方案.pdf']"))
    r = site.ctl("publish", f)
    assert r.returncode == 0, r.stderr
    att = site.get("/edu/news/below/%E6%96%B9%E6%A1%88.pdf")
    assert att.status == 200 and att.body == b"%PDF-1.4\nOK\n%%EOF\n"


def test_import_does_not_follow_symlinks_out(site, secret, tmp_path):
    d = tmp_path / "import"
    (d / "docs").mkdir(parents=True)
    (d / "index.html").write_bytes(html("xian", "XIAN-SAFE"))
    (d / "docs" / "a.html").write_bytes(html("a", "XIAN-A"))
    (d / "key.txt").symlink_to(secret)
    (d / "outside").symlink_to(secret.parent, target_is_directory=True)
    r = site.ctl("import", "xian", d)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert "key.txt: symbolic links are not followed" in err
    assert "outside: symbolic links are not followed" in err
    assert b"imported 2 files" in r.stdout
    assert site.get("/xian/key.txt").status == 404
    assert site.get("/xian/outside/default.key").status == 404
    r = site.ctl("ls", "xian")
    assert b"SECRET" not in r.stdout and b"default.key" not in r.stdout


# ---------------------------------------------------------------- history numbering

def history(site, *args):
    r = site.ctl("history", *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.decode().splitlines()]


def test_history_numbers_are_dense(site):
    folder = site.root / "articles" / "hist"
    for name, over in (("h1", {}), ("h2", dict(site="xian")), ("h3", {})):
        r = site.ctl("publish", write(folder, f"{name}.md", article_text(id=name, title=f"记录{name}", **over)))
        assert r.returncode == 0, r.stderr
    r = site.ctl("update", write(folder, "h1.md", article_text(id="h1", title="记录h1（更新）")))
    assert r.returncode == 0, r.stderr
    r = site.ctl("unpublish", "--by", "李华", "xian", "news", "h2")
    assert r.returncode == 0, r.stderr
    rows = history(site)
    assert [int(h[0]) for h in rows] == list(range(1, len(rows) + 1))
    for sid in ("edu", "xian"):
        rows = history(site, sid)
        assert rows and all(h[3].startswith(f"{sid}/") for h in rows)
        assert [int(h[0]) for h in rows] == list(range(1, len(rows) + 1)), rows
    mine = [(h[2], h[3]) for h in history(site, "edu") if h[3] in ("edu/news/h1", "edu/news/h3")]
    assert mine == [("publish", "edu/news/h1"), ("publish", "edu/news/h3"), ("update", "edu/news/h1")]


# ---------------------------------------------------------------- unpublish by URL

def published(site, sid, aid):
    folder = site.root / "articles" / "urls"
    r = site.ctl("publish", write(folder, f"{aid}.md", article_text(site=sid, id=aid, title=f"撤稿{aid}")))
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().strip()


URLS = [
    ("own-host", "edu", "u1", f"http://{EDU_HOST}/news/u1.html", "/edu/news/u1.html"),
    ("alias", "edu", "u2", f"http://{EDU_ALIAS}/news/u2.html", "/edu/news/u2.html"),
    ("portal-mount", "edu", "u3", f"http://{PORTAL_HOST}/edu/news/u3.html", "/edu/news/u3.html"),
    ("https-port-query", "edu", "u4", f"https://{EDU_HOST.upper()}:8443/news/u4.html?from=list#top",
     "/edu/news/u4.html"),
    ("township-on-county", "zhen", "u5", f"http://{XIAN_HOST}/zhen/news/u5.html", "/xian/zhen/news/u5.html"),
    ("township-on-portal", "zhen", "u6", f"http://{PORTAL_HOST}/xian/zhen/news/u6.html",
     "/xian/zhen/news/u6.html"),
    ("path-printed", "zhen", "u7", "/xian/zhen/news/u7.html", "/xian/zhen/news/u7.html"),
    ("portal", "portal", "u8", f"http://{PORTAL_HOST}/news/u8.html", "/news/u8.html"),
]


@pytest.mark.parametrize("name,sid,aid,url,path", URLS, ids=[u[0] for u in URLS])
def test_unpublish_accepts_the_browser_url(site, name, sid, aid, url, path):
    assert published(site, sid, aid) == path
    assert site.get(path).status == 200
    r = site.ctl("unpublish", "--by", "李华", url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"unpublished {sid}/news/{aid}.html\n"
    assert site.get(path).status == 404
    last = history(site, sid)[-1]
    assert (last[2], last[3], last[5]) == ("unpublish", f"{sid}/news/{aid}", "by 李华")


HINTS = [
    ("township-path", "/zhen/news/x.html",
     "articles of 测试市人民政府 (portal) are at /COLUMN/ID.html; zhen's are at /xian/zhen/COLUMN/ID.html"),
    ("township-host", f"http://{XIAN_HOST}/zhen/x.html",
     f"articles of 测试镇人民政府 (zhen) are at http://{XIAN_HOST}/zhen/COLUMN/ID.html"),
    ("mount", f"http://{PORTAL_HOST}/xian/zhen/", 
     f"articles of 测试镇人民政府 (zhen) are at http://{PORTAL_HOST}/xian/zhen/COLUMN/ID.html"),
    ("alias", f"http://{EDU_ALIAS}/news/", f"articles of 测试市教育局 (edu) are at http://{EDU_ALIAS}/COLUMN/ID.html"),
    ("unknown-host", "http://elsewhere.example/news/x.html", "'elsewhere.example' is not a host of this cluster"),
    ("garbage", "news/x.html", "is not an article URL"),
]


@pytest.mark.parametrize("name,url,message", HINTS, ids=[h[0] for h in HINTS])
def test_unpublish_hint_names_the_real_layout(site, name, url, message):
    before = dump(site)
    r = site.ctl("unpublish", "--by", "李华", url)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert len(err.strip().splitlines()) == 1, err
    assert message in err, err
    assert "/SITE/COLUMN" not in err
    assert dump(site) == before


# ---------------------------------------------------------------- purge

def store_keys(site):
    """{database: {key: value}} of the whole store (printable dump)."""
    r = subprocess.run(["mdb_dump", "-p", "-a", str(site.root / "store")], capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    dbs, db, pair, data = {}, None, [], False
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("database="):
            db = line.split("=", 1)[1]
            dbs[db] = {}
        elif line == "HEADER=END":
            data = True
        elif line == "DATA=END":
            data = False
        elif data and line.startswith(" "):
            pair.append(line[1:])
            if len(pair) == 2:
                dbs[db or ""][pair[0]] = pair[1]
                pair = []
    return dbs


GONE_HOST = "gone.test.gov.cn"


def gone_keys(dbs):
    """Every key of the store that belongs to site 'gone', by database."""
    out = {}
    codes = [k[2:] for k, v in dbs.get("content", {}).items() if k.startswith("m/") and "gone" in v]
    for db, kv in dbs.items():
        ks = [k for k, v in kv.items()
              if k.startswith(("gone/", "gone@", "gone#att/")) or "/gone/" in k or "/gone@" in k
              or k.endswith("/gone") or (k.startswith("g/") and v.startswith("gone/"))
              or (k.startswith("xd/") and "\\00\\00\\00gone\\00" in v)   # search documents
              or any(k in (f"m/{c}",) or k.startswith(f"mr/{c}/") for c in codes)]
        if ks:
            out[db] = sorted(ks)
    return out


def test_purge_removed_site(site, tmp_path):
    from conftest import site_yaml
    gone = site.site_path("gone")
    gone.write_text(site_yaml("gone", "撤并局", "department", parent="portal", path="/gone/",
                              hosts=[GONE_HOST], code="1100000099",
                              extra="  - {id: mailbox, name: 局长信箱, type: interaction}\n"))
    site.import_pages("gone", {"index.html": html("gone", "GONE-HOME"), "a.html": html("a", "GONE-A")})
    (tmp_path / "v2").mkdir()
    (tmp_path / "v2" / "index.html").write_bytes(html("gone v2", "GONE-V2"))
    csv = tmp_path / "map.csv"
    csv.write_text("old,new\n/old.asp,/a.html\n")
    r = site.ctl("import", "--generation", "v2", "--map", csv, "gone", tmp_path / "v2")
    assert r.returncode == 0, r.stderr
    folder = site.root / "articles" / "gone"
    (folder).mkdir(parents=True, exist_ok=True)
    (folder / "f.pdf").write_bytes(b"%PDF-1.4\nGONE\n")
    r = site.ctl("publish", write(folder, "g1.md", article_text(site="gone", id="g1", attachments="[f.pdf]")))
    assert r.returncode == 0, r.stderr
    msgs = tmp_path / "msgs.yaml"
    msgs.write_text("- site: gone\n  column: mailbox\n  title: 问一下\n  body: 内容\n  name: 张三\n"
                    "  phone: \"13900000000\"\n  days_ago: 3\n"
                    "  replies:\n    - by: 撤并局\n      after_days: 1\n      text: 已答复\n"
                    "- site: gone\n  column: mailbox\n  title: 广告\n  body: 内容\n  name: 某乙\n"
                    "  phone: \"13900000001\"\n  days_ago: 2\n")
    r = site.ctl("message_import", msgs)
    assert r.returncode == 0, r.stderr
    # A message marked spam leaves mi/ for ms/: its record must go too.
    listed = site.ctl("messages", "gone").stdout.decode().splitlines()
    spam = [line.split()[0] for line in listed if "广告" in line]
    assert len(spam) == 1, listed
    r = site.ctl("messages", "gone", "--spam", spam[0], "--by", "王管理")
    assert r.returncode == 0, r.stderr
    # the site's preview secret: made by `preview` while it was being redesigned
    active = gone.read_text()
    gone.write_text(active.replace("status: active\n", "status: {state: redesign, generation: v2}\n"))
    r = site.ctl("preview", "gone")
    assert r.returncode == 0, r.stderr
    gone.write_text(active)
    before = store_keys(site)
    have = gone_keys(before)
    assert have.get("pages") and have.get("content") and have.get("meta"), have
    for prefix in ("m/", "mr/", "mi/gone/", "ms/gone/", "a/gone/", "i/gone/", "g/", "v/gone"):
        assert any(k.startswith(prefix) for k in have["content"]), (prefix, have)
    assert any(k.startswith("gone@v2/") for k in have["pages"]), have
    assert "redir/gone/old.asp" in have["meta"], have           # redirects belong to the site
    assert "secret/preview/gone" in have["meta"], have

    # Still configured: refused, nothing deleted.
    dumped = dump(site)
    r = site.ctl("purge", "--yes", "gone")
    err = r.stderr.decode()
    assert r.returncode == 1 and len(err.strip().splitlines()) == 1, err
    assert "site 'gone' is still in sites.d" in err and "nothing was deleted" in err
    assert dump(site) == dumped

    # Removed from sites.d: without --yes, what would go, and nothing goes.
    gone.unlink()
    r = site.ctl("purge", "gone")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert out.startswith("would purge gone: 2 pages, 1 pages of other generations, 1 attachments, "
                          "1 articles"), out
    assert "2 messages with 1 replies" in out and "1 redirects" in out
    assert "kept: the accountability trail (2 records of gone; `jiyuectl history gone` lists them)" in out
    assert "nothing was deleted: run `jiyuectl purge --yes gone`" in out
    assert dump(site) == dumped

    r = site.ctl("purge", "--yes", "gone")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith("purged gone: 2 pages"), r.stdout
    after = store_keys(site)
    assert gone_keys(after) == {}
    # Only gone's keys went (and the cluster version moved); the trail is whole.
    for db, kv in before.items():
        for k, v in kv.items():
            if k in have.get(db, []) or k == "v/":
                continue
            # the search index's postings, term counts and counters are shared by every
            # site: gone's entries leave them (test_search.py checks what stays)
            if db == "content" and (k.startswith(("xp/", "xf/")) or k == "xn"):
                continue
            assert after[db].get(k) == v, (db, k)
    rows = history(site, "gone")
    assert [(h[0], h[2]) for h in rows] == [("1", "publish"), ("2", "spam")], rows
    assert site.get("/edu/").status == 200

    r = site.ctl("purge", "--yes", "gone")
    assert r.returncode == 0
    assert r.stdout.decode().startswith("the store holds no content of site 'gone'\n")


def test_purge_usage(site):
    r = site.ctl("purge")
    assert r.returncode == 2 and b"missing SITE" in r.stderr
    r = site.ctl("purge", "--yes", "../edu")
    assert r.returncode == 2 and b"is not a site id" in r.stderr
    r = site.ctl("purge", "-h")
    assert r.returncode == 0 and b"purge [--yes] SITE" in r.stdout


# ---------------------------------------------------------------- import: help and warnings

def test_import_help_lists_every_flag(site):
    for flag in ("-h", "--help"):
        r = site.ctl("import", flag)
        out = r.stdout.decode()
        assert r.returncode == 0, r.stderr
        assert out.startswith("usage: jiyuectl [-c FILE] import [--generation GEN] [--mirror] "
                              "[--map CSV] SITE DIR\n")
        for f in ("--generation GEN", "--mirror", "--map CSV", "-h, --help"):
            assert f"\n  {f}" in out, (f, out)
    r = site.ctl("-h")
    assert "\n  import [--generation GEN] [--mirror] [--map CSV] SITE DIR\n" in r.stdout.decode()
    assert "\n  purge [--yes] SITE\n" in r.stdout.decode()


def test_import_warns_about_a_lone_host_folder(site, tmp_path):
    mirror = tmp_path / "wget"
    (mirror / "old-host.example").mkdir(parents=True)
    (mirror / "old-host.example" / "index.html").write_bytes(html("old", "OLD-HOST"))
    r = site.ctl("import", "--generation", "w1", "xian", mirror)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert (f"jiyuectl: import: warning: {mirror} holds nothing but the folder old-host.example/, "
            "which looks like a `wget --mirror` of http://old-host.example/: its pages will be "
            "under /old-host.example/; to import the mirror as the site's pages, run import "
            "with --mirror\n") == err, err
    assert site.ctl("ls", "--generation", "w1", "xian").stdout.decode().startswith("/old-host.example/index.html")
    # With --mirror the folder is entered and nothing is said about it.
    r = site.ctl("import", "--mirror", "--generation", "w1", "xian", mirror)
    assert r.returncode == 0, r.stderr
    assert b"holds nothing but" not in r.stderr
    assert site.ctl("ls", "--generation", "w1", "xian").stdout.decode().startswith("/index.html")
    # A folder beside it, or a name that is no host: no warning.
    (mirror / "other").mkdir()
    (mirror / "other" / "x.html").write_bytes(html("x", "X"))
    r = site.ctl("import", "--generation", "w1", "xian", mirror)
    assert r.returncode == 0 and b"holds nothing but" not in r.stderr
    for name in ("pages", "backup.2024", "v1.2"):
        plain = tmp_path / f"plain-{name}"
        (plain / name).mkdir(parents=True)
        (plain / name / "a.html").write_bytes(html("a", "A"))
        r = site.ctl("import", "--generation", "w1", "xian", plain)
        assert r.returncode == 0 and b"holds nothing but" not in r.stderr, name
    # wget's host:port folder is a host folder too.
    port = tmp_path / "port"
    (port / "old.example.gov.cn+8080").mkdir(parents=True)
    (port / "old.example.gov.cn+8080" / "a.html").write_bytes(html("a", "A"))
    r = site.ctl("import", "--generation", "w1", "xian", port)
    assert r.returncode == 0 and b"the folder old.example.gov.cn+8080/" in r.stderr


# ---------------------------------------------------------------- first article on imported pages

@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "first", extra_conf=f"themes: {THEMES}\n")
    c.start()
    yield c
    c.stop()


WARN = ("jiyuectl: publish: warning: the first article here replaces imported pages with the "
        "theme's rendered ones: {pages}; the other imported pages stay, but links to them that "
        "were only on the replaced pages are gone\n")


def test_first_article_warns_it_replaces_the_imported_home(fresh):
    folder = fresh.root / "articles"
    f = write(folder, "first.md", article_text(id="first"))
    edu_pages = ("/edu/ (the home page of edu), / (the portal's home page, which lists the latest "
                 "articles of every site), /edu/news/ (the page of column news)")
    before = dump(fresh)
    r = fresh.ctl("publish", "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == WARN.format(pages=edu_pages)
    assert r.stdout == b"/edu/news/first.html\n"
    assert dump(fresh) == before
    assert b"EDU-HOME" in fresh.get("/edu/").body

    r = fresh.ctl("publish", f)
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == WARN.format(pages=edu_pages)
    assert b"EDU-HOME" not in fresh.get("/edu/").body       # what the warning said
    assert b"PORTAL-HOME" not in fresh.get("/").body
    assert b"EDU-NEWS" not in fresh.get("/edu/news/").body
    assert b"EDU-PAGE" in fresh.get("/edu/page.html").body  # the rest stays

    # Once: the next article replaces nothing more.
    r = fresh.ctl("publish", write(folder, "second.md", article_text(id="second")))
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    # Another site's first article: its own home only (the portal's went already; the
    # column has no imported page).
    r = fresh.ctl("publish", write(folder, "x1.md", article_text(id="x1", site="xian", column="notice")))
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == WARN.format(pages="/xian/ (the home page of xian)")
