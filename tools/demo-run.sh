#!/bin/sh
# tools/demo-run.sh: what `make run` does after building: loads the demo cluster's pages
# (demo/<site id>/) into the store with jiyuectl and serves the cluster in the foreground.
# Ctrl-C stops the server.
set -eu
cd "$(dirname "$0")/.."
CONF=conf/jiyue.yaml

mkdir -p var/log
bin/jiyue -t -c "$CONF"
for dir in demo/*/; do
    site=$(basename "$dir")
    [ -f "sites.d/$site.yaml" ] || continue
    bin/jiyuectl -c "$CONF" import "$site" "$dir"
done

# Articles go through the same accountable publishing an operator uses (jiyuectl publish:
# publisher, reviewer, 保密审查, 公开属性); one already published on an earlier run is left as is.
for f in demo/articles/*/*.md; do
    [ -f "$f" ] || continue
    if ! out=$(bin/jiyuectl -c "$CONF" publish "$f" 2>&1); then
        case "$out" in
        *"already published"*) ;;
        *) echo "$out" >&2; exit 1 ;;
        esac
    fi
done
# Citizens' messages on the boards (政民互动): some answered, some open, one overdue; loaded
# through jiyuectl like any old 信箱 being moved in. Messages already loaded are skipped.
bin/jiyuectl -c "$CONF" message_import demo/messages/messages.yaml

# A redesign's next generation: demo/<site>@<gen>/ goes into the store beside the live
# pages (`import --generation`), shown only to holders of a preview token until `jiyuectl promote`.
for dir in demo/*@*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    site=${name%%@*}
    gen=${name#*@}
    [ -f "sites.d/$site.yaml" ] || continue
    bin/jiyuectl -c "$CONF" import --generation "$gen" "$site" "$dir"
done

# The web console's demo accounts, one per role: a fresh password on every run, printed
# here once (the store keeps only its Argon2id hash). Never use these outside a demo.
accounts=""
for spec in "demo.editor editor:edu" "demo.reviewer reviewer:edu" "demo.replier replier:edu" \
            "demo.county site_admin:anning/*" "demo.admin cluster_admin"; do
    name=${spec%% *}
    role=${spec#* }
    out=$(bin/jiyuectl -c "$CONF" user add "$name" --role "$role" 2>/dev/null) ||
        out=$(bin/jiyuectl -c "$CONF" user passwd "$name")
    pw=$(printf '%s\n' "$out" | sed -n 's/^password: //p')
    accounts="$accounts$(printf '  %-14s %-20s %s' "$name" "$role" "$pw")
"
done

cat <<'MSG'

The demo cluster of 云岭市 (fictional) is loaded. Try, while the server runs:
  curl http://127.0.0.1:8080/                                   # the city portal
  curl http://127.0.0.1:8080/edu/                               # a department under the portal
  curl -H 'Host: edu.yunling.gov.cn' http://127.0.0.1:8080/     # the same site on its own host
  curl -i -H 'Host: jyj.yunling.gov.cn' http://127.0.0.1:8080/  # an old domain: 301 to the new one
  curl http://127.0.0.1:8080/anning/hexi/                       # a township under its county
  curl -i http://127.0.0.1:8080/anning/longtan/gzdt/            # a suspended township: 503 + notice
  curl -i http://127.0.0.1:8080/wsj/ggtz/                       # a closed site: 301 into health
  T=$(bin/jiyuectl preview stj); curl -i -H 'Host: preview-stj.yunling.gov.cn' \
    "http://127.0.0.1:8080/?preview=$T"                         # stj's redesign: 302 + preview cookie
  bin/jiyuectl promote stj v2; bin/jiyuectl rollback stj        # switch stj's generation, and back
  bin/jiyuectl census sites                                     # the 基本信息表 (CSV; --format json)
  curl http://127.0.0.1:8080/interaction/                       # answered messages (政民互动)
  curl http://127.0.0.1:8080/edu/mailbox/stats                  # 受理反馈统计
  bin/jiyuectl messages portal --open                           # staff: what waits for a reply
  curl --cacert var/tls/ca.crt --resolve www.yunling.gov.cn:8443:127.0.0.1 https://www.yunling.gov.cn:8443/
  curl --cacert var/tls/ca.crt --resolve edu.yunling.gov.cn:8443:127.0.0.1 https://edu.yunling.gov.cn:8443/
                                                                # HTTPS: each host its certificate (SNI)
  bin/jiyuectl audit --format html --out var/audit.html        # self-inspection report (自查)
In a browser, open http://127.0.0.1:8080/ . Reload after editing sites.d: bin/jiyue -s reload
MSG
printf '\nThe web console (its sign-in API for now) answers on http://127.0.0.1:8444/ (loopback\n'
printf 'only: admin: in conf/jiyue.yaml). Demo accounts, with the password made for this run:\n'
printf '%s' "$accounts"
printf '  e.g. curl -i -H "Content-Type: application/json" -d %s http://127.0.0.1:8444/api/login\n' \
    "'{\"user\":\"demo.editor\",\"password\":\"...\"}'"
exec bin/jiyue -c "$CONF"
