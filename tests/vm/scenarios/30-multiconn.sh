# -C 4 against nbdkit (CAN_MULTI_CONN): four sockets, data md5-exact
# (MC_N from vm.conf: 2 on the other CPUs).
if need_applet nbd-attach; then
	want=$(md5of "$(pattern 16)" 16)
	before=$(conns_to "$P_mem")
	if dev=$(attach -C "${MC_N:-4}" "$(uri mem)"); then
		n=$(( $(conns_to "$P_mem") - before ))
		[ "$n" = "${MC_N:-4}" ] && pass conns "$n connections for $dev" || fail conns "$n connections, want ${MC_N:-4}"
		dd if=/tmp/pattern.16 of="$dev" bs=1M seek=32 oflag=direct conv=fsync 2>/dev/null
		got=$(dd if="$dev" bs=1M skip=32 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		[ "$got" = "$want" ] && pass rw "16 MiB md5 ok" || fail rw "md5 $got, want $want"
		nbd-detach "$dev"
		dev=$(attach -C "${MC_N:-4}" "$(uri mem)") && {
			got=$(dd if="$dev" bs=1M skip=32 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
			[ "$got" = "$want" ] && pass reattach "md5 ok after re-attach" ||
				fail reattach "md5 $got, want $want"
		} || fail reattach "attach failed"
	else
		fail conns "attach -C ${MC_N:-4} failed"
	fi
fi
