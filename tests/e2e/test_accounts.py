# tests/e2e/test_accounts.py: `jiyuectl user`, the web console's accounts as the operator
# meets them: each verb (add, passwd, roles, disable, enable, ls), its one-line errors with
# nothing written, the audit trail's user-* records naming the OS user, and the password's
# secrecy: a generated password is printed once and nowhere else, a password read from
# stdin is never printed, the store holds only an Argon2id hash that verifies it (checked
# with libargon2 itself through ctypes), and hostile input (names with '/', overlong
# names, '*' inside a site id, huge stdin) is refused cheaply.
import ctypes
import os
import pwd
import re
import shutil
import subprocess
import time

import pytest

from conftest import JIYUECTL, Cluster, check_sanitized_output, need_binaries, run, store_dump

PW_LINE = re.compile(r"^password: (\S+)$", re.M)
HASH_RE = re.compile(rb"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}")
GOOD_PW = "Zhe-shi-yi-ge-mi-ma-2026"
ARGON2 = ctypes.CDLL("libargon2.so.1")
ARGON2.argon2id_verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]


def verifies(encoded, password):
    pw = password.encode() if isinstance(password, str) else password
    return ARGON2.argon2id_verify(encoded, pw, len(pw)) == 0


class SeedStore:
    """The store seed() gives a test, made once per file with `user add` (two Argon2id hashes
    and two jiyuectl runs a test cost seconds under the sanitizers) and copied."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.cluster = None

    def get(self):
        if self.cluster is None:
            cl = Cluster(self.tmp_path_factory.mktemp("accounts-seed"))
            cl.outputs = []
            ok(user(cl, "add", "li.hua", "--role", "editor:edu", "--password-stdin", stdin=GOOD_PW.encode()))
            ok(user(cl, "add", "admin", "--role", "cluster_admin", "--password-stdin",
                    stdin=GOOD_PW.encode()))
            self.cluster = cl
        return self.cluster


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory):
    return SeedStore(tmp_path_factory)


@pytest.fixture()
def c(tmp_path, seed_store):
    """A cluster (portal, edu, xian, zhen under xian) with no store yet: `user add` makes it."""
    need_binaries()
    cl = Cluster(tmp_path / "c")
    cl.outputs = []  # every byte jiyuectl printed in the test
    cl.seed_store = seed_store
    return cl


def user(c, *args, stdin=None, env=None):
    e = dict(os.environ)
    e.pop("SUDO_USER", None)  # what the trail records must not depend on how the tests run
    e.update(env or {})
    r = run([JIYUECTL, "-c", c.conf, "user", *args], input=stdin, env=e, timeout=60)
    c.outputs.append(r.stdout + r.stderr)
    return r


def ok(r):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout.decode()


def err_line(r, code=1):
    """The failure's one line on stderr (a usage error adds the usage line)."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == b""
    lines = r.stderr.decode().splitlines()
    assert lines and lines[0].startswith("jiyuectl: user: "), lines
    assert len(lines) == (2 if code == 2 else 1), lines
    return lines[0]


def dump(c):
    """Every database of the store, as mdb_dump prints it (printable form)."""
    return store_dump(c.root, printable=True)


def stored_hash(c, name):
    """The hash stored for account `name` now (from the committed data, not stale pages)."""
    lines = dump(c).split(b"\n")
    for i, line in enumerate(lines):
        if line == b" account/" + name.encode():
            m = HASH_RE.search(lines[i + 1].replace(b"\\24", b"$"))
            assert m, lines[i + 1]
            return m.group(0)
    raise AssertionError(f"no account/{name} in the store")


def data_file(c):
    return (c.root / "store" / "data.mdb").read_bytes()


def ls(c):
    return ok(user(c, "ls")).splitlines()


def no_secret_anywhere(c, *secrets):
    for out in c.outputs:
        assert b"$argon2id$" not in out
        for s in secrets:
            assert s.encode() not in out


