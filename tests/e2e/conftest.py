# tests/e2e/conftest.py: shared fixtures and helpers for the end-to-end suite. It writes a
# small test cluster (config, site files, pages) into a temporary folder, imports the pages
# with the real bin/jiyuectl, runs the real bin/jiyue on free loopback ports and talks to it
# with raw sockets, http.client and curl. Every wait here is bounded: a hung server fails a
# test, it never hangs the suite.
import gzip
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
# JIYUE_BIN_DIR picks another build of the same binaries (make test points it at the
# sanitizer build in build-san/bin); relative paths resolve against the repo root.
BIN_DIR = ROOT / os.environ.get("JIYUE_BIN_DIR", "bin")
JIYUE = BIN_DIR / "jiyue"
JIYUECTL = BIN_DIR / "jiyuectl"
# Under sanitizers a report is a failure even when the process exits as the test expects:
# ASan/LSan/UBSan print one of these markers to stderr.
SANITIZED = bool(os.environ.get("JIYUE_SANITIZED")) or "build-san" in str(BIN_DIR)
SAN_REPORT_RE = re.compile(rb"ERROR: (?:AddressSanitizer|LeakSanitizer)|runtime error: |"
                           rb"SUMMARY: (?:AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)")


def sanitizer_report(data):
    """The sanitizer report in data (bytes or str), or None."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    m = SAN_REPORT_RE.search(data or b"")
    if not m:
        return None
    start = max(0, m.start() - 200)
    return data[start:start + 4000].decode("utf-8", "replace")

PORTAL_HOST = "www.test.gov.cn"
EDU_HOST = "edu.test.gov.cn"
EDU_ALIAS = "old-edu.test.gov.cn"
XIAN_HOST = "xian.test.gov.cn"

# A diagnostic line as the validator prints it: FILE:LINE:COL: message
DIAG_RE = re.compile(r"(?m)^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")
# The same inside a log line, after a timestamp and level.
LOG_DIAG_RE = re.compile(r"(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$", re.M)

# --------------------------------------------------------------------------------------
# The order the e2e processes take the files in
# --------------------------------------------------------------------------------------

# `make e2e` hands whole files to its processes (pytest-xdist --dist loadfile) in collection
# order, each process taking the next file as it finishes one. In alphabetical order a long
# file (test_tls.py) came last and ran alone while the other process sat idle; the longest
# files (by --durations, plain and under the sanitizers) go first instead, the others keep
# their order, and the run ends on short files on every process. A run without xdist
# (E2E_WORKERS=1, make test-shuffle) keeps pytest's own order.
E2E_LONGEST_FIRST = [
    "test_a11y.py", "test_install.py", "test_accounts.py", "test_http2.py", "test_search.py",
    "test_search_page.py", "test_interaction.py", "test_tls.py", "test_console.py",
    "test_soak.py", "test_ctl.py", "test_store.py", "test_console_inbox.py",
    "test_operator_faults.py", "test_lifecycle.py", "test_reload.py", "test_limits.py",
    "test_audit.py", "test_console_browser.py", "test_browser.py",
]


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # not an xdist worker
        return
    rank = {name: i for i, name in enumerate(E2E_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: tests keep their order


# --------------------------------------------------------------------------------------
# The test cluster
# --------------------------------------------------------------------------------------

REGISTRATION = """\
registration:
  site_code: "{code}"
  icp: 测ICP备{code}号
  police: 测公网安备{code}号
  organizer: {organizer}
  contact: 0000-12345678
