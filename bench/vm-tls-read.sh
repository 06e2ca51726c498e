#!/bin/sh
# Sequential 64 MiB direct read over TLS in one VM boot: nbdbox kTLS,
# nbdbox relay (--tls-relay), Debian's nbd-client (its GnuTLS relay), all
# against the same nbdkit --tls=require (TLS 1.3, AES-128-GCM). Timings,
# not pass/fail. Gets the Debian kernel through tests/vm/kernel.sh (see
# tests/vm-tls/README) and a static TLS nbdbox with TLS attach:
#   bench/vm-tls-read.sh [BIN]     (default ./nbdbox.static-tls)
# QEMU_CPU=max gives the guest AES-NI (kernel and GnuTLS alike).
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$TOP/nbdbox.static-tls}
W=$(mktemp -d /tmp/nbdbox-bench-tls.XXXXXX)
trap 'kill $KIT 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/pki" "$W/f"
printf 'cn = "bench CA"\nca\ncert_signing_key\n' > "$W/ca.tmpl"
printf 'cn = "localhost"\ndns_name = "localhost"\ntls_www_server\nencryption_key\nsigning_key\n' > "$W/srv.tmpl"
{
	certtool --generate-privkey --outfile "$W/pki/ca-key.pem"
	certtool --generate-self-signed --load-privkey "$W/pki/ca-key.pem" --template "$W/ca.tmpl" --outfile "$W/pki/ca-cert.pem"
	certtool --generate-privkey --outfile "$W/pki/server-key.pem"
	certtool --generate-certificate --load-privkey "$W/pki/server-key.pem" --load-ca-certificate "$W/pki/ca-cert.pem" \
		--load-ca-privkey "$W/pki/ca-key.pem" --template "$W/srv.tmpl" --outfile "$W/pki/server-cert.pem"
} > "$W/gen.log" 2>&1 || { cat "$W/gen.log"; exit 1; }
cp "$W/pki/ca-cert.pem" "$W/f/"
. "$TOP/tests/ports.sh"
PORT=$(free_port)
nbdkit -f -i 127.0.0.1 -p "$PORT" --tls=require --tls-certificates="$W/pki" memory 64M > "$W/nbdkit.log" 2>&1 &
KIT=$!
cat > "$W/guest.sh" <<G
insmod /mod/tls.ko
up() { cut -d' ' -f1 /proc/uptime | tr -d .; }   # centiseconds
rd() { # DEV: MiB/s of a 64 MiB direct read, or why not
	[ "\$(cat /sys/block/\${1#/dev/}/size 2>/dev/null)" -gt 0 ] 2>/dev/null || { echo "not attached"; return; }
	a=\$(up); dd if=\$1 of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null; b=\$(up)
	r=\$((6400 * 100 / (b - a)))
	printf '%d.%02d MiB/s (%d cs)\\n' \$((r / 100)) \$((r % 100)) \$((b - a))
}
for i in 1 2; do
dev=\$(nbd-attach nbds://10.0.2.100:$PORT --tls-ca /f/ca-cert.pem --tls-hostname localhost)
echo "BENCH ktls  \$(rd \$dev)"; nbd-detach \$dev
dev=\$(nbd-attach --tls-relay nbds://10.0.2.100:$PORT --tls-ca /f/ca-cert.pem --tls-hostname localhost)
echo "BENCH relay \$(rd \$dev)"; nbd-detach \$dev
nbd-client -N '' 10.0.2.100 $PORT /dev/nbd5 -x -A /f/ca-cert.pem -H localhost -b 512 > /tmp/nc.log 2>&1 || tail -n 2 /tmp/nc.log; sleep 1
echo "BENCH nbd-client \$(rd /dev/nbd5)"; nbd-client -d /dev/nbd5 >/dev/null 2>&1
done
grep -E 'TlsTxSw |TlsRxSw ' /proc/net/tls_stat | tr -s ' \t' ' ' | tr '\n' ' '; echo
G
sleep 0.5
EXTRA=nbd-client VMTIMEOUT=400 sh "$TOP/tests/vm-tls/run.sh" "$BIN" "$W/guest.sh" "$W/f" "$PORT" > "$W/console.log" 2>&1
grep -E "BENCH|Tls" "$W/console.log" | tr -d '\r'
