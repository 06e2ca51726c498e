#!/bin/bash
# Benchmark (not a test): in one VM boot, sequential read of 64 MiB from a
# device attached by nbdbox, then by Debian's nbd-client, same nbdkit
# server on the host; the ratio; -C 4 for both; resident memory of the
# ioctl-mode daemon vs nbd-client's (-L, which also stays resident).
# Prints results only. Env: NBDBOX=binary (default: make static),
# BENCH_REPS (default 3, best of).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/vm/host.sh"
vm_deps
vm_need nbd-client nbd-client

BIN=$(vm_nbdbox) || exit 1
srv_add mem "nbdkit -f -i 127.0.0.1 -p \$PORT memory 64M" || exit 1
vm_conf_servers
vm_conf REPS "${BENCH_REPS:-3}"
vm_conf SCN_TIMEOUT 560

cat > "$W/90-bench.sh" <<'GUEST'
# Guest side: BENCH lines on the console. Each round attaches every client
# in turn, so load from outside the VM hits them all alike; best of REPS.
now() { cut -d' ' -f1 /proc/uptime; }
mibs() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.1f", 64 / d }'; }
# rd LABEL DEV: one 64 MiB direct read and one buffered (cold cache).
rd() {
	wait_size "$2" || { echo "BENCH $1 error size-0"; return; }
	q=/sys/block/${2#/dev/}/queue
	echo "BENCH $1 queue lbs=$(cat $q/logical_block_size) max_sectors_kb=$(cat $q/max_sectors_kb) read_ahead_kb=$(cat $q/read_ahead_kb) nr_requests=$(cat $q/nr_requests)"
	for mode in direct buffered; do
		echo 3 > /proc/sys/vm/drop_caches
		[ $mode = direct ] && fl=iflag=direct || fl=
		t0=$(now)
		dd if="$2" of=/dev/null bs=1M count=64 $fl 2>/dev/null
		echo "BENCH $1 $mode $(mibs "$t0" "$(now)")"
	done
}
rss() { awk '/^VmRSS/ { print $2 }' /proc/$1/status 2>/dev/null; }
U=$(uri mem)
ncl() { # ncl LABEL DEV nbd-client OPTIONS...
	l=$1 d=$2; shift 2
	if nbd-client "$@" -N bench "$H" "$P_mem" "$d" >/tmp/nc.out 2>&1; then
		rd "$l" "$d"
		[ "$l" = nbd-client-L ] && echo "BENCH $l rss $(rss "$(cat /sys/block/${d#/dev/}/pid)")"
		nbd-client -d "$d" >/dev/null 2>&1
	else
		echo "BENCH $l error $(tail -n 1 /tmp/nc.out)"
	fi
	sleep 0.3
}
nb() { # nb LABEL nbd-attach OPTIONS...
	l=$1; shift
	if d=$(attach "$@" "$U"); then
		rd "$l" "$d"
		[ "$l" = nbdbox-ioctl ] && echo "BENCH $l rss $(rss "$(cat /sys/block/${d#/dev/}/pid)")"
		nbd-detach "$d"
	else
		echo "BENCH $l error attach"
	fi
	sleep 0.3
}

# Fill the disk so reads move real data, not holes.
d=$(attach "$U") && { dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct 2>/dev/null; nbd-detach "$d"; }
r=0
while [ $r -lt "$REPS" ]; do
	nb nbdbox
	ncl nbd-client /dev/nbd10
	nb nbdbox-C4 -C 4
	ncl nbd-client-C4 /dev/nbd11 -C 4
	nb nbdbox-ioctl --ioctl
	ncl nbd-client-L /dev/nbd12 -L
	r=$((r + 1))
done
pass "" done
GUEST

"$VMDIR/mkinitramfs.sh" "$W/initrd" "$BIN" "$W/vm.conf" "$W/90-bench.sh" -- /usr/sbin/nbd-client || exit 1
VM_SMP=${VM_SMP:-2} vm_boot 600 "$W/initrd"
on_line() { case $1 in *"BENCH "*) echo "${1#*BENCH }" >> "$W/bench" ;; esac; return 0; }
vm_read on_line
[ -s "$W/bench" ] || { echo "vm-read: no results; console tail:"; tail -n 20 "$W/console.log"; exit 1; }

awk '
$2 == "direct" || $2 == "buffered" { k = $1 " " $2; if ($3 > v[k]) v[k] = $3; next }
$2 == "queue" { $2 = ""; queue[$1] = $0; next }
$2 == "rss" { if ($3 > rss[$1]) rss[$1] = $3; next }
$2 == "error" { print "vm-read: " $0 }
END {
	printf "vm-read: 64 MiB sequential read from nbdkit memory, MiB/s, best of %d rounds (direct = iflag=direct bs=1M; buffered = cold page cache + readahead); guest -smp %d, TCG\n", reps, smp
	printf "  %-16s %9s %9s\n", "client", "direct", "buffered"
	n = split("nbdbox nbdbox-C4 nbdbox-ioctl nbd-client nbd-client-C4 nbd-client-L", c, " ")
	for (i = 1; i <= n; i++)
		if ((c[i] " direct") in v)
			printf "  %-16s %9s %9s\n", c[i], v[c[i] " direct"], v[c[i] " buffered"]
	split("direct buffered", m, " ")
	for (j = 1; j <= 2; j++) {
		b = v["nbd-client " m[j]]
		if (b > 0) {
			printf "  ratio nbdbox/nbd-client (%s): %.2f", m[j], v["nbdbox " m[j]] / b
			if (v["nbd-client-C4 " m[j]] > 0)
				printf "; -C 4: %.2f", v["nbdbox-C4 " m[j]] / v["nbd-client-C4 " m[j]]
			printf "; nbdbox -C 4 / nbd-client -C 1: %.2f\n", v["nbdbox-C4 " m[j]] / b
		}
	}
	for (i = 1; i <= n; i++)
		if (c[i] in queue) printf "  queue %s\n", queue[c[i]]
	printf "  VmRSS: nbdbox ioctl daemon %s KiB, nbd-client -L %s KiB\n", rss["nbdbox-ioctl"], rss["nbd-client-L"]
}' reps="${BENCH_REPS:-3}" smp="${VM_SMP:-2}" "$W/bench"
