#!/usr/bin/env python3
"""demo/check.py: checks the demo cluster's static pages before they are imported.

Run `python3 demo/check.py` (exit 0 = all good). It checks, for every site folder:
- every internal link and resource resolves to a file, under every mount the site has
  (the same page is served at /anning/hexi/... on the portal host and /hexi/... on the
  county host, so a relative link must work at both);
- no absolute "/..." links except portal -> subsite;
- the required head tags (charset, lang, SiteName/SiteDomain/SiteIDCode, and ArticleTitle,
  PubDate, ContentSource on articles), semantic landmarks, and the footer identifiers;
- tags are balanced, every article is listed by its column's index.html, and the total
  size stays modest.
The mounts and registration values below mirror sites.d/*.yaml; keep them in step.
"""
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
PORTAL_HOST = "www.yunling.gov.cn"

# site id -> (网站标识码, ICP备案号, 公安备案号, 主办单位, 电话)
REG = {
    "portal": ("6210000001", "滇ICP备05001234号", "53010202000101", "云岭市人民政府办公室", "0871-63100001"),
    "edu": ("6210000002", "滇ICP备05001234号-2", "53010202000102", "云岭市教育局", "0871-63100002"),
    "health": ("6210000003", "滇ICP备05001234号-3", "53010202000103", "云岭市卫生健康委员会", "0871-63100003"),
    "fgw": ("6210000004", "滇ICP备05001234号-4", "53010202000104", "云岭市发展和改革委员会", "0871-63100004"),
    "anning": ("6210000005", "滇ICP备05001234号-5", "53010202000105", "安宁县人民政府办公室", "0871-63100005"),
    "hexi": ("6210000006", "滇ICP备05001234号-6", "53010202000106", "安宁县河西镇人民政府", "0871-63100006"),
    "shuiquan": ("6210000007", "滇ICP备05001234号-7", "53010202000107", "安宁县水泉乡人民政府", "0871-63100007"),
}

# (host, path prefix, site id): every place a site is served.
MOUNTS = [
    (PORTAL_HOST, "/", "portal"),
    (PORTAL_HOST, "/edu/", "edu"),
    (PORTAL_HOST, "/health/", "health"),
    (PORTAL_HOST, "/fgw/", "fgw"),
    (PORTAL_HOST, "/anning/", "anning"),
    (PORTAL_HOST, "/anning/hexi/", "hexi"),
    (PORTAL_HOST, "/anning/shuiquan/", "shuiquan"),
    ("edu.yunling.gov.cn", "/", "edu"),
    ("anning.yunling.gov.cn", "/", "anning"),
    ("anning.yunling.gov.cn", "/hexi/", "hexi"),
]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# Elements whose end tag HTML lets us omit; we always close them, so still check.
MAX_TOTAL = 400 * 1024


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []   # (tag, attr, value, line)
        self.meta = {}
        self.ids = set()
        self.tags = set()
        self.lang = None
        self.charset = None
        self.stack = []
        self.errors = []
        self.in_footer = 0
        self.footer_text = []
        self.footer_links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        line = self.getpos()[0]
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"line {line}: duplicate id {a['id']}")
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "meta":
            if "charset" in a:
                self.charset = a["charset"]
            if "name" in a:
                self.meta[a["name"]] = a.get("content", "")
        for attr in ("href", "src"):
            if attr in a and tag in ("a", "link", "img", "script", "iframe", "source"):
                self.links.append((tag, attr, a[attr], line))
                if self.in_footer and tag == "a":
                    self.footer_links.append(a[attr])
        if tag == "footer":
            self.in_footer += 1
        if tag not in VOID:
            self.stack.append((tag, line))

    def handle_startendtag(self, tag, attrs):
        # <path .../> inside inline SVG: a self-closed foreign element.
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"line {self.getpos()[0]}: end tag for void <{tag}>")
            return
        if not self.stack or self.stack[-1][0] != tag:
            top = self.stack[-1] if self.stack else ("nothing", 0)
            self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes <{top[0]}> of line {top[1]}")
            for i in range(len(self.stack) - 1, -1, -1):
                if self.stack[i][0] == tag:
                    del self.stack[i:]
                    break
            return
        self.stack.pop()
        if tag == "footer":
            self.in_footer -= 1

    def handle_data(self, data):
        if self.in_footer:
            self.footer_text.append(data)


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = Page()
    p.feed(text)
    p.close()
    p.text = text
    for tag, line in p.stack:
        p.errors.append(f"line {line}: <{tag}> never closed")
    return p


def site_files(site):
    root = os.path.join(HERE, site)
    for d, _, files in os.walk(root):
        for f in files:
            yield os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")


def resolve(host, path):
    """Maps a URL path on a host to (site, file relpath), or None when nothing is mounted."""
    best = None
    for h, prefix, site in MOUNTS:
        if h == host and path.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, site)
    if best is None:
        return None
    rest = path[len(best[0]):]
    if rest == "" or rest.endswith("/"):
        rest += "index.html"
    return best[1], rest


def canonical_target(site, rel, value):
    """Where a link lands when the page is served on the portal host."""
    prefix = next(pr for h, pr, s in MOUNTS if h == PORTAL_HOST and s == site)
    target = urlsplit(urljoin(f"https://{PORTAL_HOST}{prefix}{rel}", value))
    return resolve(PORTAL_HOST, target.path) if target.netloc == PORTAL_HOST else None


