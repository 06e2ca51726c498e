#!/bin/bash
# The VM tests: boot Debian 12's kernel under qemu (TCG) with an initramfs
# of busybox, the nbd modules and the static nbdbox; the guest runs every
# scenario in tests/vm/scenarios/ against servers on the host's loopback
# and reports RESULT lines on the console; this script folds them into
#   vm: N passed, N failed
#   run.sh [SCENARIO...]     (names without NN- and .sh; default all)
# Env: NBDBOX=binary (default: make static), VM_TIMEOUT (s, default 900),
# VM_VERBOSE=1 (whole console), VM_KEEP=1 (keep the work dir).
# ARCH=arm64|armhf|s390x: that CPU's Debian kernel under qemu-system, its
# busybox-static and nbdbox built for it; the scenarios of VM_ARCH_SCN
# below (by name) unless named on the command line; the suite line is
# then `vm-ARCH: N passed, N failed`.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/vm/host.sh"
vm_deps

fail_setup() { echo "${SUITE:-vm}: setup: $*" >&2; echo "${SUITE:-vm}: 0 passed, 1 failed"; exit 1; }

# ---- scenarios to run
# Other CPUs: what differs there (netlink attributes in a big-endian
# kernel's byte order, 32-bit ioctl sizes, kTLS crypto_info, the TLS
# ciphers' modules, the resident's syscalls), not every scenario again.
# By name: a new scenario for these kernels is one word here.
VM_ARCH_SCN="smoke netlink ioctl big multiconn detach-probe persist tls tls-ciphers sandbox sandbox-log"
SUITE=vm
if [ "$ARCH" != amd64 ]; then
	SUITE=vm-$ARCH
	[ $# -gt 0 ] || set -- $VM_ARCH_SCN
	for n in "$@"; do
		ls "$VMDIR"/scenarios/[0-9][0-9]-"$n".sh >/dev/null 2>&1 || fail_setup "no scenario '$n'"
	done
fi
SCN_FILES=""
for f in "$VMDIR"/scenarios/[0-9][0-9]-*.sh; do
	n=${f##*/}; n=${n%.sh}; n=${n#[0-9][0-9]-}
	if [ $# -gt 0 ]; then
		case " $* " in *" $n "*) ;; *) continue ;; esac
	fi
	SCN_FILES="$SCN_FILES $f"
done
[ -n "$SCN_FILES" ] || fail_setup "no scenario matches: $*"
# CPUs: as many as the most any chosen scenario asks for in a line
# `# vm-smp: N` (the nbd driver puts each CPU's I/O on its own hardware
# queue, that is, its own connection), unless VM_SMP says.
if [ -z "${VM_SMP:-}" ]; then
	VM_SMP=1
	for f in $SCN_FILES; do
		n=$(sed -n 's/^# vm-smp: \([0-9]*\)$/\1/p' "$f")
		[ -n "$n" ] && [ "$n" -gt "$VM_SMP" ] && VM_SMP=$n
	done
fi

# ---- host servers (127.0.0.1 only)
BIN=$(vm_nbdbox) || fail_setup "make static failed"
NBDBOX_TLS=$(vm_nbdbox_tls) || fail_setup "make static-tls failed"
export NBDBOX_TLS
truncate -s 64M "$W/nbd-server.img" && chmod 666 "$W/nbd-server.img"
cat > "$W/nbd-server.conf" <<CONF
[generic]
listenaddr = 127.0.0.1
port = PORT
allowlist = true
[disk]
exportname = $W/nbd-server.img
CONF
qemu-img create -q -f qcow2 "$W/qemu.qcow2" 64M
# The --persist image: random data the guest checks by md5 after the host
# restarts the server under it; the delay filter makes the read last
# seconds so the restart lands in the middle.
dd if=/dev/urandom of="$W/persist.img" bs=1M count=16 2>/dev/null

NBDKIT="nbdkit -f -i 127.0.0.1 -p \$PORT"
srv_add mem "$NBDKIT memory 64M" || fail_setup "nbdkit"
srv_add ro "$NBDKIT -r memory 16M" || fail_setup "nbdkit -r"
srv_add nomc "$NBDKIT --filter=multi-conn memory 64M multi-conn-mode=disable" ||
	fail_setup "nbdkit multi-conn filter"
srv_add nbdsrv "sed \"s/^port = .*/port = \$PORT/\" $W/nbd-server.conf > $W/nbd-server.conf.run &&
	nbd-server -C $W/nbd-server.conf.run -p $W/nbdsrv.pid" || fail_setup "nbd-server"
srv_add qemu "qemu-nbd -f qcow2 -x disk -b 127.0.0.1 -p \$PORT -t --fork --pid-file=$W/qemu.pid $W/qemu.qcow2" ||
	fail_setup "qemu-nbd"
srv_add persist "$NBDKIT --filter=delay file $W/persist.img rdelay=20ms" || fail_setup "nbdkit file"
# Faults in the data path (scenarios 52-56, 80): EIO at a rate on reads
# (of the persist image, checked against a clean server of the same file)
# and on writes; a write stream across a SIGKILL of the server; a request
# held beyond the kernel's timeout (once, when the guest touches the flag);
# a server that comes back as another export.
srv_add errr "$NBDKIT -r --filter=error file $W/persist.img error=EIO error-pread-rate=0.25" ||
	fail_setup "nbdkit error filter"
srv_add clean "$NBDKIT -r file $W/persist.img" || fail_setup "nbdkit file -r"
srv_add errw "$NBDKIT --filter=error memory 16M error=EIO error-pwrite-rate=0.25" ||
	fail_setup "nbdkit error filter (writes)"
truncate -s 64M "$W/pw.img"
srv_add pw "$NBDKIT --filter=delay file $W/pw.img wdelay=20ms" || fail_setup "nbdkit file (writes)"
dd if=/dev/urandom of="$W/slow.img" bs=1M count=4 2>/dev/null
srv_add slow "$NBDKIT eval get_size='echo 4194304' thread_model='echo parallel' \
	pread='if [ -e $W/slow.flag ]; then rm -f $W/slow.flag; sleep 9; fi; dd if=$W/slow.img skip=\$4 count=\$3 iflag=skip_bytes,count_bytes status=none'" ||
	fail_setup "nbdkit eval (slow)"
srv_add kres "$NBDKIT memory 16M" || fail_setup "nbdkit memory (resident)"
srv_add sandbox "$NBDKIT memory 16M" || fail_setup "nbdkit memory (sandbox)"
# scenarios/42-big.sh: 3 TiB, and 2 TiB + 512 (no block size fits 32 bits).
srv_add big "$NBDKIT memory 3T" && srv_add bigodd "$NBDKIT memory 2199023256064" ||
	fail_setup "nbdkit memory (big)"
# Spreading (scenarios 3x-spread*): one read-only image on three servers,
# each logging its requests (count-reads); spbig, a server of another
# export to swap in.
dd if=/dev/urandom of="$W/spread.img" bs=1M count=16 2>/dev/null
for s in sp0 sp1 sp2; do
	srv_add $s "$NBDKIT -r --filter=log file $W/spread.img logfile=$W/$s.reqlog logappend=true" ||
		fail_setup "nbdkit file -r (spread)"
done
ALTCMD_spbig="$NBDKIT -r --filter=log memory 32M logfile=$W/sp2.reqlog logappend=true"
ALTCMD_sp2="$SRVCMD_sp2"
ALTCMD_chg16="$NBDKIT memory 16M"
ALTCMD_chg32="$NBDKIT memory 32M"
ALTCMD_chgro="$NBDKIT -r memory 16M"
srv_add chg "$ALTCMD_chg16" || fail_setup "nbdkit memory (changing)"
# /etc/nbdtab and Debian's nbd@.service (scenario nbdtab): two exports of
# random data, and the unit's own ExecStart/ExecStop lines.
dd if=/dev/urandom of="$W/tab1.img" bs=1M count=4 2>/dev/null
dd if=/dev/urandom of="$W/tab2.img" bs=1M count=2 2>/dev/null
srv_add tab1 "$NBDKIT --filter=exportname file $W/tab1.img exportname=root exportname-strict=true" &&
	srv_add tab2 "$NBDKIT --filter=exportname file $W/tab2.img exportname=disk exportname-strict=true" ||
	fail_setup "nbdkit file (nbdtab)"
[ -f "$VMDIR/tls-setup.sh" ] && . "$VMDIR/tls-setup.sh"
vm_conf_servers
vm_conf TAB1_MD5 "$(md5sum < "$W/tab1.img" | cut -d' ' -f1)"
vm_conf TAB2_MD5 "$(md5sum < "$W/tab2.img" | cut -d' ' -f1)"
unit=/lib/systemd/system/nbd@.service
[ -f $unit ] && vm_conf UNIT_START "$(sed -n 's/^ExecStart=//p' $unit)" &&
	vm_conf UNIT_STOP "$(sed -n 's/^ExecStop=//p' $unit)"
vm_conf PERSIST_MD5 "$(md5sum < "$W/persist.img" | cut -d' ' -f1)"
vm_conf PERSIST_MIB 16
vm_conf SLOW_MD5 "$(md5sum < "$W/slow.img" | cut -d' ' -f1)"
# -C 2 on the other CPUs (as tried by hand there), 4 on amd64.
[ "$ARCH" = amd64 ] || { vm_conf MC_N 2; vm_conf SCN_TIMEOUT 180; }
# s390x: qemu's user network delivers no FIN when the host's server dies,
# so requests in flight wait for the timeout: a short one, and the test is
# the reconnect (md5), not how soon the kill was seen.
[ "$ARCH" = s390x ] && vm_conf PERSIST_OPTS "-t 10"
vm_conf SPREAD_MD5 "$(md5sum < "$W/spread.img" | cut -d' ' -f1)"

# ---- initramfs and boot
"$VMDIR/mkinitramfs.sh" "$W/initrd" "$BIN" "$W/vm.conf" $SCN_FILES ||
	fail_setup "mkinitramfs"
start=$(date +%s)
vm_boot "${VM_TIMEOUT:-900}" "$W/initrd"

on_line() {
	case $1 in
	*RESULT\ *) echo "${1#*RESULT }" | sed 's/^/  /' ;;
	*) [ -n "${VM_VERBOSE:-}" ] && echo "    | $1" ;;
	esac
	return 0
}
vm_read on_line
rc=$?
secs=$(( $(date +%s) - start ))

