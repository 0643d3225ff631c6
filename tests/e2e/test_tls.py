# tests/e2e/test_tls.py: HTTPS end to end with real clients (python's ssl, openssl s_client,
# curl) against certificates made here with the openssl command: SNI picks each host's own
# certificate (exact, wildcard, default fallback); TLS 1.0/1.1 and weak suites are refused;
# ALPN, resumption across workers and reloads; `https: redirect` and HSTS; certificates
# swapped or broken on disk and reloaded with SIGHUP; keep-alive, pipelining and a 1 MB
# body over TLS; garbage and slow handshakes. Every wait is bounded.
import hashlib
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import warnings
from pathlib import Path

import pytest

from conftest import (BASE_SITES, DIAG_RE, EDU_ALIAS, EDU_HOST, JIYUE, LOG_DIAG_RE, PORTAL_HOST,
                      XIAN_HOST, Cluster, RawConn, base_pages, free_port, metric_samples, need_binaries, site_yaml,
                      read_text, run, wait_for)

OPENSSL = "openssl"
BIG = hashlib.sha256(b"seed").digest() * (1 << 15)  # 1 MiB, incompressible enough
BIG = bytes((b ^ (i * 131 & 0xFF)) for i, b in enumerate(BIG))

# ---------------------------------------------------------------------------------------
# Certificates, made with the openssl command
# ---------------------------------------------------------------------------------------


def ossl(*args, cwd=None, input=None):
    r = subprocess.run([OPENSSL, *map(str, args)], capture_output=True, timeout=60, cwd=cwd,
                       input=input)
    assert r.returncode == 0, f"openssl {' '.join(map(str, args))}: {r.stderr.decode(errors='replace')}"
    return r


