# /etc/nbdtab and Debian's nbd@.service: the unit's own ExecStart and
# ExecStop lines (from the host's nbd-client package, %i filled in) on two
# nbdtab lines with port=, bs=, timeout=, persist; the devices' size,
# block size and data against nbdkit's files; -d frees the device.
if [ -z "${UNIT_START:-}" ]; then
	skip "" "no nbd@.service on the host (nbd-client package)"
elif need_applet nbd-client; then
	[ -e /sbin/nbd-client ] || ln -s /bin/nbdbox /sbin/nbd-client
	cat > /etc/nbdtab <<-TAB
	# device host export options
	nbd6	$H	root	port=$P_tab1,bs=4096,timeout=30,persist
	nbd7 $H disk port=$P_tab2,bs=1024,timeout=20
	TAB
	for l in nbd6:4194304:4096:$TAB1_MD5 nbd7:2097152:1024:$TAB2_MD5; do
		d=${l%%:*} r=${l#*:}; size=${r%%:*} r=${r#*:}; bs=${r%%:*} md5=${r#*:}
		start=$(echo "$UNIT_START" | sed "s/%i/$d/g")
		# shellcheck disable=SC2086
		if ! $start >/tmp/out 2>&1; then
			fail "$d-start" "$start: exit $?: $(head -n 2 /tmp/out | tr '\n' ' ')"
			continue
		fi
		pass "$d-start" "$start"
		wait_size /dev/$d
		got=$(( $(cat /sys/block/$d/size) * 512 )):$(cat /sys/block/$d/queue/logical_block_size)
		[ "$got" = "$size:$bs" ] && pass "$d-size" "size $size, block size $bs" ||
			fail "$d-size" "size:bs $got, want $size:$bs"
		got=$(dd if=/dev/$d bs=64k iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		[ "$got" = "$md5" ] && pass "$d-data" "md5 of the device = nbdkit's file" ||
			fail "$d-data" "md5 $got, want $md5"
	done
	# timeout=: the driver's debugfs timeout (jiffies, so compared as a
	# ratio): 30 s for nbd6, 20 s for nbd7.
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	t6=$(cat /sys/kernel/debug/nbd/nbd6/timeout 2>/dev/null)
	t7=$(cat /sys/kernel/debug/nbd/nbd7/timeout 2>/dev/null)
	if [ -z "$t6" ] || [ -z "$t7" ]; then
		skip timeout "no nbd debugfs (timeout not visible)"
	elif [ $((t6 * 2)) = $((t7 * 3)) ] && [ "$t6" -gt 0 ]; then
		pass timeout "debugfs timeout nbd6 $t6, nbd7 $t7 (30 s : 20 s)"
	else
		fail timeout "debugfs timeout nbd6 '$t6', nbd7 '$t7', want 30:20"
	fi
	# persist: a resident process serves nbd6 (the pid sysfs names is alive).
	pid=$(nbd-client -check /dev/nbd6 2>/dev/null)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && pass persist "nbd6 served by pid $pid" ||
		fail persist "nbd-client -check /dev/nbd6: '$pid'"
	for d in nbd6 nbd7; do
		stop=$(echo "$UNIT_STOP" | sed "s/%i/$d/g")
		# shellcheck disable=SC2086
		$stop >/tmp/out 2>&1; rc=$?
		i=0
		while [ "$(cat /sys/block/$d/size)" != 0 ] && [ $i -lt 20 ]; do sleep 0.2; i=$((i + 1)); done
		! nbd-client -check /dev/$d >/dev/null 2>&1 && [ $rc = 0 ] &&
			[ "$(cat /sys/block/$d/size)" = 0 ] && pass "$d-stop" "$stop: exit 0, device freed" ||
			fail "$d-stop" "$stop: exit $rc, size $(cat /sys/block/$d/size): $(head -n 1 /tmp/out)"
	done
	# The resident looks every 2 s (a detach sends no netlink event):
	# gone well within 6.
	i=0
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.2; i=$((i + 1)); done
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		fail persist-gone "pid $pid still there 6 s after -d" || pass persist-gone "the resident left"
fi
