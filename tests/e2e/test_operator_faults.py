# tests/e2e/test_operator_faults.py: what an operator can get wrong, and what the server
# and jiyuectl must do about it. A site file that is truncated, indented with tabs, binary,
# 50 MB, NUL-laden, empty, an alias bomb, or that names a missing (or its own) parent: `jiyue
# -t` and `jiyuectl check` say which file and why, and a SIGHUP under a running server keeps
# the last good configuration serving. Two imports at once: both finish, the site is one of
# the two whole. A writer killed while another waits for the write lock: the waiter goes on.
# A full map: the store is usable afterwards. A store directory the tool cannot write:
# jiyuectl says why, the server keeps serving. (test_store.py already covers a killed import
# and a full-map import keeping the old pages; they are not repeated here.)
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import (EDU_HOST, JIYUE, JIYUECTL, PORTAL_HOST, Cluster, html, make_cluster,
                      check_sanitized_output, read_text, run, wait_for, write_pages)

# A diagnostic naming a file, with or without a position (a file too large or empty has
# none): FILE[:LINE:COL]: message
ANY_DIAG_RE = re.compile(r"(?m)^(?P<file>[^\s:][^:\n]*?)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<msg>.+)$")


@pytest.fixture(scope="module")
def fc(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "faults")
    c.start()
    yield c
    c.stop()


def edu_text(c):
    return c.site_path("edu").read_text()


ALIAS_BOMB = "".join(
    ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]\n'] +
    [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 9)])


def fault_bytes(name, good):
    enc = good.encode()
    if name == "truncated_mid_flow":
        return enc[:enc.index(b"type: notice") + 5]
    if name == "truncated_mid_utf8":
        return enc[:enc.index("教育".encode()) + 1]
    if name == "truncated_mid_key":
        return enc[:enc.index(b"registration:") + 5]
    if name == "tab_indent":
        return good.replace("  path: /edu/", "\tpath: /edu/").encode()
    if name == "tab_in_list":
        return good.replace("  - {id: news", "\t- {id: news").encode()
    if name == "binary":
        return bytes((i * 37 + 11) % 256 for i in range(4096))
    if name == "png":
        return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    if name == "nul_inside":
        return enc[:40] + b"\x00" + enc[40:]
    if name == "utf16":
        return good.encode("utf-16")
    if name == "empty":
        return b""
    if name == "alias_bomb":
        return ALIAS_BOMB.encode()
    if name == "missing_parent":
        return good.replace("parent: portal", "parent: nowhere").encode()
    if name == "own_parent":
        return good.replace("parent: portal", "parent: edu").encode()
    if name == "two_documents":
        return enc + b"---\nid: other\n"
    raise AssertionError(name)


FAULTS = ["truncated_mid_flow", "truncated_mid_utf8", "truncated_mid_key", "tab_indent",
          "tab_in_list", "binary", "png", "nul_inside", "utf16", "empty", "alias_bomb",
          "missing_parent", "own_parent", "two_documents", "fifty_mb_sparse"]


def write_fault(c, name, good):
    p = c.site_path("edu")
    if name == "fifty_mb_sparse":
        with open(p, "wb") as f:
            f.truncate(50 << 20)  # sparse: no disk used, but st_size says 50 MB
        return
    p.write_bytes(fault_bytes(name, good))


def assert_clear_error(r, what):
    """Exit 1 and at least one diagnostic that names edu.yaml with a real message."""
    err = (r.stderr + r.stdout).decode(errors="replace")
    assert r.returncode == 1, f"{what}: exit {r.returncode}:\n{err}"
    mine = [d for d in ANY_DIAG_RE.finditer(err) if d.group("file").endswith("edu.yaml")]
    assert mine, f"{what}: no diagnostic naming edu.yaml:\n{err}"
    for d in mine:
        assert len(d.group("msg").strip()) > 8, d.group(0)
        if d.group("line"):
            assert int(d.group("line")) >= 1 and int(d.group("col")) >= 1, d.group(0)
    # Never a flood: an alias bomb or a binary file gets a bounded number of lines.
    assert len(err.splitlines()) < 200, f"{what}: {len(err.splitlines())} lines of errors"
    return mine, err


def rejected_count(c):
    return read_text(c.error_log).count("reload rejected")