class CA:
    """A test CA in `folder` that issues leaf certificates (EC P-256 unless rsa=True)."""

    def __init__(self, folder):
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.crt = self.dir / "ca.crt"
        self.key = self.dir / "ca.key"
        ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-sha256", "-days", "30", "-subj", "/CN=jiyue e2e CA", "-keyout", self.key,
             "-out", self.crt, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        db = self.dir / "db"
        db.mkdir(exist_ok=True)
        (db / "index.txt").write_text("")
        (db / "serial").write_text("1000\n")
        self.serial = 1

    def newkey(self, path, rsa=False):
        if rsa:
            ossl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
        else:
            ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
        os.chmod(path, 0o600)

    def issue(self, name, cn, sans, rsa=False, key=None, startdate=None, enddate=None):
        """Writes NAME.crt (and NAME.key unless an existing key is given) and returns
        (crt, key). startdate/enddate ("YYYYMMDDHHMMSSZ") make a certificate with chosen
        dates through `openssl ca`, the one OpenSSL 3.0 command that takes them."""
        crt = self.dir / f"{name}.crt"
        if key is None:
            key = self.dir / f"{name}.key"
            self.newkey(key, rsa=rsa)
        csr = self.dir / f"{name}.csr"
        ext = self.dir / f"{name}.ext"
        ossl("req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr)
        san = ",".join(("IP:" if re.match(r"^[\d.:]+$", s) else "DNS:") + s for s in sans)
        ext.write_text(f"[v3]\nsubjectAltName={san}\nbasicConstraints=CA:FALSE\n"
                       "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        self.serial += 1
        tmp = crt.with_suffix(".crt.new")
        if startdate:
            cnf = self.dir / "ca.cnf"
            cnf.write_text(
                "[ca]\ndefault_ca = c\n[c]\ndatabase = db/index.txt\nnew_certs_dir = db\n"
                "serial = db/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n"
                "[p]\ncommonName = supplied\n"
                f"[v3]\nsubjectAltName={san}\nbasicConstraints=CA:FALSE\n")
            ossl("ca", "-batch", "-config", cnf, "-cert", self.crt, "-keyfile", self.key,
                 "-in", csr, "-out", tmp, "-startdate", startdate, "-enddate", enddate,
                 "-extensions", "v3", "-notext", cwd=self.dir)
        else:
            ossl("x509", "-req", "-in", csr, "-CA", self.crt, "-CAkey", self.key,
                 "-set_serial", str(self.serial), "-days", "7", "-sha256", "-extfile", ext,
                 "-extensions", "v3", "-out", tmp)
        os.replace(tmp, crt)  # a new file (new inode), as a deploy tool would leave it
        csr.unlink()
        ext.unlink()
        return crt, key


# ---------------------------------------------------------------------------------------
# The TLS cluster
# ---------------------------------------------------------------------------------------

WILD_HOST = "town.xian.test.gov.cn"  # matches only the xian certificate's "*.xian.test.gov.cn"
UNKNOWN_HOST = "unknown.test.gov.cn"  # no certificate names it: the default one


class TlsCluster(Cluster):
    """The standard cluster plus a TLS listener and certificates: RSA default (portal),
    edu with its own EC certificate, `https: redirect` and HSTS, xian with a certificate
    for itself and *.xian.test.gov.cn."""

    def __init__(self, root, ca, **kw):
        self.ca = ca
        self.tls_port = free_port()
        self.certs = {}
        self.certs["default"] = ca.issue("default", "default.e2e", [PORTAL_HOST, "127.0.0.1"], rsa=True)
        self.certs["edu"] = ca.issue("edu", "edu.e2e", [EDU_HOST, EDU_ALIAS])
        self.certs["xian"] = ca.issue("xian", "xian.e2e", [XIAN_HOST, "*.xian.test.gov.cn"])
        sites = {k: dict(v) for k, v in BASE_SITES.items()}
        sites["edu"]["extra"] = (self.site_tls("edu") + "https: redirect\n"
                                 "hsts: {max_age: 31536000, include_subdomains: true}\n")
        sites["xian"]["extra"] = self.site_tls("xian")
        super().__init__(root, sites=sites, **kw)

    def site_tls(self, name):
        crt, key = self.certs[name]
        return f"tls:\n  cert: {crt}\n  key: {key}\n"

    def write_conf(self):
        super().write_conf()
        text = self.conf.read_text()
        crt, key = self.certs["default"]
        text = text.replace("listen:\n", f'listen:\n  - {{address: "127.0.0.1:{self.tls_port}", tls: true}}\n', 1)
        text += f"tls:\n  cert: {crt}\n  key: {key}\n"
        self.conf.write_text(text)

    def ctx(self, **kw):
        return client_ctx(self.ca, **kw)

    def tls_conn(self, host, ctx=None, session=None, timeout=5):
        return TlsConn(self.tls_port, host, ctx or self.ctx(), session=session, timeout=timeout)

    def tget(self, path, host=PORTAL_HOST, headers=None, ctx=None):
        with self.tls_conn(host, ctx=ctx) as c:
            hdrs = {"Host": host, "Connection": "close"}
            hdrs.update(headers or {})
            c.send_request("GET", path, hdrs)
            return c.read_response()

    def reloads(self):
        return read_text(self.error_log).count("reloaded: configuration generation")

    def hup_and_wait(self, what="reloaded"):
        """SIGHUP, then waits for the reload's outcome in the error log."""
        log = read_text(self.error_log)
        before = (log.count("reloaded: configuration generation"), log.count("reload rejected"))
        self.signal(signal.SIGHUP)

        def done():
            now = read_text(self.error_log)
            return (now.count("reloaded: configuration generation") > before[0] or
                    now.count("reload rejected") > before[1])
        assert wait_for(done, timeout=10), "no reload outcome in the error log:\n" + read_text(self.error_log)[-2000:]
        now = read_text(self.error_log)
        if what == "reloaded":
            assert now.count("reloaded: configuration generation") > before[0], now[-2000:]
        else:
            assert now.count("reload rejected") > before[1], now[-2000:]
        time.sleep(0.2)  # workers pick the new snapshot up from their loops


def client_ctx(ca, alpn=None, minv=None, maxv=None, ciphers=None, seclevel0=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(ca.crt))
    with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is what we test
        warnings.simplefilter("ignore", DeprecationWarning)
        if minv:
            ctx.minimum_version = minv
        if maxv:
            ctx.maximum_version = maxv
    if ciphers or seclevel0:
        ctx.set_ciphers((ciphers or "DEFAULT") + (":@SECLEVEL=0" if seclevel0 else ""))
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


class TlsConn(RawConn):
    """RawConn over TLS: the same request/response helpers on an SSL socket."""

    def __init__(self, port, host, ctx, session=None, timeout=5, rcvbuf=None):
        """rcvbuf: a small receive buffer, set before connecting (as RawConn does): a slow
        reader. Set after the handshake it would shrink a window already offered, and the
        transfer crawls on the sender's zero-window probes (1 MiB took 25 s)."""
        raw = socket.socket()
        if rcvbuf:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        try:
            raw.connect(("127.0.0.1", port))
            self.sock = ctx.wrap_socket(raw, server_hostname=host, session=session)
        except BaseException:
            raw.close()
            raise
        self.buf = b""
        self.timeout = timeout

    def cn(self):
        return peer_cn(self.sock.getpeercert())


def peer_cn(cert):
    for rdn in cert["subject"]:
        for k, v in rdn:
            if k == "commonName":
                return v
    return None


def handshake_error(port, host, ctx):
    """Tries a handshake; returns the ssl error text (None when it succeeded)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        with ctx.wrap_socket(raw, server_hostname=host) as s:
            s.version()
            return None
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as e:
        return str(e)
    finally:
        raw.close()


def s_client(port, *args, host=PORTAL_HOST, ca=None, stdin=b"", timeout=15):
    argv = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host]
    if ca:
        argv += ["-CAfile", str(ca.crt)]
    argv += [str(a) for a in args]
    r = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return CA(tmp_path_factory.mktemp("tls-ca"))


def start_tls_cluster(tmp_path_factory, ca, name, **kw):
    need_binaries()
    c = TlsCluster(tmp_path_factory.mktemp(name), ca, **kw)
    c.import_base()
    pages = dict(base_pages()["portal"])
    pages["big.bin"] = BIG
    c.import_pages("portal", pages)
    c.start()
    assert wait_for(lambda: tls_port_ready(c.tls_port), timeout=5), c.server_output()
    return c


def tls_port_ready(port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


@pytest.fixture(scope="module")
def tc(tmp_path_factory, ca):
    c = start_tls_cluster(tmp_path_factory, ca, "tls", limits={"header_timeout": "2s"})
    yield c
    c.stop()


# ---------------------------------------------------------------------------------------
# SNI
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("host,cn,marker", [
    (PORTAL_HOST, "default.e2e", b"PORTAL-HOME"),     # the default certificate names it
    (EDU_HOST, "edu.e2e", b"EDU-HOME"),               # a site's own certificate, exact
    (XIAN_HOST, "xian.e2e", b"XIAN-HOME"),
])
def test_each_host_gets_its_certificate(tc, host, cn, marker):
    with tc.tls_conn(host) as c:  # verification on: the certificate must be valid for host
        assert c.cn() == cn
        c.send_request("GET", "/", {"Host": host})
        r = c.read_response()
        assert r.status == 200 and marker in r.body, r


def test_alias_gets_site_certificate(tc):
    with tc.tls_conn(EDU_ALIAS) as c:
        assert c.cn() == "edu.e2e"
        c.send_request("GET", "/page.html?x=1", {"Host": EDU_ALIAS})
        r = c.read_response()
        # The alias redirects to the canonical host, over https.
        assert r.status == 301 and r.header("Location") == f"https://{EDU_HOST}/page.html?x=1", r


def test_wildcard_name_in_certificate(tc):
    ctx = tc.ctx()
    with tc.tls_conn(WILD_HOST, ctx=ctx) as c:
        assert c.cn() == "xian.e2e"  # verified against *.xian.test.gov.cn


def test_wildcard_covers_one_label_only(tc):
    ctx = tc.ctx()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with tc.tls_conn("a.b.xian.test.gov.cn", ctx=ctx) as c:
        assert peer_cn(der_subject(c.sock)) == "default.e2e"


def der_subject(sock):
    """The peer certificate's subject when verification is off (getpeercert() is then
    empty): decoded through the openssl command."""
    der = sock.getpeercert(binary_form=True)
    r = ossl("x509", "-inform", "DER", "-noout", "-subject", "-nameopt", "RFC2253", input=der)
    m = re.search(r"CN=([^,\n]+)", r.stdout.decode())
    return {"subject": ((("commonName", m.group(1)),),)} if m else {"subject": ()}


@pytest.mark.parametrize("host", [UNKNOWN_HOST, "127.0.0.1", None])
def test_unknown_or_missing_sni_gets_default(tc, host):
    ctx = tc.ctx()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", tc.tls_port), timeout=5)
    with ctx.wrap_socket(raw, server_hostname=host) as s:
        assert peer_cn(der_subject(s)) == "default.e2e"


def test_sni_is_case_insensitive(tc):
    code, out = s_client(tc.tls_port, "-brief", host="EDU.Test.Gov.CN", ca=tc.ca, stdin=b"")
    assert "CN = edu.e2e" in out or "CN=edu.e2e" in out, out


def test_s_client_verifies_each_host(tc):
    for host, cn in ((PORTAL_HOST, "default.e2e"), (EDU_HOST, "edu.e2e"), (WILD_HOST, "xian.e2e")):
        code, out = s_client(tc.tls_port, "-verify_return_error", "-verify_hostname", host,
                             host=host, ca=tc.ca, stdin=b"Q\n")
        assert "Verification: OK" in out or "Verify return code: 0 (ok)" in out, out
        assert re.search(r"subject=.*CN ?= ?" + re.escape(cn), out), out


def test_curl_with_resolve(tc):
    r = run(["curl", "-sS", "--http1.1", "--cacert", tc.ca.crt, "--resolve", f"{EDU_HOST}:{tc.tls_port}:127.0.0.1",
             "-D", "-", f"https://{EDU_HOST}:{tc.tls_port}/page.html"])
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0, r.stderr
    assert out.startswith("HTTP/1.1 200"), out[:300]
    assert "EDU-PAGE" in out


# ---------------------------------------------------------------------------------------
# Protocol versions, suites, ALPN
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_old_versions_refused(tc, version):
    v = getattr(ssl.TLSVersion, version)
    ctx = tc.ctx(minv=v, maxv=v, seclevel0=True)
    err = handshake_error(tc.tls_port, PORTAL_HOST, ctx)
    assert err is not None, f"{version} handshake succeeded"
    # The server's own refusal (a protocol_version alert), not the client failing to offer it.
    assert "NO_PROTOCOLS_AVAILABLE" not in err.upper(), err
    assert re.search(r"PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION", err.upper()), err


@pytest.mark.parametrize("flag", ["-tls1", "-tls1_1"])
def test_old_versions_refused_s_client(tc, flag):
    code, out = s_client(tc.tls_port, flag, "-cipher", "DEFAULT:@SECLEVEL=0", stdin=b"")
    assert code != 0, out
    assert "alert protocol version" in out, out


@pytest.mark.parametrize("version,expect", [("TLSv1_2", "TLSv1.2"), ("TLSv1_3", "TLSv1.3")])
def test_modern_versions_work(tc, version, expect):
    v = getattr(ssl.TLSVersion, version)
    ctx = tc.ctx(minv=v, maxv=v)
    with tc.tls_conn(PORTAL_HOST, ctx=ctx) as c:
        assert c.sock.version() == expect
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        assert b"PORTAL-HOME" in c.read_response().body


# RSA certificate (default host): static RSA, DHE, CBC and SHA1 suites; EC certificate (edu).
@pytest.mark.parametrize("host,cipher", [
    (PORTAL_HOST, "AES128-SHA"),                    # RSA key exchange, CBC, SHA1
    (PORTAL_HOST, "AES256-GCM-SHA384"),             # RSA key exchange: no forward secrecy
    (PORTAL_HOST, "DHE-RSA-AES128-GCM-SHA256"),     # finite-field DHE
    (PORTAL_HOST, "ECDHE-RSA-AES128-SHA"),          # CBC
    (PORTAL_HOST, "ECDHE-RSA-AES256-SHA384"),       # CBC
    (EDU_HOST, "ECDHE-ECDSA-AES128-SHA256"),        # CBC
    (EDU_HOST, "ECDHE-ECDSA-AES256-SHA"),           # CBC, SHA1
])
def test_weak_tls12_suites_refused(tc, host, cipher):
    code, out = s_client(tc.tls_port, "-tls1_2", "-cipher", cipher + ":@SECLEVEL=0", host=host, stdin=b"")
    assert code != 0, out
    assert "alert handshake failure" in out or "no shared cipher" in out, out


def test_tls13_suite_outside_policy_refused(tc):
    code, out = s_client(tc.tls_port, "-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256", stdin=b"")
    assert code != 0 and "alert handshake failure" in out, out


@pytest.mark.parametrize("host,cipher", [
    (PORTAL_HOST, "ECDHE-RSA-AES128-GCM-SHA256"),
    (PORTAL_HOST, "ECDHE-RSA-CHACHA20-POLY1305"),
    (EDU_HOST, "ECDHE-ECDSA-AES256-GCM-SHA384"),
])
def test_good_tls12_suites_work(tc, host, cipher):
    ctx = tc.ctx(minv=ssl.TLSVersion.TLSv1_2, maxv=ssl.TLSVersion.TLSv1_2, ciphers=cipher)
    with tc.tls_conn(host, ctx=ctx) as c:
        assert c.sock.cipher()[0] == cipher


def test_server_cipher_preference_tls12(tc):
    # The client prefers ChaCha20; the server's order puts AES-GCM first and wins.
    ctx = tc.ctx(minv=ssl.TLSVersion.TLSv1_2, maxv=ssl.TLSVersion.TLSv1_2,
                 ciphers="ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256")
    with tc.tls_conn(PORTAL_HOST, ctx=ctx) as c:
        assert c.sock.cipher()[0] == "ECDHE-RSA-AES128-GCM-SHA256"


def test_no_compression(tc):
    with tc.tls_conn(PORTAL_HOST) as c:
        assert c.sock.compression() is None


def test_client_renegotiation_refused(tc):
    # s_client's "R" command asks for a renegotiation on a TLS 1.2 connection; the
    # connection is then unusable or refused, never renegotiated.
    script = (f"(sleep 0.5; printf 'R\\n'; sleep 1; printf 'GET / HTTP/1.1\\r\\nHost: {PORTAL_HOST}\\r\\n\\r\\n';"
              f" sleep 0.5) | {OPENSSL} s_client -connect 127.0.0.1:{tc.tls_port} -tls1_2 -servername {PORTAL_HOST}")
    r = subprocess.run(["sh", "-c", script], capture_output=True, timeout=20)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    assert "RENEGOTIATING" in out, out
    after = out[out.index("RENEGOTIATING"):]
    # No second handshake, no response on the renegotiated connection: the server ends it
    # (or alerts no_renegotiation).
    assert "verify return" not in after and "HTTP/1.1" not in after, out
    assert re.search(r"unexpected eof|no renegotiation|alert|errno", after), out
    assert tc.tget("/").status == 200


@pytest.mark.parametrize("offer,expect", [
    (["http/1.1"], "http/1.1"),
    (["spdy/3", "http/1.0"], None),  # nothing we speak: the handshake goes on without ALPN
    (None, None),
])
def test_alpn(tc, offer, expect):
    # (h2 is chosen when offered: tests/e2e/test_http2.py)
    with tc.tls_conn(PORTAL_HOST, ctx=tc.ctx(alpn=offer)) as c:
        assert c.sock.selected_alpn_protocol() == expect
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        assert c.read_response().status == 200


def test_alpn_s_client(tc):
    code, out = s_client(tc.tls_port, "-alpn", "h2,http/1.1", stdin=b"Q\n")
    assert "ALPN protocol: h2" in out, out
    code, out = s_client(tc.tls_port, "-alpn", "http/1.1", stdin=b"Q\n")
    assert "ALPN protocol: http/1.1" in out, out


# ---------------------------------------------------------------------------------------
# Resumption
# ---------------------------------------------------------------------------------------

def first_session(tc, ctx, host=PORTAL_HOST):
    with tc.tls_conn(host, ctx=ctx) as c:
        c.send_request("GET", "/", {"Host": host})  # TLS 1.3 tickets come after the handshake
        assert c.read_response().status == 200
        sess = c.sock.session
        assert sess is not None
        assert not c.sock.session_reused
        return sess


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_resumption_across_workers(tc, version):
    v = getattr(ssl.TLSVersion, version)
    ctx = tc.ctx(minv=v, maxv=v)
    sess = first_session(tc, ctx)
    # From the server's session cache: TLS 1.2 resumes by session id (no ticket), TLS 1.3 by
    # a ticket that only names the cached session.
    assert sess.has_ticket == (version == "TLSv1_3")
    assert len(sess.id) == 32
    reused = 0
    for _ in range(12):  # two workers: a dozen connections land on both
        with tc.tls_conn(PORTAL_HOST, ctx=ctx, session=sess) as c:
            c.send_request("GET", "/", {"Host": PORTAL_HOST})
            assert c.read_response().status == 200
            reused += c.sock.session_reused
            if version == "TLSv1_3" and c.sock.session is not None:
                sess = c.sock.session  # 1.3 tickets are single use by the client's convention
    assert reused == 12


@pytest.mark.parametrize("flag", ["-tls1_2", "-tls1_3"])
def test_resumption_s_client(tc, tmp_path, flag):
    sess = tmp_path / f"sess{flag}.pem"
    req = f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nConnection: close\r\n\r\n".encode()
    code, out = s_client(tc.tls_port, flag, "-ign_eof", "-sess_out", sess, stdin=req)
    assert "New, TLSv1." in out and "PORTAL-HOME" in out, out
    assert sess.exists() and sess.stat().st_size > 0
    for _ in range(4):
        code, out = s_client(tc.tls_port, flag, "-ign_eof", "-sess_in", sess, stdin=req)
        assert "Reused, TLSv1." in out, out
        assert "PORTAL-HOME" in out


def test_tls13_resumption_chain(tc, tmp_path):
    # A client that keeps only the newest ticket (wrk, many libraries) resumes every time
    # only if a resumed connection hands out a fresh ticket: s_client writes -sess_out
    # only when one arrived. Each connection resumes with the previous one's ticket.
    req = f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nConnection: close\r\n\r\n".encode()
    prev = tmp_path / "chain0.pem"
    code, out = s_client(tc.tls_port, "-tls1_3", "-ign_eof", "-sess_out", prev, stdin=req)
    assert "New, TLSv1.3" in out and prev.exists(), out
    for i in range(1, 5):
        nxt = tmp_path / f"chain{i}.pem"
        code, out = s_client(tc.tls_port, "-tls1_3", "-ign_eof", "-sess_in", prev, "-sess_out", nxt,
                             stdin=req)
        assert "Reused, TLSv1.3" in out, (i, out)
        assert nxt.exists() and nxt.stat().st_size > 0, f"no new ticket after resumption {i}"
        prev = nxt


def test_tls13_ticket_names_a_cached_session(tc, tmp_path):
    # The ticket is the 32-byte id of a session kept in the server's memory, not the session
    # encrypted under a server key (a stateless ticket of OpenSSL's is about 200 bytes).
    sess = tmp_path / "sess.pem"
    req = f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nConnection: close\r\n\r\n".encode()
    code, out = s_client(tc.tls_port, "-tls1_3", "-ign_eof", "-sess_out", sess, stdin=req)
    assert "New, TLSv1.3" in out, out
    text = subprocess.run(["openssl", "sess_id", "-in", str(sess), "-text", "-noout"], capture_output=True,
                          text=True, timeout=10, check=True).stdout
    ticket = text.split("TLS session ticket:", 1)[1]
    ticket_bytes = re.findall(r"^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]+)+)", ticket, re.M)
    n = sum(len(re.findall(r"[0-9a-f]{2}", line)) for line in ticket_bytes)
    assert n == 32, text
    assert "lifetime hint: 7200" in text, text


def test_resumption_survives_reload(tc):
    # The session cache belongs to the default certificate's context, which a reload that
    # leaves its files alone keeps: a session from before a reload resumes after it, on a
    # site's own certificate context.
    ctx = tc.ctx(minv=ssl.TLSVersion.TLSv1_2, maxv=ssl.TLSVersion.TLSv1_2)
    sess = first_session(tc, ctx, host=EDU_HOST)
    tc.hup_and_wait()
    with tc.tls_conn(EDU_HOST, ctx=ctx, session=sess) as c:
        assert c.sock.session_reused
        assert c.cn() == "edu.e2e"


# ---------------------------------------------------------------------------------------
# https: redirect and HSTS
# ---------------------------------------------------------------------------------------

def test_https_redirect_on_plain_http(tc):
    r = tc.get("/page.html?a=1&b=2", host=EDU_HOST)
    assert r.status == 301, r
    assert r.header("Location") == f"https://{EDU_HOST}:{tc.tls_port}/page.html?a=1&b=2", r
    assert not r.has("Strict-Transport-Security"), "HSTS on plain http is ignored by browsers; don't send it"


def test_https_redirect_keeps_host_and_mount_path(tc):
    r = tc.get("/edu/page.html", host=PORTAL_HOST)
    assert r.status == 301, r
    assert r.header("Location") == f"https://{PORTAL_HOST}:{tc.tls_port}/edu/page.html", r


def test_https_redirect_host_with_port_and_case(tc):
    r = tc.get("/", host=f"EDU.test.gov.cn:{tc.port}")
    assert r.status == 301, r
    assert r.header("Location") == f"https://{EDU_HOST}:{tc.tls_port}/", r


def test_no_redirect_without_https_redirect(tc):
    r = tc.get("/", host=XIAN_HOST)
    assert r.status == 200 and b"XIAN-HOME" in r.body


def test_https_redirect_target_serves_with_hsts(tc):
    r = tc.tget("/page.html", host=EDU_HOST)
    assert r.status == 200 and b"EDU-PAGE" in r.body, r
    assert r.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_hsts_on_https_errors_too(tc):
    r = tc.tget("/no-such-page.html", host=EDU_HOST)
    assert r.status == 404
    assert r.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"


def test_no_hsts_without_config(tc):
    r = tc.tget("/", host=XIAN_HOST)
    assert r.status == 200 and not r.has("Strict-Transport-Security"), r
    r = tc.tget("/", host=PORTAL_HOST)
    assert r.status == 200 and not r.has("Strict-Transport-Security"), r


# ---------------------------------------------------------------------------------------
# HTTP over TLS: keep-alive, pipelining, a large body
# ---------------------------------------------------------------------------------------

def test_keepalive_over_tls(tc):
    with tc.tls_conn(EDU_HOST) as c:
        for i in range(20):
            c.send_request("GET", "/page.html" if i % 2 else "/", {"Host": EDU_HOST})
            r = c.read_response()
            assert r.status == 200
            assert (b"EDU-PAGE" if i % 2 else b"EDU-HOME") in r.body


def test_pipelining_over_tls(tc):
    paths = ["/", "/news/index.html", "/style.css", "/big.txt", "/no-such", "/"] * 5
    with tc.tls_conn(PORTAL_HOST) as c:
        c.send(b"".join(f"GET {p} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode() for p in paths))
        got = [c.read_response() for _ in paths]
    assert [r.status for r in got] == [404 if p == "/no-such" else 200 for p in paths]
    assert b"PORTAL-NEWS" in got[1].body
    assert got[3].body == base_pages()["portal"]["big.txt"]


def test_large_body_over_tls(tc):
    with tc.tls_conn(PORTAL_HOST) as c:
        for _ in range(2):  # the connection stays usable after a body of many records
            c.send_request("GET", "/big.bin", {"Host": PORTAL_HOST})
            r = c.read_response()
            assert r.status == 200
            assert len(r.body) == len(BIG)
            assert hashlib.sha256(r.body).hexdigest() == hashlib.sha256(BIG).hexdigest()


def test_large_body_slow_reader(tc):
    # The client reads in small sips: records queued in the server wait for the socket.
    with TlsConn(tc.tls_port, PORTAL_HOST, tc.ctx(), timeout=10, rcvbuf=4096) as c:
        c.send_request("GET", "/big.bin", {"Host": PORTAL_HOST})
        time.sleep(0.5)
        r = c.read_response()
        assert hashlib.sha256(r.body).digest() == hashlib.sha256(BIG).digest()
        c.send_request("GET", "/", {"Host": PORTAL_HOST})
        assert b"PORTAL-HOME" in c.read_response().body


def test_pipelined_records_wait_while_the_socket_is_full(tc):
    # Each request its own TLS record, all sent at once to a client that does not read yet:
    # the server stops decrypting while its answer waits for the socket, keeps the records
    # it has not read (its read buffer is shared, core/tls_in.h), and answers them all, in
    # order, as the client drains.
    paths = ["/big.bin", "/", "/big.bin", "/style.css"] + ["/big.bin"] * 6
    with tc.tls_conn(PORTAL_HOST, timeout=10) as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 * 1024)
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)  # one segment, one read
        for p in paths:  # 8 MiB of answers: more than the socket buffers hold
            c.sock.sendall(f"GET {p} HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
        time.sleep(0.2)
        # Meanwhile other connections' handshakes land in the same worker's read buffer
        # (two workers, so six bystanders all missing it is a 1-in-64 chance).
        for _ in range(6):
            assert tc.tget("/style.css").status == 200
        got = [c.read_response() for _ in paths]
    assert [r.status for r in got] == [200] * len(paths)
    for p, r in zip(paths, got):
        if p == "/big.bin":
            assert hashlib.sha256(r.body).digest() == hashlib.sha256(BIG).digest()
    assert b"PORTAL-HOME" in got[1].body


def test_curl_large_body_sha256(tc):
    r = run(["curl", "-sS", "--cacert", tc.ca.crt, "--resolve", f"{PORTAL_HOST}:{tc.tls_port}:127.0.0.1",
             f"https://{PORTAL_HOST}:{tc.tls_port}/big.bin", f"https://{PORTAL_HOST}:{tc.tls_port}/big.bin"])
    assert r.returncode == 0, r.stderr
    assert r.stdout == BIG + BIG


def test_plain_port_still_plain(tc):
    r = tc.get("/")
    assert r.status == 200 and b"PORTAL-HOME" in r.body


@pytest.mark.parametrize("version", ["HTTP/1.1", "HTTP/1.0"])
def test_connection_close_over_tls_ends_cleanly(tc, version):
    # close_notify before the FIN (sent with the response, core/conn.c tls_flush): a strict
    # client sees a whole response, no truncation.
    ctx = tc.ctx()
    ctx.options &= ~ssl.OP_IGNORE_UNEXPECTED_EOF  # Python sets it: an EOF must say so here
    raw = socket.create_connection(("127.0.0.1", tc.tls_port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname=PORTAL_HOST, suppress_ragged_eofs=False)
    with s:
        hdr = "Connection: close\r\n" if version == "HTTP/1.1" else ""
        s.sendall(f"GET / {version}\r\nHost: {PORTAL_HOST}\r\n{hdr}\r\n".encode())
        data = b""
        while True:
            b = s.recv(65536)  # raises SSLEOFError on an EOF without close_notify
            if not b:
                break
            data += b
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    clen = int(re.search(rb"\r\nContent-Length: (\d+)", head).group(1))
    assert len(body) == clen


# ---------------------------------------------------------------------------------------
# Hostile and slow clients
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("garbage", [
    b"GET / HTTP/1.1\r\nHost: www.test.gov.cn\r\n\r\n",       # plain HTTP to the TLS port
    b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",             # a ClientHello of nonsense
    bytes(range(256)) * 4,
])
def test_garbage_instead_of_client_hello(tc, garbage):
    with tc.tls_conn(PORTAL_HOST) as good:  # a connection opened before
        with RawConn(tc.tls_port) as bad:
            try:
                bad.send(garbage)
            except (BrokenPipeError, ConnectionResetError):
                pass
            assert bad.closed_within(3), "garbage connection left open"
            assert b"HTTP/1." not in bad.buf  # nothing plaintext comes back
        good.send_request("GET", "/", {"Host": PORTAL_HOST})
        assert b"PORTAL-HOME" in good.read_response().body
    assert tc.alive()
    assert tc.tget("/").status == 200


def test_slow_handshake_cut_by_header_timeout(tc):
    # A real ClientHello, dribbled a few bytes at a time: header_timeout (2 s) bounds it.
    hello = client_hello_bytes(tc)
    start = time.monotonic()
    closed = False
    with RawConn(tc.tls_port, timeout=10) as c:
        for i in range(0, min(len(hello), 40), 2):
            try:
                c.send(hello[i:i + 2])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if c.closed_within(0.4):
                closed = True
                break
        if not closed:
            closed = c.closed_within(3)
    elapsed = time.monotonic() - start
    assert closed, "slow handshake never cut"
    assert 1.5 < elapsed < 4.5, f"cut after {elapsed:.1f}s with header_timeout 2s"
    assert tc.tget("/").status == 200


def test_silent_tls_connection_cut_by_header_timeout(tc):
    start = time.monotonic()
    with RawConn(tc.tls_port, timeout=10) as c:
        assert c.closed_within(5)
    assert time.monotonic() - start < 4


def client_hello_bytes(tc):
    """The bytes of a real ClientHello, captured from python's ssl through memory BIOs."""
    ctx = tc.ctx()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=PORTAL_HOST)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    data = out.read()
    assert data[:1] == b"\x16"
    return data


