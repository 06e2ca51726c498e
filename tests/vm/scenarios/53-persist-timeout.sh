# --persist -t 3: the server holds one read for 9 s (the host's eval
# server, armed by SIGNAL touch slow). The kernel times the request out,
# marks the link dead, --persist reconnects, the kernel sends the request
# again on the new link: the read completes, md5 ok, and the kernel log
# says it timed out. Three rounds on one attach.
slow_round() { # ROUND
	host_signal touch slow
	sleep 1
	dmesg -c > /dev/null
	t0=$(cut -d' ' -f1 /proc/uptime)
	dd if="$dev" of=/tmp/slow1 bs=64k count=64 iflag=direct 2>/tmp/dd.err
	t1=$(cut -d' ' -f1 /proc/uptime)
	got=$(md5sum < /tmp/slow1 | cut -d' ' -f1)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if [ "$got" != "$SLOW_MD5" ]; then
		# Which blocks: against a second read (no delay now).
		dd if="$dev" of=/tmp/slow2 bs=64k count=64 iflag=direct 2>/dev/null
		bad= i=0
		while [ $i -lt 64 ]; do
			a=$(dd if=/tmp/slow1 bs=64k skip=$i count=1 2>/dev/null | md5sum | cut -c1-8)
			b=$(dd if=/tmp/slow2 bs=64k skip=$i count=1 2>/dev/null | md5sum | cut -c1-8)
			[ "$a" = "$b" ] || bad="$bad $i:$a"
			i=$((i + 1))
		done
		fail "$1" "md5 $got, want $SLOW_MD5 after ${secs}s (second read $(md5sum < /tmp/slow2 | cut -c1-8)); 64k blocks differing:$bad; zero block $(dd if=/dev/zero bs=64k count=1 2>/dev/null | md5sum | cut -c1-8); $(wc -c < /tmp/slow1) bytes; $(tail -n 1 /tmp/dd.err)"
		dmesg | tail -n 8
	elif ! dmesg | grep -qi "timed out"; then
		fail "$1" "md5 ok in ${secs}s but the kernel logged no timeout"
	else
		pass "$1" "a request held 9 s past -t 3: timed out, sent again on the new link, md5 ok (${secs}s)"
	fi
}
if need_applet nbd-attach && wait_server slow; then
	if dev=$(attach --persist -t 3 "$(uri slow)"); then
		slow_round 1
		slow_round 2
		slow_round 3
		nbd-detach "$dev"
	else
		fail "" "attach failed"
	fi
fi