# ---------------------------------------------------------------- add

def test_add_generates_a_password_printed_once(c):
    out = ok(user(c, "add", "li.hua", "--role", "editor:edu", "--role", "reviewer:xian/*"))
    assert re.match(r"^account li\.hua added: editor:edu, reviewer:xian/\* \(trail record 1\)\n"
                    r"password: [a-km-zA-HJ-NP-Z2-9]{20}\n$", out), out
    pw = PW_LINE.search(out).group(1)
    # printed once, in that line only; not in ls, history or the store in clear
    assert out.count(pw) == 1
    lines = ls(c)
    assert len(lines) == 1
    f = lines[0].split("\t")
    assert f[0:3] == ["li.hua", "editor:edu, reviewer:xian/*", "enabled"]
    assert re.match(r"^created \d{4}-\d\d-\d\d \d\d:\d\d$", f[3]) and f[4] == "last login never"
    hist = run([JIYUECTL, "-c", c.conf, "history"])
    c.outputs.append(hist.stdout + hist.stderr)
    assert pw.encode() not in data_file(c)
    # what is stored is an Argon2id hash with at least OWASP's parameters, and it is this
    # password's
    h = stored_hash(c, "li.hua")
    m = HASH_RE.match(h)
    assert int(m.group(1)) >= 19456 and int(m.group(2)) >= 2 and int(m.group(3)) >= 1
    assert verifies(h, pw)
    assert not verifies(h, pw[:-1])
    assert sum(o.count(pw.encode()) for o in c.outputs) == 1
    no_secret_anywhere(c)


def test_generated_password_not_printable(c):
    """stdout that cannot be written (a full disk): the account is made, and the one line
    says that its password was never shown and how to set another."""
    with open("/dev/full", "wb") as full:
        args = [str(JIYUECTL), "-c", str(c.conf), "user", "add", "li.hua", "--role", "editor:edu"]
        r = subprocess.run(args, stdout=full, stderr=subprocess.PIPE, timeout=60)
    check_sanitized_output(args, r.stderr)
    assert r.returncode == 1
    line = r.stderr.decode()
    assert line.startswith("jiyuectl: user: the generated password could not be printed (No space")
    assert "user passwd li.hua" in line and line.count("\n") == 1
    assert ls(c)[0].startswith("li.hua\t")


@pytest.mark.parametrize("sent", [GOOD_PW + "\n", GOOD_PW, GOOD_PW + "\r\n"],
                         ids=["newline", "no-newline", "crlf"])
def test_add_password_from_stdin(c, sent):
    out = ok(user(c, "add", "wang", "--role", "cluster_admin", "--password-stdin",
                  stdin=sent.encode()))
    assert out == "account wang added: cluster_admin (trail record 1)\n"
    h = stored_hash(c, "wang")
    assert verifies(h, GOOD_PW)  # the line break is not part of it
    assert not verifies(h, GOOD_PW + "\n")
    assert GOOD_PW.encode() not in data_file(c)
    no_secret_anywhere(c, GOOD_PW)


def test_same_password_two_salts(c):
    for name in ("a1", "a2"):
        ok(user(c, "add", name, "--role", "editor:edu", "--password-stdin", stdin=GOOD_PW.encode()))
    h1, h2 = stored_hash(c, "a1"), stored_hash(c, "a2")
    assert h1 != h2 and verifies(h1, GOOD_PW) and verifies(h2, GOOD_PW)


def seed(c):
    """Two accounts (li.hua and admin, GOOD_PW; trail records 1 and 2), and the store's
    content to compare after a refusal: a copy of the store SeedStore made."""
    made = c.seed_store.get()
    shutil.copytree(made.root / "store", c.root / "store")
    c.outputs += made.outputs  # what jiyuectl printed making them
    return dump(c)


