# nbd-detach of an unattached device; nbd-probe of attached/unattached.
if need_applet nbd-detach; then
	nbd-detach /dev/nbd7 >/tmp/out 2>&1; rc=$?
	[ $rc = 8 ] && pass detach-unattached "exit 8: $(head -n1 /tmp/out)" ||
		fail detach-unattached "exit $rc, want 8: $(head -n1 /tmp/out)"
fi
nbd-probe /dev/nbd7 >/tmp/out 2>&1; rc=$?
[ $rc = 8 ] && pass probe-unattached "exit 8" ||
	fail probe-unattached "exit $rc, want 8: $(head -n2 /tmp/out | tr '\n' ' ')"
if need_applet nbd-attach; then
	if dev=$(attach "$(uri mem)"); then
		nbd-probe "$dev" >/tmp/out 2>&1; rc=$?
		if [ $rc = 0 ] && grep -q 67108864 /tmp/out; then pass probe-attached "exit 0, size 67108864"
		else fail probe-attached "exit $rc: $(head -n3 /tmp/out | tr '\n' ' ')"; fi
		grep -qx 'data path: plain' /tmp/out && pass probe-datapath "plain" ||
			fail probe-datapath "$(cat /tmp/out | tr '\n' ' ')"
	else
		fail probe-attached "attach failed"
	fi
fi