def test_many_parallel_handshakes(tc):
    socks = []
    try:
        for i in range(40):
            host = (PORTAL_HOST, EDU_HOST, XIAN_HOST, WILD_HOST)[i % 4]
            socks.append((host, tc.tls_conn(host)))
        for host, c in socks:
            h = XIAN_HOST if host == WILD_HOST else host
            c.send_request("GET", "/", {"Host": h})
            assert c.read_response().status == 200
    finally:
        for _, c in socks:
            c.close()


# ---------------------------------------------------------------------------------------
# Certificates on disk: validation and reload
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rc(tmp_path_factory, ca):
    c = start_tls_cluster(tmp_path_factory, ca, "tlsreload")
    yield c
    c.stop()


def jiyue_t(c):
    r = run([JIYUE, "-t", "-c", c.conf])
    return r.returncode, r.stderr.decode(errors="replace") + r.stdout.decode(errors="replace")


def test_jiyue_t_accepts_good_certificates(rc):
    code, out = jiyue_t(rc)
    assert code == 0, out
    assert "readable by other users" not in out


def test_cert_swapped_and_reloaded(rc):
    ctx = rc.ctx(minv=ssl.TLSVersion.TLSv1_3, maxv=ssl.TLSVersion.TLSv1_3)
    sess = first_session(rc, ctx, host=EDU_HOST)
    with rc.tls_conn(EDU_HOST) as old:
        assert old.cn() == "edu.e2e"
        old.send_request("GET", "/", {"Host": EDU_HOST})
        assert old.read_response().status == 200
        crt, key = rc.certs["edu"]
        rc.ca.issue("edu", "edu-v2.e2e", [EDU_HOST, EDU_ALIAS])  # new key and certificate
        try:
            rc.hup_and_wait()
            with rc.tls_conn(EDU_HOST) as new:
                assert new.cn() == "edu-v2.e2e"
                new.send_request("GET", "/", {"Host": EDU_HOST})
                assert b"EDU-HOME" in new.read_response().body
            # The connection opened before carries on, same socket, further requests.
            for _ in range(3):
                old.send_request("GET", "/page.html", {"Host": EDU_HOST})
                assert b"EDU-PAGE" in old.read_response().body
            # Untouched certificates are still served.
            with rc.tls_conn(XIAN_HOST) as x:
                assert x.cn() == "xian.e2e"
            # The default certificate did not change, so neither did the session cache: a
            # session from before the reload resumes.
            with rc.tls_conn(EDU_HOST, ctx=ctx, session=sess) as c:
                c.send_request("GET", "/", {"Host": EDU_HOST})
                assert c.read_response().status == 200
                assert c.sock.session_reused
        finally:
            rc.ca.issue("edu", "edu.e2e", [EDU_HOST, EDU_ALIAS])
            rc.hup_and_wait()
    with rc.tls_conn(EDU_HOST) as c:
        assert c.cn() == "edu.e2e"


