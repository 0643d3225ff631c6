#!/bin/sh
# tests/bench/audit.sh: how long `jiyuectl audit` takes on a big cluster: AUDIT_SITES sites
# (default 1000: the portal and departments under it, one in ten with a host of its own),
# each with AUDIT_COLUMNS article columns (default 20) of AUDIT_ARTICLES articles (default
# 50) and an interaction column: a million articles. The store is filled by audit_gen.c
# through the content module's article_publish() in tmpfs (AUDIT_DIR, default /dev/shm/jiyue-audit-bench),
# kept between runs with the same sizes (AUDIT_KEEP=0 removes it at the end). Then the
# audit runs AUDIT_RUNS times (default 3) in each output format; the target is < 10 s.
set -eu
cd "$(dirname "$0")/../.."
SITES=${AUDIT_SITES:-1000}
COLUMNS=${AUDIT_COLUMNS:-20}
ARTICLES=${AUDIT_ARTICLES:-50}
RUNS=${AUDIT_RUNS:-3}
DIR=${AUDIT_DIR:-/dev/shm/jiyue-audit-bench}
KEEP=${AUDIT_KEEP:-1}

[ -x bin/jiyuectl ] || { echo "audit bench: bin/jiyuectl missing: run make first" >&2; exit 1; }
[ -f build/libjiyue.a ] || { echo "audit bench: build/libjiyue.a missing: run make first" >&2; exit 1; }
# The generator calls the content module (article_publish) and core's loader, which walks
# the module table: it links the module objects `make` built, named from today's sources
# (so an object left behind by a moved file is not picked up), as the Makefile does.
MODULE_OBJS=
MODULE_INC="-Icore -Imodules"
for src in modules/*.c modules/*/*.c; do
    [ -f "$src" ] || continue
    obj="build/${src%.c}.o"
    [ -f "$obj" ] || { echo "audit bench: $obj missing: run make first" >&2; exit 1; }
    MODULE_OBJS="$MODULE_OBJS $obj"
done
for dir in modules/*/; do
    MODULE_INC="$MODULE_INC -I${dir%/}"
done
mkdir -p build/bench
# the Makefile's PKGS: the modules linked in use all of them (jansson: the console, nghttp2: core)
PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)
CC=${CC:-cc}
# shellcheck disable=SC2046,SC2086
$CC -std=c11 -D_GNU_SOURCE -O2 $MODULE_INC $(pkg-config --cflags $PKGS) \
    -o build/bench/audit_gen tests/bench/audit_gen.c $MODULE_OBJS build/libjiyue.a \
    $(pkg-config --libs $PKGS) -llmdb -lpthread -lm

MARK="$DIR/.generated-$SITES-$COLUMNS-$ARTICLES"
if [ ! -f "$MARK" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR/sites.d"
    python3 - "$DIR" "$SITES" "$COLUMNS" <<'PY'
import sys
from pathlib import Path
d, sites, columns = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
(d / "jiyue.yaml").write_text(
    'listen: ["127.0.0.1:18999"]\nstore: store\nstore_map_size: 8GiB\nsites: sites.d\n'
    f"themes: {Path.cwd() / 'conf' / 'themes'}\n")
types = ["dynamic", "notice", "policy", "personnel", "plan"]
for i in range(sites):
    sid = "portal" if i == 0 else f"d{i:04d}"
    lines = [f"id: {sid}", f"name: 基准站点{i}", "kind: " + ("portal" if i == 0 else "department")]
    if i:
        lines.append("parent: portal")
    lines.append("mount:")
    if i:
        lines.append(f"  path: /{sid}/")
    if i == 0:
        lines.append("  hosts: [www.bench.gov.cn]")
    elif i % 10 == 0:
        lines.append(f"  hosts: [{sid}.bench.gov.cn]")
    code = f"{9000000000 + i}"
    lines += ["registration:", f'  site_code: "{code}"', f"  icp: 测ICP备{code}号",
              f"  police: 测公网安备{code}号", f"  organizer: 基准站点{i}办公室", "  contact: 0000",
              "status: active", "columns:"]
    for c in range(columns):
        lines.append(f"  - {{id: c{c}, name: 栏目{c}, type: {types[c % len(types)]}}}")
    lines.append("  - {id: mailbox, name: 信箱, type: interaction}")
    (d / "sites.d" / f"{sid}.yaml").write_text("\n".join(lines) + "\n")
PY
    echo "audit bench: generating $SITES sites x $COLUMNS columns x $ARTICLES articles in $DIR"
    start=$(date +%s.%N)
    build/bench/audit_gen "$DIR/jiyue.yaml" "$ARTICLES"
    end=$(date +%s.%N)
    echo "audit bench: generated in $(echo "$end - $start" | bc) s; store $(du -sh "$DIR/store" | cut -f1)"
    touch "$MARK"
fi

for fmt in json text html; do
    i=1
    while [ "$i" -le "$RUNS" ]; do
        start=$(date +%s.%N)
        rc=0
        bin/jiyuectl -c "$DIR/jiyue.yaml" audit --format "$fmt" --out "$DIR/report.$fmt" || rc=$?
        end=$(date +%s.%N)
        [ "$rc" -le 1 ] || { echo "audit bench: jiyuectl audit failed ($rc)" >&2; exit 1; }
        echo "audit bench: jiyuectl audit --format $fmt: $(echo "$end - $start" | bc) s (run $i, exit $rc, report $(du -h "$DIR/report.$fmt" | cut -f1))"
        i=$((i + 1))
    done
done
tail -1 "$DIR/report.text"
[ "$KEEP" = 1 ] || rm -rf "$DIR"
