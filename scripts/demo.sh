#!/bin/sh
# make demo: start nbdkit on loopback with a few exports, show what
# nbd-list and nbd-probe say about it; then the same over TLS, with a PSK
# and with certificates made on the spot (tests/pki.sh: certtool,
# psktool), the server verifying our client certificate; stop the
# servers.
#   scripts/demo.sh --deps   install what the demo and the default build
#                            need (as root, apt-get): nbdkit, gnutls-bin,
#                            libwolfssl-dev (TLS is on by default)
#   scripts/demo.sh [BIN]    the demo itself (default ./nbdbox)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --deps ]; then
	want=
	command -v nbdkit > /dev/null || want="$want nbdkit"
	command -v certtool > /dev/null && command -v psktool > /dev/null || want="$want gnutls-bin"
	# The default configuration links Debian's libwolfssl.
	if "$TOP/scripts/config.sh" make "$TOP" "${CONFIG:-$TOP/.config}" | grep -q '^CONFIG_TLS=y$' &&
		[ ! -f /usr/include/wolfssl/options.h ]; then
		want="$want libwolfssl-dev"
	fi
	[ -n "$want" ] || exit 0
	if [ "$(id -u)" != 0 ]; then
		echo "demo: needs$want (apt-get install$want)" >&2
		exit 1
	fi
	echo "demo: installing$want (apt-get)"
	apt-get update -qq > /dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $want > /dev/null
	exit
fi

bin=${1:-./nbdbox}
command -v nbdkit > /dev/null || { echo "demo: needs nbdkit (scripts/demo.sh --deps)" >&2; exit 1; }
port=$(( 20000 + $$ % 20000 ))
tmp=$(mktemp -d /tmp/nbdbox-demo.XXXXXX)
trap 'for p in "$tmp"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM
nbdkit -P "$tmp/plain.pid" -i 127.0.0.1 -p "$port" --filter=exportname memory 1G \
	exportname=root exportname=swap exportname=data exportname-list=explicit \
	exportname-strict=true exportdesc=fixed:'1G RAM disk from make demo'
"$bin" nbd-probe --wait 5 -N root 127.0.0.1:$port --size >/dev/null
run() { printf '\n$ %s\n' "$*"; "$@"; }
run "$bin" nbd-list 127.0.0.1:$port
run "$bin" nbd-list --long 127.0.0.1:$port
run "$bin" nbd-probe nbd://127.0.0.1:$port/root
run "$bin" nbd-probe --json nbd://127.0.0.1:$port/swap
run "$bin" nbd-probe --shell -N data 127.0.0.1 $port
printf '\n$ %s\n' "$bin nbd-probe nbd://127.0.0.1:$port/nope; echo \$?"
"$bin" nbd-probe nbd://127.0.0.1:$port/nope || echo "exit $?"

# ---- TLS
if "$bin" nbd-list --help 2>&1 | grep -q "built without TLS"; then
	printf '\n(%s was built without TLS: no TLS demo)\n' "$bin"
	exit 0
fi
if ! command -v certtool > /dev/null || ! command -v psktool > /dev/null; then
	printf '\n(no certtool/psktool: no TLS demo; scripts/demo.sh --deps installs gnutls-bin)\n'
	exit 0
fi
. "$TOP/tests/pki.sh"
pki=$tmp/pki
make_pki "$pki" || { cat "$pki/pki.log" >&2; exit 1; }
psk=$((port + 1)) x509=$((port + 2))
nbdkit -P "$tmp/psk.pid" -i 127.0.0.1 -p "$psk" --tls=require --tls-psk="$pki/psk/keys.psk" \
	memory 64M
# This one also wants our client certificate (mutual TLS).
nbdkit -P "$tmp/x509.pid" -i 127.0.0.1 -p "$x509" --tls=require --tls-verify-peer \
	--tls-certificates="$pki/srv" memory 256M
"$bin" nbd-probe --wait 5 --size --tls-psk "$pki/psk/keys.psk" "nbds://alice@127.0.0.1:$psk" > /dev/null
printf '\n# TLS, credentials made just now in %s (tests/pki.sh):\n' "$pki"
run "$bin" nbd-probe --tls-psk "$pki/psk/keys.psk" "nbds://alice@127.0.0.1:$psk"
run "$bin" nbd-probe --size --tls-certificates "$pki/cli" "nbds://localhost:$x509"
printf '\n$ %s\n' "$bin nbd-list --tls-ca $pki/cli/ca-cert.pem nbds://localhost:$x509; echo \$?"
"$bin" nbd-list --tls-ca "$pki/cli/ca-cert.pem" "nbds://localhost:$x509" || echo "exit $?"
printf '\n$ %s\n' "$bin nbd-probe nbd://127.0.0.1:$psk; echo \$?"
"$bin" nbd-probe "nbd://127.0.0.1:$psk" || echo "exit $?"