def test_default_cert_swapped_and_reloaded(rc):
    ctx = rc.ctx(minv=ssl.TLSVersion.TLSv1_3, maxv=ssl.TLSVersion.TLSv1_3)
    sess = first_session(rc, ctx)
    rc.ca.issue("default", "default-v2.e2e", [PORTAL_HOST, "127.0.0.1"], rsa=True)
    try:
        rc.hup_and_wait()
        with rc.tls_conn(PORTAL_HOST) as c:
            assert c.cn() == "default-v2.e2e"
        # The session cache went with the old default context: a session from before the
        # swap is not resumed, the client simply makes a full handshake.
        with rc.tls_conn(PORTAL_HOST, ctx=ctx, session=sess) as c:
            c.send_request("GET", "/", {"Host": PORTAL_HOST})
            assert c.read_response().status == 200
            assert not c.sock.session_reused
            assert c.cn() == "default-v2.e2e"
    finally:
        rc.ca.issue("default", "default.e2e", [PORTAL_HOST, "127.0.0.1"], rsa=True)
        rc.hup_and_wait()
    with rc.tls_conn(PORTAL_HOST) as c:
        assert c.cn() == "default.e2e"


def diag_for(text, path):
    """FILE:LINE:COL diagnostics that name a given file."""
    return [m for m in DIAG_RE.finditer(text) if m.group("file").endswith(path)] + \
           [m for m in LOG_DIAG_RE.finditer(text) if m.group("file").endswith(path)]


