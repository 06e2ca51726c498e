#!/bin/bash
# TLS against real servers: nbdkit (X.509, client certificates, PSK),
# qemu-nbd (tls-creds-x509, tls-creds-psk, a TLS 1.2-only priority) and a
# scripted server for what no real one does on purpose (STARTTLS refused or
# answered oddly, a downgrade to clear text, TLS 1.1 only). Every failure
# must be exit code 6 with a message that names what went wrong.
#
# Runs ./nbdbox when it was built with TLS, else ./nbdbox.tls (make tls);
# ./nbdbox without TLS must say so.
. "$(dirname "$0")/lib.sh"

FAKE=$TOP/tests/shell/fake-nbd-tls.py
PLAIN_BIN=$NBDBOX

has_tls() { # BIN: built with TLS? (without, it refuses before connecting)
	"$1" nbd-list --tls -T 1 127.0.0.1:1 2>&1 | grep -q "built without TLS" && return 1
	return 0
}

if has_tls "$NBDBOX"; then
	TLSBIN=$NBDBOX
else
	TLSBIN=${NBDBOX_TLS:-$TOP/nbdbox.tls}
	if [ ! -x "$TLSBIN" ] && [ -f /usr/include/wolfssl/ssl.h ]; then
		make --no-print-directory -C "$TOP" tls > "$TMPD/make-tls.log" 2>&1 ||
			cat "$TMPD/make-tls.log" >&2
	fi
fi

. "$TOP/tests/pki.sh"

# The shared test PKI (tests/pki.sh), plus a client directory without a
# certificate, a wrong PSK and a PSK file with two users.
make_certs() {
	local d=$TMPD/pki
	make_pki "$d" || { cat "$d/pki.log" >&2; return 1; }
	mkdir -p "$d/cli-nocert"
	cp "$d/srv/ca-cert.pem" "$d/cli-nocert/"
	CA=$d/srv/ca-cert.pem
	OTHERCA=$d/other/ca-cert.pem
	CLI=$d/cli
	CLIKEY=$d/cli/client-key.pem
	CLICERT=$d/cli/client-cert.pem
	SRV=$d/srv
	# PSK: one for the servers, a different key under the same name.
	psktool -u alice -p "$d/wrong.psk" > /dev/null 2>&1 || return 1
	PSK=$d/psk/keys.psk
	WRONGPSK=$d/wrong.psk
	# Two users in one file: which one is ours must be said.
	{ cat "$PSK"; echo "bob:00112233445566778899aabbccddeeff"; } > "$d/two.psk"
	chmod 600 "$d/two.psk"
	TWOPSK=$d/two.psk
	# Revocation (ca-crl.pem, certtool) and a client from another CA.
	make_crls "$d" && make_other_client "$d" || return 1
}

start_fake() { # MODE
	PORT=$(free_port)
	python3 "$FAKE" "$PORT" "$1" "$SRV/server-cert.pem" "$SRV/server-key.pem" \
		> "$TMPD/fake.$PORT.log" 2>&1 &
	save_pid $!
	wait_port "$PORT"
}

# qemu-nbd with a tls-creds object: qemu_tls ID-OPTIONS
start_qemu_tls() {
	PORT=$(free_port)
	local img=$TMPD/qemu-tls.$PORT.qcow2
	qemu-img create -q -f qcow2 "$img" 64M || return 1
	qemu-nbd -f qcow2 -x disk -b 127.0.0.1 -p "$PORT" -t --fork --pid-file="$img.pid" \
		--object "$1" --tls-creds tls0 "$img" > "$img.log" 2>&1 ||
		{ cat "$img.log" >&2; return 1; }
	wait_file "$img.pid" && save_pid "$(cat "$img.pid")"
	wait_port "$PORT"
}