"""


def site_head(sid, name, kind, parent=None, path=None, hosts=(), aliases=()):
    """The lines of a site file that say what and where the site is: id, name, kind,
    parent and the mount block."""
    lines = [f"id: {sid}", f"name: {name}", f"kind: {kind}"]
    if parent:
        lines.append(f"parent: {parent}")
    lines.append("mount:")
    if path:
        lines.append(f"  path: {path}")
    if hosts:
        lines.append("  hosts: [" + ", ".join(hosts) + "]")
    if aliases:
        lines.append("  aliases: [" + ", ".join(aliases) + "]")
    return lines


def site_yaml(sid, name, kind, parent=None, path=None, hosts=(), aliases=(), code="1100000000",
              extra=""):
    """The text of one site file, in the shape of sites.d/*.yaml."""
    text = "\n".join(site_head(sid, name, kind, parent, path, hosts, aliases)) + "\n"
    text += REGISTRATION.format(code=code, organizer=name + "办公室")
    text += "status: active\n"
    text += "columns:\n"
    text += "  - {id: news, name: 工作动态, type: dynamic}\n"
    text += "  - {id: notice, name: 通知公告, type: notice}\n"
    text += extra
    return text


BASE_SITES = {
    "portal": dict(name="测试市人民政府", kind="portal", hosts=[PORTAL_HOST], code="1100000001"),
    "edu": dict(name="测试市教育局", kind="department", parent="portal", path="/edu/",
                hosts=[EDU_HOST], aliases=[EDU_ALIAS], code="1100000002"),
    "xian": dict(name="测试县人民政府", kind="county", parent="portal", path="/xian/",
                 hosts=[XIAN_HOST], code="1100000003"),
    "zhen": dict(name="测试镇人民政府", kind="township", parent="xian", path="/zhen/",
                 code="1100000004"),
}

# Bytes large and repetitive enough that any importer stores a gzip variant.
CSS = ("/* e2e stylesheet */\n" + "".join(
    f".c{i} {{ color: #{i:06x}; margin: {i % 7}px; padding: 0 {i % 5}em; }}\n" for i in range(300))).encode()
BIG_TXT = bytes((ord("a") + (i * 7) % 26) for i in range(1000))  # ranges: 1000 bytes, all distinct enough
PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 13 + b"IDATxxxx" * 400
       + b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 50 + b"%%EOF\n"
CN_DIR = "文件"
CN_FILE = "通知公告.html"


def html(title, marker, pad=40):
    body = "".join(f"<p>{marker} paragraph {i} 测试内容</p>\n" for i in range(pad))
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n"
            f"<body><h1>{marker}</h1>\n{body}</body></html>\n").encode()


def base_pages():
    """Pages imported for each site: {site: {relative path: bytes}}."""
    return {
        "portal": {
            "index.html": html("portal", "PORTAL-HOME"),
            "404.html": html("not found", "PORTAL-CUSTOM-404", pad=2),
            "news/index.html": html("news", "PORTAL-NEWS"),
            "style.css": CSS,
            "big.txt": BIG_TXT,
            "logo.png": PNG,
            "doc.pdf": PDF,
            "app.js": b"// e2e\n" + b"function f(){return 1;}\n" * 200,
            f"{CN_DIR}/{CN_FILE}": html("cn", "PORTAL-CN-NOTICE"),
        },
        "edu": {
            "index.html": html("edu", "EDU-HOME"),
            "page.html": html("edu page", "EDU-PAGE"),
            "news/index.html": html("edu news", "EDU-NEWS"),
        },
        "xian": {
            "index.html": html("xian", "XIAN-HOME"),
            "page.html": html("xian page", "XIAN-PAGE"),
        },
        "zhen": {
            "index.html": html("zhen", "ZHEN-HOME"),
        },
    }


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def write_pages(folder, pages):
    folder = Path(folder)
    for rel, data in pages.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return folder


def check_sanitized_output(args, *outputs):
    """Under sanitizers, fails the test on a report in any of a finished process's outputs
    (for binaries started without run(), e.g. with Popen to be killed or raced)."""
    if not SANITIZED:
        return
    for data in outputs:
        rep = sanitizer_report(data)
        if rep:
            pytest.fail(f"sanitizer report from {' '.join(str(a) for a in args)}:\n{rep}", pytrace=False)


def run(args, timeout=30, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, timeout=timeout, **kw)
    check_sanitized_output(args, r.stderr, r.stdout)
    return r


def need_binaries():
    missing = [str(b) for b in (JIYUE, JIYUECTL) if not os.access(b, os.X_OK)]
    if missing:
        pytest.fail("binaries missing (run make): " + ", ".join(missing), pytrace=False)


