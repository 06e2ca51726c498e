# The harness itself: module loaded, devices present, the host's servers
# reachable through guestfwd, twice (one relay per connection).
check module "nbd module loaded" test -d /sys/module/nbd
check dev "/dev/nbd0 is a block device" test -b /dev/nbd0
check ext4 "ext4 registered" grep -qw ext4 /proc/filesystems
# For the kTLS tests: the ULP and the AEADs it asks the crypto API for.
ktls_mods() {
	accel=; [ "$(uname -m)" = x86_64 ] && accel="aesni_intel ghash_clmulni_intel"
	for m in tls gcm ctr ghash_generic $accel \
		chacha20poly1305 chacha_generic poly1305_generic; do
		[ -d /sys/module/$m ] || { echo "module $m not loaded"; return 1; }
	done
}
check ktls-modules "tls, gcm, aesni, chacha20poly1305 loaded" ktls_mods
check probe "nbd-probe through guestfwd" nbdbox nbd-probe -T 20 "$(uri mem)"
check probe2 "second connection to the same port" nbdbox nbd-probe -T 20 "$(uri mem)"
# The host control channel that --persist relies on: the host stops the
# server on request (a probe fails) and starts it again (a waiting probe
# gets through).
host_signal restart-server persist 3
sleep 1
if nbdbox nbd-probe -T 5 "$(uri persist)" >/dev/null 2>&1; then
	fail signal "server still up after restart-server"
else
	check signal "server back after restart-server" wait_server persist
fi
