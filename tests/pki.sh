# Test credentials, for the shell TLS suite and the VM's TLS servers:
#   . tests/pki.sh; make_pki DIR
# DIR/srv:   ca-key.pem ca-cert.pem server-key.pem server-cert.pem (a server
#            certificate for localhost and 127.0.0.1: nbdkit's and qemu's
#            tls-certificates layout)
# DIR/cli:   client-key.pem client-cert.pem ca-cert.pem (libnbd's layout)
# DIR/other: a second CA nobody trusts
# DIR/psk/keys.psk: user alice (psktool)
# Returns non-zero (log in DIR/pki.log) when certtool or psktool fail.

# issue KEY CERT CADIR TEMPLATE: a new key, and its certificate from the
# CA in CADIR (ca-cert.pem, ca-key.pem).
issue() {
	certtool --generate-privkey --outfile "$1" &&
	certtool --generate-certificate --load-privkey "$1" \
		--load-ca-certificate "$3/ca-cert.pem" --load-ca-privkey "$3/ca-key.pem" \
		--template "$4" --outfile "$2"
}

make_pki() {
	local d=$1
	mkdir -p "$d/srv" "$d/cli" "$d/other" "$d/psk"
	printf 'cn = "nbdbox test CA"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 30\n' > "$d/ca.tmpl"
	printf 'organization = "nbdbox test"\ncn = "localhost"\ndns_name = "localhost"\nip_address = "127.0.0.1"\ntls_www_server\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/server.tmpl"
	printf 'cn = "nbdbox client"\ntls_www_client\nencryption_key\nsigning_key\nexpiration_days = 30\n' > "$d/client.tmpl"
	{
		certtool --generate-privkey --outfile "$d/srv/ca-key.pem" &&
		certtool --generate-self-signed --load-privkey "$d/srv/ca-key.pem" \
			--template "$d/ca.tmpl" --outfile "$d/srv/ca-cert.pem" &&
		issue "$d/srv/server-key.pem" "$d/srv/server-cert.pem" "$d/srv" "$d/server.tmpl" &&
		issue "$d/cli/client-key.pem" "$d/cli/client-cert.pem" "$d/srv" "$d/client.tmpl" &&
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
		issue "$d/cnip/server-key.pem" "$d/cnip/server-cert.pem" "$d/srv" "$d/cnip.tmpl" &&
		cp "$d/srv/ca-cert.pem" "$d/cnip/"
	} >> "$d/pki.log" 2>&1
}

# make_crls DIR: after make_pki DIR, certificate directories (libnbd's
# layout: ca-cert.pem, ca-crl.pem) each with a CRL from certtool:
# DIR/crl-revoked  the test CA's CRL, revoking the server's certificate
# DIR/crl-clean    the test CA's CRL, revoking nothing
# DIR/crl-expired  the test CA's CRL, nextUpdate 2020-02-01
# DIR/crl-other    a CRL signed by the other CA
# DIR/crl-garbage  a ca-crl.pem that is no CRL
make_crls() {
	local d=$1 c
	for c in revoked clean expired other garbage; do
		mkdir -p "$d/crl-$c" && cp "$d/srv/ca-cert.pem" "$d/crl-$c/" || return 1
	done
	printf 'crl_next_update = 30\ncrl_number = 1\n' > "$d/crl.tmpl"
	printf 'crl_this_update_date = "2020-01-01 00:00:00"\ncrl_next_update_date = "2020-02-01 00:00:00"\ncrl_number = 2\n' \
		> "$d/crl-expired.tmpl"
	# crl CADIR TEMPLATE NAME [certtool options]: DIR/crl-NAME/ca-crl.pem
	crl() {
		local ca=$1 t=$2 n=$3
		shift 3
		certtool --generate-crl --load-ca-privkey "$ca/ca-key.pem" \
			--load-ca-certificate "$ca/ca-cert.pem" "$@" --template "$t" \
			--outfile "$d/crl-$n/ca-crl.pem"
	}
	{
		crl "$d/srv" "$d/crl.tmpl" revoked --load-certificate "$d/srv/server-cert.pem" &&
		crl "$d/srv" "$d/crl.tmpl" clean &&
		crl "$d/srv" "$d/crl-expired.tmpl" expired &&
		crl "$d/other" "$d/crl.tmpl" other &&
		printf -- '-----BEGIN X509 CRL-----\nTm90IGEgQ1JMIGF0IGFsbAo=\n-----END X509 CRL-----\n' \
			> "$d/crl-garbage/ca-crl.pem"
	} >> "$d/pki.log" 2>&1
}

# make_other_client DIR: after make_pki DIR, DIR/cli-other holds a client
# certificate and key from the other CA (and the test CA to trust the
# server with): a server that verifies its clients must refuse it.
make_other_client() {
	local d=$1
	mkdir -p "$d/cli-other"
	{
		issue "$d/cli-other/client-key.pem" "$d/cli-other/client-cert.pem" "$d/other" "$d/client.tmpl" &&
		cp "$d/srv/ca-cert.pem" "$d/cli-other/"
	} >> "$d/pki.log" 2>&1
}
