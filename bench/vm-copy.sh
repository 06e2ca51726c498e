#!/bin/bash
# Benchmark (not a test): in one VM boot, 64 MiB from the same nbdkit
# memory export on the host, read three ways inside the guest: dd from a
# device attached with nbd-attach (the kernel's nbd driver), and nbd-copy
# to /dev/null (user space, no driver), with 1 and 4 connections. MiB/s,
# best of rounds. Prints results only. Env: NBDBOX=binary (default: make
# static), BENCH_REPS (default 3).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/vm/host.sh"
vm_deps

BIN=$(vm_nbdbox) || exit 1
srv_add mem "nbdkit -f -i 127.0.0.1 -p \$PORT memory 64M" || exit 1
vm_conf_servers
vm_conf REPS "${BENCH_REPS:-3}"
vm_conf SCN_TIMEOUT 560

cat > "$W/90-bench.sh" <<'GUEST'
now() { cut -d' ' -f1 /proc/uptime; }
mibs() { awk -v a="$1" -v b="$2" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.1f", 64 / d }'; }
U=$(uri mem)
# Fill the export so reads move real data, not holes.
d=$(attach "$U") && { dd if=/dev/urandom of="$d" bs=1M count=64 oflag=direct 2>/dev/null; nbd-detach "$d"; }
r=0
while [ $r -lt "$REPS" ]; do
	if d=$(attach "$U"); then
		wait_size "$d"
		t0=$(now)
		dd if="$d" of=/dev/null bs=1M count=64 iflag=direct 2>/dev/null
		echo "BENCH dd-direct $(mibs "$t0" "$(now)")"
		nbd-detach "$d"
	else
		echo "BENCH dd error attach"
	fi
	sleep 0.3
	for c in 1 4; do
		t0=$(now)
		if nbd-copy -C $c "$U" /dev/null 2>/tmp/copy.err; then
			echo "BENCH nbd-copy-C$c $(mibs "$t0" "$(now)")"
		else
			echo "BENCH nbd-copy-C$c error $(tail -n 1 /tmp/copy.err)"
		fi
	done
	r=$((r + 1))
done
pass "" done
GUEST

"$VMDIR/mkinitramfs.sh" "$W/initrd" "$BIN" "$W/vm.conf" "$W/90-bench.sh" || exit 1
VM_SMP=${VM_SMP:-2} vm_boot 600 "$W/initrd"
on_line() { case $1 in *"BENCH "*) echo "${1#*BENCH }" >> "$W/bench" ;; esac; return 0; }
vm_read on_line
[ -s "$W/bench" ] || { echo "vm-copy: no results; console tail:"; tail -n 20 "$W/console.log"; exit 1; }
awk '
$2 == "error" { print "vm-copy: " $0; next }
{ if ($2 > v[$1]) v[$1] = $2 }
END {
	printf "vm-copy: 64 MiB from nbdkit memory into /dev/null inside the guest, MiB/s, best of %d rounds; guest -smp %d, TCG\n", reps, smp
	n = split("dd-direct nbd-copy-C1 nbd-copy-C4", c, " ")
	for (i = 1; i <= n; i++) if (c[i] in v) printf "  %-14s %8s\n", c[i], v[c[i]]
	if (v["dd-direct"] > 0)
		printf "  ratio nbd-copy/dd over /dev/nbdX: %.2f (-C 4: %.2f)\n", v["nbd-copy-C1"] / v["dd-direct"], v["nbd-copy-C4"] / v["dd-direct"]
}' reps="${BENCH_REPS:-3}" smp="${VM_SMP:-2}" "$W/bench"
