#!/usr/bin/env python3
"""tests/bench/callgrind.py: server instructions per request under callgrind, for comparing
two builds of the hot path: (total after N2 requests - total after N1) / (N2 - N1), so
start-up and shutdown cancel out. One worker, one keep-alive connection, DEPTH requests
pipelined per write (default 1). Cases: hot (one imported page of the bench corpus,
20 x 20), random (any page of it, fixed seed), content (one rendered article), contentrand
(any of 22 rendered pages), home (the demo portal's rendered home page, as tls_bench.py
serves it; TLS=1 asks over TLS with var/tls/default.* from `make certs`). UA=wrk (no
User-Agent, as wrk sends), browser (a desktop Chrome's), h2load (h2load's) or any other
string sets the User-Agent of every request (default: none). The corpus and cluster are made
once under WORK.

usage: callgrind.py BIN_DIR CASE N1 N2      e.g. DEPTH=16 callgrind.py bin hot 512 5632
       UA=browser TLS=1 callgrind.py bin home 200 1200
       TLS=1 H2=1 DEPTH=10 callgrind.py bin home 200 1200   (HTTP/2: DEPTH streams at a time)
Needs valgrind (and, for the content cases, a python3 with pytest: the cluster is made with
tests/e2e/conftest.py). Not part of make test or make bench."""
import os, random, re, shutil, signal, socket, subprocess, sys, time
BIN, CASE, N1, N2 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
W = os.environ.get("WORK", "/tmp/jiyue-callgrind")
BIN = os.path.abspath(BIN)
os.environ["JIYUE_BIN_DIR"] = BIN
sys.path.insert(0, REPO + "/tests/e2e")
sys.path.insert(0, REPO + "/tests/bench")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def setup_bench():
    d = W + "/bench"
    if not os.path.exists(d + "/ok"):
        shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
        subprocess.run([sys.executable, REPO + "/tests/bench/gen_corpus.py", "--out", d + "/corpus",
                        "--sites", "20", "--articles", "20"], check=True, capture_output=True)
        port = free_port()
        conf = d + "/jiyue.yaml"
        open(conf, "w").write("listen: [\"127.0.0.1:%d\"]\nworkers: 1\nstore: %s/store\nstore_map_size: %d\n"
            "sites: %s/corpus/sites.d\npid_file: %s/pid\naccess_log: off\nerror_log: %s/err.log\n"
            % (port, d, 1 << 30, d, d, d))
        for i in range(20):
            subprocess.run([BIN + "/jiyuectl", "-c", conf, "import", "s%03d" % i, d + "/corpus/pages/s%03d" % i],
                           check=True, stdout=subprocess.DEVNULL)
        open(d + "/ok", "w").write(str(port))
    port = int(open(d + "/ok").read())
    paths = [l.strip() for l in open(d + "/corpus/paths.txt") if l.strip()]
    return d + "/jiyue.yaml", port, "127.0.0.1", paths

def setup_content():
    from conftest import PORTAL_HOST
    import test_content_pages as T
    d = W + "/content"
    if not os.path.exists(d + "/ok"):
        shutil.rmtree(d, ignore_errors=True)
        c = T.fresh(d, workers=1)
        for i in range(20):
            T.must_publish(c, "a%d.md" % i, T.front("edu", "news", "标题%d" % i, "2026-11-02 10:%02d" % i, aid="a%d" % i))
        open(d + "/ok", "w").write(str(c.port))
    port = int(open(d + "/ok").read())
    paths = ["/edu/news/a%d.html" % i for i in range(20)] + ["/edu/news/", "/edu/"]
    return d + "/jiyue.yaml", port, PORTAL_HOST, paths

def setup_home():
    d = W + "/home"
    if not os.path.exists(d + "/ok"):
        shutil.rmtree(d, ignore_errors=True); os.makedirs(d + "/sites.d")
        shutil.copy(REPO + "/sites.d/portal.yaml", d + "/sites.d")
        port = free_port()
        listen = '  - {address: "127.0.0.1:%d", tls: true}\n' % port if TLS else '  - "127.0.0.1:%d"\n' % port
        open(d + "/jiyue.yaml", "w").write("listen:\n" + listen + "workers: 1\nstore: %s/store\n"
            "store_map_size: 256MiB\nsites: %s/sites.d\npid_file: %s/pid\naccess_log: off\nerror_log: %s/err.log\n"
            "tls:\n  cert: %s/var/tls/default.crt\n  key: %s/var/tls/default.key\n" % (d, d, d, d, REPO, REPO))
        subprocess.run([BIN + "/jiyuectl", "-c", d + "/jiyue.yaml", "import", "portal", REPO + "/demo/portal"],
                       check=True, stdout=subprocess.DEVNULL)
        open(d + "/ok", "w").write(str(port))
    return d + "/jiyue.yaml", int(open(d + "/ok").read()), "www.yunling.gov.cn", ["/"]

