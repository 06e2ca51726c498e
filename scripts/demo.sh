#!/bin/sh
# make demo: start nbdkit on loopback with a few exports, show what
# nbd-list and nbd-probe say about it, stop the server.
set -eu
bin=${1:-./nbdbox}
if ! command -v nbdkit >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		echo "demo: installing nbdkit (apt-get)"
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nbdkit >/dev/null
	else
		echo "demo: needs nbdkit (apt-get install nbdkit)" >&2
		exit 1
	fi
fi
port=$(( 20000 + $$ % 20000 ))
pidfile=$(mktemp)
trap 'kill "$(cat "$pidfile")" 2>/dev/null || true; rm -f "$pidfile"' EXIT INT TERM
nbdkit -P "$pidfile" -i 127.0.0.1 -p "$port" --filter=exportname memory 1G \
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
