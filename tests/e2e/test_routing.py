# tests/e2e/test_routing.py: Host and path prefix select the site; aliases redirect;
# folders redirect and serve index.html; per-site and built-in 404 pages.
from urllib.parse import urlsplit

import pytest

from conftest import EDU_ALIAS, EDU_HOST, PORTAL_HOST, XIAN_HOST, RawConn


def marker_in(resp, marker):
    return marker.encode() in resp.body


@pytest.mark.parametrize("host,path,marker", [
    (PORTAL_HOST, "/", "PORTAL-HOME"),
    (PORTAL_HOST, "/index.html", "PORTAL-HOME"),
    (PORTAL_HOST, "/news/", "PORTAL-NEWS"),
    (PORTAL_HOST, "/edu/", "EDU-HOME"),
    (PORTAL_HOST, "/edu/page.html", "EDU-PAGE"),
    (PORTAL_HOST, "/edu/news/", "EDU-NEWS"),
    (PORTAL_HOST, "/xian/", "XIAN-HOME"),
    (PORTAL_HOST, "/xian/page.html", "XIAN-PAGE"),
    (PORTAL_HOST, "/xian/zhen/", "ZHEN-HOME"),
    (EDU_HOST, "/", "EDU-HOME"),
    (EDU_HOST, "/page.html", "EDU-PAGE"),
    (EDU_HOST, "/news/", "EDU-NEWS"),
    (XIAN_HOST, "/", "XIAN-HOME"),
    (XIAN_HOST, "/page.html", "XIAN-PAGE"),
    (XIAN_HOST, "/zhen/", "ZHEN-HOME"),          # a child under its path on the parent's own host
])
def test_host_and_longest_mount_select_the_site(cluster, host, path, marker):
    r = cluster.get(path, host=host)
    assert r.status == 200, r
    assert marker_in(r, marker), r


@pytest.mark.parametrize("host", ["EDU.Test.Gov.Cn", "edu.test.gov.cn:8080", "EDU.TEST.GOV.CN:80"])
def test_host_is_case_insensitive_and_port_ignored(cluster, host):
    r = cluster.get("/", host=host)
    assert r.status == 200 and marker_in(r, "EDU-HOME"), r


def test_unknown_host_gets_portal(cluster):
    r = cluster.get("/", host="nobody.example.org")
    assert r.status == 200 and marker_in(r, "PORTAL-HOME"), r
    r = cluster.get("/edu/", host="nobody.example.org")
    assert r.status == 200 and marker_in(r, "EDU-HOME"), r


def test_http10_without_host_gets_portal(cluster):
    with RawConn(cluster.port) as c:
        c.send(b"GET / HTTP/1.0\r\n\r\n")
        r = c.read_response()
    assert r.status == 200 and marker_in(r, "PORTAL-HOME"), r


def test_edu_host_does_not_serve_portal_pages(cluster):
    # /style.css exists only in the portal: under the edu host it is edu's /style.css.
    r = cluster.get("/style.css", host=EDU_HOST)
    assert r.status == 404, r


@pytest.mark.parametrize("path,query", [("/", ""), ("/page.html", "?a=1&b=%E4%B8%AD"), ("/news/", "")])
def test_alias_host_redirects_to_canonical(cluster, path, query):
    r = cluster.get(path + query, host=EDU_ALIAS)
    assert r.status == 301, r
    loc = r.header("Location")
    assert loc, r
    u = urlsplit(loc)
    assert u.scheme == "http", loc
    assert u.hostname == EDU_HOST, loc
    assert u.path == path, loc
    assert (("?" + u.query) if u.query else "") == query, loc


def location_path(r):
    loc = r.header("Location")
    assert loc, r
    u = urlsplit(loc)
    return u.path + (("?" + u.query) if u.query else "")


@pytest.mark.parametrize("host,path,target", [
    (PORTAL_HOST, "/edu", "/edu/"),
    (PORTAL_HOST, "/xian", "/xian/"),
    (PORTAL_HOST, "/xian/zhen", "/xian/zhen/"),
    (PORTAL_HOST, "/edu/news", "/edu/news/"),
    (PORTAL_HOST, "/news", "/news/"),
    (EDU_HOST, "/news", "/news/"),
])
def test_folder_without_slash_redirects(cluster, host, path, target):
    r = cluster.get(path, host=host)
    assert r.status == 301, r
    assert location_path(r) == target, r
    u = urlsplit(r.header("Location"))
    if u.hostname:  # an absolute Location must stay on the host asked for
        assert u.hostname == host.lower(), r


def test_folder_redirect_keeps_query(cluster):
    r = cluster.get("/edu?x=1", host=PORTAL_HOST)
    assert r.status == 301, r
    assert location_path(r) == "/edu/?x=1", r


def test_site_404_page(cluster):
    r = cluster.get("/no-such-page.html", host=PORTAL_HOST)
    assert r.status == 404, r
    assert marker_in(r, "PORTAL-CUSTOM-404"), r


@pytest.mark.parametrize("host,path", [
    (PORTAL_HOST, "/edu/no-such-page.html"),
    (EDU_HOST, "/no-such-page.html"),
    (PORTAL_HOST, "/xian/zhen/nothing/"),
])
def test_builtin_404_when_site_has_none(cluster, host, path):
    r = cluster.get(path, host=host)
    assert r.status == 404, r
    assert not marker_in(r, "PORTAL-CUSTOM-404"), "edu has no 404.html: the portal's must not be used"
    assert r.header("Content-Length") == str(len(r.body))
    assert len(r.body) > 0


def test_404_head_has_no_body(cluster):
    with RawConn(cluster.port) as c:
        c.send_request("HEAD", "/no-such-page.html", {"Host": PORTAL_HOST})
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        r1 = c.read_response(head=True)
        r2 = c.read_response()
    assert r1.status == 404
    assert r2.status == 200 and marker_in(r2, "PORTAL-HOME"), r2


@pytest.mark.parametrize("host", ["[::1]:8080", "127.0.0.1", "127.0.0.1:80", "[::1]"])
def test_ip_literal_hosts_get_portal(cluster, host):
    r = cluster.get("/", host=host)
    assert r.status == 200 and marker_in(r, "PORTAL-HOME"), r
