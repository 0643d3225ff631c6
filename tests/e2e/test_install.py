"""tests/e2e/test_install.py: what an office installs and runs under systemd (issue 17):
--help and --version of both binaries, the sd_notify protocol (READY, RELOADING, STOPPING
on $NOTIFY_SOCKET, as systemd's Type=notify expects), `make install`'s layout and its
never-overwritten configuration, `make deb` (the layout, the dependencies, lintian), the
unit (systemd-analyze verify) and the logrotate file (a real forced rotation, after which
the server writes to the new file)."""
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import EDU_HOST, JIYUE, JIYUECTL, PORTAL_HOST, ROOT, SANITIZED, Cluster, run, wait_for

VERSION = re.search(r'#define JIYUE_VERSION "([^"]+)"', (ROOT / "core/version.h").read_text()).group(1)
# Packaging builds its own main objects in build/pkg; the sanitizer run checks the server,
# not the packaging (which it would rebuild without sanitizers).
packaging = pytest.mark.skipif(SANITIZED, reason="packaging is checked in the plain run")


def test_help_and_version():
    for binary, name in ((JIYUE, "jiyue"), (JIYUECTL, "jiyuectl")):
        r = run([binary, "--version"])
        assert r.returncode == 0 and r.stderr == b""
        assert r.stdout.decode().strip() == (f"jiyue {VERSION}" if name == "jiyue"
                                             else f"jiyuectl (jiyue) {VERSION}")
        assert run([binary, "-V"]).stdout == r.stdout
        r = run([binary, "--help"])
        assert r.returncode == 0 and r.stderr == b""
        out = r.stdout.decode()
        assert out.startswith(f"Usage: {name} ") and "--version" in out and "--conf FILE" in out
        assert run([binary, "-h"]).stdout == r.stdout
        r = run([binary, "--no-such-option"])
        assert r.returncode == 2 and b"Usage:" in r.stderr
    # every jiyuectl command is in its help
    out = run([JIYUECTL, "--help"]).stdout.decode()
    for cmd in ("check", "publish", "audit", "user add", "drafts", "reindex"):
        assert f"\n  {cmd}" in out, cmd


# ---- sd_notify ----