def connect(port):
    sk = socket.create_connection(("127.0.0.1", port), timeout=30)
    if TLS:
        import ssl
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        if H2:
            ctx.set_alpn_protocols(["h2"])
        sk = ctx.wrap_socket(sk, server_hostname="www.yunling.gov.cn")
    return sk

def h2_requests(sk, host, paths, n, hot, rnd, depth):
    """n GETs over HTTP/2 (python3-h2), DEPTH streams at a time, each read to its end."""
    import h2.config, h2.connection, h2.events
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    c.increment_flow_control_window(1 << 24)
    sk.sendall(c.data_to_send())
    done = 0
    while done < n:
        k = min(depth, n - done)
        open_ = set()
        for _ in range(k):
            sid = c.get_next_available_stream_id()
            hdrs = [(":method", "GET"), (":scheme", "https"), (":authority", host),
                    (":path", paths[0] if hot else rnd.choice(paths))]
            if UA_LINE:
                hdrs.append(("user-agent", ua))
            c.send_headers(sid, hdrs, end_stream=True)
            open_.add(sid)
        sk.sendall(c.data_to_send())
        while open_:
            data = sk.recv(65536)
            assert data, "connection closed"
            for ev in c.receive_data(data):
                if isinstance(ev, h2.events.ResponseReceived):
                    assert dict(ev.headers)[b":status"] == b"200", ev.headers
                elif isinstance(ev, h2.events.DataReceived):
                    c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    open_.discard(ev.stream_id)
            sk.sendall(c.data_to_send())
        done += k


def total(conf, port, host, paths, n, hot):
    out = os.path.join(W, "callgrind.out.%d" % os.getpid())
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, BIN + "/jiyue", "-c", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
            except OSError:
                if time.time() > deadline: raise
                time.sleep(0.2)
        rnd = random.Random(7)
        depth = int(os.environ.get("DEPTH", "1"))
        sk = connect(port)
        if H2:
            h2_requests(sk, host, paths, n, hot, rnd, depth)
            n = 0
        f = sk.makefile("rb")
        done = 0
        while done < n:
            k = min(depth, n - done)
            req = b"".join(("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (paths[0] if hot else rnd.choice(paths), host, UA_LINE)).encode() for _ in range(k))
            sk.sendall(req)
            for _ in range(k):
                status = f.readline()
                assert b" 200 " in status, status
                clen = 0
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b""): break
                    if h.lower().startswith(b"content-length:"): clen = int(h.split(b":")[1])
                f.read(clen)
            done += k
        sk.close()
    finally:
        os.kill(p.pid, signal.SIGTERM); p.wait(120)
    txt = open(out).read()
    if os.environ.get("KEEP"):  # a prefix: keep the profiles for callgrind_annotate
        shutil.copy(out, os.environ["KEEP"] + ".%d" % n)
    os.unlink(out)
    m = re.search(r"^(?:summary|totals): (\d+)", txt, re.M)
    return int(m.group(1))

TLS = os.environ.get("TLS") == "1"
H2 = TLS and os.environ.get("H2") == "1"  # over HTTP/2 (ALPN h2, python3-h2), DEPTH streams at a time
UAS = {"wrk": "", "browser": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36", "h2load": "h2load nghttp2/1.52.0"}
ua = UAS.get(os.environ.get("UA", "wrk"), os.environ.get("UA"))
UA_LINE = "User-Agent: %s\r\n" % ua if ua else ""
if TLS:
    W += "/tls"
if CASE == "home":
    conf, port, host, paths = setup_home()
else:
    conf, port, host, paths = setup_bench() if CASE in ("hot", "random") else setup_content()
hot = CASE in ("hot", "content", "home")
total(conf, port, host, paths, 1, hot)  # the first start on a store writes once (the stats secret)
t1 = total(conf, port, host, paths, N1, hot)
t2 = total(conf, port, host, paths, N2, hot)
print("%s %s: %.0f instructions/request" % (BIN, CASE, (t2 - t1) / (N2 - N1)))
