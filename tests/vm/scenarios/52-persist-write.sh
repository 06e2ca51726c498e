# --persist: the server is SIGKILLed and restarted in the middle of a
# 16 MiB direct write stream (conv=fsync), with one connection and with
# -C 4. The writer sees no error, and every byte is in the server's file
# afterwards: read back through a fresh attach (no --persist) of the
# restarted server, which reads the file. The delay filter (20 ms a
# write) makes the stream last long enough for the kill to land in it.
pw_run() { # SUB SEEK_MIB [nbd-attach OPTIONS]
	sub=$1 seek=$2; shift 2
	wait_server pw || { fail "$sub" "server pw not up"; return; }
	dev=$(attach --persist "$@" "$(uri pw)") || { fail "$sub" "attach failed"; return; }
	dd if=/tmp/pattern.16 of="$dev" bs=64k seek=$((seek * 16)) oflag=direct conv=fsync 2>/tmp/dd.err &
	wr=$!
	sleep 1
	t0=$(cut -d' ' -f1 /proc/uptime)
	host_signal restart-server pw 3
	wait $wr
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	nbd-detach "$dev"
	wait_server pw
	dev=$(attach "$(uri pw)") || { fail "$sub" "re-attach failed"; return; }
	got=$(dd if="$dev" bs=1M skip="$seek" count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	nbd-detach "$dev"
	if [ $rc != 0 ]; then
		fail "$sub" "the writer saw an error: $(tail -n 1 /tmp/dd.err)"
	elif [ "$got" != "$want" ]; then
		fail "$sub" "server's file md5 $got, want $want"
	elif awk -v s="$secs" 'BEGIN { exit !(s < 3) }'; then
		fail "$sub" "the write ended ${secs}s after the kill request: it did not span the outage"
	else
		pass "$sub" "16 MiB written across a server SIGKILL (ended ${secs}s after it), md5 of the server's file ok"
	fi
}
if need_applet nbd-attach; then
	want=$(md5of "$(pattern 16)" 16)
	pw_run single 0
	pw_run c4 32 -C 4
fi
