# TLS data paths: attach over kTLS (the guest's /proc/net/tls_stat
# counters must rise) and over the user-space relay (--tls-relay, and the
# automatic fallback when the tls module is missing), X.509 and PSK. The
# relay process must be gone after detach. Mutual TLS: a server that
# verifies its clients (nbdkit --tls-verify-peer) takes our client
# certificate over kTLS and refuses us without one; a --persist reconnect
# presents it again. Key files readable by others are refused.
# Needs tests/vm/tls-setup.sh sourced by run.sh (servers tlsx, tlspsk,
# tlsmtls, tlspersist; the CA, PSK and client credentials in vm.conf), a
# TLS build as NBDBOX (make static) and the modules tls, gcm, ctr,
# ghash-generic (kernel.sh).
# SKIPs without.
# run.sh puts the TLS build in as /bin/nbdbox-tls: its applets first.
use_tls_build
relays() { ps | grep -v grep | grep -c 'nbd-attach.*tls'; }
# data_path NAME WANT ARGS...: attach with ARGS; nbd-probe's "data path:"
# line must start with WANT; detach.
data_path() {
	local name=$1 want=$2 dev p
	shift 2
	if dev=$(attach "$@"); then
		p=$(nbd-probe "$dev" | grep '^data path:')
		case $p in "$want"*) pass "$name" "$p" ;;
			*) fail "$name" "nbd-probe $dev said '$p'" ;; esac
		nbd-detach "$dev"
	else
		fail "$name" "attach $* failed"
	fi
}

if ! need_applet nbd-attach; then
	:
elif [ -z "${P_tlsx:-}" ] || [ -z "${TLS_CA:-}" ]; then
	skip "" "run.sh starts no TLS servers (tests/vm/tls-setup.sh)"
elif nbdbox nbd-list --tls -T 1 127.0.0.1:1 2>&1 | grep -q "built without TLS"; then
	skip "" "nbdbox built without TLS"
