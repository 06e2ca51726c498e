# Test credentials, for the shell TLS suite and the VM's TLS servers:
#   . tests/pki.sh; make_pki DIR
# DIR/srv:   ca-key.pem ca-cert.pem server-key.pem server-cert.pem (a server
#            certificate for localhost and 127.0.0.1: nbdkit's and qemu's
#            tls-certificates layout)
# DIR/cli:   client-key.pem client-cert.pem ca-cert.pem (libnbd's layout)
# DIR/other: a second CA nobody trusts
# DIR/psk/keys.psk: user alice (psktool)
# Returns non-zero (log in DIR/pki.log) when certtool or psktool fail.
make_pki() {
	local d=$1
	mkdir -p "$d/srv" "$d/cli" "$d/other" "$d/psk"
	printf 'cn = "nbdbox test CA"\nca\ncert_signing_key\nexpiration_days = 30\n' > "$d/ca.tmpl"
	printf 'organization = "nbdbox test"\ncn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/server.tmpl"
	printf 'cn = "nbdbox client"\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/client.tmpl"
	{
		certtool --generate-privkey --outfile "$d/srv/ca-key.pem" &&
		certtool --generate-self-signed --load-privkey "$d/srv/ca-key.pem" \
			--template "$d/ca.tmpl" --outfile "$d/srv/ca-cert.pem" &&
		certtool --generate-privkey --outfile "$d/srv/server-key.pem" &&
		certtool --generate-certificate --load-privkey "$d/srv/server-key.pem" \
			--load-ca-certificate "$d/srv/ca-cert.pem" --load-ca-privkey "$d/srv/ca-key.pem" \
			--template "$d/server.tmpl" --outfile "$d/srv/server-cert.pem" &&
		certtool --generate-privkey --outfile "$d/cli/client-key.pem" &&
		certtool --generate-certificate --load-privkey "$d/cli/client-key.pem" \
			--load-ca-certificate "$d/srv/ca-cert.pem" --load-ca-privkey "$d/srv/ca-key.pem" \
			--template "$d/client.tmpl" --outfile "$d/cli/client-cert.pem" &&
		certtool --generate-privkey --outfile "$d/other/ca-key.pem" &&
		certtool --generate-self-signed --load-privkey "$d/other/ca-key.pem" \
			--template "$d/ca.tmpl" --outfile "$d/other/ca-cert.pem" &&
		cp "$d/srv/ca-cert.pem" "$d/cli/" &&
		psktool -u alice -p "$d/psk/keys.psk"
	} > "$d/pki.log" 2>&1
}

# make_cn_ip_cert DIR: after make_pki DIR, DIR/cnip holds a server
# certificate from the same CA whose CN and DNS SAN are the text
# "127.0.0.1" but that has no IP address SAN: a client that verifies
# 127.0.0.1 must refuse it (only an iPAddress SAN names an address).
make_cn_ip_cert() {
	local d=$1
	mkdir -p "$d/cnip"
	printf 'cn = "127.0.0.1"\ndns_name = "127.0.0.1"\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/cnip.tmpl"
	{
		certtool --generate-privkey --outfile "$d/cnip/server-key.pem" &&
		certtool --generate-certificate --load-privkey "$d/cnip/server-key.pem" \
			--load-ca-certificate "$d/srv/ca-cert.pem" --load-ca-privkey "$d/srv/ca-key.pem" \
			--template "$d/cnip.tmpl" --outfile "$d/cnip/server-cert.pem" &&
		cp "$d/srv/ca-cert.pem" "$d/cnip/"
	} >> "$d/pki.log" 2>&1
}