class NotifySocket:
    """The service manager's end: a datagram socket named by $NOTIFY_SOCKET."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if path.startswith("@"):
            self.sock.bind("\0" + path[1:])
        else:
            self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []

    def wait(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
            self.messages.append(fields)
            if pred(fields):
                return fields
        pytest.fail(f"no matching notification within {timeout}s; got {self.messages}")

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_sd_notify_ready_reload_stop(tmp_path, monkeypatch, abstract):
    name = f"@jiyue-test-{os.getpid()}-{time.monotonic_ns()}" if abstract else str(tmp_path / "notify")
    ns = NotifySocket(name)
    monkeypatch.setenv("NOTIFY_SOCKET", name)
    c = Cluster(tmp_path / "c")
    c.import_base()
    try:
        c.start()
        ready = ns.wait(lambda f: "READY" in f)
        assert ready["READY"] == "1" and ready["MAINPID"] == str(c.pid)
        assert ready["STATUS"].startswith("serving ")
        # ready means serving: the portal answers at once
        assert c.get("/", host=PORTAL_HOST).status == 200

        c.signal(signal.SIGHUP)
        reloading = ns.wait(lambda f: "RELOADING" in f)
        assert reloading["RELOADING"] == "1"
        usec = int(reloading["MONOTONIC_USEC"])
        assert abs(usec - time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000) < 30_000_000
        again = ns.wait(lambda f: "READY" in f)
        assert again["STATUS"].startswith("serving ") and "generation 2" in again["STATUS"]

        # a refused configuration: RELOADING, then READY again (the old one serves), saying so
        good = c.conf.read_text()
        c.conf.write_text(good + "no_such_key: 1\n")
        c.signal(signal.SIGHUP)
        ns.wait(lambda f: "RELOADING" in f)
        refused = ns.wait(lambda f: "READY" in f)
        assert refused["STATUS"] == "reload rejected; serving configuration generation 2"
        c.conf.write_text(good)

        c.signal(signal.SIGTERM)
        stopping = ns.wait(lambda f: "STOPPING" in f)
        assert stopping["STOPPING"] == "1"
        assert c.proc.wait(timeout=15) == 0
    finally:
        c.stop()
        ns.close()


def test_sd_notify_bad_socket_name_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", "relative/name")
    c = Cluster(tmp_path / "c")
    try:
        c.start()
        assert c.get("/", host=PORTAL_HOST).status in (200, 404)
        assert wait_for(lambda: "NOTIFY_SOCKET is neither an absolute path nor @name"
                        in c.error_log.read_text())
    finally:
        c.stop()


# ---- make install, make deb ----

def make(*args, timeout=300):
    r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args],
                       capture_output=True, timeout=timeout)
    assert r.returncode == 0, r.stdout.decode(errors="replace")[-2000:] + r.stderr.decode(errors="replace")[-2000:]
    return r


def rebased_conf(dest, port):
    """The installed /etc/jiyue/jiyue.yaml with its absolute paths moved under dest and
    a test port: what the office gets, checked by the installed binary."""
    text = (dest / "etc/jiyue/jiyue.yaml").read_text()
    for a, b in (("/var/lib/jiyue", f"{dest}/var/lib/jiyue"), ("/etc/jiyue", f"{dest}/etc/jiyue"),
                 ("/run/jiyue", f"{dest}/run/jiyue"), ("/var/log/jiyue", f"{dest}/var/log/jiyue"),
                 ("/usr/share", f"{dest}/usr/share"), ('"0.0.0.0:80"', f'"127.0.0.1:{port}"'),
                 ('"[::]:80"', f'"127.0.0.1:{port + 1}"'),
                 ('["127.0.0.1:8444"]', f'["127.0.0.1:{port + 2}"]')):
        assert a in text, a
        text = text.replace(a, b)
    for d in ("var/lib/jiyue", "run/jiyue", "var/log/jiyue"):
        (dest / d).mkdir(parents=True, exist_ok=True)
    conf = dest / "test.yaml"
    conf.write_text(text)
    return conf


@packaging
def test_make_install_layout_and_config_kept(tmp_path):
    dest = tmp_path / "root"
    make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    for f, mode in (("usr/sbin/jiyue", 0o755), ("usr/sbin/jiyuectl", 0o755),
                    ("etc/jiyue/jiyue.yaml", 0o644), ("etc/jiyue/sites.d/portal.yaml", 0o644),
                    ("lib/systemd/system/jiyue.service", 0o644),
                    ("etc/logrotate.d/jiyue", 0o644),
                    ("usr/share/man/man8/jiyue.8.gz", 0o644),
                    ("usr/share/man/man8/jiyuectl.8.gz", 0o644),
                    ("usr/share/jiyue/themes/default/article.html", 0o644),
                    ("usr/share/doc/jiyue/README.md", 0o644)):
        p = dest / f
        assert p.is_file(), f
        assert p.stat().st_mode & 0o7777 == mode, (f, oct(p.stat().st_mode))
    # the installed binaries read /etc/jiyue/jiyue.yaml by default
    out = run([dest / "usr/sbin/jiyue", "--help"]).stdout.decode()
    assert "(default /etc/jiyue/jiyue.yaml)" in out
    out = run([dest / "usr/sbin/jiyuectl", "--help"]).stdout.decode()
    assert "(default /etc/jiyue/jiyue.yaml)" in out
    # the man pages are the --help text
    man = gzip.decompress((dest / "usr/share/man/man8/jiyue.8.gz").read_bytes()).decode()
    assert man.startswith('.\\" DO NOT MODIFY') and f'"jiyue {VERSION}"' in man
    assert "\\-\\-signal" in man and "/etc/jiyue/jiyue.yaml" in man
    # the shipped configuration is valid as it stands (paths moved under the test root)
    conf = rebased_conf(dest, 18080)
    r = run([dest / "usr/sbin/jiyue", "-c", conf, "-t"])
    assert r.returncode == 0, r.stderr
    assert f"themes: {dest}/usr/share/jiyue/themes" in conf.read_text()
    # a second install keeps what the office changed
    (dest / "etc/jiyue/jiyue.yaml").write_text("# edited by the office\n")
    (dest / "etc/jiyue/sites.d/portal.yaml").write_text("# edited portal\n")
    r = make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    assert (dest / "etc/jiyue/jiyue.yaml").read_text() == "# edited by the office\n"
    assert (dest / "etc/jiyue/sites.d/portal.yaml").read_text() == "# edited portal\n"
    assert b"keeping" in r.stdout


@packaging
def test_make_deb(tmp_path):
    make("deb")
    debs = sorted((ROOT / "build/pkg").glob(f"jiyue_{VERSION}_*.deb"))
    assert len(debs) == 1, debs
    deb = debs[0]
    listing = run(["dpkg", "-c", deb]).stdout.decode()
    paths = {line.split()[5] for line in listing.splitlines()}
    for p in ("./usr/sbin/jiyue", "./usr/sbin/jiyuectl", "./etc/jiyue/jiyue.yaml",
              "./etc/jiyue/sites.d/portal.yaml", "./lib/systemd/system/jiyue.service",
              "./etc/logrotate.d/jiyue", "./usr/share/man/man8/jiyue.8.gz",
              "./usr/share/man/man8/jiyuectl.8.gz", "./usr/share/jiyue/themes/default/",
              "./usr/share/doc/jiyue/copyright", "./usr/share/doc/jiyue/changelog.gz"):
        assert p in paths, p
    assert all(" root/root " in line for line in listing.splitlines())
    info = run(["dpkg-deb", "-I", deb]).stdout.decode()
    assert f"Version: {VERSION}" in info
    deps = re.search(r"Depends: (.*)", info).group(1)
    for lib in ("libuv1", "liblmdb0", "libyaml-0-2", "libssl3", "libargon2-1", "libjansson4", "adduser"):
        assert lib in deps, (lib, deps)
    assert run(["dpkg-deb", "-f", deb, "Package"]).stdout.decode().strip() == "jiyue"
    ctrl = tmp_path / "ctrl"
    run(["dpkg-deb", "-e", deb, ctrl])
    assert (ctrl / "conffiles").read_text().split() == [
        "/etc/jiyue/jiyue.yaml", "/etc/jiyue/sites.d/portal.yaml", "/etc/logrotate.d/jiyue"]
    postinst = (ctrl / "postinst").read_text()
    assert "adduser --system" in postinst and "-m 0700 /var/lib/jiyue" in postinst
    # lintian (errors only) also finds unstripped binaries and uncompressed man pages
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed (tools/install-deps.sh installs it)")
    r = subprocess.run(["lintian", "--no-tag-display-limit", str(deb)], capture_output=True, timeout=240)
    errors = [line for line in r.stdout.decode().splitlines() if line.startswith("E:")]
    assert errors == [], errors


@packaging
def test_systemd_unit_verifies(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed (tools/install-deps.sh installs systemd)")
    unit = (ROOT / "dist/jiyue.service").read_text()
    for key in ("Type=notify", "ExecReload=/usr/sbin/jiyue -c /etc/jiyue/jiyue.yaml -s reload",
                "ProtectSystem=strict", "NoNewPrivileges=yes", "ReadWritePaths=/var/lib/jiyue",
                "StateDirectoryMode=0700", "User=jiyue"):
        assert key in unit, key
    # verify checks that the commands exist: point them at the built binary
    local = tmp_path / "jiyue.service"
    local.write_text(unit.replace("/usr/sbin/jiyue", str(JIYUE)))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(local)], capture_output=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    # and a broken unit is refused, so the check above can fail
    local.write_text(unit.replace("/usr/sbin/jiyue", str(tmp_path / "missing")))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(local)], capture_output=True,
                       timeout=60)
    assert r.returncode != 0


def test_logrotate_rotates_and_the_server_reopens(tmp_path):
    if not shutil.which("logrotate"):
        pytest.skip("logrotate is not installed (tools/install-deps.sh installs it)")
    c = Cluster(tmp_path / "c")
    c.import_base()
    text = (ROOT / "dist/jiyue.logrotate").read_text()
    assert "rotate 400" in text and "compress" in text and "-s reopen" in text
    text = (text.replace("/var/log/jiyue", str(c.logs))
                .replace("/usr/sbin/jiyue -c /etc/jiyue/jiyue.yaml", f"{JIYUE} -c {c.conf}")
                .replace("create 0640 jiyue adm", "create 0640"))
    conf = tmp_path / "logrotate.conf"
    conf.write_text(text)
    try:
        c.start()
        assert c.get("/", host=PORTAL_HOST).status == 200
        assert wait_for(lambda: c.access_log.exists() and c.access_log.stat().st_size > 0)
        r = subprocess.run(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)],
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode()
        rotated = sorted(c.logs.glob("access.log-*.gz"))
        assert len(rotated) == 1, list(c.logs.iterdir())
        assert b"GET / " in gzip.decompress(rotated[0].read_bytes())
        # the server reopened: the next request lands in the new access.log
        assert c.get("/?after-rotation", host=PORTAL_HOST).status == 200
        assert c.get("/?edu-line", host=EDU_HOST).status == 200
        assert wait_for(lambda: c.access_log.exists() and "edu-line" in c.access_log.read_text())
    finally:
        c.stop()
    # jiyuectl logs: one site's lines from the rotated (compressed) file and the new one,
    # oldest first, within the days asked for
    r = c.ctl("logs", "portal")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 2 and '"GET / HTTP/1.1"' in lines[0] and "after-rotation" in lines[1]
    assert all(line.split()[-2] == "portal" for line in lines)
    edu = c.ctl("logs", "edu").stdout.decode().splitlines()
    assert len(edu) == 1 and "edu-line" in edu[0]
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    assert len(c.ctl("logs", "portal", "--from", today, "--to", today).stdout.splitlines()) == 2
    r = c.ctl("logs", "portal", "--to", "2020-01-01")
    assert r.returncode == 0 and r.stdout == b"" and b"no lines of portal" in r.stderr
    r = c.ctl("logs", "nosuch")
    assert r.returncode == 1 and b"no site 'nosuch'" in r.stderr