def tls_line(site_file):
    """1-based line of `tls:` in a site file."""
    for i, line in enumerate(site_file.read_text().splitlines(), 1):
        if line.startswith("tls:"):
            return i
    raise AssertionError("no tls: line")


def broken_key_check(rc, key_bytes, expect):
    crt, key = rc.certs["edu"]
    saved = key.read_bytes()
    try:
        key.write_bytes(key_bytes)
        os.chmod(key, 0o600)
        code, out = jiyue_t(rc)
        assert code == 1, out
        diags = [d for d in diag_for(out, "edu.yaml") if expect in d.group("msg")]
        assert diags, f"no edu.yaml:LINE:COL diagnostic with {expect!r}:\n{out}"
        assert int(diags[0].group("line")) in (tls_line(rc.site_path("edu")), tls_line(rc.site_path("edu")) + 1)
        log_before = read_text(rc.error_log)
        rc.hup_and_wait("rejected")
        new = read_text(rc.error_log)[len(log_before):]
        assert [d for d in diag_for(new, "edu.yaml") if expect in d.group("msg")], new
        # The old certificate still serves, and so does everything else.
        with rc.tls_conn(EDU_HOST) as c:
            assert c.cn() == "edu.e2e"
            c.send_request("GET", "/", {"Host": EDU_HOST})
            assert b"EDU-HOME" in c.read_response().body
        assert rc.tget("/").status == 200
    finally:
        key.write_bytes(saved)
        os.chmod(key, 0o600)
        rc.hup_and_wait()
    with rc.tls_conn(EDU_HOST) as c:
        assert c.cn() == "edu.e2e"