ADD_REFUSED = [
    # (arguments, stdin, what the one line says)
    (["li.hua", "--role", "editor:edu"], None, "account 'li.hua' exists"),
    (["a/b", "--role", "editor:edu"], None, "bad account name 'a/b'"),
    (["../admin", "--role", "editor:edu"], None, "bad account name"),
    (["Li", "--role", "editor:edu"], None, "bad account name"),
    (["-x", "--role", "editor:edu"], None, None),  # an option: a usage error
    (["a" * 33, "--role", "editor:edu"], None, "bad account name"),
    (["李华", "--role", "editor:edu"], None, "bad account name"),
    (["a\x1b[2Jb", "--role", "editor:edu"], None, "bad account name 'a?[2Jb'"),  # no escapes echoed
    (["new", "--role", "edi\x1b[2Jtor:edu"], None, "unknown role 'edi?[2Jtor'"),
    (["new"], None, "give at least one role"),
    (["new", "--role", "editor"], None, "role 'editor' needs a site"),
    (["new", "--role", "root:edu"], None, "unknown role 'root'"),
    (["new", "--role", "Editor:edu"], None, "unknown role 'Editor'"),
    (["new", "--role", "cluster_admin:edu"], None, "cluster_admin takes no site"),
    (["new", "--role", "editor:e*u"], None, "bad site in role 'editor:e*u'"),
    (["new", "--role", "editor:*"], None, "bad site in role"),
    (["new", "--role", "editor:*/edu"], None, "bad site in role"),
    (["new", "--role", "editor:xian/*/zhen"], None, "bad site in role"),
    (["new", "--role", "editor:edu/"], None, "bad site in role"),
    (["new", "--role", "editor:../edu"], None, "bad site in role"),
    (["new", "--role", "editor:nosuch"], None, "role 'editor:nosuch': no site 'nosuch' in sites.d"),
    (["new", "--role", "editor:nosuch/*"], None, "no site 'nosuch' in sites.d"),
    (["new", "--role", "editor:edu", "--role", "editor:nosuch"], None, "no site 'nosuch'"),
    (["new", "--role", "editor:" + "x" * 5000], None, "role is too long"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"Q7-tiny\n", "password is too short: at least 10 characters"),
    (["new", "--role", "editor:edu", "--password-stdin"], "一二三四五六七八九".encode(), "too short"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"", "no password on standard input"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"\n", "no password"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"first-line-long\nsecond-line\n", "one line"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"with\x00nul-inside-it", "control characters"),
    (["new", "--role", "editor:edu", "--password-stdin"], b"p" * 1025, "too long (at most 1024 bytes)"),
]


@pytest.mark.parametrize("args,stdin,why", ADD_REFUSED, ids=[str(i) for i in range(len(ADD_REFUSED))])
def test_add_refused_nothing_written(c, args, stdin, why):
    before = seed(c)
    listing = ls(c)
    r = user(c, "add", *args, stdin=stdin)
    line = err_line(r, 2 if why is None else 1)
    if why:
        assert why in line, line
    assert len(line) < 300  # a huge argument is not echoed whole
    assert b"\x1b" not in r.stderr
    assert dump(c) == before
    assert ls(c) == listing
    if stdin:
        no_secret_anywhere(c, stdin.decode(errors="replace").strip() or "\x00")


