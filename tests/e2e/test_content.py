# tests/e2e/test_content.py: publishing with accountability through the real jiyuectl into
# a running jiyue: the refusals (each writes nothing: the store dump is byte-identical),
# publish / update / unpublish and the audit trail that records each step, and the pages
# rendered by the default theme (article, column with pagination, site home, portal home,
# Atom feed, sitemap, mourning), beside imported static pages.
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import EDU_HOST, PORTAL_HOST, ROOT, make_cluster, gunzip

THEMES = ROOT / "conf" / "themes"

FRONT = {
    "site": "edu",
    "column": "news",
    "title": "全市中小学秋季开学工作会议召开",
    "source": "测试市教育局",
    "author": "张明",
    "publisher": "李华",
    "reviewer": "王强",
    "disclosure": "主动公开",
    "date": "2026-09-01 09:30",
}
BODY = "# 会议纪要\n\n**九月一日**，全市中小学秋季开学。<script>alert(1)</script>\n"


def article_text(secrecy=True, body=BODY, **over):
    meta = dict(FRONT)
    meta.update(over)
    lines = ["---"]
    for k, v in meta.items():
        if v is not None:
            lines.append(f"{k}: {v}")
    if secrecy:
        lines.append("secrecy_review: {by: 赵敏, date: 2026-08-31}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "content", extra_conf=f"themes: {THEMES}\n")
    c.start()
    yield c
    c.stop()


def write(site, name, text):
    d = site.root / "articles"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text)
    return p


def publish(site, name, text, *flags, cmd="publish"):
    return site.ctl(cmd, *flags, write(site, name, text))


def dump(site):
    r = subprocess.run(["mdb_dump", "-a", str(site.root / "store")], capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def history(site, *args):
    r = site.ctl("history", *args)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.decode().splitlines()]


# ---------------------------------------------------------------------------- publishing

REFUSALS = [
    ("unknown-site", dict(site="nosuch"), True, "unknown site 'nosuch'"),
    ("unknown-column", dict(column="nosuch"), True, "has no column 'nosuch'"),
    ("no-title", dict(title=None), True, "missing title"),
    ("no-publisher", dict(publisher=None), True, "missing publisher"),
    ("no-reviewer", dict(reviewer=None), True, "missing reviewer"),
    ("self-review", dict(reviewer="李华"), True, "reviewer must be someone other than the publisher"),
    ("no-secrecy", {}, False, "missing confidentiality review"),
    ("withheld", dict(disclosure="不予公开"), True, "不予公开"),
]


@pytest.mark.parametrize("name,over,secrecy,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_write_nothing(site, name, over, secrecy, message):
    before = dump(site)
    r = publish(site, f"refuse-{name}.md", article_text(secrecy=secrecy, **over))
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err  # one clear line
    assert r.stdout == b""
    assert dump(site) == before


def test_unknown_front_matter_key_is_refused(site):
    before = dump(site)
    r = publish(site, "typo.md", article_text(reviwer="王强"))
    assert r.returncode == 1
    assert "unknown key 'reviwer'" in r.stderr.decode()
    assert re.search(r"typo\.md:\d+:1:", r.stderr.decode())
    assert dump(site) == before


def test_publish_update_unpublish_audited(site):
    r = publish(site, "kaixue.md", article_text())
    assert r.returncode == 0, r.stderr
    url = r.stdout.decode().strip()
    assert url == "/edu/news/kaixue.html"

    page = site.get(url)
    assert page.status == 200
    text = page.body.decode()
    assert "全市中小学秋季开学工作会议召开" in text
    assert "<strong>九月一日</strong>" in text          # Markdown rendered at publish time
    assert "<script>alert(1)</script>" not in text       # raw HTML in Markdown is dropped
    # The same article on the site's own host, below its mount there.
    assert site.get("/news/kaixue.html", host=EDU_HOST).status == 200

    again = publish(site, "kaixue.md", article_text())
    assert again.returncode == 1 and "already published" in again.stderr.decode()

    r = publish(site, "kaixue.md", article_text(title="全市中小学秋季开学工作会议召开（更新）"), cmd="update")
    assert r.returncode == 0, r.stderr
    page = site.poll_get(url, lambda p: "（更新）" in p.body.decode())
    assert "（更新）" in page.body.decode()

    r = site.ctl("unpublish", "--by", "李华", "--reason", "信息过期", "edu", "news", "kaixue")
    assert r.returncode == 0, r.stderr
    assert site.get(url).status == 404

    rows = [h for h in history(site, "edu") if h[3] == "edu/news/kaixue"]
    assert [h[2] for h in rows] == ["publish", "update", "unpublish"]
    assert [h[4] for h in rows] == ["rev 1", "rev 2", "rev 2"]
    assert rows[0][5] == "by 李华" and rows[0][6] == "reviewed by 王强"
    assert rows[2][5] == "by 李华" and "信息过期" in rows[2][6]
    seqs = [int(h[0]) for h in rows]
    assert seqs == sorted(seqs)
    # Records are never rewritten: a later publish appends, the old lines stay as they were.
    publish(site, "later.md", article_text(title="后续信息"))
    assert [h for h in history(site, "edu") if h[3] == "edu/news/kaixue"] == rows
    assert all(h[3].startswith("edu/") for h in history(site, "edu"))
    r = site.ctl("unpublish", "--by", "李华", "edu", "news", "kaixue")
    assert r.returncode == 1 and "no published article" in r.stderr.decode()


def test_history_unknown_site(site):
    r = site.ctl("history", "nosuch")
    assert r.returncode == 1 and "unknown site" in r.stderr.decode()


def test_attachments_served_beside_article(site, tmp_path):
    d = site.root / "articles"
    d.mkdir(exist_ok=True)
    (d / "fujian.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n")
    r = publish(site, "with-att.md", article_text(title="附件测试", attachments="[fujian.pdf]"))
    assert r.returncode == 0, r.stderr
    page = site.get("/edu/news/with-att.html")
    assert 'href="/edu/news/with-att/fujian.pdf"' in page.body.decode()
    att = site.get("/edu/news/with-att/fujian.pdf")
    assert att.status == 200
    assert att.header("Content-Type") == "application/pdf"
    assert att.body.startswith(b"%PDF-1.4")