def reloaded_count(c):
    return len(re.findall(r"\breloaded: configuration generation", read_text(c.error_log)))


@pytest.mark.parametrize("fault", FAULTS)
def test_bad_site_file_clear_error_and_last_good_config_serves(fc, fault):
    good = edu_text(fc)
    try:
        write_fault(fc, fault, good)
        t0 = time.monotonic()
        r = run([JIYUE, "-t", "-c", fc.conf], timeout=30)
        assert time.monotonic() - t0 < 10, f"jiyue -t took {time.monotonic() - t0:.1f}s on {fault}"
        mine, _ = assert_clear_error(r, f"jiyue -t ({fault})")
        if fault in ("tab_indent", "tab_in_list"):
            assert any("tab" in d.group("msg").lower() for d in mine), mine[0].group(0)
        if fault == "fifty_mb_sparse":
            assert any("large" in d.group("msg").lower() for d in mine), mine[0].group(0)
        if fault == "missing_parent":
            assert any("nowhere" in d.group("msg") for d in mine), mine[0].group(0)
        assert_clear_error(fc.ctl("check"), f"jiyuectl check ({fault})")

        # Under the running server: SIGHUP is refused as a whole, edu keeps serving.
        before = rejected_count(fc)
        fc.signal(signal.SIGHUP)
        assert wait_for(lambda: rejected_count(fc) > before, timeout=10), \
            f"no 'reload rejected' logged for {fault}:\n{read_text(fc.error_log)[-2000:]}"
        assert fc.alive()
        log_tail = read_text(fc.error_log)[-4000:]
        assert "edu.yaml" in log_tail, "the log names the bad file"
        for host, path in ((PORTAL_HOST, "/edu/"), (EDU_HOST, "/"), (EDU_HOST, "/page.html")):
            r = fc.get(path, host=host)
            assert r.status == 200 and b"EDU-" in r.body, (fault, host, path, r)
        assert b"PORTAL-HOME" in fc.get("/").body
    finally:
        fc.site_path("edu").write_text(good)
    # Once fixed, the next reload applies (the server was not left in a half state).
    n = reloaded_count(fc)
    fc.signal(signal.SIGHUP)
    assert wait_for(lambda: reloaded_count(fc) > n, timeout=10), read_text(fc.error_log)[-2000:]
    assert fc.get("/", host=EDU_HOST).status == 200


def test_bad_file_is_a_directory_or_dangling_link(fc):
    d = fc.sites_dir / "dir.yaml"
    link = fc.sites_dir / "dangling.yaml"
    d.mkdir()
    link.symlink_to(fc.root / "no-such-file.yaml")
    try:
        r = run([JIYUE, "-t", "-c", fc.conf], timeout=30)
        err = (r.stderr + r.stdout).decode(errors="replace")
        # Either refused with a reason naming them, or ignored; never a crash.
        assert r.returncode in (0, 1), err
        if r.returncode == 1:
            assert "dir.yaml" in err or "dangling.yaml" in err, err
        fc.signal(signal.SIGHUP)
        time.sleep(0.3)
        assert fc.alive()
        assert fc.get("/", host=EDU_HOST).status == 200
    finally:
        d.rmdir()
        link.unlink()


def test_bad_server_config_keeps_serving(fc):
    good = fc.conf.read_text()
    try:
        fc.conf.write_bytes(good.encode()[:good.index("limits:") + 3])
        r = run([JIYUE, "-t", "-c", fc.conf], timeout=30)
        err = (r.stderr + r.stdout).decode(errors="replace")
        assert r.returncode == 1 and "jiyue.yaml" in err, err
        before = rejected_count(fc)
        fc.signal(signal.SIGHUP)
        assert wait_for(lambda: rejected_count(fc) > before, timeout=10)
        assert fc.get("/").status == 200 and fc.alive()
    finally:
        fc.conf.write_text(good)


# --------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------

def page_set(c, sid):
    r = c.ctl("ls", sid)
    assert r.returncode == 0, r.stderr
    return {line.split("\t")[0].strip().lstrip("/") for line in r.stdout.decode().splitlines()
            if line.strip()}


def tagged_pages(tag, n):
    pages = {f"bulk/p{i:04d}.html": html(f"p{i}", f"{tag}-{i}", pad=3) for i in range(n)}
    pages["index.html"] = html("zhen", f"{tag}-INDEX")
    return pages


