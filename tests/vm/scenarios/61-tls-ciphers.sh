# kTLS with each cipher suite the kernel offers for TLS 1.3 besides
# nbdkit's AES-128-GCM (scenario tls): ChaCha20-Poly1305 and AES-256-GCM,
# from qemu-nbd servers that allow only that one (tests/vm/tls-setup.sh).
# Per suite: attach (netlink), nbd-probe names kTLS, a 4 MiB pattern
# written and read back direct, md5-exact, and the kernel's TlsTxSw and
# TlsRxSw counters rising (the data went through kTLS, not a relay).
if [ -x /bin/nbdbox-tls ]; then
	mkdir -p /tmp/tlsbin
	for a in nbdbox nbd-attach nbd-detach nbd-probe nbd-list; do
		ln -sf /bin/nbdbox-tls /tmp/tlsbin/$a
	done
	PATH=/tmp/tlsbin:$PATH
fi
tls_stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat 2>/dev/null; }

if ! need_applet nbd-attach; then
	:
elif [ -z "${P_tlschacha:-}" ] || [ -z "${TLS_CA:-}" ]; then
	skip "" "run.sh starts no cipher servers (tests/vm/tls-setup.sh)"
elif nbdbox nbd-list --tls -T 1 127.0.0.1:1 2>&1 | grep -q "built without TLS"; then
	skip "" "nbdbox built without TLS"
else
	mkdir -p /tmp/tls
	printf '%s\n' "$TLS_CA" > /tmp/tls/ca-cert.pem
	want=$(md5of "$(pattern 4)" 4)
	for c in chacha aes256; do
		p=$(eval echo "\$P_tls$c")
		tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
		if ! dev=$(attach --tls-ca /tmp/tls/ca-cert.pem --tls-hostname localhost "nbds://$H:$p/"); then
			fail "$c" "attach failed: $(cat /tmp/attach.err)"; continue
		fi
		dp=$(nbd-probe "$dev" | grep '^data path:')
		dd if=/tmp/pattern.4 of="$dev" bs=1M oflag=direct conv=fsync 2>/tmp/dd.err
		got=$(dd if="$dev" bs=1M count=4 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		tx1=$(tls_stat TlsTxSw) rx1=$(tls_stat TlsRxSw)
		nbd-detach "$dev"
		case $dp in "data path: kTLS"*) ;; *) fail "$c" "nbd-probe said '$dp'"; continue ;; esac
		if [ "$got" = "$want" ] && [ "$tx1" -gt "${tx0:-0}" ] && [ "$rx1" -gt "${rx0:-0}" ]; then
			pass "$c" "$dp; 4 MiB md5 ok; TlsTxSw $tx0 -> $tx1, TlsRxSw $rx0 -> $rx1"
		else
			fail "$c" "md5 $got want $want; TlsTxSw $tx0 -> $tx1, TlsRxSw $rx0 -> $rx1; $(tail -n 1 /tmp/dd.err)"
		fi
	done
fi
