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

cat > "$W/90-bench.sh" <<'GUEST'
# Guest side: BENCH lines on the console.
now() { cut -d' ' -f1 /proc/uptime; }
# rd LABEL DEV: best of REPS 64 MiB reads, direct and buffered, in MiB/s.
rd() {
	wait_size "$2" || { echo "BENCH $1 error size-0"; return; }
	for mode in direct buffered; do
		best=0
		r=0
		while [ $r -lt "$REPS" ]; do
			echo 3 > /proc/sys/vm/drop_caches
			[ $mode = direct ] && fl=iflag=direct || fl=
			t0=$(now)
			dd if="$2" of=/dev/null bs=1M count=64 $fl 2>/dev/null
			t1=$(now)
			v=$(awk -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.1f", 64 / d }')
			best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
			r=$((r + 1))
		done
		echo "BENCH $1 $mode $best"
	done
}
rss() { awk '/^VmRSS/ { print $2 }' /proc/$1/status 2>/dev/null; }
U=$(uri mem)

# Fill the disk so reads move real data, not holes.
if d=$(attach "$U"); then
	dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct 2>/dev/null
	rd nbdbox "$d"; nbd-detach "$d"
fi
d=$(attach -C 4 "$U") && { rd nbdbox-C4 "$d"; nbd-detach "$d"; }
if d=$(attach --ioctl "$U"); then
	rd nbdbox-ioctl "$d"
	pid=$(cat /sys/block/${d#/dev/}/pid 2>/dev/null)
	echo "BENCH nbdbox-ioctl rss ${pid:+$(rss $pid)}"
	nbd-detach "$d"
fi
sleep 0.5
nbd-client -N bench "$H" "$P_mem" /dev/nbd10 >/tmp/nc.out 2>&1 &&
	{ rd nbd-client /dev/nbd10; nbd-client -d /dev/nbd10 >/dev/null 2>&1; } ||
	echo "BENCH nbd-client error $(tail -n1 /tmp/nc.out)"
nbd-client -N bench -C 4 "$H" "$P_mem" /dev/nbd11 >/tmp/nc.out 2>&1 &&
	{ rd nbd-client-C4 /dev/nbd11; nbd-client -d /dev/nbd11 >/dev/null 2>&1; } ||
	echo "BENCH nbd-client-C4 error $(tail -n1 /tmp/nc.out)"
nbd-client -L -N bench "$H" "$P_mem" /dev/nbd12 >/tmp/nc.out 2>&1 &&
	{ rd nbd-client-L /dev/nbd12
	  pid=$(cat /sys/block/nbd12/pid 2>/dev/null)
	  echo "BENCH nbd-client-L rss ${pid:+$(rss $pid)}"
	  nbd-client -d /dev/nbd12 >/dev/null 2>&1; } ||
	echo "BENCH nbd-client-L error $(tail -n1 /tmp/nc.out)"
pass "" done
GUEST

"$VMDIR/mkinitramfs.sh" "$W/initrd" "$BIN" "$W/vm.conf" "$W/90-bench.sh" -- /usr/sbin/nbd-client || exit 1
vm_boot 400 "$W/initrd"
on_line() { case $1 in *"BENCH "*) echo "${1#*BENCH }" >> "$W/bench" ;; esac; return 0; }
vm_read on_line
[ -s "$W/bench" ] || { echo "vm-read: no results; console tail:"; tail -n 20 "$W/console.log"; exit 1; }

awk '
$2 == "direct" || $2 == "buffered" { v[$1 " " $2] = $3; next }
$2 == "rss" { rss[$1] = $3; next }
$2 == "error" { print "vm-read: " $0 }
END {
	printf "vm-read: 64 MiB sequential read, MiB/s (best of reps; direct = iflag=direct bs=1M, buffered = page cache + readahead)\n"
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
	printf "  VmRSS: nbdbox ioctl daemon %s KiB, nbd-client -L %s KiB\n", rss["nbdbox-ioctl"], rss["nbd-client-L"]
}' "$W/bench"
