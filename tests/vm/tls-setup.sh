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
	mkdir -p "$d"
	printf 'cn = "nbdbox vm CA"\nca\ncert_signing_key\nexpiration_days = 30\n' > "$d/ca.tmpl"
	printf 'cn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/srv.tmpl"
	{
		certtool --generate-privkey --outfile "$d/ca-key.pem" &&
		certtool --generate-self-signed --load-privkey "$d/ca-key.pem" \
			--template "$d/ca.tmpl" --outfile "$d/ca-cert.pem" &&
		certtool --generate-privkey --outfile "$d/server-key.pem" &&
		certtool --generate-certificate --load-privkey "$d/server-key.pem" \
			--load-ca-certificate "$d/ca-cert.pem" --load-ca-privkey "$d/ca-key.pem" \
			--template "$d/srv.tmpl" --outfile "$d/server-cert.pem" &&
		psktool -u alice -p "$d/keys.psk"
	} > "$d/gen.log" 2>&1 || { vm_log "TLS credentials: $(tail -n 2 "$d/gen.log")"; return 1; }
	srv_add tlsx "$NBDKIT --tls=require --tls-certificates=$d memory 64M" || return 1
	srv_add tlspsk "$NBDKIT --tls=require --tls-psk=$d/keys.psk memory 64M" || return 1
	# --persist over TLS: run.sh's persist image, restarted under a read.
	srv_add tlspersist "$NBDKIT --tls=require --tls-certificates=$d --filter=delay file $W/persist.img rdelay=20ms" ||
		return 1
	vm_conf TLS_CA "$(cat "$d/ca-cert.pem")"
	vm_conf TLS_PSK "$(cat "$d/keys.psk")"
}
tls_setup || fail_setup "TLS servers"