# ---- fold
# A guest that printed nothing (qemu did not start, or hung before init)
# leaves no log: count from an empty one, so the suite line still reads
# "N passed, N failed" (below, "did not finish" says why).
touch "$W/console.log"
pass=$(grep -c 'RESULT [^ ]* PASS' "$W/console.log")
failn=$(grep -c 'RESULT [^ ]* FAIL' "$W/console.log")
skip=$(grep -c 'RESULT [^ ]* SKIP' "$W/console.log")
# persist-changed: the resident's refusal on the console it was started
# from, a line of its own (not the kernel's, which have "[ time]" and stay
# below loglevel 3 here).
case "$SCN_FILES" in *persist-changed*)
	if grep -v '^\[' "$W/console.log" | grep -q 'nbd-attach\[[0-9]*\]: /dev/nbd[0-9]*: reconnect: .*not handing it to the kernel'; then
		echo "  persist-changed-console PASS the refusal reached the console"; pass=$((pass + 1))
	else
		echo "  persist-changed-console FAIL no refusal line on the console"; failn=$((failn + 1))
	fi ;;
esac
# Checks made on the host after the run: a scenario's NN-name.host file
# (sourced) reads the console log and calls host_check.
host_check() { # NAME PASS|FAIL DETAIL
	echo "  $1 $2 $3"
	if [ "$2" = PASS ]; then pass=$((pass + 1)); else failn=$((failn + 1)); fi
}
for f in $SCN_FILES; do
	[ -f "${f%.sh}.host" ] && . "${f%.sh}.host"