def test_garbage_key_refused(rc):
    broken_key_check(rc, b"-----BEGIN PRIVATE KEY-----\nnot a key at all\n-----END PRIVATE KEY-----\n",
                     "private key")


def test_empty_key_refused(rc):
    broken_key_check(rc, b"", "private key")


def test_encrypted_key_refused_without_prompting(rc, tmp_path):
    """A passphrase-protected key is refused with a clear error: a server started by
    systemd has no terminal to ask on, and the check must not wait for one."""
    crt, key = rc.certs["edu"]
    enc = tmp_path / "enc.key"
    ossl("pkey", "-in", key, "-aes256", "-passout", "pass:secret", "-out", enc)
    assert b"ENCRYPTED" in enc.read_bytes()
    broken_key_check(rc, enc.read_bytes(), "private key")


@pytest.mark.parametrize("form", ["ec", "rsa"])
def test_traditional_key_forms_accepted(rc, tmp_path, form):
    """Keys in the older "EC PRIVATE KEY" / "RSA PRIVATE KEY" PEM forms load like PKCS#8."""
    key = tmp_path / f"{form}.key"
    rc.ca.newkey(key, rsa=form == "rsa")
    trad = tmp_path / f"{form}-trad.key"
    ossl("ec" if form == "ec" else "rsa", "-in", key, "-out", trad,
         *(["-traditional"] if form == "rsa" else []))
    assert f"BEGIN {form.upper()} PRIVATE KEY".encode() in trad.read_bytes()
    os.chmod(trad, 0o600)
    crt, _ = rc.ca.issue(f"trad-{form}", "trad.e2e", ["trad.e2e"], rsa=form == "rsa", key=trad)
    site = rc.site_path("edu")
    saved = site.read_text()
    try:
        site.write_text(re.sub(r"(?ms)^tls:\n(  .*\n)+", "", saved) +
                        f"tls:\n  cert: {crt}\n  key: {trad}\n")
        code, out = jiyue_t(rc)
        assert code == 0, out
    finally:
        site.write_text(saved)


