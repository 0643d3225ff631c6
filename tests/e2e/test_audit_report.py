# tests/e2e/test_audit_report.py: `jiyuectl audit --format html` on the repo's own demo
# cluster (its site files, imported pages, published articles and citizens' messages),
# rendered by headless Chromium from a file:// URL: the report is one self-contained file,
# and the DOM Chromium built has the summary table (one row per site, verdicts matching
# the JSON report), each finding with its rule and link, and the three SVG charts.
import html
import json
import re

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
    assert html.escape(f["detail"], quote=False) in row.group(1) or f["detail"] in html.unescape(row.group(1))
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
