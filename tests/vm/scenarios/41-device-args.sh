# An explicit device, a busy device, -b, --identifier, detach -a.
if need_applet nbd-attach; then
	if dev=$(attach -b 4096 --identifier vm-test "$(uri mem)" /dev/nbd3); then
		[ "$dev" = /dev/nbd3 ] && pass device "printed $dev" || fail device "printed $dev, want /dev/nbd3"
		lbs=$(cat /sys/block/nbd3/queue/logical_block_size)
		[ "$lbs" = 4096 ] && pass blocksize "-b 4096: logical block size 4096" ||
			fail blocksize "logical_block_size $lbs, want 4096"
		be=$(cat /sys/block/nbd3/backend 2>/dev/null)
		[ "$be" = vm-test ] && pass identifier "backend vm-test" || fail identifier "backend '$be'"
		nbd-probe /dev/nbd3 >/tmp/out 2>&1
		grep -q vm-test /tmp/out && pass probe-identifier "nbd-probe shows it" ||
			fail probe-identifier "$(head -n 4 /tmp/out | tr '\n' ' ')"
		# Busy: a second attach to the same device, both interfaces.
		for via in "" --ioctl; do
			out=$(nbd-attach $via "$(uri mem)" /dev/nbd3 2>&1); rc=$?
			[ $rc = 9 ] && pass "busy${via:+-ioctl}" "exit 9: $out" ||
				fail "busy${via:+-ioctl}" "exit $rc, want 9: $out"
		done
		[ "$(cat /sys/block/nbd3/size)" != 0 ] && pass still-attached "busy attempts left nbd3 alone" ||
			fail still-attached "nbd3 lost its size"
	else
		fail device "attach to /dev/nbd3 failed"
	fi
	attach --ioctl "$(uri mem)" /dev/nbd4 >/dev/null
	nbd-detach -a >/tmp/out 2>&1; rc=$?
	busy=$(cat /sys/block/nbd*/size | grep -vc '^0$')
	[ $rc = 0 ] && [ "$busy" = 0 ] && pass detach-all "exit 0, no device attached" ||
		fail detach-all "exit $rc, $busy device(s) still attached: $(head -n 2 /tmp/out | tr '\n' ' ')"
fi
