# vm-smp: 3
# One read-only export on three servers (sp0 sp1 sp2: nbdkit -r, the same
# image, a request log each): -C 3 --alt spreads the connections, one per
# server, in the order given; readers pinned one per CPU use every
# hardware queue (the driver maps CPU k to connection k), so every server
# sees reads (counted on the host: 32-spread.host); md5 of the whole
# device right. Refused: a writable export without --shared-store, and a
# server whose export differs (named).
spread_readers() { # DEV TAG: three readers, a third of the device each
	host_signal count-reads "$2-before" sp0 sp1 sp2 >&2
	sleep 0.5
	ncpu=$(nproc)
	for k in 0 1 2; do
		taskset -c $((k % ncpu)) dd if="$1" of=/tmp/part.$k bs=64k skip=$((k * 86)) \
			count=86 iflag=direct 2>/dev/null &
	done
	wait
	host_signal count-reads "$2-after" sp0 sp1 sp2 >&2
	sleep 0.5
	cat /tmp/part.0 /tmp/part.1 /tmp/part.2 | head -c 16777216 | md5sum | cut -d' ' -f1
	rm -f /tmp/part.*
}
if need_applet nbd-attach && wait_server sp0 && wait_server sp1 && wait_server sp2; then
	b0=$(conns_to "$P_sp0") b1=$(conns_to "$P_sp1") b2=$(conns_to "$P_sp2")
	if dev=$(attach -C 3 --alt "$H:$P_sp1" --alt "$H:$P_sp2" "$(uri sp0)"); then
		c="$(( $(conns_to "$P_sp0") - b0 )) $(( $(conns_to "$P_sp1") - b1 )) $(( $(conns_to "$P_sp2") - b2 ))"
		[ "$c" = "1 1 1" ] && pass conns "one connection to each server" ||
			fail conns "connections per server: $c, want 1 1 1"
		nbd-probe "$dev" > /tmp/probe.out
		want="connection 1 $H:$P_sp0
connection 2 $H:$P_sp1
connection 3 $H:$P_sp2"
		[ "$(grep '^connection' /tmp/probe.out)" = "$want" ] &&
			pass probe "nbd-probe $dev lists the three servers in order" ||
			fail probe "$(tr '\n' ' ' < /tmp/probe.out)"
		got=$(spread_readers "$dev" spread)
		[ "$got" = "$SPREAD_MD5" ] && pass md5 "16 MiB from three servers, md5 ok ($(nproc) CPUs)" ||
			fail md5 "md5 $got, want $SPREAD_MD5"
		nbd-detach "$dev"
	else
		fail conns "attach -C 3 over three servers failed"
	fi
	# A writable export: refused unless --shared-store.
	nbd-attach -C 2 --alt "$(uri kres)" "$(uri mem)" > /tmp/out 2>&1; rc=$?
	[ $rc = 2 ] && grep -q "writable.*--shared-store" /tmp/out &&
		pass writable "refused (exit 2): $(cat /tmp/out)" ||
		fail writable "exit $rc: $(cat /tmp/out)"
	# A server whose export differs (64 MiB, not 16): refused, named.
	nbd-attach -C 3 --alt "$H:$P_sp1" --alt "$H:$P_mem" "$(uri sp0)" > /tmp/out 2>&1; rc=$?
	[ $rc != 0 ] && grep -q "$H:$P_mem: connection 3: export size 67108864, was 16777216" /tmp/out &&
		pass differs "refused, named: $(cat /tmp/out)" ||
		fail differs "exit $rc: $(cat /tmp/out)"
fi
