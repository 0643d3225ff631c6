#!/bin/sh
# tools/install-deps.sh: installs the Debian packages jiyue needs to build, run and test.
# Called by `make run`, `make test` and .ci/run, so a fresh Debian 12 machine needs nothing
# done by hand. It only installs what is missing: as root it runs apt-get, otherwise sudo,
# and where neither is possible it prints the exact command and fails.
set -eu

# Build: libraries found with pkg-config (libargon2: console passwords; libjansson: the console's JSON; libnghttp2: HTTP/2). Run: media-types (/etc/mime.types), lmdb-utils.
# HTTP/2 tests: python3-h2 (raw frames) and nghttp2-client (nghttp, h2load).
# Tests: cmocka, pytest (Debian's, run as /usr/bin/python3 -m pytest), its random-order
# plugin (make test-shuffle) and xdist (the e2e files on two processes), curl, openssl.
# Packaging (make deb and its tests): help2man (man pages from --help), lintian, logrotate
# and systemd (their checks of our files), adduser.
# Metrics: python3-prometheus-client (its parser reads our /metrics in the tests).
PACKAGES="build-essential pkg-config libuv1-dev liblmdb-dev lmdb-utils libyaml-dev
libssl-dev zlib1g-dev libcmark-dev libargon2-dev libjansson-dev libnghttp2-dev media-types libcmocka-dev python3 python3-pytest
python3-pytest-random-order python3-pytest-xdist curl openssl clang libclang-rt-14-dev chromium
help2man lintian logrotate systemd adduser python3-prometheus-client python3-h2 nghttp2-client"
if [ "${1:-}" = "--bench" ]; then
    PACKAGES="$PACKAGES wrk nginx-light"
fi

# The console's browser test (tests/browser) drives Debian's chromium with puppeteer-core
# from npm, pinned by its package-lock.json; node and npm come from Debian when absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PACKAGES="$PACKAGES nodejs npm"
fi

# npm ci in tests/browser, once (node_modules git-ignored), never downloading a browser;
# again when package-lock.json gained a package (axe-core: tests/e2e/test_a11y.py).
browser_modules() {
    here=$(cd "$(dirname "$0")/.." && pwd)
    [ -d "$here/tests/browser/node_modules/puppeteer-core" ] &&
        [ -d "$here/tests/browser/node_modules/axe-core" ] && return 0
    command -v npm >/dev/null 2>&1 || return 0
    echo "install-deps: npm ci in tests/browser (puppeteer-core, axe-core)" >&2
    if ! (cd "$here/tests/browser" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts \
            --no-audit --no-fund --loglevel=error >&2); then
        echo "install-deps: npm ci failed: tests/e2e/test_console_browser.py and test_a11y.py will skip" >&2
    fi
}

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    browser_modules
    exit 0
fi

echo "install-deps: installing:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "install-deps: missing packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
browser_modules
