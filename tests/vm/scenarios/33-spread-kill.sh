# vm-smp: 3
# A spread --persist device (-C 3 over sp0 sp1 sp2, -t 4) under a read
# loop (three readers pinned one per CPU, so every connection carries
# reads): sp1 killed in the middle - reads go on, every pass md5-right;
# the longest gap between reads is about the -t of the requests that were
# in flight on the dead connection; sp1 back - its connection goes home
# (nbd-probe) and carries reads again (counted on the host:
# 33-spread-kill.host).
# /tmp/loop.sh DEV K: read third K again and again until /tmp/stop; a
# stamp after each 512 KiB, an md5 after each whole pass.
cat > /tmp/loop.sh <<'LOOP'
while [ ! -e /tmp/stop ]; do
	i=0
	while [ $i -lt 86 ] && [ ! -e /tmp/stop ]; do
		dd if="$1" bs=64k skip=$(($2 * 86 + i)) count=8 iflag=direct 2>/dev/null
		cut -d' ' -f1 /proc/uptime >> /tmp/stamps.$2
		i=$((i + 8))
	done > /tmp/pass.$2
	[ -e /tmp/stop ] || md5sum < /tmp/pass.$2 | cut -d' ' -f1 >> /tmp/md5s.$2
done
LOOP
conn_line() { nbd-probe "$1" | sed -n "s/^connection $2 //p"; }
if need_applet nbd-attach && wait_server sp0 && wait_server sp1 && wait_server sp2; then
	rm -f /tmp/stop /tmp/stamps.* /tmp/md5s.* /tmp/pass.*
	if dev=$(attach -C 3 --persist -t 4 --alt "$H:$P_sp1" --alt "$H:$P_sp2" "$(uri sp0)"); then
		ncpu=$(nproc)
		for k in 0 1 2; do taskset -c $((k % ncpu)) sh /tmp/loop.sh "$dev" $k & done
		sleep 3
		t0=$(cut -d' ' -f1 /proc/uptime)
		host_signal stop-server sp1
		sleep 8
		n=$(cat /tmp/stamps.* | awk -v t="$t0" '$1 > t + 5' | wc -l)
		[ "$n" -gt 0 ] && pass reads-go-on "$n reads of 512 KiB in the 3 s after the kill + 5 s" ||
			fail reads-go-on "no read finished 5 s after the kill"
		c=$(conn_line "$dev" 2)
		case $c in *"(away)"*) pass fallback "connection 2 meanwhile on $c" ;;
			*) fail fallback "connection 2: '$c'" ;; esac
		host_signal start-server sp1
		i=0
		until [ "$(conn_line "$dev" 2)" = "$H:$P_sp1" ]; do
			i=$((i + 1)); [ $i -ge 60 ] && break
			sleep 0.5
		done
		[ $i -lt 60 ] && pass home "connection 2 back on sp1 ($H:$P_sp1) after $((i / 2)) s" ||
			fail home "connection 2: '$(conn_line "$dev" 2)'"
		# Longer than -t: on a device never quiet (a loaded host) the
		# connection is retired at once, and the requests it had in
		# flight wait for -t 4 before they run again (attach-spread.c,
		# go_home); 3 s saw none of sp1's reads once (make check beside
		# another VM, home after 20 s, that reader's gap 4.4 s).
		host_signal count-reads back-before sp1
		sleep 8
		host_signal count-reads back-after sp1
		touch /tmp/stop
		wait
		maxgap() { sort -n "$@" | awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { printf "%.1f", g }'; }
		gap=$(maxgap /tmp/stamps.*)
		gaps="$(maxgap /tmp/stamps.0) $(maxgap /tmp/stamps.1) $(maxgap /tmp/stamps.2)"
		echo "spread-kill: longest gap between reads ${gap}s; per reader (connection 1 2 3): $gaps (-t 4)"
		# every pass of every third: one md5 each third, the image's
		bad=0 passes=0
		for k in 0 1 2; do
			[ "$(sort -u /tmp/md5s.$k | wc -l)" = 1 ] || bad=1
			passes=$((passes + $(wc -l < /tmp/md5s.$k)))
		done
		got=$(for k in 0 1 2; do dd if="$dev" bs=64k skip=$((k * 86)) count=86 iflag=direct 2>/dev/null; done |
			head -c 16777216 | md5sum | cut -d' ' -f1)
		[ $bad = 0 ] && [ "$got" = "$SPREAD_MD5" ] &&
			pass md5 "$passes passes, each third always the same md5; whole device md5 ok; longest gap ${gap}s, per reader $gaps" ||
			fail md5 "md5 differs between passes ($bad) or whole $got, want $SPREAD_MD5"
		nbd-detach "$dev"
	else
		fail "" "attach failed"
	fi
	rm -f /tmp/stop /tmp/stamps.* /tmp/md5s.* /tmp/pass.*
fi
