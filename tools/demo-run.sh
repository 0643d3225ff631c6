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

cat <<'MSG'

The demo cluster of 云岭市 (fictional) is loaded. Try, while the server runs:
  curl http://127.0.0.1:8080/                                   # the city portal
  curl http://127.0.0.1:8080/edu/                               # a department under the portal
  curl -H 'Host: edu.yunling.gov.cn' http://127.0.0.1:8080/     # the same site on its own host
  curl -i -H 'Host: jyj.yunling.gov.cn' http://127.0.0.1:8080/  # an old domain: 301 to the new one
  curl http://127.0.0.1:8080/anning/hexi/                       # a township under its county
In a browser, open http://127.0.0.1:8080/ . Reload after editing sites.d: bin/jiyue -s reload
MSG
exec bin/jiyue -c "$CONF"
