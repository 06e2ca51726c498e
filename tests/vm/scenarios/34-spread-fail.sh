# vm-smp: 3
# A spread --persist device (-C 3 over sp0 sp1 sp2, -t 4, --dead-timeout
# 4): all servers but one killed - the device reads right from the last
# one; all killed - reads fail once the dead timeout has passed (the usual
# behaviour), and the device is back when they are; a server that comes
# back as another export (spbig, 32 MiB) - refused, named in the kernel
# log, its connection stays on the others, which keep serving.
readall() { # DEV: md5 of the whole device, three readers one per CPU
	ncpu=$(nproc)
	for k in 0 1 2; do
		taskset -c $((k % ncpu)) dd if="$1" of=/tmp/part.$k bs=64k skip=$((k * 86)) count=86 \
			iflag=direct 2>/dev/null &
	done
	wait
	cat /tmp/part.0 /tmp/part.1 /tmp/part.2 | head -c 16777216 | md5sum | cut -d' ' -f1
	rm -f /tmp/part.*
}
if need_applet nbd-attach && wait_server sp0 && wait_server sp1 && wait_server sp2; then
	if dev=$(attach -C 3 --persist -t 4 --dead-timeout 4 --alt "$H:$P_sp1" --alt "$H:$P_sp2" "$(uri sp0)"); then
		host_signal stop-server sp0
		host_signal stop-server sp1
		sleep 1
		got=$(readall "$dev")
		[ "$got" = "$SPREAD_MD5" ] && pass last-one "sp0, sp1 down: md5 ok from sp2 alone ($(nbd-probe "$dev" | grep -c "$H:$P_sp2") connections there)" ||
			fail last-one "md5 $got, want $SPREAD_MD5"
		host_signal stop-server sp2
		sleep 1
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if="$dev" of=/dev/null bs=64k count=1 skip=100 iflag=direct 2>/dev/null; rc=$?
		secs=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
		[ $rc != 0 ] && pass all-dead "all down: the read failed after ${secs}s (--dead-timeout 4)" ||
			fail all-dead "all down: the read succeeded (${secs}s)"
		host_signal start-server sp0
		host_signal start-server sp1
		host_signal start-server sp2
		i=0
		until dd if="$dev" of=/dev/null bs=64k count=1 iflag=direct 2>/dev/null; do
			i=$((i + 1)); [ $i -ge 40 ] && break
			sleep 0.5
		done
		[ $i -lt 40 ] && pass back "servers back: $dev reads again" || fail back "$dev not back in 20 s"
		# sp2 comes back as another export: refused, named; its
		# connection stays away, the others serve.
		dmesg -c > /dev/null
		host_signal swap-server sp2 spbig 1
		i=0
		until dmesg | grep -q "reconnect: $H:$P_sp2: connection 3: export size 33554432, was 16777216"; do
			i=$((i + 1)); [ $i -ge 40 ] && break
			sleep 0.5
		done
		[ $i -lt 40 ] && pass differs "refused and named in the kernel log: $(dmesg | grep -m1 'reconnect: ' | sed 's/^\[[^]]*\] //')" ||
			fail differs "no refusal naming $H:$P_sp2 in the kernel log: $(dmesg | grep nbd-attach | tail -n 3 | tr '\n' ' ')"
		got=$(readall "$dev")
		c=$(nbd-probe "$dev" | sed -n 's/^connection 3 //p')
		[ "$got" = "$SPREAD_MD5" ] && case $c in *"(away)"*) true ;; *) false ;; esac &&
			pass others-serve "md5 ok; connection 3 on $c" ||
			fail others-serve "md5 $got (want $SPREAD_MD5), connection 3 '$c'"
		host_signal swap-server sp2 sp2 1
		wait_server sp2
		nbd-detach "$dev"
	else
		fail "" "attach failed"
	fi
fi
