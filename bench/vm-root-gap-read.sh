#!/bin/bash
# Issue 9: "After the server returns, I/O resumes within 1 second", with
# reads, and the pace of connection attempts while the server is down.
#   bench/vm-root-gap-read.sh [BOOT]      (default bb-read)
# The boot (tests/vm/root/run.sh, vmio=read): the root's init reads 4 KiB
# of its own device with O_DIRECT (busybox dd iflag=direct, so each read
# reaches the server) every 0.2 s for 40 s, and notes the time after each
# read in a tmpfs ("line K UPTIME", copied into the root at the end); the
# host SIGKILLs nbdkit at 4 s and starts it again 10 s later. The longest
# gap between two reads minus the 10 s is the stall beyond the outage
# (bench/vm-root-gap.sh reads build/vmroot-BOOT.lines).
# Attempts: while nbdkit is down, a listener here takes its port (it binds
# as soon as the port is free, for 9.0 s, then lets nbdkit have it back)
# and counts the connections the guest's client opens (each reaches it
# through qemu's guestfwd relay), accepting and closing each one; then it
# polls until the server accepts again. Holding the port makes the
# harness's srv_stop wait up to 2.5 s more (it waits until nobody
# listens), so the outage is longer than 10 s: the listener measures it
# (from its bind to the server's first accept, 10 ms polls), and the stall
# is each outage's gap minus that outage.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BOOT=${1:-bb-read}
OUT=$TOP/build/vm-root-gap-read
mkdir -p "$OUT"
: > "$OUT/accepts"
bash "$TOP/tests/vm/root/run.sh" "$BOOT" > "$OUT/run.log" 2>&1 &
run=$!
port=
while kill -0 $run 2>/dev/null && [ -z "$port" ]; do
	port=$(ps -eo args | grep -a "nbdkit .*/$BOOT.img" | grep -v grep |
		sed -n 's/.* -p \([0-9]*\) .*/\1/p' | head -n 1)
	sleep 0.2
done
[ -n "$port" ] || { echo "no nbdkit for $BOOT" >&2; cat "$OUT/run.log"; exit 1; }
python3 - "$port" "$OUT/accepts" $run <<'PY' &
import os, socket, sys, time
port, out, ppid = int(sys.argv[1]), open(sys.argv[2], "a"), int(sys.argv[3])
def alive():
    try:
        os.kill(ppid, 0); return True
    except OSError:
        return False
def up():  # someone (nbdkit) accepts on the port
    c = socket.socket()
    try:
        c.connect(("127.0.0.1", port)); return True
    except OSError:
        return False
    finally:
        c.close()
while alive():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close(); time.sleep(0.01); continue
    s.listen(64); t0 = time.time(); n = 0
    while time.time() - t0 < 9.0:
        s.settimeout(max(0.01, 9.0 - (time.time() - t0)))
        try:
            c, _ = s.accept(); n += 1; c.close()
            out.write("accept %.3f\n" % (time.time() - t0)); out.flush()
        except socket.timeout:
            pass
    s.close()
    # Then wait for the server's return (a connect that succeeds).
    while alive() and not up():
        time.sleep(0.01)
    out.write("window 9.0 s: %d connections, %.2f a second; outage %.2f s\n"
              % (n, n / 9.0, time.time() - t0)); out.flush()
PY
lis=$!
wait $run
kill $lis 2>/dev/null
grep -e 'vmroot:' -e "$BOOT-" "$OUT/run.log" | tail -n 25
echo "# connection attempts while the server was down (the windows after the boot's end are the boot's own srv_stop: ignore those with 0)"
grep -e '^window' "$OUT/accepts"
echo "# gaps (guest: after each read) minus the outage (host: the listener)"
bash "$TOP/bench/vm-root-gap.sh" "$TOP/build/vmroot-$BOOT.lines"
sed -n 's/.*outage \([0-9.]*\) s$/\1/p' "$OUT/accepts" > "$OUT/outages"
awk 'NR == FNR { o[++no] = $1; next }
	{ t = $3 + 0; if (FNR > 1 && t - p > 5) { k++; printf "outage %d: gap %.2f s, outage %.2f s, stall %.2f s\n", k, t - p, o[k], t - p - o[k] } p = t }' \
	"$OUT/outages" "$TOP/build/vmroot-$BOOT.lines"