def test_mismatched_key_refused(rc, tmp_path):
    other = tmp_path / "other.key"
    rc.ca.newkey(other)
    broken_key_check(rc, other.read_bytes(), "does not match")


def test_expired_certificate_refused(rc):
    crt, key = rc.certs["edu"]
    saved = crt.read_bytes()
    try:
        rc.ca.issue("edu", "edu-old.e2e", [EDU_HOST], key=key,
                    startdate="20200101000000Z", enddate="20200102000000Z")
        code, out = jiyue_t(rc)
        assert code == 1 and [d for d in diag_for(out, "edu.yaml") if "expired" in d.group("msg")], out
        rc.hup_and_wait("rejected")
        with rc.tls_conn(EDU_HOST) as c:
            assert c.cn() == "edu.e2e"
    finally:
        crt.write_bytes(saved)
        rc.hup_and_wait()


def test_not_yet_valid_certificate_refused(rc, tmp_path):
    crt = tmp_path / "future.crt"
    rc.ca.issue("future", "future.e2e", [EDU_HOST], startdate="20990101000000Z", enddate="20990102000000Z")
    site = rc.site_path("edu")
    saved = site.read_text()
    try:
        site.write_text(saved.replace(str(rc.certs["edu"][0]), str(rc.ca.dir / "future.crt"))
                        .replace(str(rc.certs["edu"][1]), str(rc.ca.dir / "future.key")))
        code, out = jiyue_t(rc)
        assert code == 1 and [d for d in diag_for(out, "edu.yaml") if "not valid yet" in d.group("msg")], out
    finally:
        site.write_text(saved)
    del crt


def test_missing_certificate_refused(rc):
    site = rc.site_path("edu")
    saved = site.read_text()
    try:
        site.write_text(saved.replace(str(rc.certs["edu"][0]), str(rc.ca.dir / "nowhere.crt")))
        code, out = jiyue_t(rc)
        assert code == 1, out
        d = [d for d in diag_for(out, "edu.yaml") if "nowhere.crt" in d.group("msg")]
        assert d and int(d[0].group("line")) >= tls_line(site), out
        rc.hup_and_wait("rejected")
        with rc.tls_conn(EDU_HOST) as c:
            assert c.cn() == "edu.e2e"
    finally:
        site.write_text(saved)
        rc.hup_and_wait()


def test_unreadable_key_refused(rc):
    # Root reads any file through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, and CI runs as
    # root: there the check runs under setpriv without those two capabilities, so a mode-0
    # key is unreadable to it as to any other user (the tree stays root's, nothing else moves).
    crt, key = rc.certs["edu"]
    os.chmod(key, 0)
    try:
        if os.geteuid() == 0:
            drop = "-dac_override,-dac_read_search"
            r = run(["setpriv", "--bounding-set", drop, "--inh-caps", drop, JIYUE, "-t", "-c", rc.conf])
            code, out = r.returncode, r.stderr.decode(errors="replace") + r.stdout.decode(errors="replace")
        else:
            code, out = jiyue_t(rc)
        d = [d for d in diag_for(out, "edu.yaml")
             if f"cannot load private key {key}: Permission denied" in d.group("msg")]
        assert code == 1 and d, out
    finally:
        os.chmod(key, 0o600)
    code, out = jiyue_t(rc)
    assert code == 0, out


def test_world_readable_key_warns(rc):
    crt, key = rc.certs["edu"]
    os.chmod(key, 0o644)
    try:
        code, out = jiyue_t(rc)
        assert code == 0, out
        d = [d for d in diag_for(out, "edu.yaml") if "readable by other users" in d.group("msg")]
        assert d, out
        assert int(d[0].group("line")) in (tls_line(rc.site_path("edu")), tls_line(rc.site_path("edu")) + 1)
        rc.hup_and_wait()  # a warning does not stop a reload
        assert "readable by other users" in read_text(rc.error_log)
    finally:
        os.chmod(key, 0o600)
        rc.hup_and_wait()