# nbd-server with TLS (Debian's is built with GnuTLS): force_tls, and it
# insists on a client certificate signed by cacertfile.
start_nbd_server_tls() {
	PORT=$(free_port)
	local dir=$TMPD/nbd-server-tls
	mkdir -p "$dir" && chmod 755 "$dir" "$TMPD/pki" "$SRV" && chmod 644 "$SRV"/*.pem
	truncate -s 4M "$dir/disk.img" && chmod 666 "$dir/disk.img"
	printf '[generic]\nlistenaddr = 127.0.0.1\nport = %s\nallowlist = true\n' "$PORT" > "$dir/config"
	printf 'certfile = %s\nkeyfile = %s\ncacertfile = %s\nforce_tls = true\n' \
		"$SRV/server-cert.pem" "$SRV/server-key.pem" "$SRV/ca-cert.pem" >> "$dir/config"
	printf '[tdisk]\nexportname = %s\n' "$dir/disk.img" >> "$dir/config"
	nbd-server -C "$dir/config" -p "$dir/pid" > "$dir/log" 2>&1 || { cat "$dir/log" >&2; return 1; }
	wait_file "$dir/pid" && save_pid "$(cat "$dir/pid")"
	wait_port "$PORT"
}

suiteSetUp() {
	[ -x "$TLSBIN" ] || { echo "no TLS build: $TLSBIN (make tls; needs libwolfssl-dev)" >&2; return 1; }
	make_certs || return 1
	start_nbdkit --tls=require --tls-certificates="$SRV" memory 64M || return 1
	KX=$PORT
	start_nbdkit --tls=require --tls-verify-peer --tls-certificates="$SRV" memory 32M || return 1
	KXV=$PORT
	start_nbdkit --tls=require --tls-psk="$PSK" memory 16M || return 1
	KP=$PORT
	start_nbdkit memory 8M || return 1
	KPLAIN=$PORT
	NBDKIT_OPTS=-o start_nbdkit memory 8M || return 1
	KOLD=$PORT
	start_qemu_tls "tls-creds-x509,id=tls0,endpoint=server,dir=$SRV,verify-peer=off" || return 1
	QX=$PORT
	start_qemu_tls "tls-creds-psk,id=tls0,endpoint=server,dir=$TMPD/pki/psk" || return 1
	QP=$PORT
	start_qemu_tls "tls-creds-x509,id=tls0,endpoint=server,dir=$SRV,verify-peer=off,priority=NORMAL:-VERS-TLS1.3" || return 1
	Q12=$PORT
	start_nbd_server_tls || return 1
	NS=$PORT
	start_qemu_tls "tls-creds-x509,id=tls0,endpoint=server,dir=$SRV,verify-peer=on" || return 1
	QXV=$PORT
}

# ---- mutual TLS: servers that verify their clients (issue 23)

test_nbdkit_verify_peer_list_with_client_cert() {
	run "$TLSBIN" nbd-list --tls-certificates "$CLI" "nbds://localhost:$KXV"
	assert_ok
	assert_out ""
	run "$TLSBIN" nbd-list --tls-ca "$CA" --tls-cert "$CLICERT" --tls-key "$CLIKEY" "nbds://127.0.0.1:$KXV"
	assert_ok
}

test_nbdkit_verify_peer_client_cert_from_other_ca() {
	run "$TLSBIN" nbd-probe --size --tls-certificates "$TMPD/pki/cli-other" "nbds://localhost:$KXV"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "localhost:$KXV"
	assert_err_has "refuse our client certificate"
	assert_out_empty
}

test_nbdkit_verify_peer_without_client_cert_names_peer() {
	run "$TLSBIN" nbd-list --tls-ca "$CA" "nbds://localhost:$KXV"
	assert_rc 6
	assert_err_oneline nbd-list
	assert_err_has "localhost:$KXV"
	assert_err_has "require a client certificate"
}

test_qemu_verify_peer_with_client_cert() {
	run "$TLSBIN" nbd-probe --size --tls-certificates "$CLI" "nbds://localhost:$QXV/disk"
	assert_ok
	assert_out 67108864
	run "$TLSBIN" nbd-list --tls-ca "$CA" --tls-cert "$CLICERT" --tls-key "$CLIKEY" "nbds://localhost:$QXV"
	assert_ok
	assert_out disk
}

test_qemu_verify_peer_without_client_cert() {
	run "$TLSBIN" nbd-probe --tls-ca "$CA" "nbds://localhost:$QXV/disk"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "localhost:$QXV"
	assert_err_has "client certificate"
	assert_out_empty
}

test_qemu_verify_peer_client_cert_from_other_ca() {
	run "$TLSBIN" nbd-list --tls-certificates "$TMPD/pki/cli-other" "nbds://localhost:$QXV"
	assert_rc 6
	assert_err_oneline nbd-list
	assert_err_has "localhost:$QXV"
	assert_err_has "refuse our client certificate"
}

# ---- revocation: ca-crl.pem in the certificates directory (issue 23)

# revoked PEER CRL ARGS...: nbd-probe ARGS refused, PEER's certificate revoked by CRL.
revoked() {
	local peer=$1 crl=$2
	shift 2
	run "$TLSBIN" nbd-probe --size "$@"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "$peer: TLS handshake: the server's certificate is revoked (CRL $crl)"
	assert_out_empty
}

test_crl_revoked_server_refused() {
	local d=$TMPD/pki/crl-revoked
	revoked "localhost:$KX" "$d/ca-crl.pem" --tls-certificates "$d" "nbds://localhost:$KX"
	revoked "127.0.0.1:$QX" "$d/ca-crl.pem" "nbds://127.0.0.1:$QX/disk?tls-certificates=$d"
}

# --tls-crl FILE and ?tls-crl=: a CRL beside --tls-ca FILE (no directory).
test_crl_option_and_query_key() {
	local p=$TMPD/pki r=$TMPD/pki/crl-revoked/ca-crl.pem
	revoked "localhost:$KX" "$r" --tls-ca "$CA" --tls-crl "$r" "nbds://localhost:$KX"
	revoked "localhost:$QX" "$r" --tls-ca "$CA" "nbds://localhost:$QX/disk?tls-crl=$r"
	run "$TLSBIN" nbd-probe --size --tls-ca "$CA" --tls-crl "$p/crl-clean/ca-crl.pem" "nbds://localhost:$KX"
	assert_ok
	assert_out 67108864
	# The option wins over the directory's ca-crl.pem.
	run "$TLSBIN" nbd-probe --size --tls-certificates "$p/crl-revoked" --tls-crl "$p/crl-clean/ca-crl.pem" \
		"nbds://localhost:$KX"
	assert_ok
	run "$TLSBIN" nbd-probe --size --tls-ca "$CA" --tls-crl "$p/crl-expired/ca-crl.pem" "nbds://localhost:$KX"
	assert_rc 6
	assert_err_has "expired"
	run "$TLSBIN" nbd-probe --size --tls-ca "$CA" --tls-crl "$p/none.pem" "nbds://localhost:$KX"
	assert_rc 2
	assert_err_has "$p/none.pem: No such file or directory"
}

test_crl_clean_accepted() {
	run "$TLSBIN" nbd-probe --size --tls-certificates "$TMPD/pki/crl-clean" "nbds://localhost:$KX"
	assert_ok
	assert_out 67108864
}

# bad_crl NAME TEXT: crl-NAME/ca-crl.pem is an error before connecting
# (exit 6), the message naming the file and saying TEXT.
bad_crl() {
	local d=$TMPD/pki/crl-$1
	run "$TLSBIN" nbd-probe --size --tls-certificates "$d" "nbds://localhost:$KX"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "$d/ca-crl.pem: $2"
	assert_out_empty
}

test_crl_expired_is_an_error() {
	bad_crl expired ""
	assert_err_has "expired"
}

test_crl_unparsable_is_an_error() {
	bad_crl garbage "cannot load the CRL"
}

test_crl_from_another_ca_is_an_error() {
	bad_crl other "the CRL is not signed by CA $TMPD/pki/crl-other/ca-cert.pem"
}

# ---- key files: no one else's to read, as OpenSSH requires (issue 23)

test_psk_file_readable_by_others_refused() {
	local f=$TMPD/pki/psk-0644.psk m
	cp "$PSK" "$f"
	for m in 644 640 604 660; do
		chmod "$m" "$f"
		run "$TLSBIN" nbd-list --tls-psk "$f" "nbds://alice@localhost:$KP"
		assert_rc 6 "mode $m"
		assert_err_oneline nbd-list
		assert_err_has "nbd-list: $f: PSK file with mode 0$m: group or others may read it: refused (chmod 600 $f)"
	done
}

test_psk_file_0600_and_0400_accepted() {
	local f=$TMPD/pki/psk-0600.psk m
	cp "$PSK" "$f"
	for m in 600 400; do
		chmod "$m" "$f"
		run "$TLSBIN" nbd-probe --size --tls-psk "$f" "nbds://alice@localhost:$KP"
		assert_ok
		assert_out 16777216
	done
}

test_client_key_readable_by_others_refused() {
	local d=$TMPD/pki/cli-0644
	rm -rf "$d" && cp -a "$CLI" "$d" && chmod 644 "$d/client-key.pem"
	run "$TLSBIN" nbd-probe --tls-certificates "$d" "nbds://localhost:$KXV"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "$d/client-key.pem: client key with mode 0644: group or others may read it: refused"
	run "$TLSBIN" nbd-probe --tls-ca "$CA" --tls-cert "$CLICERT" --tls-key "$d/client-key.pem" \
		"nbds://localhost:$KXV"
	assert_rc 6
	assert_err_has "mode 0644"
	# The certificate is public: its mode does not matter.
	chmod 600 "$d/client-key.pem" && chmod 644 "$d/client-cert.pem"
	run "$TLSBIN" nbd-probe --size --tls-certificates "$d" "nbds://localhost:$KXV"
	assert_ok
}

# What an initramfs gets: initramfs-tools' copy_file (cp -p) and dracut's
# dracut-install (--preserve=mode,ownership) keep a key's mode and owner,
# and both generators, run as root, pack the cpio without -R: a root 0600
# PSK file stays root 0600 in the image and is taken there; one left 0644
# on the host is refused in the image too (README, Security).
test_initramfs_generators_keep_key_mode() {
	[ "$(id -u)" = 0 ] && [ -f /usr/share/initramfs-tools/hook-functions ] &&
		[ -x /usr/lib/dracut/dracut-install ] || { startSkipping; return; }
	local w=$TMPD/initrd g f
	mkdir -p "$w/src" "$w/it" "$w/dr" "$w/x-it" "$w/x-dr"
	cp "$PSK" "$w/src/psk600" && chmod 600 "$w/src/psk600"
	cp "$PSK" "$w/src/psk644" && chmod 644 "$w/src/psk644"
	( DESTDIR=$w/it verbose=n; . /usr/share/initramfs-tools/hook-functions
	  copy_file config "$w/src/psk600" /etc/nbd/psk600 && copy_file config "$w/src/psk644" /etc/nbd/psk644 ) ||
		fail "copy_file"
	/usr/lib/dracut/dracut-install -D "$w/dr" "$w/src/psk600" /etc/nbd/psk600 &&
		/usr/lib/dracut/dracut-install -D "$w/dr" "$w/src/psk644" /etc/nbd/psk644 || fail "dracut-install"
	for g in it dr; do
		# mkinitramfs: find | sort | cpio -o -H newc; dracut: the same with -print0/--null.
		( cd "$w/$g" && find . | LC_ALL=C sort | cpio --quiet -o -H newc ) > "$w/$g.cpio" &&
			( cd "$w/x-$g" && cpio --quiet -idm < "$w/$g.cpio" ) || fail "$g: cpio"
		f=$w/x-$g/etc/nbd
		assertEquals "$g: the 0600 key in the image" "600 0" "$(stat -c '%a %u' "$f/psk600")"
		run "$TLSBIN" nbd-probe --size --tls-psk "$f/psk600" "nbds://alice@localhost:$KP"
		assert_ok
		run "$TLSBIN" nbd-probe --size --tls-psk "$f/psk644" "nbds://alice@localhost:$KP"
		assert_rc 6
		assert_err_has "psk644: PSK file with mode 0644"
	done
}

test_key_owned_by_someone_else_refused() {
	[ "$(id -u)" = 0 ] || { startSkipping; return; }
	local f=$TMPD/pki/psk-nobody.psk d=$TMPD/pki/cli-nobody
	cp "$PSK" "$f" && chmod 600 "$f" && chown 65534 "$f"
	run "$TLSBIN" nbd-list --tls-psk "$f" "nbds://alice@localhost:$KP"
	assert_rc 6
	assert_err_oneline nbd-list
	assert_err_has "$f: PSK file owned by uid 65534, not by this user (uid 0) or root: refused"
	rm -rf "$d" && cp -a "$CLI" "$d" && chown 65534 "$d/client-key.pem"
	run "$TLSBIN" nbd-probe --tls-certificates "$d" "nbds://localhost:$KXV"
	assert_rc 6
	assert_err_has "$d/client-key.pem: client key owned by uid 65534"
}

test_nbd_server_tls_with_client_cert() {
	run "$TLSBIN" nbd-list --tls-certificates "$CLI" "nbds://localhost:$NS"
	assert_ok
	assert_out tdisk
	run "$TLSBIN" nbd-probe --size --tls-ca "$CA" --tls-cert "$CLICERT" --tls-key "$CLIKEY" \
		"nbds://127.0.0.1:$NS/tdisk"
	assert_ok
	assert_out 4194304
}

test_nbd_server_tls_without_client_cert() {
	run "$TLSBIN" nbd-probe --tls-ca "$CA" "nbds://localhost:$NS/tdisk"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "localhost:$NS"
	assert_err_has "right after the"
	assert_err_has "client certificate"
}

test_nbd_server_force_tls_in_clear() {
	run "$TLSBIN" nbd-probe "nbd://127.0.0.1:$NS/tdisk"
	assert_rc 6
	assert_err_has "server requires TLS"
	assert_err_has "nbds://"
}

# ---- what works

test_list_x509_nbdkit() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KX" --tls-ca "$CA"
	assert_ok
}

test_probe_x509_ip_san() {
	run "$TLSBIN" nbd-probe --size "nbds://127.0.0.1:$KX" --tls-ca "$CA"
	assert_ok
	assert_out 67108864
}

test_tls_flag_with_hostport() {
	run "$TLSBIN" nbd-probe --size --tls --tls-ca "$CA" localhost "$KX"
	assert_ok
	assert_out 67108864
}

test_certificates_dir_in_uri_with_client_cert() {
	run "$TLSBIN" nbd-probe --size "nbds://localhost:$KXV/?tls-certificates=$CLI"
	assert_ok
	assert_out 33554432
}

test_client_cert_options() {
	run "$TLSBIN" nbd-probe --size "nbds://localhost:$KXV" --tls-ca "$CA" \
		--tls-cert "$CLICERT" --tls-key "$CLIKEY"
	assert_ok
	assert_out 33554432
}

test_certificates_dir_option() {
	run "$TLSBIN" nbd-probe --size --tls-certificates "$CLI" "nbds://localhost:$KXV"
	assert_ok
	assert_out 33554432
}

test_psk_user_from_uri() {
	run "$TLSBIN" nbd-probe --size "nbds://alice@localhost:$KP" --tls-psk "$PSK"
	assert_ok
	assert_out 16777216
}

test_psk_query_keys() {
	run "$TLSBIN" nbd-probe --size "nbds://127.0.0.1:$KP/?tls-psk-file=$TWOPSK&tls-username=alice"
	assert_ok
	assert_out 16777216
}

test_psk_single_entry_needs_no_username() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KP" --tls-psk "$PSK"
	assert_ok
}

# No AES in /proc/cpuinfo (armhf): ChaCha20 is offered first and GnuTLS
# takes it with the PSK. wolfSSL's plain PSK callback tied the PSK to
# TLS13-AES128-GCM-SHA256: "psk key callback error" (found on armhf).
test_psk_chacha20_when_no_aes() {
	printf 'processor\t: 0\nFeatures\t: half thumb fastmult vfp edsp neon vfpv3 tls\n' \
		> "$TMPD/cpuinfo-noaes"
	unshare -m mount --bind "$TMPD/cpuinfo-noaes" /proc/cpuinfo 2> /dev/null ||
		{ startSkipping; return; }   # needs root: a mount namespace
	run unshare -m sh -c 'mount --bind "$1" /proc/cpuinfo && exec "$2" nbd-probe --size \
		--tls-psk "$3" "$4"' sh "$TMPD/cpuinfo-noaes" "$TLSBIN" "$PSK" "nbds://alice@localhost:$KP"
	assert_ok
	assert_out 16777216
	run unshare -m sh -c 'mount --bind "$1" /proc/cpuinfo && exec "$2" nbd-list \
		--tls-psk "$3" "$4"' sh "$TMPD/cpuinfo-noaes" "$TLSBIN" "$PSK" "nbds://alice@127.0.0.1:$QP"
	assert_ok
	assert_out disk
}

test_qemu_x509() {
	run "$TLSBIN" nbd-probe "nbds://localhost:$QX/disk" --tls-ca "$CA"
	assert_ok
	assert_out_has "export: disk"
	assert_out_has "size: 67108864"
}

test_qemu_psk() {
	run "$TLSBIN" nbd-list "nbds://alice@127.0.0.1:$QP" --tls-psk "$PSK"
	assert_ok
	assert_out disk
}

test_qemu_tls12_only() {
	run "$TLSBIN" nbd-probe --size "nbds://localhost:$Q12/disk" --tls-ca "$CA"
	assert_ok
	assert_out 67108864
}

test_unix_socket_chain_only() {
	# No host name to check on a Unix socket: the chain still is.
	start_nbdkit_unix --tls=require --tls-certificates="$SRV" memory 8M || fail "nbdkit -U"
	run "$TLSBIN" nbd-probe --size "nbds+unix:///?socket=$SOCK" --tls-ca "$CA"
	assert_ok
	assert_out 8388608
	run "$TLSBIN" nbd-probe --size "nbds+unix:///?socket=$SOCK" --tls-ca "$OTHERCA"
	assert_rc 6
	assert_err_has "not trusted"
	run "$TLSBIN" nbd-probe --size "nbds+unix:///?socket=$SOCK&tls-hostname=example.com" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "hostname mismatch"
}

test_verify_off_is_loud() {
	run "$TLSBIN" nbd-probe --size "nbds://localhost:$KX" --tls-ca "$OTHERCA" --tls-verify-peer=no
	assert_rc 0
	assert_out 67108864
	assert_err_has "WARNING: --tls-verify-peer=no"
	assert_err_has "NOT checked"
}

test_verify_off_from_uri_is_loud() {
	run "$TLSBIN" nbd-probe --size "nbds://localhost:$KX/?tls-verify-peer=false"
	assert_rc 0
	assert_err_has "WARNING"
}

# ---- what must fail, each with exit code 6 and its reason

test_untrusted_ca() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KX" --tls-ca "$OTHERCA"
	assert_rc 6
	assert_err_oneline nbd-list
	assert_err_has "certificate not trusted"
	assert_out_empty
}

test_no_ca_and_no_system_trust_of_test_ca() {
	# The system's CAs do not know our test CA.
	run "$TLSBIN" nbd-list "nbds://localhost:$KX"
	assert_rc 6
	assert_err_has "not trusted"
}

test_wrong_hostname() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KX" --tls-ca "$CA" --tls-hostname example.com
	assert_rc 6
	assert_err_has "hostname mismatch"
	assert_err_has "example.com"
}

test_wrong_hostname_from_uri() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KX/?tls-hostname=nbd.example.org" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "hostname mismatch"
	assert_err_has "nbd.example.org"
}

test_wrong_ip() {
	run "$TLSBIN" nbd-list "nbds://127.0.0.1:$KX" --tls-ca "$CA" --tls-hostname 127.0.0.2
	assert_rc 6
	assert_err_has "hostname mismatch"
	assert_err_has "127.0.0.2"
}

# An address is matched by an iPAddress SAN only: a certificate whose CN
# and DNS name spell "127.0.0.1" is not for 127.0.0.1 (no loosening of the
# check that the static build, without wolfSSL's OpenSSL layer, does
# itself); the same certificate is fine for a name it has.
test_ip_in_cn_and_dns_name_is_no_ip_san() {
	make_cn_ip_cert "$TMPD/pki" || fail "make_cn_ip_cert: $(cat "$TMPD/pki/pki.log")"
	start_nbdkit --tls=require --tls-certificates="$TMPD/pki/cnip" memory 4M || fail "nbdkit"
	run "$TLSBIN" nbd-probe --size "nbds://127.0.0.1:$PORT" --tls-ca "$CA"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "hostname mismatch"
	assert_err_has "'127.0.0.1'"
	assert_out_empty
	# The chain itself is good: without verification it connects.
	run "$TLSBIN" nbd-probe --size --tls-verify-peer=no "nbds://127.0.0.1:$PORT" --tls-ca "$CA"
	assert_rc 0
	assert_out 4194304
}

test_client_cert_missing() {
	run "$TLSBIN" nbd-probe "nbds://localhost:$KXV" --tls-certificates "$TMPD/pki/cli-nocert"
	assert_rc 6
	assert_err_oneline nbd-probe
	assert_err_has "client certificate"
}

test_wrong_psk() {
	run "$TLSBIN" nbd-list "nbds://alice@localhost:$KP" --tls-psk "$WRONGPSK"
	assert_rc 6
	assert_err_has "PSK rejected"
	assert_err_has "alice"
}

test_unknown_psk_identity() {
	run "$TLSBIN" nbd-list "nbds://bob@localhost:$KP" --tls-psk "$TWOPSK"
	assert_rc 6
	assert_err_has "unknown PSK identity 'bob'"
}

test_wrong_psk_qemu() {
	run "$TLSBIN" nbd-list "nbds://alice@localhost:$QP" --tls-psk "$WRONGPSK"
	assert_rc 6
	assert_err_has "PSK rejected"
}

test_psk_against_x509_server() {
	# The server ignores the PSK and shows a certificate: that must not
	# count as authenticated.
	run "$TLSBIN" nbd-list "nbds://alice@localhost:$KX" --tls-psk "$PSK"
	assert_rc 6
	assert_err_has "PSK not accepted"
}

test_no_downgrade_plain_server() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KPLAIN" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "NBD_OPT_STARTTLS"
	assert_err_has "did not agree to TLS"
	assert_out_empty
}

test_no_downgrade_credentials_imply_tls() {
	# nbd:// plus TLS credentials: TLS, not clear text.
	run "$TLSBIN" nbd-probe "nbd://localhost:$KPLAIN" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "did not agree to TLS"
	assert_out_empty
}

test_no_downgrade_oldstyle() {
	run "$TLSBIN" nbd-probe "nbds://localhost:$KOLD" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "cannot do STARTTLS"
	assert_out_empty
}

test_starttls_error_reply() {
	start_fake err
	run "$TLSBIN" nbd-list "nbds://localhost:$PORT" --tls-ca "$CA"
	assert_rc 6
	assert_err_oneline nbd-list
	assert_err_has "NBD_OPT_STARTTLS"
	assert_err_has 'server: "no TLS here"'
	assert_err_has "did not agree to TLS"
}

test_starttls_odd_reply() {
	start_fake weird
	run "$TLSBIN" nbd-probe "nbds://localhost:$PORT" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "did not agree to TLS"
}

test_starttls_ack_then_clear_text() {
	# Clear text right behind the ACK: read with it (data nobody asked
	# for) or taken for the ServerHello (the handshake fails); either
	# way a TLS failure, never a session.
	local i
	start_fake clear
	for i in 1 2 3 4 5; do
		run "$TLSBIN" nbd-probe "nbds://localhost:$PORT" --tls-ca "$CA"
		assert_rc 6
		case $ERR in
		*"TLS handshake"* | *"NBD_OPT_STARTTLS: the server sent data nobody asked for"*) ;;
		*) fail "unexpected message $(_ctx)" ;;
		esac
		assert_out_empty
	done
}

test_protocol_version_tls11_only() {
	start_fake tls11
	run "$TLSBIN" nbd-probe "nbds://localhost:$PORT" --tls-ca "$CA"
	assert_rc 6
	assert_err_has "protocol version"
}

test_tls_only_server_in_clear_text() {
	run "$TLSBIN" nbd-list "localhost:$KX"
	assert_rc 6
	assert_err_has "requires TLS"
	assert_err_has "nbds://"
	assert_err_has "--tls"
}

test_tls_only_server_in_clear_text_probe() {
	run "$TLSBIN" nbd-probe "nbd://localhost:$KX"
	assert_rc 6
	assert_err_has "requires TLS"
}

# ---- the command line

test_verify_peer_bad_value() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KX" --tls-verify-peer=maybe
	assert_rc 2
	assert_err_has "--tls-verify-peer"
}

test_psk_two_users_no_name() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KP" --tls-psk "$TWOPSK"
	assert_rc 2
	assert_err_has "more than one user"
}

test_psk_file_missing() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KP" --tls-psk "$TMPD/nonexistent.psk"
	assert_rc 2
	assert_err_has "nonexistent.psk"
}

test_cert_without_key() {
	run "$TLSBIN" nbd-list "nbds://localhost:$KXV" --tls-ca "$CA" --tls-cert "$CLICERT"
	assert_rc 2
	assert_err_has "--tls-key"
}

test_built_without_tls_says_so() {
	has_tls "$PLAIN_BIN" && startSkipping
	run "$PLAIN_BIN" nbd-list "nbds://localhost:$KX"
	assert_rc 6
	assert_err_has "built without TLS"
	isSkipping && endSkipping
	return 0
}

lib_main
