S=10.0.2.100
insmod /mod/tls.ko
dd if=/dev/urandom of=/tmp/q bs=1M count=4 2>/dev/null
echo "want $(md5sum < /tmp/q)"
one() { # NAME ATTACH-ARGS...
	n=$1; shift
	dev=$(nbd-attach "$@"); rc=$?
	[ $rc = 0 ] || { echo "$n: attach rc=$rc"; return; }
	dd if=/tmp/q of=$dev bs=1M oflag=direct 2>/dev/null
	got=$(dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum)
	cur=$(grep TlsCurrTxSw /proc/net/tls_stat | tr -s ' \t' ' ' | cut -d' ' -f2)
	nbd-detach $dev >/dev/null; d=$?
	echo "$n: dev=$dev md5=$got ktls-sockets-while-attached=$cur detach=$d TlsTxSw=$(grep 'TlsTxSw ' /proc/net/tls_stat | tr -s ' \t' ' ' | cut -d' ' -f2)"
}
one psk-nbdkit nbds://alice@$S:23002 --tls-psk /f/keys.psk
one relay-psk --tls-relay nbds://alice@$S:23002 --tls-psk /f/keys.psk
one psk-nbdkit-C2 -C 2 nbds://alice@$S:23002 --tls-psk /f/keys.psk
one relay-C2 --tls-relay -C 2 nbds://alice@$S:23002 --tls-psk /f/keys.psk
sleep 1; ps | grep -v grep | grep nbd-attach
