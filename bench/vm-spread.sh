#!/bin/bash
# Benchmark (not a test): one read-only image on three nbdkit servers, each
# capped at SPREAD_RATE (default 64M bits/s, the rate filter: a server
# that is the bottleneck, as a loaded one on a real network; burstiness
# 0.5 s). Image 96 MiB. In one VM
# boot (-smp 3, TCG): 48 MiB read by three readers pinned one per CPU from
# a device attached -C 3 over 1, 2 and 3 servers; best of BENCH_REPS
# (default 2). On the host: nbd-copy of the image from 1 and from 3
# servers (--alt). Prints results only. Env: NBDBOX=binary (default: make
# static), SPREAD_RATE, BENCH_REPS.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/vm/host.sh"
vm_deps

BIN=$(vm_nbdbox) || exit 1
RATE=${SPREAD_RATE:-64M}
dd if=/dev/urandom of="$W/img" bs=1M count=96 2>/dev/null
for s in b0 b1 b2; do
	srv_add $s "nbdkit -f -r -i 127.0.0.1 -p \$PORT --filter=rate file $W/img rate=$RATE burstiness=0.5" || exit 1
done
vm_conf_servers
vm_conf REPS "${BENCH_REPS:-2}"
vm_conf SCN_TIMEOUT 560

cat > "$W/90-bench.sh" <<'GUEST'
now() { cut -d' ' -f1 /proc/uptime; }
rd() { # LABEL nbd-attach ALTS...: 48 MiB, three pinned readers of 16 MiB
	l=$1; shift
	d=$(attach -C 3 "$@" "$(uri b0)") || { echo "BENCH $l error attach"; return; }
	t0=$(now)
	for k in 0 1 2; do
		taskset -c $k dd if="$d" of=/dev/null bs=256k skip=$((k * 64)) count=64 iflag=direct 2>/dev/null &
	done
	wait
	echo "BENCH $l $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", 48 / (b - a) }')"
	nbd-detach "$d"
	sleep 1    # the rate filter's bucket refills (burstiness 0.5 s)
}
r=0
while [ $r -lt "$REPS" ]; do
	rd 1-server
	rd 2-servers --alt "$H:$P_b1"
	rd 3-servers --alt "$H:$P_b1" --alt "$H:$P_b2"
	r=$((r + 1))
done
pass "" done
GUEST

"$VMDIR/mkinitramfs.sh" "$W/initrd" "$BIN" "$W/vm.conf" "$W/90-bench.sh" || exit 1
VM_SMP=3 vm_boot 600 "$W/initrd"
on_line() { case $1 in *"BENCH "*) echo "${1#*BENCH }" >> "$W/bench" ;; esac; return 0; }
vm_read on_line
[ -s "$W/bench" ] || { echo "vm-spread: no results; console tail:"; tail -n 20 "$W/console.log"; exit 1; }
awk '$2 == "error" { print "vm-spread: " $0; next }
{ if ($2 > v[$1]) v[$1] = $2 }
END {
	printf "vm-spread: 48 MiB read by 3 pinned readers from -C 3, servers capped at %s bit/s each, MiB/s (best of %d; -smp 3, TCG)\n", rate, reps
	split("1-server 2-servers 3-servers", c, " ")
	for (i = 1; i <= 3; i++) printf "  %-10s %6s\n", c[i], v[c[i]]
}' rate="$RATE" reps="${BENCH_REPS:-2}" "$W/bench"

# nbd-copy on the host: from one server, then from three.
sleep 3
cp1() { # ALTS...
	t0=$(date +%s.%N)
	"$TOP/nbdbox" nbd-copy -C 3 "$@" "nbd://127.0.0.1:$PORT_b0/" "$W/out.img" || return
	cmp -s "$W/img" "$W/out.img" || { echo "vm-spread: nbd-copy: the copy differs"; return; }
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", 96 / (b - a) }'
}
make -C "$TOP" >/dev/null 2>&1
one=$(cp1); sleep 3
three=$(cp1 --alt "127.0.0.1:$PORT_b1" --alt "127.0.0.1:$PORT_b2")
echo "nbd-copy (host) 96 MiB, -C 3: from 1 server ${one} MiB/s, from 3 servers ${three} MiB/s"