class Import(subprocess.Popen):
    """A `jiyuectl import` running in the background; communicate() also fails the test on
    a sanitizer report in its output (it is started without run())."""

    def communicate(self, *a, **kw):
        out, err = super().communicate(*a, **kw)
        check_sanitized_output(self.args, out, err)
        return out, err


def start_import(c, sid, folder):
    return Import([str(JIYUECTL), "-c", str(c.conf), "import", sid, str(folder)],
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def whole_version(c, tags, n):
    """Which tag the site zhen carries, checking that every page carries the same one."""
    names = page_set(c, "zhen")
    index = c.get("/xian/zhen/")
    assert index.status == 200, index
    found = [t for t in tags if f"{t}-INDEX".encode() in index.body]
    assert len(found) == 1, f"index is none of {tags}: {index.body[:200]!r}"
    tag = found[0]
    assert names == set(tagged_pages(tag, n)), f"page set is not {tag}'s ({len(names)} pages)"
    for i in (0, n // 2, n - 1):
        r = c.get(f"/xian/zhen/bulk/p{i:04d}.html")
        assert r.status == 200 and f"{tag}-{i}<".encode() in r.body, (tag, i, r)
    return tag


@pytest.mark.parametrize("round_", range(3))
def test_two_imports_at_once_one_whole_result(fc, tmp_path, round_):
    n = 800
    tags = (f"A{round_}", f"B{round_}")
    folders = [write_pages(tmp_path / t, tagged_pages(t, n)) for t in tags]
    procs = [start_import(fc, "zhen", f) for f in folders]
    outs = [p.communicate(timeout=60) for p in procs]
    for p, (out, err) in zip(procs, outs):
        # Both finish: LMDB has one writer at a time, the second waits for the first.
        assert p.returncode == 0, err.decode(errors="replace")
    whole_version(fc, tags, n)


def test_imports_of_two_sites_at_once_both_land(fc, tmp_path):
    a = write_pages(tmp_path / "x", {"index.html": html("xian", "XIAN-BOTH"),
                                     "page.html": html("xian page", "XIAN-PAGE")})
    b = write_pages(tmp_path / "z", {"index.html": html("zhen", "ZHEN-BOTH")})
    procs = [start_import(fc, "xian", a), start_import(fc, "zhen", b)]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert b"XIAN-BOTH" in fc.get("/xian/").body
    assert b"ZHEN-BOTH" in fc.get("/xian/zhen/").body


def test_writer_killed_while_another_waits(fc, tmp_path):
    # The first import holds LMDB's write lock; the second waits on it. SIGKILL the first:
    # the lock is released with the process (robust mutex) and the second completes.
    n = 3000
    big = write_pages(tmp_path / "K", tagged_pages("KILLED", n))
    small = write_pages(tmp_path / "W", tagged_pages("WAITER", 50))
    for delay in (0.15, 0.3):
        first = start_import(fc, "zhen", big)
        time.sleep(delay)
        second = start_import(fc, "zhen", small)
        time.sleep(0.05)
        first.kill()
        first.communicate(timeout=10)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, f"the waiting import failed after the writer died: {err!r}"
        assert whole_version(fc, ("WAITER",), 50) == "WAITER"


def test_reads_never_see_half_an_import_while_killed(fc, tmp_path):
    # A reader fetches the index and a deep page in a loop while imports are killed at
    # various points: every response is a whole old or whole new page, never an error.
    n = 1500
    old = write_pages(tmp_path / "old", tagged_pages("OLDV", n))
    r = run([JIYUECTL, "-c", fc.conf, "import", "zhen", old], timeout=60)
    assert r.returncode == 0, r.stderr
    new = write_pages(tmp_path / "new", tagged_pages("NEWV", n))
    stop = threading.Event()
    bad = []

    def reader():
        while not stop.is_set():
            for path, k in (("/xian/zhen/", "INDEX"), (f"/xian/zhen/bulk/p{n - 1:04d}.html", str(n - 1))):
                try:
                    resp = fc.get(path)
                except Exception as e:  # noqa: BLE001 - reported below
                    bad.append(repr(e))
                    continue
                if resp.status != 200 or not (f"OLDV-{k}".encode() in resp.body or
                                              f"NEWV-{k}".encode() in resp.body):
                    bad.append((path, resp.status, resp.body[:100]))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for delay in (0.05, 0.1, 0.2, 0.3):
            p = start_import(fc, "zhen", new)
            time.sleep(delay)
            p.kill()
            p.communicate(timeout=10)
    finally:
        stop.set()
        t.join(10)
    assert not bad, bad[:5]
    tag = whole_version(fc, ("OLDV", "NEWV"), n)
    assert tag in ("OLDV", "NEWV")


@pytest.fixture(scope="module")
def small_map(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "faults-smallmap", map_size="2MiB")
    c.start()
    yield c
    c.stop()


def test_store_usable_after_map_fills(small_map, tmp_path):
    c = small_map
    # Several imports in a row that each overflow the map: each fails with the reason, and
    # none leaves the store unusable for the next, smaller one.
    for k in range(3):
        pages = {"index.html": html("edu", "EDU-TOO-BIG")}
        pages.update({f"blob{i}.bin": os.urandom(256 * 1024) for i in range(10 + k)})
        r = c.ctl("import", "edu", write_pages(tmp_path / f"big{k}", pages))
        assert r.returncode != 0
        err = r.stderr.decode(errors="replace")
        assert len(err.strip().splitlines()) == 1 and ("map" in err.lower() or "full" in err.lower()), err
        assert c.get("/edu/").status == 200 and b"EDU-TOO-BIG" not in c.get("/edu/").body
    ok = c.ctl("import", "edu", write_pages(tmp_path / "ok", {"index.html": html("edu", "EDU-FITS")}))
    assert ok.returncode == 0, ok.stderr
    assert b"EDU-FITS" in c.get("/edu/").body
    # Other sites were never touched, and a restart opens the store cleanly.
    assert b"PORTAL-HOME" in c.get("/").body
    assert c.stop() == 0
    c.start()
    assert b"EDU-FITS" in c.get("/edu/").body


@pytest.mark.skipif(os.geteuid() != 0, reason="making a store unwritable for the tool needs root "
                                               "(root itself ignores permissions)")
def test_read_only_store_directory(tmp_path_factory):
    # The store belongs to root and is read-only to everyone else, as after a chmod a-w or a
    # restore from a read-only snapshot. The tool, run as an unprivileged user, says why it
    # cannot write; the server keeps serving what is there.
    nobody = pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="jiyue-e2e-rostore-"))
    try:
        os.chmod(root, 0o755)
        c = Cluster(root / "tree")
        c.import_base()
        for dirpath, dirnames, filenames in os.walk(c.root):
            os.chmod(dirpath, 0o755)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o644)
        # read-only even to its owner; private as every store must be (0700/0600 or less)
        store = c.root / "store"
        os.chmod(store, 0o500)
        for f in store.iterdir():
            os.chmod(f, 0o400)
        c.start()
        try:
            assert b"EDU-HOME" in c.get("/edu/").body
            pages = write_pages(root / "pages", {"index.html": html("edu", "EDU-NEVER")})
            for dirpath, dirnames, filenames in os.walk(root / "pages"):
                os.chmod(dirpath, 0o755)
            r = run([JIYUECTL, "-c", c.conf, "import", "edu", pages], timeout=30,
                    user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
            err = r.stderr.decode(errors="replace")
            assert r.returncode != 0, "an import into a read-only store succeeded"
            assert len(err.strip().splitlines()) == 1, err
            low = err.lower()
            assert any(w in low for w in ("read-only", "permission", "cannot write", "not writable")), err
            assert "store" in low or str(store) in err, err
            # Nothing changed, the server serves on.
            r = c.get("/edu/")
            assert r.status == 200 and b"EDU-HOME" in r.body and b"EDU-NEVER" not in r.body
            # Reading tools still work for the unprivileged user (ls needs no write).
            ls = run([JIYUECTL, "-c", c.conf, "ls", "edu"], timeout=30,
                     user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])
            assert ls.returncode in (0, 1)
            if ls.returncode == 0:
                assert "index.html" in ls.stdout.decode()
            else:
                assert ls.stderr.strip(), "ls failed without a reason"
        finally:
            code = c.stop()
        assert code == 0, c.server_output()
        # Restarted as the unprivileged user (user: nobody) on the same read-only store: it
        # starts, serves and reloads.
        c.extra_conf = "user: nobody\n"
        c.write_conf()
        os.chmod(c.conf, 0o644)
        for d in (c.logs, c.pid_file.parent):
            os.chown(d, nobody.pw_uid, nobody.pw_gid)
            for f in d.iterdir():
                os.chown(f, nobody.pw_uid, nobody.pw_gid)
        c.start()
        try:
            assert b"EDU-HOME" in c.get("/edu/").body
            n = read_text(c.error_log).count("reloaded:")
            c.signal(signal.SIGHUP)
            assert wait_for(lambda: read_text(c.error_log).count("reloaded:") > n, timeout=10)
            assert b"EDU-HOME" in c.get("/", host=EDU_HOST).body
        finally:
            code = c.stop()
        assert code == 0, c.server_output()
    finally:
        for dirpath, dirnames, filenames in os.walk(root):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_store_is_private(tmp_path):
    # The store holds the preview and form keys and citizens' contact details: its folder is
    # 0700 and its files 0600, and a store others can read is refused, with the fix.
    c = Cluster(tmp_path / "tree")
    c.import_pages("edu", {"index.html": html("edu", "EDU-HOME")})
    store = c.root / "store"
    assert store.stat().st_mode & 0o777 == 0o700, oct(store.stat().st_mode)
    for f in ("data.mdb", "lock.mdb"):
        assert (store / f).stat().st_mode & 0o777 == 0o600, (f, oct((store / f).stat().st_mode))

    os.chmod(store, 0o755)
    r = c.ctl("ls", "edu")
    assert r.returncode == 1
    assert r.stderr.decode().strip() == (
        f"jiyuectl: ls: store {store} is open to other users (folder mode 0755): it holds secrets and "
        f"citizens' details; run chmod 700 {store}"), r.stderr
    chk = c.ctl("check")
    assert chk.returncode == 0 and f"run chmod 700 {store}" in chk.stderr.decode(), chk.stderr
    srv = run([JIYUE, "-c", c.conf], timeout=15)
    assert srv.returncode == 1, srv.stdout
    assert f"run chmod 700 {store}" in srv.stderr.decode(), srv.stderr
    assert not c.pid_file.exists()

    # group access alone is access too
    os.chmod(store, 0o750)
    r = c.ctl("ls", "edu")
    assert r.returncode == 1 and f"(folder mode 0750)" in r.stderr.decode(), r.stderr

    os.chmod(store, 0o700)
    os.chmod(store / "data.mdb", 0o644)
    os.chmod(store / "lock.mdb", 0o660)
    r = c.ctl("import", "edu", write_pages(tmp_path / "p2", {"index.html": html("edu", "EDU-2")}))
    assert r.returncode == 1
    assert r.stderr.decode().strip().endswith(
        f"(data.mdb mode 0644, lock.mdb mode 0660): it holds secrets and citizens' details; run "
        f"chmod 600 {store}/data.mdb {store}/lock.mdb"), r.stderr

    os.chmod(store / "data.mdb", 0o600)
    os.chmod(store / "lock.mdb", 0o600)
    r = c.ctl("ls", "edu")
    assert r.returncode == 0 and "index.html" in r.stdout.decode(), r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another user needs root")
def test_store_made_by_root_belongs_to_the_server_user(tmp_path):
    # jiyuectl run as root with `user: nobody` configured: the store it creates is nobody's,
    # so the server (running as nobody) can keep using it.
    nobody = pwd.getpwnam("nobody")
    c = Cluster(tmp_path / "tree", extra_conf="user: nobody\n")
    c.import_pages("edu", {"index.html": html("edu", "EDU-HOME")})
    store = c.root / "store"
    for p in (store, store / "data.mdb", store / "lock.mdb"):
        st = p.stat()
        assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid), (p, st.st_uid, st.st_gid)
    assert store.stat().st_mode & 0o777 == 0o700
    # a store that already exists keeps its owner
    other = Cluster(tmp_path / "tree2")
    other.import_pages("edu", {"index.html": html("edu", "EDU-HOME")})
    other.extra_conf = "user: nobody\n"
    other.write_conf()
    other.import_pages("edu", {"index.html": html("edu", "EDU-AGAIN")})
    assert (other.root / "store" / "data.mdb").stat().st_uid == 0