class Cluster:
    """A temporary cluster tree and, once started, the server serving it."""

    def __init__(self, root, limits=None, workers=2, ipv6=False, extra_conf="", sites=None,
                 map_size="64MiB"):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.conf = self.root / "jiyue.yaml"
        self.sites_dir = self.root / "sites.d"
        self.sites_dir.mkdir(exist_ok=True)
        self.logs = self.root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.access_log = self.logs / "access.log"
        self.error_log = self.logs / "error.log"
        self.pid_file = self.root / "run" / "jiyue.pid"
        self.pid_file.parent.mkdir(exist_ok=True)
        self.status_file = self.pid_file.with_name(self.pid_file.name + ".reload")
        self.port = free_port()
        self.port6 = free_port(socket.AF_INET6, "::1") if ipv6 else None
        self.proc = None
        self.stdout_path = self.root / "server.out"
        self.stderr_path = self.root / "server.err"
        self.limits = {"header_timeout": "10s", "keepalive_timeout": "30s",
                       "max_header_bytes": "8KiB", "max_request_line": "2KiB",
                       "max_body_bytes": "1KiB", "max_connections": 200,
                       # every test client is 127.0.0.1: the per-address cap (default 64)
                       # is tested on its own in test_limits.py
                       "max_connections_per_address": 10000}
        self.limits.update(limits or {})
        self.workers = workers
        self.map_size = map_size
        self.extra_conf = extra_conf
        self.write_conf()
        for sid, spec in (sites or BASE_SITES).items():
            self.write_site(sid, **spec)

    # --- files ---
    def write_conf(self):
        listen = [f'  - "127.0.0.1:{self.port}"']
        if self.port6:
            listen.append(f'  - {{address: "[::1]:{self.port6}"}}')
        limits = "\n".join(f"  {k}: {v}" for k, v in self.limits.items())
        # Relative paths on purpose: they resolve against the config file's folder.
        self.conf.write_text(
            "listen:\n" + "\n".join(listen) + "\n"
            f"workers: {self.workers}\n"
            "store: store\n"
            f"store_map_size: {self.map_size}\n"
            "sites: sites.d\n"
            "pid_file: run/jiyue.pid\n"
            "access_log: logs/access.log\n"
            "error_log: logs/error.log\n"
            "limits:\n" + limits + "\n" + self.extra_conf)

    def site_path(self, sid):
        return self.sites_dir / f"{sid}.yaml"

    def write_site(self, sid, **spec):
        self.site_path(sid).write_text(site_yaml(sid, **spec))

    # --- the tool ---
    def ctl(self, *args, timeout=30):
        return run([JIYUECTL, "-c", self.conf, *args], timeout=timeout)

    def import_pages(self, sid, pages, folder=None):
        folder = folder or (self.root / "pages" / f"{sid}-{time.monotonic_ns()}")
        write_pages(folder, pages)
        r = self.ctl("import", sid, folder)
        assert r.returncode == 0, (f"jiyuectl import {sid} failed ({r.returncode}): "
                                   f"{r.stderr.decode(errors='replace')}{r.stdout.decode(errors='replace')}")
        return r

    def import_base(self):
        for sid, pages in base_pages().items():
            self.import_pages(sid, pages)

    # --- the server ---
    def start(self, timeout=10):
        need_binaries()
        self.out = open(self.stdout_path, "ab")
        self.err = open(self.stderr_path, "ab")
        self._sigterm_sent = False
        self.proc = subprocess.Popen([str(JIYUE), "-c", str(self.conf)], stdout=self.out,
                                     stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"jiyue exited at start with {self.proc.returncode}: {self.server_output()}",
                            pytrace=False)
            if self.pid_file.exists() and can_connect(self.port):
                return self
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"jiyue did not accept on port {self.port} within {timeout}s: {self.server_output()}",
                    pytrace=False)

    def server_output(self):
        out = ""
        for p in (self.stdout_path, self.stderr_path, self.error_log):
            if p.exists():
                out += f"\n--- {p.name} ---\n" + p.read_text(errors="replace")[-3000:]
        return out

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        assert self.alive(), "server is not running" + self.server_output()
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=10):
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit code (None if killed)."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            try:
                self._sigterm_sent = True
                os.kill(self.proc.pid, signal.SIGTERM)
                rc = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                rc = None
        for f in (getattr(self, "out", None), getattr(self, "err", None)):
            if f:
                f.close()
        if SANITIZED:
            self.check_sanitizers(rc)
        elif getattr(self, "_sigterm_sent", False) and rc != 0 and getattr(self, "_exit_checked", None) is not self.proc:
            # A server that does not exit 0 on our SIGTERM is a failure in plain runs too
            # (every fixture's teardown goes through here).
            self._exit_checked = self.proc
            pytest.fail(f"jiyue exited {rc} after SIGTERM: {self.server_output()}", pytrace=False)
        return rc

    def check_sanitizers(self, rc):
        """Under sanitizers: no report on stderr, and a clean exit 0 after our SIGTERM (a
        leak at exit makes LSan exit non-zero; abort_on_error turns any report into SIGABRT).
        Checked once per server process."""
        if getattr(self, "_san_checked", None) is self.proc:
            return
        self._san_checked = self.proc
        rep = sanitizer_report(read_text(self.stderr_path))
        if rep:
            pytest.fail(f"sanitizer report from jiyue (exit {rc}):\n{rep}", pytrace=False)
        if getattr(self, "_sigterm_sent", False) and rc != 0:
            pytest.fail(f"jiyue exited {rc} after SIGTERM under sanitizers: {self.server_output()}",
                        pytrace=False)

    # --- clients ---
    def get(self, path, host=PORTAL_HOST, headers=None, method="GET", port=None, timeout=5):
        """One request on a fresh connection (closed afterwards)."""
        hdrs = {"Host": host}
        hdrs.update(headers or {})
        with RawConn(port or self.port, timeout=timeout) as c:
            c.send_request(method, path, hdrs)
            return c.read_response(head=(method == "HEAD"))

    def poll_get(self, path, pred, host=PORTAL_HOST, headers=None, timeout=5):
        """Repeats a request until pred(response) is true; returns the last response."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.get(path, host=host, headers=headers)
            if pred(r) or time.monotonic() > deadline:
                return r
            time.sleep(0.05)


def clone_cluster(template, root, **kw):
    """A fresh cluster at root (its own port, config, logs and server) holding a copy of the
    store and of the pages and articles folders of `template`, a Cluster never started; kw
    goes to Cluster and must describe the same sites. For a fixture that gives every test a
    cluster of its own with the same content: the content is made once per file with the
    real jiyuectl and copied for each test (every jiyuectl run costs about 0.3 s under the
    sanitizers, a copy of the small store a few milliseconds)."""
    assert template.proc is None, "copy the store of a cluster that was never started"
    c = Cluster(root, **kw)
    for name in ("store", "pages", "articles"):
        if (template.root / name).exists():
            shutil.copytree(template.root / name, c.root / name)
    return c


def can_connect(port, host="127.0.0.1", family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(0.5)
    try:
        s.connect((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


# --------------------------------------------------------------------------------------
# Raw HTTP/1.1 client
# --------------------------------------------------------------------------------------

class Response:
    def __init__(self, version, status, reason, headers, body):
        self.version = version
        self.status = status
        self.reason = reason
        self.header_list = headers  # [(name, value)] in order
        self.body = body

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.header_list:
            if k.lower() == name:
                return v
        return default

    def headers_all(self, name):
        name = name.lower()
        return [v for k, v in self.header_list if k.lower() == name]

    def has(self, name):
        return self.header(name) is not None

    def __repr__(self):
        return (f"<Response {self.status} {self.reason!r} headers={self.header_list!r} "
                f"body={self.body[:200]!r}>")


class ConnClosed(Exception):
    pass


class RawConn:
    """A raw TCP connection: sends bytes, parses responses framed by Content-Length."""

    def __init__(self, port, host="127.0.0.1", timeout=5, family=socket.AF_INET, rcvbuf=None):
        """rcvbuf: a small receive buffer (set before connecting) makes a slow reader."""
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = b""
        self.timeout = timeout

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def send_request(self, method, target, headers=None, version="HTTP/1.1", body=b""):
        lines = [f"{method} {target} {version}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        self.send(head + body)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnClosed("connection closed by server")
        self.buf += chunk

    def read_response(self, head=False):
        """Reads one response. head=True: a response to HEAD (no body whatever the headers)."""
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise AssertionError("response head too large")
            self._fill()
        raw_head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw_head.decode("latin-1").split("\r\n")
        m = re.match(r"^(HTTP/\d\.\d) (\d{3})(?: (.*))?$", lines[0])
        assert m, f"bad status line {lines[0]!r}"
        headers = []
        for line in lines[1:]:
            k, sep, v = line.partition(":")
            assert sep and k and k == k.strip(), f"bad header line {line!r}"
            headers.append((k, v.strip(" \t")))
        status = int(m.group(2))
        resp = Response(m.group(1), status, m.group(3) or "", headers, b"")
        if head or status in (204, 304) or 100 <= status < 200:
            return resp
        te = resp.header("Transfer-Encoding")
        assert te is None, f"server sent Transfer-Encoding {te!r}; this suite expects Content-Length"
        cl = resp.header("Content-Length")
        if cl is None:  # read to EOF
            try:
                while True:
                    self._fill()
            except ConnClosed:
                pass
            resp.body, self.buf = self.buf, b""
            return resp
        n = int(cl)
        while len(self.buf) < n:
            self._fill()
        resp.body, self.buf = self.buf[:n], self.buf[n:]
        return resp

    def closed_within(self, seconds):
        """True when the server closes (EOF or reset) within `seconds`; data read meanwhile
        is kept in self.buf."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                return True
            except socket.timeout:
                return False
            if not chunk:
                return True
            self.buf += chunk

    def read_to_eof(self, seconds=5):
        """Everything the server sends until it closes; fails if it stays open."""
        assert self.closed_within(seconds), f"connection still open after {seconds}s; got {self.buf[:300]!r}"
        data, self.buf = self.buf, b""
        return data


