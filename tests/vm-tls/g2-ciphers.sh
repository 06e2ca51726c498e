S=10.0.2.100
insmod /mod/tls.ko
dd if=/dev/urandom of=/tmp/q bs=1M count=4 2>/dev/null
echo "want $(md5sum < /tmp/q)"
one() { # NAME ATTACH-ARGS...
	n=$1; shift
	dev=$(nbd-attach "$@"); rc=$?
	[ $rc = 0 ] || { echo "$n: attach rc=$rc"; return; }
	dd if=/tmp/q of=$dev bs=1M oflag=direct 2>/dev/null
	sync; echo 3 > /proc/sys/vm/drop_caches
	got=$(dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum)
	cur=$(grep TlsCurrTxSw /proc/net/tls_stat | tr -s ' \t' ' ' | cut -d' ' -f2)
	nbd-detach $dev >/dev/null; d=$?
	echo "$n: dev=$dev md5=$got ktls-sockets-while-attached=$cur detach=$d TlsTxSw=$(grep 'TlsTxSw ' /proc/net/tls_stat | tr -s ' \t' ' ' | cut -d' ' -f2)"
}
one psk-nbdkit nbds://alice@$S:23002 --tls-psk /f/keys.psk
one qemu-tls12-aes128 nbds://$S:23003/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
one qemu-tls12-aes256 nbds://$S:23004/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
one qemu-tls13-chacha nbds://$S:23005/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
one qemu-tls12-chacha nbds://$S:23006/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
one qemu-tls13-aes256 nbds://$S:23007/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
one qemu-psk-tls13 nbds://alice@$S:23008/disk --tls-psk /f/keys.psk
one relay-psk --tls-relay nbds://alice@$S:23002 --tls-psk /f/keys.psk
one relay-tls12 --tls-relay nbds://$S:23003/disk --tls-ca /f/ca-cert.pem --tls-hostname localhost
ps | grep -v grep | grep nbd-attach