def test_huge_stdin_is_bounded(c):
    """64 MiB on stdin: refused after reading a few KiB, quickly, nothing written."""
    before = seed(c)
    t0 = time.monotonic()
    p = subprocess.Popen([str(JIYUECTL), "-c", str(c.conf), "user", "passwd", "li.hua",
                          "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        p.stdin.write(b"x" * (64 << 20))
    except BrokenPipeError:
        pass  # it stopped reading: what we want
    p.stdin.close()
    out, err = p.stdout.read(), p.stderr.read()
    assert p.wait(timeout=30) == 1
    check_sanitized_output(p.args, out, err)
    assert time.monotonic() - t0 < 20
    assert b"too long" in err and out == b""
    assert dump(c) == before


def test_add_at_a_time_only_one_wins(c):
    seed(c)
    procs = [subprocess.Popen([str(JIYUECTL), "-c", str(c.conf), "user", "add", "twin", "--role",
                               "editor:edu"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
    for p, r in zip(procs, results):
        check_sanitized_output(p.args, r[1], r[2])
    assert sorted(r[0] for r in results) == [0, 1], results
    assert any(b"account 'twin' exists" in r[2] for r in results)
    assert [ln.split("\t")[0] for ln in ls(c)] == ["admin", "li.hua", "twin"]


# ---------------------------------------------------------------- passwd

def test_passwd_generated_and_from_stdin(c):
    seed(c)
    old = stored_hash(c, "li.hua")
    out = ok(user(c, "passwd", "li.hua"))
    assert re.match(r"^password of li\.hua changed \(trail record 3\)\npassword: \S{20}\n$", out)
    pw = PW_LINE.search(out).group(1)
    h = stored_hash(c, "li.hua")
    assert h != old and verifies(h, pw) and not verifies(h, GOOD_PW)
    new = "another-good-password"
    assert ok(user(c, "passwd", "li.hua", "--password-stdin", stdin=new.encode())) == \
        "password of li.hua changed (trail record 4)\n"
    h = stored_hash(c, "li.hua")
    assert verifies(h, new) and not verifies(h, pw)
    assert verifies(stored_hash(c, "admin"), GOOD_PW)  # the other account is untouched
    assert sum(o.count(pw.encode()) for o in c.outputs) == 1
    no_secret_anywhere(c, new, GOOD_PW)


# ---------------------------------------------------------------- roles, disable, enable

def test_roles_replace(c):
    seed(c)
    out = ok(user(c, "roles", "li.hua", "site_admin:xian/*", "replier:edu", "replier:edu"))
    assert out == "roles of li.hua: site_admin:xian/*, replier:edu (trail record 3)\n"
    assert ls(c)[1].split("\t")[:3] == ["li.hua", "site_admin:xian/*, replier:edu", "enabled"]
    assert verifies(stored_hash(c, "li.hua"), GOOD_PW)  # the password stays


def test_disable_and_enable(c):
    seed(c)
    assert ok(user(c, "disable", "li.hua")) == "account li.hua disabled (trail record 3)\n"
    assert ls(c)[1].split("\t")[2] == "disabled"
    before = dump(c)
    assert ok(user(c, "disable", "li.hua")) == "account li.hua is already disabled: nothing written\n"
    assert dump(c) == before
    assert ok(user(c, "enable", "li.hua")) == "account li.hua enabled (trail record 4)\n"
    assert ls(c)[1].split("\t")[2] == "enabled"


OTHER_REFUSED = [
    (["passwd", "nobody"], 1, "no account 'nobody'"),
    (["roles", "nobody", "editor:edu"], 1, "no account 'nobody'"),
    (["disable", "nobody"], 1, "no account 'nobody'"),
    (["enable", "nobody"], 1, "no account 'nobody'"),
    (["disable", "a/b"], 1, "bad account name 'a/b'"),
    (["passwd", "x" * 10000], 1, "bad account name"),
    (["roles", "li.hua"], 1, "give at least one role"),
    (["roles", "li.hua", "editor:edu", "editor:x*"], 1, "bad site in role 'editor:x*'"),
    (["roles", "li.hua", "reviewer:nosuch/*"], 1, "no site 'nosuch'"),
    (["roles", "li.hua", "--password-stdin", "editor:edu"], 2, "--password-stdin belongs to"),
    (["passwd", "li.hua", "--role", "editor:edu"], 2, "--role belongs to user add"),
    (["disable"], 2, "give the account's NAME"),
    (["disable", "li.hua", "admin"], 2, "too many arguments"),
    (["ls", "extra"], 2, "too many arguments"),
    (["frobnicate", "li.hua"], 2, "unknown verb 'frobnicate'"),
    ([], 2, "give a verb"),
]


@pytest.mark.parametrize("args,code,why", OTHER_REFUSED, ids=[str(i) for i in range(len(OTHER_REFUSED))])
def test_verbs_refused_nothing_written(c, args, code, why):
    before = seed(c)
    line = err_line(user(c, *args), code)
    assert why in line, line
    assert len(line) < 300
    assert dump(c) == before


# ---------------------------------------------------------------- ls, history, help

def test_ls_empty_and_a_role_on_a_removed_site(c):
    ok(user(c, "add", "first", "--role", "editor:zhen", "--password-stdin", stdin=GOOD_PW.encode()))
    c.site_path("zhen").unlink()  # the township's site file is removed later
    r = user(c, "ls")
    assert ok(r).split("\t")[:3] == ["first", "editor:zhen", "enabled"]
    assert "role editor:zhen names no site in sites.d: it grants nothing" in r.stderr.decode()


def test_ls_without_accounts(tmp_path):
    need_binaries()
    cl = Cluster(tmp_path / "c")
    cl.import_pages("edu", {"index.html": b"<p>x</p>"})
    r = run([JIYUECTL, "-c", cl.conf, "user", "ls"])
    assert r.returncode == 0 and r.stdout == b""
    assert b"no accounts" in r.stderr


def test_history_records_each_change_by_the_os_user(c):
    env = {"SUDO_USER": "ops-1"} if os.getuid() == 0 else {}
    ok(user(c, "add", "li.hua", "--role", "editor:edu", env=env))
    ok(user(c, "add", "x", "--role", "editor:edu", "--password-stdin", stdin=GOOD_PW.encode()))
    ok(user(c, "roles", "li.hua", "reviewer:xian/*"))
    ok(user(c, "disable", "li.hua"))
    ok(user(c, "enable", "li.hua"))
    ok(user(c, "passwd", "li.hua", env={"SUDO_USER": "bad;name"}))
    r = run([JIYUECTL, "-c", c.conf, "history"])
    c.outputs.append(r.stdout + r.stderr)
    rows = [ln.split("\t") for ln in ok(r).splitlines()]
    me = pwd.getpwuid(os.getuid()).pw_name
    assert [(f[0], f[2], f[3]) for f in rows] == [
        ("1", "user-add", "user li.hua"), ("2", "user-add", "user x"),
        ("3", "user-roles", "user li.hua"), ("4", "user-disable", "user li.hua"),
        ("5", "user-enable", "user li.hua"), ("6", "user-passwd", "user li.hua")]
    assert rows[0][4] == ("by root (sudo by ops-1)" if env else f"by {me}")
    assert all(f[4] == f"by {me}" for f in rows[1:])  # a malformed SUDO_USER is left out
    assert rows[0][5:] == ["roles: editor:edu", "password generated"]
    assert rows[1][5:] == ["roles: editor:edu", "password from stdin"]
    assert rows[2][5:] == ["roles: reviewer:xian/*", "were: editor:edu"]
    assert rows[3][5:] == [] and rows[4][5:] == []
    assert rows[5][5:] == ["password generated"]
    # a site's own trail is about its articles: account changes are the cluster's
    r = run([JIYUECTL, "-c", c.conf, "history", "edu"])
    assert b"user-" not in r.stdout
    no_secret_anywhere(c, GOOD_PW)


def test_help_lists_the_verbs(c):
    out = run([JIYUECTL, "-h"]).stdout.decode()
    for verb in ("user add NAME --role ROLE[:SITE|:SITE/*] [--role ...] [--password-stdin]",
                 "passwd NAME [--password-stdin]", "roles NAME ROLE[:SITE|:SITE/*]...",
                 "disable NAME", "enable NAME", "| ls"):
        assert verb in out, verb
    r = user(c, "add", "-h")
    assert r.returncode == 0 and b"usage: jiyuectl [-c FILE] user add NAME" in r.stdout