def test_tls_listen_without_default_cert_refused(rc, tmp_path):
    conf = tmp_path / "jiyue.yaml"
    text = rc.conf.read_text()
    text = text[:text.index("\ntls:\n")] + "\n"
    text = text.replace("store: store", f"store: {rc.root / 'store'}").replace("sites: sites.d", f"sites: {rc.sites_dir}")
    conf.write_text(text)
    r = run([JIYUE, "-t", "-c", conf])
    out = r.stderr.decode(errors="replace")
    assert r.returncode == 1, out
    d = [d for d in diag_for(out, "jiyue.yaml") if "no default certificate" in d.group("msg")]
    assert d and int(d[0].group("line")) == 2, out


def test_chain_with_intermediate_sent_whole(rc):
    # xian's certificate file becomes leaf + intermediate; the client trusts only the root.
    d = rc.ca.dir
    ikey = d / "inter.key"
    rc.ca.newkey(ikey)
    ossl("req", "-new", "-key", ikey, "-subj", "/CN=jiyue e2e intermediate", "-out", d / "inter.csr")
    (d / "inter.ext").write_text("[v3]\nbasicConstraints=critical,CA:TRUE,pathlen:0\n"
                                 "keyUsage=critical,keyCertSign,cRLSign\n")
    ossl("x509", "-req", "-in", d / "inter.csr", "-CA", rc.ca.crt, "-CAkey", rc.ca.key, "-set_serial", "77",
         "-days", "7", "-sha256", "-extfile", d / "inter.ext", "-extensions", "v3", "-out", d / "inter.crt")
    lkey = d / "leaf.key"
    rc.ca.newkey(lkey)
    ossl("req", "-new", "-key", lkey, "-subj", "/CN=xian-chain.e2e", "-out", d / "leaf.csr")
    (d / "leaf.ext").write_text(f"[v3]\nsubjectAltName=DNS:{XIAN_HOST},DNS:*.xian.test.gov.cn\n"
                                "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    ossl("x509", "-req", "-in", d / "leaf.csr", "-CA", d / "inter.crt", "-CAkey", ikey, "-set_serial", "78",
         "-days", "7", "-sha256", "-extfile", d / "leaf.ext", "-extensions", "v3", "-out", d / "leaf.crt")
    crt, key = rc.certs["xian"]
    saved = (crt.read_bytes(), key.read_bytes())
    try:
        tmp = crt.with_suffix(".chain")
        tmp.write_bytes((d / "leaf.crt").read_bytes() + (d / "inter.crt").read_bytes())
        os.replace(tmp, crt)
        key.write_bytes(lkey.read_bytes())
        rc.hup_and_wait()
        with rc.tls_conn(WILD_HOST) as c:  # verifies only if the intermediate came too
            assert c.cn() == "xian-chain.e2e"
        code, out = s_client(rc.tls_port, "-showcerts", host=XIAN_HOST, ca=rc.ca, stdin=b"Q\n")
        assert " 1 s:CN = jiyue e2e intermediate" in out and "Verify return code: 0 (ok)" in out, out
    finally:
        crt.write_bytes(saved[0])
        key.write_bytes(saved[1])
        rc.hup_and_wait()
    with rc.tls_conn(XIAN_HOST) as c:
        assert c.cn() == "xian.e2e"


def test_server_alive_after_reload_tests(rc):
    assert rc.alive()
    with rc.tls_conn(XIAN_HOST) as c:
        assert c.cn() == "xian.e2e"


def test_many_certificates_loaded_in_parallel_report_in_order(tmp_path, ca):
    """Forty certificated sites (enough for jiyue -t to load them on several threads), all
    sharing one certificate but two whose keys are broken: exactly those two are reported,
    in file order, each at its own tls: line, and the shared certificate loads once."""
    crt, key = ca.issue("shared", "shared.e2e", ["shared.e2e"])
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    os.chmod(bad, 0o600)
    c = Cluster(tmp_path / "many")
    for i in range(40):
        k = bad if i in (12, 31) else key
        (c.sites_dir / f"d{i:02d}.yaml").write_text(
            site_yaml(f"d{i:02d}", f"部门{i}", "department", parent="portal", path=f"/d{i:02d}/",
                      code=f"12000{i:05d}") + f"tls:\n  cert: {crt}\n  key: {k}\n")
    code, out = jiyue_t(c)
    assert code == 1, out
    errs = [d for d in DIAG_RE.finditer(out) if "private key" in d.group("msg")]
    assert [Path(d.group("file")).name for d in errs] == ["d12.yaml", "d31.yaml"], out
    for d in errs:
        first = tls_line(c.sites_dir / Path(d.group("file")).name)
        assert int(d.group("line")) in (first, first + 1), out  # at tls: or its first key
    for i in (12, 31):  # once fixed, the whole cluster loads
        (c.sites_dir / f"d{i:02d}.yaml").write_text(
            (c.sites_dir / f"d{i:02d}.yaml").read_text().replace(str(bad), str(key)))
    code, out = jiyue_t(c)
    assert code == 0, out


def test_metrics_count_handshakes_and_resumptions(tmp_path_factory, ca):
    """/metrics on the management listener counts TLS handshakes and, of those, the
    resumed ones (issue 17), and the sessions the session cache holds."""
    admin_port = free_port()
    c = start_tls_cluster(tmp_path_factory, ca, "tlsmetrics",
                          extra_conf=f'admin:\n  listen: ["127.0.0.1:{admin_port}"]\n')

    def counts():
        got = {smp.name: smp.value for smp in metric_samples(admin_port)}
        return got["jiyue_tls_handshakes_total"], got["jiyue_tls_resumptions_total"]

    def cache():
        got = {smp.name: smp.value for smp in metric_samples(admin_port)}
        return got["jiyue_tls_session_cache_sessions"], got["jiyue_tls_session_cache_evictions_total"]

    try:
        assert counts() == (0, 0)
        assert cache() == (0, 0)
        ctx = c.ctx(minv=ssl.TLSVersion.TLSv1_2, maxv=ssl.TLSVersion.TLSv1_2)
        sess = first_session(c, ctx)
        for _ in range(3):
            with c.tls_conn(PORTAL_HOST, ctx=ctx, session=sess) as t:
                t.send_request("GET", "/", {"Host": PORTAL_HOST})
                assert t.read_response().status == 200
                assert t.sock.session_reused
        assert counts() == (4, 3)
        # One TLS 1.2 session, resumed three times by its id: the cache holds it once.
        assert cache() == (1, 0)
        # Each TLS 1.3 handshake, resumed or not, adds the session its new ticket names.
        ctx13 = c.ctx(minv=ssl.TLSVersion.TLSv1_3, maxv=ssl.TLSVersion.TLSv1_3)
        first_session(c, ctx13)
        first_session(c, ctx13)
        assert cache() == (3, 0)
    finally:
        c.stop()
