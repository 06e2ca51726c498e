# The --persist resident SIGKILLed. What the device does (README, "Security"
# and nbd-attach): the kernel keeps the sockets it has, so I/O goes on and
# nbd-detach works; nobody reconnects any more, so after the next link loss
# I/O fails with an I/O error once --dead-timeout has passed (no hang);
# nbd-detach's flush then fails, and it detaches anyway (exit 1).
if need_applet nbd-attach && wait_server kres; then
	if dev=$(attach --persist --dead-timeout 5 "$(uri kres)"); then
		nb=${dev#/dev/}
		pid=$(cat /sys/block/$nb/pid 2>/dev/null)
		if [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; then
			sleep 1
			want=$(md5of "$(pattern 1)" 1)
			dd if=/tmp/pattern.1 of="$dev" bs=1M oflag=direct conv=fsync 2>/dev/null
			got=$(md5of "$dev" 1)
			[ "$got" = "$want" ] && pass io "resident $pid killed: $dev still reads and writes, md5 ok" ||
				fail io "after the kill: md5 $got, want $want"
			host_signal restart-server kres 2
			sleep 4
			t0=$(cut -d' ' -f1 /proc/uptime)
			dd if="$dev" of=/dev/null bs=64k count=1 skip=5 iflag=direct 2>/tmp/dd.err
			rc=$?
			t1=$(cut -d' ' -f1 /proc/uptime)
			secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
			if [ $rc != 0 ] && grep -qi "input/output error" /tmp/dd.err; then
				pass lost "next link loss: I/O error after ${secs}s, no reconnect"
			else
				fail lost "dd exit $rc after ${secs}s: $(tail -n 1 /tmp/dd.err)"
			fi
		else
			fail io "no resident pid in /sys/block/$nb/pid"
		fi
		# Its flush fails (the link is dead): said, and detached anyway.
		nbd-detach "$dev" 2>/tmp/detach.err
		rc=$?
		if [ $rc = 1 ] && grep -q "disconnecting anyway" /tmp/detach.err &&
			! nbd-probe "$dev" >/dev/null 2>&1; then
			pass detach "nbd-detach: flush failed, said so, detached anyway"
		else
			fail detach "nbd-detach exit $rc: $(cat /tmp/detach.err)"
		fi
	else
		fail io "attach failed"
	fi
	wait_server kres
fi
