# tests/e2e/test_console_browser.py: the console in a real browser: headless Chromium
# (Debian's /usr/bin/chromium) driven by puppeteer-core (tests/browser, installed by
# tools/install-deps.sh with npm ci) through tests/browser/console_flow.mjs: an editor
# signs in through the /login form, writes a draft in the editor, submits it and signs
# out; a reviewer signs in, sees the preview, ticks 保密审查 and approves; the article is
# then read on the public site. Skips only when chromium or node_modules are missing.
import os
import re
import shutil
import subprocess

import pytest

from conftest import CONSOLE_PASSWORD, PORTAL_HOST, ROOT, console_cluster

BROWSER_DIR = ROOT / "tests" / "browser"
CHROMIUM = "/usr/bin/chromium"
ACCOUNTS = {"li.hua": ["editor:edu"], "shen.he": ["reviewer:edu"]}


def need_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (tools/install-deps.sh installs it)")
    if not (BROWSER_DIR / "node_modules" / "puppeteer-core").is_dir():
        pytest.skip("tests/browser/node_modules is missing (tools/install-deps.sh runs npm ci)")
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed (tools/install-deps.sh installs it)")
    return node


@pytest.fixture(scope="module")
def cs(tmp_path_factory):
    need_browser()
    # a draft's form carries a whole article: the public listeners' 1KiB test cap is too small
    c = console_cluster(tmp_path_factory.mktemp("browser_console"), accounts=ACCOUNTS,
                        limits={"max_body_bytes": "256KiB"})
    c.start()
    yield c
    c.stop()


def flow(c, tmp_path, **extra):
    node = need_browser()
    env = dict(os.environ)
    env.update({
        "ADMIN_URL": f"http://127.0.0.1:{c.admin_port}",
        "PUBLIC_URL": f"http://{PORTAL_HOST}:{c.port}",
        "HOST_RULES": f"MAP {PORTAL_HOST} 127.0.0.1",
        "EDITOR": "li.hua", "REVIEWER": "shen.he", "PASSWORD": CONSOLE_PASSWORD,
        "HOME": str(tmp_path), "STEP_MS": "15000",
    })
    env.update(extra)
    r = subprocess.run([node, str(BROWSER_DIR / "console_flow.mjs")], cwd=BROWSER_DIR, env=env,
                       capture_output=True, timeout=180)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    assert r.returncode == 0, out[-4000:]
    return out


def test_sign_in_and_lists_in_chromium(cs, tmp_path):
    out = flow(cs, tmp_path, STEPS="signin")
    assert "ok: signed in as li.hua" in out and "ok: drafts list" in out and "ok: signed out" in out


def test_write_submit_approve_and_read_in_chromium(cs, tmp_path):
    title = "浏览器里写的稿件"
    out = flow(cs, tmp_path, TITLE=title)
    steps = [line[4:] for line in out.splitlines() if line.startswith("ok: ")]
    assert [re.sub(r"\d+", "N", s) for s in steps] == [
        "signed in as li.hua", "drafts list", "draft N written", "draft N submitted", "signed out",
        "signed in as shen.he", "preview seen", "approved: /edu/news/N-N.html", "signed out",
        f"public page http://{PORTAL_HOST}:N/edu/news/N-N.html"], out
    # the trail names the accounts that did it
    r = cs.ctl("history", "edu")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.decode().splitlines()]
    actions = [(row[2], row[3].split("/")[0]) for row in rows]
    assert actions == [("draft-create", "edu"), ("draft-submit", "edu"), ("publish", "edu"),
                       ("draft-approve", "edu")], rows
    publish = rows[2]
    assert publish[5:8] == ["by li.hua", "reviewed by shen.he", "主动公开"] and publish[-1] == title


def test_unmasked_id_warned_and_held_at_review_in_chromium(cs, tmp_path):
    title = "浏览器里的助学金公示"
    body = "# 段落标题\n\n王五，身份证号 11010519491231002X。\n"  # the flow checks that h1
    out = flow(cs, tmp_path, TITLE=title, BODY=body, ID_SAMPLE="110105********002X")
    steps = [re.sub(r"\d+", "N", line[4:]) for line in out.splitlines() if line.startswith("ok: ")]
    assert "editor warned: N********NX" in steps, out
    assert "approval held until 个人信息核查 was ticked" in steps, out
    assert steps[-1].startswith("public page "), out
    h = cs.ctl("history", "edu").stdout.decode()
    assert "unmasked ID numbers confirmed by the reviewer" in h, h
