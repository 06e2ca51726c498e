# The reference client's command line, as Debian's initramfs-tools writes
# it (nbd-client SERVER -N NAME PORT DEVICE -swap -persist -systemd-mark
# -b 512) and as dracut checks it (-check, --help naming systemd-mark).
if need_applet nbd-client; then
	nbd-client --help 2>&1 | grep -q systemd-mark && pass help "names -systemd-mark" ||
		fail help "no -systemd-mark in --help"
	nbd-client -check /dev/nbd5 >/tmp/out 2>&1; rc=$?
	[ $rc = 1 ] && pass check-unattached "exit 1" || fail check-unattached "exit $rc: $(cat /tmp/out)"
	if nbd-client "$H" -N "" "$P_mem" /dev/nbd5 -swap -persist -systemd-mark -b 512 \
		>/tmp/out 2>&1; then
		pid=$(nbd-client -check /dev/nbd5); rc=$?
		# The pid sysfs names: with -persist, the resident process
		# that serves the device.
		[ $rc = 0 ] && [ "$pid" -gt 0 ] 2>/dev/null && kill -0 "$pid" &&
			pass check-attached "exit 0, pid $pid is alive" ||
			fail check-attached "exit $rc, pid '$pid'"
		# The persist daemon marks itself for systemd: argv[0] starts with '@'.
		ps | grep -v grep | grep -q '@.*nbd' && pass systemd-mark "daemon argv[0] starts with @" ||
			fail systemd-mark "no '@' daemon: $(ps | grep nbd | grep -v grep)"
		want=$(md5of "$(pattern 2)" 2)
		dd if=/tmp/pattern.2 of=/dev/nbd5 bs=1M oflag=direct conv=fsync 2>/dev/null
		got=$(dd if=/dev/nbd5 bs=1M count=2 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
		[ "$got" = "$want" ] && pass rw "2 MiB md5 ok" || fail rw "md5 $got, want $want"
		nbd-client -d /dev/nbd5 && ! nbd-client -check /dev/nbd5 >/dev/null &&
			pass disconnect "-d: detached" || fail disconnect "-d: still attached"
	else
		fail attach "exit $?: $(cat /tmp/out)"
	fi
fi
