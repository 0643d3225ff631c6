# tests/e2e/test_limits.py: header_timeout, keepalive_timeout and max_connections are
# enforced, and the server keeps serving afterwards.
import signal
import socket
import ssl
import time

import pytest

from conftest import BASE_SITES, PORTAL_HOST, RawConn, make_cluster, need_binaries, parse_status
from test_tls import CA, TlsCluster

H = {"Host": PORTAL_HOST}


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "limits-timeouts",
                     limits={"header_timeout": "1s", "keepalive_timeout": "1s"})
    c.start()
    yield c
    c.stop()


MAXC = 8


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "limits-conns",
                     limits={"max_connections": MAXC, "keepalive_timeout": "30s"})
    c.start()
    yield c
    c.stop()


def test_slow_head_is_cut_off(fast):
    req = f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nUser-Agent: {'s' * 60}\r\n\r\n".encode()
    with RawConn(fast.port, timeout=2) as c:
        t0 = time.monotonic()
        closed = False
        for i in range(len(req)):
            if time.monotonic() - t0 > 6:
                break
            try:
                c.send(req[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if c.closed_within(0.3):
                closed = True
                break
        elapsed = time.monotonic() - t0
    assert closed, f"a head trickling one byte per 0.3s was not cut off after {elapsed:.1f}s"
    assert elapsed < 4, f"cut off only after {elapsed:.1f}s with header_timeout 1s"
    assert elapsed > 0.5, "cut off before header_timeout"
    assert parse_status(c.buf) == 408, c.buf[:200]
    assert fast.get("/").status == 200


def test_silent_connection_cut_off(fast):
    with RawConn(fast.port) as c:
        t0 = time.monotonic()
        assert c.closed_within(5), "a connection that never sends a byte stayed open"
        assert time.monotonic() - t0 < 4


def test_partial_head_then_silence_cut_off(fast):
    with RawConn(fast.port) as c:
        c.send(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n")
        t0 = time.monotonic()
        assert c.closed_within(5)
        assert time.monotonic() - t0 < 4


def test_idle_keepalive_closed(fast):
    with RawConn(fast.port) as c:
        c.send_request("GET", "/", H)
        r = c.read_response()
        assert r.status == 200
        t0 = time.monotonic()
        assert c.closed_within(5), "idle keep-alive connection not closed after keepalive_timeout 1s"
        elapsed = time.monotonic() - t0
        assert 0.5 < elapsed < 4, elapsed


def test_active_keepalive_survives_past_timeout(fast):
    # Each request restarts the idle timer: 6 requests 0.4s apart span 2.4s > 1s.
    with RawConn(fast.port) as c:
        for _ in range(6):
            c.send_request("GET", "/edu/", H)
            r = c.read_response()
            assert r.status == 200 and b"EDU-HOME" in r.body
            time.sleep(0.4)


def open_conn(port):
    s = socket.socket()
    s.settimeout(3)
    s.connect(("127.0.0.1", port))
    return s


def served(sock, timeout=3):
    """True when the connection answers a request with 200; False when refused/closed/503."""
    sock.settimeout(timeout)
    try:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout, OSError):
        return False
    return parse_status(data) == 200


def served_again(c, addr, why):
    """Waits (5 s at most) until a new connection from addr gets a page."""
    deadline = time.monotonic() + 5
    while True:
        s = from_addr(c.port, addr)
        try:
            if served(s):
                return
        finally:
            s.close()
        assert time.monotonic() < deadline, why
        time.sleep(0.1)


def test_max_connections(capped):
    held, extra = [], []
    try:
        for _ in range(MAXC):
            s = open_conn(capped.port)
            held.append(s)
            assert served(s), "a connection within max_connections was not served"
        t0 = time.monotonic()
        refused = 0
        for _ in range(5):
            try:
                s = open_conn(capped.port)
            except OSError:
                refused += 1
                continue
            extra.append(s)
            if not served(s, timeout=3):
                refused += 1
        assert refused == 5, f"only {refused} of 5 connections over max_connections={MAXC} were refused"
        assert time.monotonic() - t0 < 10, "extra connections were not closed at once"
        # The held ones still work.
        for s in held[:3]:
            assert served(s)
    finally:
        for s in held + extra:
            s.close()
    # Once they are closed the server answers again (bounded: closes are noticed asynchronously).
    deadline = time.monotonic() + 5
    ok = False
    while time.monotonic() < deadline and not ok:
        try:
            ok = capped.get("/").status == 200
        except OSError:
            ok = False
        if not ok:
            time.sleep(0.1)
    assert ok, "server did not answer after the connections over the limit were closed"
    assert capped.alive()


def test_max_connections_recovers_fully(capped):
    # After a burst over the cap, MAXC connections at once are served again.
    deadline = time.monotonic() + 5
    while True:
        socks = []
        try:
            socks = [open_conn(capped.port) for _ in range(MAXC)]
            if all(served(s) for s in socks):
                break
        except OSError:
            pass
        finally:
            for s in socks:
                s.close()
        assert time.monotonic() < deadline, "server never served max_connections connections again"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    # a TLS listener too: a late body is answered 408 over both (test_stalled_body_cut_off*)
    root = tmp_path_factory.mktemp("limits-other")
    c = TlsCluster(root / "c", CA(root / "ca"),
                   limits={"body_timeout": "1s", "send_timeout": "1s", "max_headers": 10,
                           "max_body_bytes": "1MiB"})
    c.write_site("edu", **BASE_SITES["edu"])  # without TlsCluster's `https: redirect`
    need_binaries()
    c.import_base()
    big = bytes((i * 13) % 241 for i in range(8 << 20))
    c.import_pages("edu", {"index.html": b"<p>EDU-HOME</p>", "huge.bin": big})
    c.start()
    yield c
    c.stop()


def test_max_headers(strict):
    few = "".join(f"X-H{i}: v\r\n" for i in range(5))
    many = "".join(f"X-H{i}: v\r\n" for i in range(30))
    with RawConn(strict.port) as c:
        c.send(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n{few}\r\n")
        assert c.read_response().status == 200
    with RawConn(strict.port) as c:
        c.send(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n{many}\r\n")
        out = c.read_to_eof(5)
    assert parse_status(out) == 431, out[:200]


def test_slow_reader_not_cut_off(strict):
    # send_timeout bounds a client that reads nothing; one that keeps reading slowly gets
    # its whole response even when that takes longer than send_timeout (1 s here).
    s = RawConn(strict.port, rcvbuf=8192).sock
    try:
        s.sendall(f"GET /edu/huge.bin HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        want = 8 << 20
        # a bytearray, and the head looked for once: copying the whole response at every
        # read made the client itself stall for seconds on a busy machine
        data = bytearray()
        end = -1
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            chunk = s.recv(64 << 10)
            if not chunk:
                break
            data += chunk
            if end < 0:
                end = data.find(b"\r\n\r\n")
            if end >= 0 and len(data) - end - 4 >= want:
                break
            # Paced: the 8 MiB over 2.5 s (longer than send_timeout, 1 s), a read every few
            # milliseconds. A fixed 5 ms a read took 4-9 s, however fast the machine.
            pause = t0 + 2.5 * len(data) / want - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        head, _, body = bytes(data).partition(b"\r\n\r\n")
        assert time.monotonic() - t0 > 1.5, "the client was not slow enough to test anything"
        assert len(body) == want, f"cut off after {len(body)} of {want} bytes"
    finally:
        s.close()


def test_stalled_body_cut_off(strict):
    with RawConn(strict.port) as c:
        c.send(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nContent-Length: 1000\r\n\r\n" + "x" * 100)
        t0 = time.monotonic()
        assert c.closed_within(6), "a request body that stops arriving was not cut off (body_timeout 1s)"
        assert time.monotonic() - t0 < 5
    assert parse_status(c.buf) == 408, c.buf[:200]
    assert strict.get("/").status == 200


def test_stalled_body_cut_off_over_tls(strict):
    """HTTP/1.1 over TLS answers a late body 408 too, as plain HTTP and h2 do."""
    with strict.tls_conn(PORTAL_HOST) as c:
        c.send(f"POST / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nContent-Length: 1000\r\n\r\n" + "x" * 100)
        t0 = time.monotonic()
        out = b""
        while time.monotonic() - t0 < 6:
            try:
                chunk = c.sock.recv(4096)
            except (ssl.SSLError, ConnectionResetError):  # closed without close_notify
                break
            except socket.timeout:
                continue
            if not chunk:
                break
            out += chunk
        elapsed = time.monotonic() - t0
    assert 0.5 < elapsed < 5, f"closed after {elapsed:.1f}s with body_timeout 1s"
    assert parse_status(out) == 408, out[:200]
    assert b"Connection: close\r\n" in out
    assert strict.tget("/").status == 200


def test_client_not_reading_cut_off(strict):
    # The client asks for 8 MiB and reads nothing: after send_timeout the server gives up.
    s = RawConn(strict.port, rcvbuf=8192).sock
    try:
        s.sendall(f"GET /edu/huge.bin HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        time.sleep(4)
        got = 0
        closed = False
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(1 << 20)
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            got += len(chunk)
        assert closed, "server still sending to a client that read nothing for 4 s (send_timeout 1s)"
        assert got < 8 << 20
    finally:
        s.close()
    assert strict.get("/").status == 200


def test_shutdown_timeout_bounds_exit_with_stuck_client(tmp_path_factory):
    c = make_cluster(tmp_path_factory, "limits-shutdown",
                     limits={"shutdown_timeout": "1s", "send_timeout": "60s"})
    big = bytes((i * 13) % 241 for i in range(8 << 20))
    c.import_pages("edu", {"index.html": b"<p>EDU-HOME</p>", "huge.bin": big})
    c.start()
    s = RawConn(c.port, rcvbuf=8192).sock
    try:
        s.sendall(f"GET /edu/huge.bin HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n".encode())
        s.recv(100)
        time.sleep(0.3)
        c.signal(signal.SIGTERM)
        t0 = time.monotonic()
        code = c.proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        s.close()
        c.stop()
    assert elapsed < 5, f"exit took {elapsed:.1f}s with shutdown_timeout 1s and a stuck client"
    assert code == 0
    assert not c.pid_file.exists()


# --- connections per address, and a whole-body deadline (slow-body attacks) ---

PER_ADDR = 3


@pytest.fixture(scope="module")
def per_addr(tmp_path_factory):
    # Every socket comes from loopback: 127.0.0.2 plays the attacker, 127.0.0.1 the citizen,
    # 127.0.0.3 a reverse proxy that is exempt.
    c = make_cluster(tmp_path_factory, "limits-per-address",
                     limits={"max_connections": 10, "max_connections_per_address": PER_ADDR,
                             "exempt_addresses": "[127.0.0.3]", "header_timeout": "30s",
                             "keepalive_timeout": "30s", "body_timeout": "5s",
                             "body_deadline": "1s", "max_body_bytes": "1MiB"})
    c.start()
    yield c
    c.stop()


def from_addr(port, src, timeout=3):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def refused(s, timeout=3):
    """True when the server closes s at once (after a 503 at most) without a request."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return False
    except OSError:
        pass
    assert data == b"" or parse_status(data) == 503, data[:200]
    return True


def limit_lines(c):
    return [l for l in c.error_log.read_text(errors="replace").splitlines()
            if "max_connections_per_address" in l]


def test_connections_per_address_capped(per_addr):
    c = per_addr
    held, extra = [], []
    try:
        for _ in range(PER_ADDR):
            s = from_addr(c.port, "127.0.0.2")
            held.append(s)
            assert served(s), "a connection within the per-address cap was not served"
        for _ in range(3):
            s = from_addr(c.port, "127.0.0.2")
            extra.append(s)
            assert refused(s), "a connection over max_connections_per_address was not refused"
        # another address is served meanwhile, and the held ones still are
        with RawConn(c.port) as rc:
            rc.send(f"GET / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\n\r\n")
            assert rc.read_response().status == 200
        assert served(held[0])
        # said once, not once per refused connection
        lines = limit_lines(c)
        assert len(lines) == 1 and "(3) reached by 127.0.0.2" in lines[0], lines
    finally:
        for s in held + extra:
            s.close()
    # its connections closed, the address is served again
    served_again(c, "127.0.0.2", "127.0.0.2 was not served again after closing its connections")


def test_exempt_address_not_capped(per_addr):
    socks = []
    try:
        for _ in range(PER_ADDR + 3):
            s = from_addr(per_addr.port, "127.0.0.3")
            socks.append(s)
            assert served(s), "an exempt address was capped"
    finally:
        for s in socks:
            s.close()


def test_slow_bodies_do_not_hold_the_slots(per_addr):
    # The attack of issue 13: every socket sends a body one byte at a time, each byte well
    # within body_timeout (5 s). The per-address cap keeps most of them out, so a citizen is
    # served at once; body_deadline (1 s) ends the ones let in although they keep trickling.
    c = per_addr
    attack, accepted = [], []
    head = f"POST / HTTP/1.1\r\nHost: {PORTAL_HOST}\r\nContent-Length: 1000\r\n\r\n".encode()
    try:
        for _ in range(10):
            s = from_addr(c.port, "127.0.0.2")
            s.sendall(head)
            attack.append(s)
        time.sleep(0.3)
        for s in attack:
            s.setblocking(False)
            try:
                gone = s.recv(4096) is not None
            except BlockingIOError:
                gone = False
            except OSError:
                gone = True
            if not gone:
                accepted.append(s)
        assert len(accepted) == PER_ADDR, f"{len(accepted)} slow-body connections held, cap {PER_ADDR}"
        r = c.get("/")
        assert r.status == 200, r
        t0 = time.monotonic()
        open_ = list(accepted)
        closed_at = []
        while open_ and time.monotonic() - t0 < 6:
            for s in list(open_):
                try:
                    s.send(b"x")
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                assert data == b"" or parse_status(data) == 408, data[:200]
                open_.remove(s)
                closed_at.append(time.monotonic() - t0)
            time.sleep(0.25)
        assert not open_, "a body trickling within body_timeout was not cut off by body_deadline (1s)"
        assert max(closed_at) < 3, closed_at
    finally:
        for s in attack:
            s.close()
    # the attacker's slots are free again: its address is served too
    served_again(c, "127.0.0.2", "the slots held by slow bodies were not freed")
    assert c.alive()
