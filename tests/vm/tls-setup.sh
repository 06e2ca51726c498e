# TLS servers for scenarios/60-tls.sh, sourced by tests/vm/run.sh after its
# other srv_add lines and before vm_conf_servers:
#   [ -f "$VMDIR/tls-setup.sh" ] && . "$VMDIR/tls-setup.sh"
# A CA and a server certificate for localhost and 127.0.0.1 (certtool), a
# PSK for user alice (psktool); nbdkit --tls=require with each. The guest
# gets the CA and the PSK file through vm.conf (TLS_CA, TLS_PSK).
tls_setup() {
	command -v certtool >/dev/null && command -v psktool >/dev/null || {
		vm_log "no certtool/psktool (gnutls-bin): TLS scenario will skip"; return 0; }
	d=$W/tls
	. "$TOP/tests/pki.sh"
	make_pki "$d" || { vm_log "TLS credentials: $(tail -n 2 "$d/pki.log")"; return 1; }
	srv_add tlsx "$NBDKIT --tls=require --tls-certificates=$d/srv memory 64M" || return 1
	srv_add tlspsk "$NBDKIT --tls=require --tls-psk=$d/psk/keys.psk memory 64M" || return 1
	# --persist over TLS: run.sh's persist image, restarted under a read.
	srv_add tlspersist "$NBDKIT --tls=require --tls-certificates=$d/srv --filter=delay file $W/persist.img rdelay=20ms" ||
		return 1
	# One cipher suite each (scenarios/61-tls-ciphers.sh): qemu-nbd with a
	# GnuTLS priority that leaves only it (nbdkit has no priority option).
	for c in chacha:CHACHA20-POLY1305 aes256:AES-256-GCM; do
		truncate -s 16M "$W/tls-${c%%:*}.img"
		srv_add "tls${c%%:*}" "qemu-nbd -f raw -b 127.0.0.1 -p \$PORT -t --fork --pid-file=$W/tls${c%%:*}.pid \
			--object tls-creds-x509,id=t,endpoint=server,dir=$d/srv,verify-peer=off,priority=NORMAL:-CIPHER-ALL:+${c#*:} \
			--tls-creds t $W/tls-${c%%:*}.img" || return 1
	done
	vm_conf TLS_CA "$(cat "$d/srv/ca-cert.pem")"
	vm_conf TLS_PSK "$(cat "$d/psk/keys.psk")"
}
tls_setup || fail_setup "TLS servers"
