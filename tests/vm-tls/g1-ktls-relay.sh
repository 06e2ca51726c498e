set -x
S=10.0.2.100
cat /proc/net/tls_stat 2>&1 | head -3
# tls module not loaded yet: kTLS must fall back to the relay
dev=$(nbd-attach nbds://$S:23001 --tls-ca /f/ca-cert.pem --tls-hostname localhost); echo "attach-nomod rc=$? dev=$dev"
ps | grep -v grep | grep nbd
dd if=/dev/urandom of=/tmp/p bs=1M count=4 2>/dev/null
dd if=/tmp/p of=$dev bs=1M oflag=direct 2>&1 | tail -1
md5sum /tmp/p
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
nbd-detach $dev; echo "detach rc=$?"
sleep 1; ps | grep -v grep | grep nbd; echo "relay gone? (nothing above)"
insmod /mod/tls.ko; echo "insmod tls rc=$?"
cat /proc/net/tls_stat | grep -E "TlsCurr|TlsTxSw|TlsRxSw"
dev=$(nbd-attach nbds://$S:23001 --tls-ca /f/ca-cert.pem --tls-hostname localhost); echo "attach-ktls rc=$? dev=$dev"
ps | grep -v grep | grep nbd
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
dd if=/dev/urandom of=/tmp/q bs=1M count=4 2>/dev/null
dd if=/tmp/q of=$dev bs=1M oflag=direct 2>&1 | tail -1
md5sum /tmp/q
cat /proc/net/tls_stat | grep -E "TlsCurr|TlsTxSw|TlsRxSw"
nbd-detach $dev; echo "detach rc=$?"
dev=$(nbd-attach nbds://$S:23001 --tls-ca /f/ca-cert.pem --tls-hostname localhost); echo "attach-ktls-again rc=$? dev=$dev"
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
cat /proc/net/tls_stat | grep -E "TlsCurr|TlsTxSw|TlsRxSw"
nbd-detach $dev; echo "detach rc=$?"
# forced relay, with tls loaded
dev=$(nbd-attach --tls-relay nbds://$S:23001 --tls-ca /f/ca-cert.pem --tls-hostname localhost); echo "attach-relay rc=$? dev=$dev"
ps | grep -v grep | grep nbd
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
cat /proc/net/tls_stat | grep -E "TlsCurr"
nbd-detach $dev; echo "detach rc=$?"
sleep 1; ps | grep -v grep | grep nbd; echo "relay gone? (nothing above)"
# PSK over kTLS
dev=$(nbd-attach nbds://alice@$S:23002 --tls-psk /f/keys.psk); echo "attach-psk rc=$? dev=$dev"
dd if=/tmp/q of=$dev bs=1M oflag=direct 2>&1 | tail -1
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
cat /proc/net/tls_stat | grep -E "TlsCurr|TlsTxSw|TlsRxSw"
nbd-detach $dev; echo "detach rc=$?"
# ioctl mode over kTLS
dev=$(nbd-attach --ioctl nbds://$S:23001 --tls-ca /f/ca-cert.pem --tls-hostname localhost nbd3); echo "attach-ioctl rc=$? dev=$dev"
sleep 1
dd if=$dev bs=1M count=4 iflag=direct 2>/dev/null | md5sum
nbd-detach $dev; echo "detach rc=$?"
