# --persist, the server comes back as another export: 32 MiB instead of
# 16, then read-only. The resident refuses to hand the kernel such a link
# and says why in the kernel log; I/O fails once --dead-timeout passes;
# when the server is the same export again, the device comes back.
if need_applet nbd-attach && wait_server chg; then
	# stderr on the console (a terminal): the resident's refusal goes
	# there too, not only to the kernel log (the host checks the console).
	if dev=$(nbd-attach --persist --dead-timeout 6 "$(uri chg)" 2>/dev/console) &&
		wait_size "$dev"; then
		nb=${dev#/dev/}
		con=
		for p in /proc/[0-9]*; do
			grep -q nbd-attach $p/cmdline 2>/dev/null &&
				ls -l $p/fd 2>/dev/null | grep -q -e '/dev/console' -e '/dev/ttyS' && con=${p#/proc/}
		done
		[ -n "$con" ] && pass console-kept "the resident (pid $con) keeps the console for its warnings" ||
			fail console-kept "no nbd-attach process with the console open"
		size0=$(cat /sys/block/$nb/size)
		for alt in chg32:"export size 33554432, was 16777216" chgro:"export read-only now"; do
			sub=${alt%%:*} why=${alt#*:}
			host_signal swap-server chg "$sub" 2
			i=0
			until dmesg | grep -q "reconnect: .*$why.*not handing it to the kernel"; do
				i=$((i + 1)); [ $i -ge 40 ] && break
				sleep 0.5
			done
			if [ $i -ge 40 ]; then
				fail "$sub" "no refusal in the kernel log: $(dmesg | grep reconnect | tail -n 2)"
			else
				dd if="$dev" of=/dev/null bs=64k count=1 iflag=direct 2>/tmp/dd.err
				rc=$?
				[ $rc != 0 ] && [ "$(cat /sys/block/$nb/size)" = "$size0" ] &&
					pass "$sub" "refused ($why), I/O error, size unchanged" ||
					fail "$sub" "dd exit $rc, size $(cat /sys/block/$nb/size) (was $size0)"
			fi
			dmesg -c > /dev/null
		done
		host_signal swap-server chg chg16 2
		i=0
		until dd if="$dev" of=/dev/null bs=64k count=1 iflag=direct 2>/dev/null; do
			i=$((i + 1)); [ $i -ge 40 ] && break
			sleep 0.5
		done
		[ $i -lt 40 ] && pass same "the same export again: $dev back" ||
			fail same "$dev not back within 20 s"
		nbd-detach "$dev"
	else
		fail "" "attach failed"
	fi
fi
