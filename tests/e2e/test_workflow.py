# tests/e2e/test_workflow.py: `jiyuectl drafts SITE [--queue]` (an extension: the
# operator's view of the publishing workflow's drafts, modules/workflow/) and `jiyuectl
# purge` deleting a removed site's drafts. The drafts are written into the store with
# LMDB's own mdb_load in the record layout modules/workflow/workflow_draft.h documents, so
# the test also holds the documentation to the code. (The transitions that write drafts
# are library calls the console will make: tests/unit/test_workflow.c covers them.)
import datetime
import struct
import subprocess

import pytest

from conftest import BASE_SITES, Cluster, need_binaries

T0 = 1764900000  # 2025-12-05 10:00 UTC+8


def s(text):
    b = text.encode()
    return struct.pack("<I", len(b)) + b + b"\0"


def draft(did, site, editor, title, state, article, update=False, updated=T0, atts=()):
    rec = b"JYWD" + struct.pack("<H", 1)
    rec += s(did) + s(site) + s("news") + s(article) + bytes([1 if update else 0])
    rec += s(title) + s("正文") + s("") + s("") + s("主动公开") + s("")
    rec += struct.pack("<q", 0) + bytes([state])
    rec += s(editor) + s(editor) + s("") + s("")
    rec += struct.pack("<qqqqII", T0, updated, T0 if state == 1 else 0, 0, 0, 0)
    rec += struct.pack("<I", len(atts))
    for name, size in atts:
        rec += s(name) + struct.pack("<Q", size)
    return rec


def rank(seq, newest_first=True):
    return "%016x" % ((2**64 - 1 - seq) if newest_first else seq)


def load(store, pairs):
    """Writes key/value pairs into the store's "content" database with mdb_load -T (every
    byte escaped as \\xx)."""
    def esc(b):
        return "".join("\\%02x" % c for c in b)
    text = "".join(esc(k) + "\n" + esc(v) + "\n" for k, v in pairs)
    r = subprocess.run(["mdb_load", "-T", "-s", "content", str(store)], input=text.encode(),
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr


def minute(t):
    return datetime.datetime.fromtimestamp(t + 8 * 3600, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


@pytest.fixture()
def c(tmp_path):
    need_binaries()
    cl = Cluster(tmp_path / "c")
    cl.import_pages("edu", {"index.html": b"<p>edu</p>"})  # makes the store
    pairs = [
        (b"wd/1", draft("1", "edu", "ed.a", "关于寒假安排的通知", 1, "20251205-1")),
        (b"wd/2", draft("2", "edu", "ed.b", "补充说明", 0, "20251205-1", update=True,
                        updated=T0 + 600, atts=[("安排.pdf", 1234)])),
        (b"wd/3", draft("3", "zhen", "ed.z", "镇上的稿子", 1, "20251205-3")),
        (b"wn/seq", struct.pack("<Q", 3)),
    ]
    for seq, site, editor, queued in ((1, "edu", "ed.a", True), (2, "edu", "ed.b", False),
                                      (3, "zhen", "ed.z", True)):
        pairs.append((f"ws/{site}/{rank(seq)}".encode(), str(seq).encode()))
        pairs.append((f"we/{editor}/{rank(seq)}".encode(), str(seq).encode()))
        if queued:
            pairs.append((f"wq/{site}/{rank(seq, False)}".encode(), str(seq).encode()))
    pairs.append((b"wa/2/\xe5\xae\x89\xe6\x8e\x92.pdf", b"x" * 1234))
    # two trail records of the workflow, as article_audit_append writes them
    for n, (action, who, note) in enumerate((("draft-submit", "ed.a", ""),
                                             ("draft-reject", "rev.a", "来源有误"))):
        rec = b"JYAU" + struct.pack("<H", 1) + struct.pack("<qI", T0 + n, 0)
        for part in (action, "edu", "news", "1", who, "", "关于寒假安排的通知", note):
            rec += s(part)
        pairs.append((b"h/%016x" % (n + 1), rec))
    load(cl.root / "store", pairs)
    return cl


def test_drafts_lists_a_sites_drafts(c):
    r = c.ctl("drafts", "edu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        f"2\tdraft\tnews\ted.b\t{minute(T0 + 600)}\tedu/news/20251205-1 (revision)\t补充说明",
        f"1\tsubmitted\tnews\ted.a\t{minute(T0)}\tedu/news/20251205-1\t关于寒假安排的通知",
    ]
    r = c.ctl("drafts", "edu", "--queue")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"1\tsubmitted\tnews\ted.a\t{minute(T0)}\tedu/news/20251205-1\t关于寒假安排的通知\n"
    r = c.ctl("drafts", "zhen", "--queue")
    assert r.stdout.decode().startswith("3\tsubmitted\tnews\ted.z\t")
    # a site without drafts: nothing on stdout, a note on stderr, success
    r = c.ctl("drafts", "xian")
    assert (r.returncode, r.stdout) == (0, b"")
    assert r.stderr.decode() == "jiyuectl: drafts: no drafts of xian\n"


def test_history_shows_workflow_steps(c):
    r = c.ctl("history", "edu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        f"1\t{minute(T0)}\tdraft-submit\tedu/news draft 1\tby ed.a\t关于寒假安排的通知",
        f"2\t{minute(T0 + 1)}\tdraft-reject\tedu/news draft 1\tby rev.a\t来源有误\t关于寒假安排的通知",
    ]


def test_drafts_refusals(c):
    r = c.ctl("drafts", "nosuch")
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode() == "jiyuectl: drafts: unknown site 'nosuch' (no such id in sites.d)\n"
    r = c.ctl("drafts")
    assert r.returncode == 2 and b"missing SITE" in r.stderr
    r = c.ctl("drafts", "edu", "--all")
    assert r.returncode == 2 and b"unknown option '--all'" in r.stderr
    r = c.ctl("drafts", "edu", "zhen")
    assert r.returncode == 2 and b"too many arguments" in r.stderr


def test_purge_deletes_a_removed_sites_drafts(c):
    c.site_path("edu").unlink()
    r = c.ctl("purge", "edu")
    assert r.returncode == 0, r.stderr
    assert ", 2 drafts\n" in r.stdout.decode(), r.stdout
    r = c.ctl("purge", "--yes", "edu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith("purged edu:") and ", 2 drafts\n" in r.stdout.decode()
    c.write_site("edu", **BASE_SITES["edu"])
    r = c.ctl("drafts", "edu")
    assert (r.returncode, r.stdout) == (0, b"")
    # the draft's attachment went with it; another site's drafts stay
    dump = subprocess.run(["mdb_dump", "-p", "-s", "content", str(c.root / "store")],
                          capture_output=True, timeout=30).stdout
    assert b"wa/2/" not in dump and b"wd/1" not in dump and b"we/ed.a/" not in dump
    assert b"wd/3" in dump and b"wq/zhen/" in dump
    r = c.ctl("drafts", "zhen")
    assert r.stdout.decode().startswith("3\tsubmitted\t")