else
	mkdir -p /tmp/tls /tmp/tls/cli
	printf '%s\n' "$TLS_CA" > /tmp/tls/ca-cert.pem
	# Keys: no one else's to read, or nbdbox refuses them.
	(umask 077; printf '%s\n' "$TLS_PSK" > /tmp/tls/keys.psk
	 printf '%s\n' "$TLS_CLI_KEY" > /tmp/tls/cli/client-key.pem)
	printf '%s\n' "$TLS_CLI_CERT" > /tmp/tls/cli/client-cert.pem
	cp /tmp/tls/ca-cert.pem /tmp/tls/cli/
	X="--tls-ca /tmp/tls/ca-cert.pem --tls-hostname localhost"
	P="--tls-psk /tmp/tls/keys.psk"
	C="--tls-certificates /tmp/tls/cli --tls-hostname localhost"

	# kTLS, X.509: the full round trip, and the kernel's TLS counters.
	tx0=$(tls_stat TlsTxSw)
	roundtrip "nbds://$H:$P_tlsx/" $X
	tx1=$(tls_stat TlsTxSw)
	[ -n "$tx1" ] && [ "$tx1" -gt "${tx0:-0}" ] &&
		pass ktls-counters "TlsTxSw $tx0 -> $tx1" ||
		fail ktls-counters "TlsTxSw '$tx0' -> '$tx1': kTLS did not carry the data"

	# kTLS while attached: one TLS socket in the kernel, no relay process.
	if dev=$(attach $X "nbds://$H:$P_tlsx/"); then
		cur=$(tls_stat TlsCurrRxSw)
		n=$(relays)
		[ "$cur" -ge 1 ] && [ "$n" = 0 ] && pass ktls-handoff "TlsCurrRxSw=$cur, no relay" ||
			fail ktls-handoff "TlsCurrRxSw=$cur relays=$n"
		p=$(nbd-probe "$dev" | grep '^data path:')
		case $p in "data path: kTLS, TLSv1."*) pass ktls-probe "$p" ;;
			*) fail ktls-probe "nbd-probe $dev said '$p'" ;; esac
		nbd-detach "$dev"
	else
		fail ktls-handoff "attach failed"
	fi

	# Mutual TLS over kTLS: the client certificate taken, the data path
	# the kernel's; without a certificate, refused (exit 6, the server
	# named); a key readable by others, refused before connecting.
	if [ -n "${P_tlsmtls:-}" ]; then
		roundtrip "nbds://$H:$P_tlsmtls/" $C
		data_path mtls-ktls "data path: kTLS, TLSv1." $C "nbds://$H:$P_tlsmtls/"
		nbd-attach $X "nbds://$H:$P_tlsmtls/" >/dev/null 2>/tmp/mtls.err; rc=$?
		[ $rc = 6 ] && grep -q "$H:$P_tlsmtls.*client certificate" /tmp/mtls.err &&
			pass mtls-nocert "exit 6: $(cat /tmp/mtls.err)" ||
			fail mtls-nocert "exit $rc: $(cat /tmp/mtls.err)"
		chmod 644 /tmp/tls/cli/client-key.pem
		nbd-attach $C "nbds://$H:$P_tlsmtls/" >/dev/null 2>/tmp/mtls.err; rc=$?
		chmod 600 /tmp/tls/cli/client-key.pem
		[ $rc = 6 ] && grep -q "client-key.pem: client key with mode 0644" /tmp/mtls.err &&
			pass key-mode "exit 6: $(cat /tmp/mtls.err)" ||
			fail key-mode "exit $rc: $(cat /tmp/mtls.err)"
	fi

	# The relay, forced, with PSK: round trip, then it must exit. On a
	# CPU without AES (armhf here) the server takes ChaCha20 with the
	# PSK: wolfSSL must accept it (it once failed "psk key callback
	# error" when the suite was not TLS13-AES128-GCM-SHA256).
	roundtrip "nbds://alice@$H:$P_tlspsk/" --tls-relay $P
	# PSK over kTLS: the same handshake, the kernel's data path.
	data_path psk-ktls "data path: kTLS, TLSv1.3 " $P "nbds://alice@$H:$P_tlspsk/"
	sleep 0.5
	n=$(relays)
	[ "$n" = 0 ] && pass relay-exit "no relay left after detach" ||
		fail relay-exit "$n relay process(es) left"

	# --persist over kTLS: the host restarts the server under a read;
	# the reconnect runs the TLS handshake and the hand-off again, and
	# presents the client certificate again (the server verifies it).
	if [ -n "${P_tlspersist:-}" ]; then
		u="nbds://$H:$P_tlspersist/"
		if dev=$(attach --persist $C "$u"); then
			dd if="$dev" bs=64k count=$((PERSIST_MIB * 16)) iflag=direct 2>/tmp/dd.err |
				md5sum | cut -d' ' -f1 > /tmp/persist.md5 &
			rd=$!
			sleep 1
			tx0=$(tls_stat TlsRxSw)
			host_signal restart-server tlspersist 3
			wait $rd
			got=$(cat /tmp/persist.md5)
			tx1=$(tls_stat TlsRxSw)
			[ "$got" = "$PERSIST_MD5" ] && [ "$tx1" -gt "$tx0" ] &&
				pass persist "read across a server restart over kTLS with a client certificate, md5 ok, TlsRxSw $tx0 -> $tx1" ||
				fail persist "md5 $got want $PERSIST_MD5, TlsRxSw $tx0 -> $tx1: $(tail -n 1 /tmp/dd.err)"
			nbd-detach "$dev"
		else
			fail persist "attach --persist failed"
		fi
	fi

	# Automatic fallback: without the tls module kTLS cannot be set up.
	# The kTLS sockets of the devices just detached (--persist: the
	# server restarted under it) may be freed only after nbd-detach
	# returns: wait up to 5 s for the module to be free, then skip.
	freed=0 i=0
	while [ $i -lt 50 ]; do
		rmmod tls 2>/dev/null && { freed=1; break; }
		sleep 0.1; i=$((i + 1))
	done
	if [ $freed = 1 ]; then
		if dev=$(attach $X "nbds://$H:$P_tlsx/"); then
			grep -q "using the user-space relay" /tmp/attach.err &&
				pass fallback "$(head -n 1 /tmp/attach.err)" ||
				fail fallback "no fallback message: $(cat /tmp/attach.err)"
			p=$(nbd-probe --shell "$dev" | grep '^NBD_DATA_PATH=')
			case $p in "NBD_DATA_PATH='TLS relay pid "*) pass relay-probe "$p" ;;
				*) fail relay-probe "nbd-probe --shell $dev said '$p'" ;; esac
			want=$(md5of "$(pattern 16)" 16)
			got=$(dd if="$dev" bs=1M skip=16 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
			[ "$got" = "$want" ] && pass fallback-read "md5 ok through the relay" ||
				fail fallback-read "md5 $got, want $want"
			nbd-detach "$dev"
		else
			fail fallback "attach without the tls module failed"
		fi
		insmod /lib/modules/tls.ko 2>/dev/null
	else
		skip fallback "tls module in use or built in"
	fi
fi