def metric_samples(port):
    """The samples of GET /metrics on the management listener at 127.0.0.1:port (the answer
    must be 200)."""
    with RawConn(port) as conn:
        conn.send_request("GET", "/metrics", {"Host": f"127.0.0.1:{port}"})
        r = conn.read_response()
    assert r.status == 200, r
    return [smp for fam in text_string_to_metric_families(r.body.decode()) for smp in fam.samples]


def raw_exchange(port, data, seconds=5):
    """Sends raw bytes on a fresh connection and returns everything until EOF (bounded)."""
    with RawConn(port, timeout=seconds) as c:
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return c.read_to_eof(seconds)


def parse_status(data):
    m = re.match(rb"^HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else None


def gunzip(data):
    return gzip.decompress(data)


def wait_for(pred, timeout=5, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return pred()


def read_text(path):
    try:
        return Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return ""


def strip_tls(text):
    """Site files name certificates under var/tls; the test cluster serves plain HTTP."""
    return re.sub(r"(?m)^tls:\n(?:[ \t]+.*\n)+", "", text)


def demo_cluster(root, messages=False):
    """The repo's own demo cluster, not started: its site files (without TLS) in place of the
    test sites, demo/ pages imported, demo/articles published and, with messages, the demo
    citizens' messages imported."""
    need_binaries()
    c = Cluster(root, sites={}, workers=1, extra_conf=f"themes: {ROOT / 'conf' / 'themes'}\n")
    for f in c.sites_dir.glob("*.yaml"):
        f.unlink()
    for f in sorted((ROOT / "sites.d").glob("*.yaml")):
        (c.sites_dir / f.name).write_text(strip_tls(f.read_text()))
    for d in sorted((ROOT / "demo").iterdir()):
        if d.is_dir() and "@" not in d.name and (c.sites_dir / f"{d.name}.yaml").exists():
            r = c.ctl("import", d.name, d)
            assert r.returncode == 0, r.stderr
    for f in sorted((ROOT / "demo" / "articles").glob("*/*.md")):
        r = c.ctl("publish", f)
        assert r.returncode == 0, r.stderr
    msgs = ROOT / "demo" / "messages" / "messages.yaml"
    if messages and msgs.exists():
        r = c.ctl("message_import", msgs)
        assert r.returncode == 0, r.stderr
    return c


CHROMIUM = Path("/usr/bin/chromium")


def dump_dom(url, tmp_path):
    """The DOM headless Chromium builds from url (skips when Debian's chromium is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (tools/install-deps.sh installs it)")
    profile = tmp_path / "profile"
    r = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, timeout=90)
    shutil.rmtree(profile, ignore_errors=True)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    return r.stdout.decode()


def make_cluster(tmp_path_factory, name, **kw):
    c = Cluster(tmp_path_factory.mktemp(name), **kw)
    need_binaries()
    c.import_base()
    return c


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """The standard cluster, one server per test module."""
    c = make_cluster(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])
    c.start()
    yield c
    c.stop()


# --------------------------------------------------------------------------------------
# The management listener and the console's accounts
# --------------------------------------------------------------------------------------

CONSOLE_PASSWORD = "Ce-shi-mi-ma-2026"
# name -> roles; every account's password is CONSOLE_PASSWORD
CONSOLE_ACCOUNTS = {
    "li.hua": ["editor:edu"],
    "wang.xian": ["site_admin:xian/*"],
    "ops": ["cluster_admin"],
}


def console_cluster(root, admin_extra="", allow=("127.0.0.1/32", "10.0.0.0/8"),
                    accounts=CONSOLE_ACCOUNTS, **cluster_kw):
    """The standard cluster with an `admin:` listener on a free loopback port
    (c.admin_port) and accounts made with `jiyuectl user add --password-stdin`;
    cluster_kw goes to Cluster (sites, limits...)."""
    need_binaries()
    admin_port = free_port()
    allow_list = ", ".join(f'"{a}"' for a in allow)
    c = Cluster(root, extra_conf=f'admin:\n  listen: ["127.0.0.1:{admin_port}"]\n'
                                 f'  allow: [{allow_list}]\n' + admin_extra, **cluster_kw)
    c.admin_port = admin_port
    c.import_base()
    for name, roles in accounts.items():
        args = [JIYUECTL, "-c", c.conf, "user", "add", name]
        for role in roles:
            args += ["--role", role]
        r = run(args + ["--password-stdin"], input=CONSOLE_PASSWORD.encode() + b"\n", timeout=60)
        assert r.returncode == 0, (name, r.stdout, r.stderr)
    return c


@pytest.fixture(scope="module")
def console(tmp_path_factory, request):
    """A running cluster with the management listener and CONSOLE_ACCOUNTS."""
    c = console_cluster(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    c.start()
    yield c
    c.stop()


class Api:
    """A client of one console: remembers the cookie and CSRF token of its sign-in."""

    def __init__(self, c):
        self.c = c
        self.cookie = None
        self.csrf = None
        self.origin = f"http://127.0.0.1:{c.admin_port}"

    def call(self, method, path, body=None, raw=None, headers=None, origin=True, csrf=True,
             cookie=True):
        hdrs = {"Host": f"127.0.0.1:{self.c.admin_port}"}
        if origin is True:
            hdrs["Origin"] = self.origin
        elif origin:
            hdrs["Origin"] = origin
        if cookie and self.cookie:
            hdrs["Cookie"] = f"jiyue_console={self.cookie}"
        if csrf is True and self.csrf:
            hdrs["X-CSRF-Token"] = self.csrf
        elif csrf and csrf is not True:
            hdrs["X-CSRF-Token"] = csrf
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        if data or method == "POST":
            hdrs["Content-Type"] = "application/json"
            hdrs["Content-Length"] = str(len(data))
        hdrs.update(headers or {})
        with RawConn(self.c.admin_port, timeout=10) as conn:
            conn.send_request(method, path, hdrs, body=data)
            r = conn.read_response(head=(method == "HEAD"))
        try:
            r.json = json.loads(r.body) if r.body else None
        except ValueError:
            r.json = None
        return r

    def login(self, user, password=CONSOLE_PASSWORD, **kw):
        r = self.call("POST", "/api/login", {"user": user, "password": password}, **kw)
        if r.status == 200:
            m = re.match(r"jiyue_console=([^;]*);", r.header("Set-Cookie"))
            self.cookie = m.group(1)
            self.csrf = r.json["csrf"]
        return r


# What a running server writes on its own, whatever a test does: the visit statistics
# (modules/stats: "vs/" day records, flushed every stats_flush_interval, and the
# "stats/secret" its salts come from, made with the first flush) and the hot searches
# (modules/search: "xh/"). A test that compares the store before and after a refused
# command leaves these out: they are not the command's.
SERVER_OWN_KEYS = (b"vs/", b"xh/", b"stats/")


def store_dump(root, printable=False, ignore=SERVER_OWN_KEYS):
    """Every database of the store at root/store as mdb_dump prints it, without the records
    of the key families in `ignore` (their key and value lines)."""
    args = ["mdb_dump", "-a"] + (["-p"] if printable else []) + [str(Path(root) / "store")]
    r = subprocess.run(args, capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    starts = tuple(b" " + (p if printable else p.hex().encode()) for p in ignore)
    out, lines, i, data = [], r.stdout.split(b"\n"), 0, False
    while i < len(lines):
        line = lines[i]
        if line == b"HEADER=END":
            data = True
        elif line == b"DATA=END":
            data = False
        elif data and line.startswith(b" "):
            if line.startswith(starts):
                i += 2  # the key and its value
                continue
            out += [line, lines[i + 1]]
            i += 2
            continue
        out.append(line)
        i += 1
    return b"\n".join(out)
