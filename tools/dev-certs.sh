#!/bin/sh
# tools/dev-certs.sh: a local development CA and certificates for the demo hosts, made
# with the openssl command into var/tls/ (never committed). Idempotent: existing files that
# are still valid for a week are kept. Used by `make run` and `make test`.
#   var/tls/ca.crt              the CA to trust: curl --cacert var/tls/ca.crt ...
#   var/tls/default.{crt,key}   the portal and every host without its own certificate
#   var/tls/edu.{crt,key}       edu.yunling.gov.cn and its old alias
#   var/tls/anning.{crt,key}    anning.yunling.gov.cn and *.anning.yunling.gov.cn
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-var/tls}
DAYS=825
mkdir -p "$DIR"
umask 077

valid() { [ -f "$1" ] && openssl x509 -in "$1" -noout -checkend 604800 >/dev/null 2>&1; }

if ! valid "$DIR/ca.crt" || [ ! -f "$DIR/ca.key" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
        -days "$DAYS" -subj "/CN=jiyue development CA" \
        -keyout "$DIR/ca.key" -out "$DIR/ca.crt" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    rm -f "$DIR"/default.crt "$DIR"/edu.crt "$DIR"/anning.crt # re-sign under the new CA
fi

# issue NAME "DNS:a,DNS:b,..."
issue() {
    name=$1
    san=$2
    valid "$DIR/$name.crt" && [ -f "$DIR/$name.key" ] && return 0
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
        -subj "/CN=$name.jiyue.test" -keyout "$DIR/$name.key" -out "$DIR/$name.csr" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$san" >"$DIR/$name.ext"
    openssl x509 -req -in "$DIR/$name.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" \
        -CAcreateserial -days "$DAYS" -sha256 -extfile "$DIR/$name.ext" \
        -out "$DIR/$name.crt" 2>/dev/null
    rm -f "$DIR/$name.csr" "$DIR/$name.ext"
}

issue default "DNS:www.yunling.gov.cn,DNS:yunling.gov.cn,DNS:localhost,IP:127.0.0.1,IP:::1"
issue edu "DNS:edu.yunling.gov.cn,DNS:jyj.yunling.gov.cn"
issue anning "DNS:anning.yunling.gov.cn,DNS:*.anning.yunling.gov.cn"
chmod 600 "$DIR"/*.key
chmod 644 "$DIR"/*.crt
