"""tests/e2e/test_metrics.py: GET /metrics on the management listener (issue 17): the
Prometheus text format (read back with prometheus_client's parser, and checked for the
conventions: base units, counters ending in _total, bounded labels), and the numbers
moving as requests are served: by site, method and status class, bytes, the duration
histogram, connections, reloads and the configuration generation, the store and the
writer. The public listeners never serve it; the allow-list guards it."""
import re
import signal
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import EDU_HOST, PORTAL_HOST, RawConn, console_cluster, wait_for


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    c = console_cluster(tmp_path_factory.mktemp("metrics"), accounts={})
    c.start()
    yield c
    c.stop()


def scrape(c):
    with RawConn(c.admin_port) as conn:
        conn.send_request("GET", "/metrics", {"Host": f"127.0.0.1:{c.admin_port}"})
        r = conn.read_response()
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    assert r.header("Cache-Control") == "private, no-store"
    text = r.body.decode()
    samples = {}
    families = {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = fam
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return text, families, samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_format_and_conventions(srv):
    text, families, samples = scrape(srv)
    assert text.endswith("\n")
    # every family has HELP and TYPE, once, before its samples
    for m in re.finditer(r"^# TYPE (\S+) (\S+)$", text, re.M):
        assert text.count(f"# TYPE {m.group(1)} ") == 1, m.group(1)
        assert f"# HELP {m.group(1)} " in text
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    for name, kind in types.items():
        assert name.startswith("jiyue_"), name
        if kind == "counter":
            assert name.endswith("_total"), name
        assert not re.search(r"_(ms|milliseconds|kb|mb)\b", name), name
    for name in ("jiyue_http_requests_total", "jiyue_http_response_bytes_total",
                 "jiyue_http_request_duration_seconds", "jiyue_connections_open",
                 "jiyue_connections_accepted_total", "jiyue_tls_handshakes_total",
                 "jiyue_tls_resumptions_total", "jiyue_reloads_total", "jiyue_config_generation",
                 "jiyue_reload_last_success", "jiyue_store_size_bytes",
                 "jiyue_store_map_size_bytes", "jiyue_store_free_pages",
                 "jiyue_writer_queue_jobs", "jiyue_writer_commits_total",
                 "jiyue_writer_commit_seconds_total", "jiyue_sendfile_cache_lookups_total"):
        assert name in types, name
    assert types["jiyue_http_request_duration_seconds"] == "histogram"
    # site labels are site ids (or the two reserved names), never paths
    for site in re.findall(r'site="([^"]*)"', text):
        assert re.fullmatch(r"[a-z0-9-]{1,32}|_none|_admin", site), site
    assert value(samples, "jiyue_store_map_size_bytes") == 64 * 1024 * 1024
    assert value(samples, "jiyue_store_size_bytes") > 0


def test_requests_move_by_site_method_and_status(srv):
    _, _, before = scrape(srv)
    for _ in range(3):
        assert srv.get("/", host=PORTAL_HOST).status == 200
    assert srv.get("/edu/", host=PORTAL_HOST).status in (200, 301, 404)
    for _ in range(2):
        assert srv.get("/no-such-page", host=EDU_HOST).status == 404
    assert srv.get("/", host=PORTAL_HOST, method="HEAD").status == 200
    with RawConn(srv.port) as conn:  # a malformed path: answered before any site
        conn.send_request("GET", "/a%zz", {"Host": PORTAL_HOST})
        assert conn.read_response().status == 400
    _, _, after = scrape(srv)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("jiyue_http_requests_total", site="portal", method="GET", status="2xx") == 3
    assert moved("jiyue_http_requests_total", site="portal", method="HEAD", status="2xx") == 1
    assert moved("jiyue_http_requests_total", site="edu", method="GET", status="4xx") == 2
    assert moved("jiyue_http_requests_total", site="_none", method="GET", status="4xx") == 1
    # the first scrape itself was counted on the management listener
    assert moved("jiyue_http_requests_total", site="_admin", method="GET", status="2xx") == 1
    body = len(srv.get("/", host=PORTAL_HOST).body)
    _, _, again = scrape(srv)
    assert value(again, "jiyue_http_response_bytes_total", site="portal") - \
        value(after, "jiyue_http_response_bytes_total", site="portal") == body
    # the histogram counts every request once, in cumulative buckets
    count = value(again, "jiyue_http_request_duration_seconds_count")
    assert value(again, "jiyue_http_request_duration_seconds_bucket", le="+Inf") == count
    buckets = sorted((float(k[1][0][1]), v) for k, v in again.items()
                     if k[0] == "jiyue_http_request_duration_seconds_bucket")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
    assert count - value(before, "jiyue_http_request_duration_seconds_count") >= 10
    assert value(again, "jiyue_http_request_duration_seconds_sum") > 0


def test_connections(srv):
    _, _, before = scrape(srv)
    conns = [RawConn(srv.port) for _ in range(3)]
    try:
        for c in conns:
            c.send_request("GET", "/", {"Host": PORTAL_HOST})
            assert c.read_response().status == 200
        _, _, during = scrape(srv)
        assert value(during, "jiyue_connections_open") >= 4  # three, and the scrape's own
        assert value(during, "jiyue_connections_accepted_total") - \
            value(before, "jiyue_connections_accepted_total") == 4
    finally:
        for c in conns:
            c.close()
    assert wait_for(lambda: value(scrape(srv)[2], "jiyue_connections_open") == 1)


def test_reloads_and_generation(srv):
    _, _, before = scrape(srv)
    srv.signal(signal.SIGHUP)
    assert wait_for(lambda: value(scrape(srv)[2], "jiyue_reloads_total", result="accepted") ==
                    value(before, "jiyue_reloads_total", result="accepted") + 1)
    _, _, after = scrape(srv)
    assert value(after, "jiyue_config_generation") == value(before, "jiyue_config_generation") + 1
    assert value(after, "jiyue_reload_last_success") == 1
    assert abs(value(after, "jiyue_reload_last_timestamp_seconds") - time.time()) < 30
    good = srv.conf.read_text()
    srv.conf.write_text(good + "no_such_key: 1\n")
    try:
        srv.signal(signal.SIGHUP)
        assert wait_for(lambda: value(scrape(srv)[2], "jiyue_reloads_total", result="rejected") ==
                        value(before, "jiyue_reloads_total", result="rejected") + 1)
        _, _, rej = scrape(srv)
        assert value(rej, "jiyue_reload_last_success") == 0
        assert value(rej, "jiyue_config_generation") == value(after, "jiyue_config_generation")
    finally:
        srv.conf.write_text(good)


def test_writer_counts_commits(srv):
    _, _, before = scrape(srv)
    # a wrong password is a write (the failure counter) through the writer thread
    with RawConn(srv.admin_port) as conn:
        body = b'{"user":"nobody","password":"wrong-password-1"}'
        conn.send_request("POST", "/api/login", {"Host": f"127.0.0.1:{srv.admin_port}",
                                                 "Content-Type": "application/json",
                                                 "Content-Length": str(len(body))}, body=body)
        assert conn.read_response().status == 401
    assert wait_for(lambda: value(scrape(srv)[2], "jiyue_writer_jobs_total") >
                    value(before, "jiyue_writer_jobs_total"))
    _, _, after = scrape(srv)
    assert value(after, "jiyue_writer_commits_total", result="ok") > \
        value(before, "jiyue_writer_commits_total", result="ok")
    assert value(after, "jiyue_writer_commit_seconds_total") > 0
    assert value(after, "jiyue_writer_queue_jobs") == 0


def test_only_on_the_management_listener(srv):
    r = srv.get("/metrics", host=PORTAL_HOST)
    assert r.status == 404 and b"jiyue_http_requests_total" not in r.body
    with RawConn(srv.admin_port) as conn:
        conn.send_request("POST", "/metrics", {"Host": f"127.0.0.1:{srv.admin_port}",
                                               "Content-Length": "0"})
        assert conn.read_response().status == 405


def test_allow_list_guards_metrics(tmp_path):
    c = console_cluster(tmp_path / "c", accounts={}, allow=("10.0.0.0/8",))
    c.start()
    try:
        with RawConn(c.admin_port) as conn:
            conn.send_request("GET", "/metrics", {"Host": f"127.0.0.1:{c.admin_port}"})
            r = conn.read_response()
        assert r.status == 403 and b"jiyue_" not in r.body
    finally:
        c.stop()