done
for f in $SCN_FILES; do
	n=${f##*/}; n=${n%.sh}; n=${n#[0-9][0-9]-}
	# init closes every scenario it ran with VM-END, after reporting it.
	grep -q "^VM-END $n " "$W/console.log" && continue
	echo "  $n FAIL no result (VM ended or timed out)"
	failn=$((failn + 1))
done
grep -q VM-DONE "$W/console.log" || {
	echo "$SUITE: the guest did not finish (qemu exit $rc after ${secs}s); console tail:"
	tail -n 25 "$W/console.log" | sed 's/^/    | /'
	[ -s "$W/qemu.err" ] && sed 's/^/    qemu: /' "$W/qemu.err" | tail -n 5
	[ "$failn" -gt 0 ] || failn=1
}
mkdir -p "$TOP/build" && cp "$W/console.log" "$TOP/build/$SUITE-console.log"
[ "$failn" -gt 0 ] && echo "$SUITE: full console in build/$SUITE-console.log"
echo "$SUITE: boot and scenarios took ${secs}s"
# tests/run-all.sh reads exactly `vm: N passed, N failed` as the last line.
[ "$skip" -gt 0 ] && echo "$SUITE: $skip skipped (this nbdbox lacks the applets)"
echo "$SUITE: $pass passed, $failn failed"
# Exit 75: the guest printed nothing at all (qemu did not start, or the
# kernel hung before init): tests/vm/arches.sh boots such a lane once more.
[ -s "$W/console.log" ] || exit 75
[ "$failn" -eq 0 ]
