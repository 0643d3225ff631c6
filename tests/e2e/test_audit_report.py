# tests/e2e/test_audit_report.py: `jiyuectl audit --format html` on the repo's own demo
# cluster (its site files, imported pages, published articles and citizens' messages),
# rendered by headless Chromium from a file:// URL: the report is one self-contained file,
# and the DOM Chromium built has the summary table (one row per site, verdicts matching
# the JSON report), each finding with its rule and link, and the three SVG charts. And the
# audit of the demo cluster, served: no finding points at a page citizens cannot reach or
# at a link they cannot find there, and the demo's columns count the items of the old
# folders they name (folder:).
import html
import json
import re
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, demo_cluster, dump_dom


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_cluster(tmp_path_factory.mktemp("audit-report"), messages=True)


def test_html_report_renders(demo, tmp_path):
    report = tmp_path / "report.html"
    r = demo.ctl("audit", "--format", "html", "--out", report, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    data = json.loads(demo.ctl("audit", "--format", "json", timeout=60).stdout)
    text = report.read_text()
    # self-contained: nothing to fetch
    assert "<script" not in text and "<link" not in text and " src=" not in text
    dom = dump_dom(report.as_uri(), tmp_path)

    m = re.search(r'<table id="summary">.*?<tbody>(.*?)</tbody>', dom, re.S)
    assert m, dom[:2000]
    rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
    assert len(rows) == len(data["sites"]) == len(list((ROOT / "sites.d").glob("*.yaml")))
    for row, site in zip(rows, data["sites"]):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[0] == site["id"] and cells[1] == site["name"]
        assert cells[3] == site["verdict"]
        counts = [sum(1 for f in site["findings"] if f["severity"] == s)
                  for s in ("veto", "deduct", "info")]
        assert [int(x) for x in cells[4:7]] == counts

    # a finding: its site section, rule, severity and link to the page
    site = next(s for s in data["sites"] if s["findings"])
    f = site["findings"][0]
    sec = re.search(rf'<section class="site" id="site-{site["id"]}">(.*?)</section>', dom, re.S)
    assert sec, f"no section for {site['id']}"
    row = re.search(rf'<tr class="finding" data-rule="{re.escape(f["rule"])}">(.*?)</tr>',
                    sec.group(1), re.S)
    assert row
    assert f'sev-{f["severity"]}' in row.group(1)
    # the report is for people: the Chinese detail
    assert html.escape(f["detail_zh"], quote=False) in row.group(1) or f["detail_zh"] in html.unescape(row.group(1))
    if f["url"]:
        assert f'href="{html.escape(f["url"])}"' in row.group(1)
    # the summary links to the section
    assert f'href="#site-{site["id"]}"' in dom

    # the charts are SVG the browser parsed
    for chart in ("chart-freshness", "chart-replies"):
        c = re.search(rf'<figure class="chart" id="{chart}"><svg[^>]*>(.*?)</svg>', dom, re.S)
        assert c, chart
        assert "<rect" in c.group(1) and "<text" in c.group(1)
    assert re.search(r'id="chart-findings"><svg', dom)


@pytest.fixture(scope="module")
def served(demo):
    # as tools/demo-run.sh: a redesign's next generation beside the live pages
    for d in sorted((ROOT / "demo").glob("*@*")):
        site, gen = d.name.split("@", 1)
        r = demo.ctl("import", "--generation", gen, site, d)
        assert r.returncode == 0, r.stderr
    # fgw is https-only: its findings point at the https URLs citizens end up at
    data = json.loads(demo.ctl("audit", "--format", "json", "fgw", timeout=60).stdout)
    urls = [f["url"] for f in data["sites"][0]["findings"] if f["url"]]
    assert urls and all(u.startswith("https://www.yunling.gov.cn/fgw/") for u in urls), urls
    rows = {x["id"]: x for x in json.loads(demo.ctl("census", "sites", "--format", "json").stdout)}
    assert rows["fgw"]["url"] == "https://www.yunling.gov.cn/fgw/" and rows["edu"]["url"].startswith("http://")
    # the test server has no TLS: serve fgw over plain HTTP to fetch what the findings name
    fgw = demo.sites_dir / "fgw.yaml"
    fgw.write_text(fgw.read_text().replace("\nhttps: redirect\n", "\n"))
    demo.start()
    yield demo
    demo.stop()


def test_demo_findings_point_at_pages_citizens_reach(served):
    r = served.ctl("audit", "--format", "json", timeout=60)
    assert r.returncode in (0, 1), r.stderr
    data = json.loads(r.stdout)
    checked = 0
    for site in data["sites"]:
        for f in site["findings"]:
            if not f["url"] or f["rule"] == "suspension-overdue":  # that one is the notice
                continue
            u = urlsplit(f["url"])
            resp = served.get(u.path, host=u.hostname)
            assert resp.status == 200, (site["id"], f, resp.status)
            checked += 1
            body = resp.body.decode(errors="replace")
            # a link finding names a page that shows the link (not one a rendering hides)
            m = re.match(r"link to (\S+?),? ", f["detail"])
            if f["rule"].startswith("link-") and m:
                target = m.group(1)
                needle = target if f["rule"] != "link-broken" else target.rstrip("/").rsplit("/", 1)[-1]
                assert needle in body, (site["id"], f)
            # an empty column is reported at its page, which exists
            if f["rule"] == "column-blank" and f["severity"] != "veto":
                assert u.path.endswith("/"), f
    assert checked > 10

    by = {(s["id"], f["rule"], f["url"]): f for s in data["sites"] for f in s["findings"]}
    blank = {url for (sid, rule, url) in by if rule == "column-blank"}
    # columns that name their old folder count its pages: not blank
    for url in ("http://anning.yunling.gov.cn/notice/", "http://anning.yunling.gov.cn/policy/",
                "http://www.yunling.gov.cn/health/notice/", "http://www.yunling.gov.cn/health/policy/",
                "http://www.yunling.gov.cn/fgw/plan/", "http://anning.yunling.gov.cn/hexi/notice/"):
        assert url not in blank, url
    # a column with nothing anywhere is a deduction, not information because old pages
    # sit in some other folder
    f = by[("anning", "column-blank", "http://anning.yunling.gov.cn/personnel/")]
    assert f["severity"] == "deduct" and "/gzdt/" in f["detail"]
    assert f["detail_zh"].startswith("栏目 personnel（人事信息，人事信息）没有任何信息")