def main():
    errors, warnings = [], []
    pages = {}
    for site in REG:
        if not os.path.isdir(os.path.join(HERE, site)):
            errors.append(f"{site}: folder missing")
            continue
        for rel in site_files(site):
            if rel.endswith(".html"):
                pages[(site, rel)] = parse(os.path.join(HERE, site, rel))
        for need in ("index.html", "404.html"):
            if (site, need) not in pages:
                errors.append(f"{site}/{need}: missing")

    def exists(site, rel):
        return os.path.isfile(os.path.join(HERE, site, rel))

    for (site, rel), p in sorted(pages.items()):
        where = f"{site}/{rel}"
        code, icp, police, organizer, phone = REG[site]
        for e in p.errors:
            errors.append(f"{where}: {e}")
        if not p.text.startswith("<!DOCTYPE html>"):
            errors.append(f"{where}: no <!DOCTYPE html>")
        if p.lang != "zh-CN":
            errors.append(f"{where}: html lang is {p.lang!r}")
        if (p.charset or "").lower() != "utf-8":
            errors.append(f"{where}: no <meta charset=\"utf-8\">")
        for t in ("header", "main", "footer", "title"):
            if t not in p.tags:
                errors.append(f"{where}: no <{t}>")
        if "nav" not in p.tags and rel != "404.html":
            errors.append(f"{where}: no <nav>")
        if p.meta.get("SiteIDCode") != code:
            errors.append(f"{where}: SiteIDCode {p.meta.get('SiteIDCode')!r}, want {code}")
        for m in ("SiteName", "SiteDomain"):
            if not p.meta.get(m):
                errors.append(f"{where}: no {m} meta")
        is_article = re.match(r"^[a-z]+/\d{4}-\d\d-\d\d-[a-z0-9-]+\.html$", rel) is not None
        if is_article:
            for m in ("ArticleTitle", "PubDate", "ContentSource"):
                if not p.meta.get(m):
                    errors.append(f"{where}: no {m} meta")
            pd = p.meta.get("PubDate", "")
            if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d$", pd):
                errors.append(f"{where}: PubDate {pd!r} is not yyyy-MM-dd HH:mm")
            elif not ("2026-09-01" <= pd[:10] <= "2026-11-25"):
                errors.append(f"{where}: PubDate {pd} outside 2026-09-01..2026-11-25")
            elif not rel.split("/")[1].startswith(pd[:10]):
                errors.append(f"{where}: file name does not start with PubDate {pd[:10]}")
            col_index = pages.get((site, rel.split("/")[0] + "/index.html"))
            if col_index is None or not any(v == rel.split("/")[1] for _, _, v, _ in col_index.links):
                errors.append(f"{where}: not listed by its column index.html")
        foot = "".join(p.footer_text)
        for label, want in (("网站标识码", f"网站标识码：{code}"), ("ICP备案号", icp),
                            ("公安备案号", f"滇公网安备 {police}号"), ("主办单位", f"主办单位：{organizer}"),
                            ("联系电话", phone)):
            if want not in foot:
                errors.append(f"{where}: footer lacks {label} ({want})")
        if not any(h.startswith("https://beian.miit.gov.cn/") for h in p.footer_links):
            errors.append(f"{where}: footer lacks the beian.miit.gov.cn link")
        if not any(h.startswith("http://www.beian.gov.cn/") for h in p.footer_links):
            errors.append(f"{where}: footer lacks the www.beian.gov.cn link")

        # Links, under every mount of this site. 404.html is checked as served at the root.
        for host, prefix, msite in MOUNTS:
            if msite != site:
                continue
            base = f"https://{host}{prefix}{rel}"
            for tag, attr, value, line in p.links:
                scheme = urlsplit(value).scheme
                if scheme in ("http", "https", "mailto", "tel", "data"):
                    continue
                if scheme:
                    errors.append(f"{where}:{line}: unexpected URL scheme in {value}")
                    continue
                if value.startswith("/") and not (site == "portal" and host == PORTAL_HOST):
                    errors.append(f"{where}:{line}: absolute link {value} (use a relative path)")
                    continue
                target = urlsplit(urljoin(base, value))
                if target.netloc != host:
                    errors.append(f"{where}:{line}: {value} leaves the host")
                    continue
                r = resolve(host, target.path)
                if r is None or not exists(*r):
                    msg = f"{where}:{line}: {value} -> https://{host}{target.path} does not resolve"
                    # A cross-site link that only fails on a site's secondary host is a gap in
                    # the mounts, not in the page.
                    canon = canonical_target(site, rel, value)
                    if host != PORTAL_HOST and canon is not None and canon[0] != site and exists(*canon):
                        warnings.append(msg + f" (it reaches site {canon[0]} on {PORTAL_HOST}, "
                                        f"but {canon[0]} has no mount on {host})")
                    else:
                        errors.append(msg)
                    continue
                if target.fragment and r[1].endswith(".html"):
                    tp = pages.get(r)
                    if tp is None or target.fragment not in tp.ids:
                        errors.append(f"{where}:{line}: {value}: no id {target.fragment!r} in {r[0]}/{r[1]}")

    total = 0
    for site in REG:
        for rel in site_files(site):
            total += os.path.getsize(os.path.join(HERE, site, rel))
    if total > MAX_TOTAL:
        errors.append(f"demo sites total {total} bytes, over {MAX_TOTAL}")

    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("error:", e)
    print(f"{len(pages)} pages, {total} bytes, {len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
