#!/bin/bash
# Run every test suite; each ends its output with `NAME: N passed, N failed`.
# Sum them and end with the total line `N passed, N failed`; exit non-zero
# if anything failed. A suite that ends without its line counts as one
# failure (it crashed, or hung until its time limit).
#
#   NBDBOX_SKIP_VM=1     skip tests/vm/run.sh, tests/vm/arches.sh and
#                        tests/vm/root/run.sh
#   NBDBOX_SKIP_VMROOT=1 skip only the real-root boots (tests/vm/root/run.sh)
#   NBDBOX_CHECK_ALL=1   (make check-all) every real-root boot; without it
#                        the boots of VMROOT_CHECK below
#   VM_ARCHES="armhf s390x arm64"  the other CPUs' kernels (tests/vm/arches.sh;
#                        "" for none)
#   CROSS_ARCHES="s390x armhf"  make check-cross for these ("" for none):
#                        a 64-bit big-endian CPU and a 32-bit one
#   NBDBOX_SKIP_VALGRIND=1  skip the shell suites under valgrind
#   NBDBOX_SKIP_PKG=1    skip the Debian package suite (tests/pkg/run.sh)
#   SUITE_TIMEOUT=SECS   per-suite limit (default 1200; the VM suite 3000)
cd "$(dirname "$0")/.." || exit 1

total_pass=0 total_fail=0 summary= why=
log=$(mktemp /tmp/nbdbox-run-all.XXXXXX)
trap 'rm -f "$log"' EXIT

# run_suite NAME LIMIT CMD...: stream the output, then take the suite's
# last `NAME: N passed, N failed` line.
run_suite() {
	local name=$1 limit=$2 line p f rc t0=$SECONDS
	shift 2
	echo "==== $name: $*"
	timeout -k 10 "$limit" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[A-Za-z0-9_.+-]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<< "$line")
		f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<< "$line")
		# A suite whose counts say 0 failed yet exits non-zero broke
		# somewhere its counts cannot see.
		if [ "$f" -eq 0 ] && [ "$rc" -ne 0 ]; then
			echo "$name: exit status $rc despite 0 failures: counting 1 failed"
			f=1
		fi
	else
		[ "$rc" -eq 124 ] && echo "$name: timed out after ${limit}s"
		echo "$name: no result line (exit status $rc): counting 1 failed"
		p=0 f=1 line="$name: 0 passed, 1 failed (no result line)"
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary="$summary  $line ($((SECONDS - t0)) s)"$'\n'
	# Why, for the end of the run (where a CI log's tail shows it): the
	# suite's first lines that name a failure.
	[ "$f" -gt 0 ] && why="$why$(grep -E 'FAIL|ASSERT|no result|setup:|did not finish|qemu:|timed out|failed \(|Error|error:' "$log" |
		grep -vE ': [0-9]+ passed, [0-9]+ failed$' | head -n 8 | cut -c1-200 | sed "s/^/  $name| /")"$'\n'
}

limit=${SUITE_TIMEOUT:-1200}

if make -n unit > /dev/null 2>&1; then
	run_suite unit "$limit" make --no-print-directory unit
fi
if make -n fuzz-replay > /dev/null 2>&1; then
	run_suite fuzz "$limit" make --no-print-directory fuzz-replay
fi
for t in tests/shell/test_*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	run_suite "${n#test_}" "$limit" bash "$t"
done
# The Debian package: built, installed into a Debian 12 root with and
# without Debian's nbd-client, purged (tests/pkg/run.sh, about 2.5 min).
if [ -f tests/pkg/run.sh ]; then
	if [ "${NBDBOX_SKIP_PKG:-0}" = 1 ]; then
		echo "==== pkg: skipped (NBDBOX_SKIP_PKG=1)"
	else
		run_suite pkg "$limit" bash tests/pkg/run.sh
	fi
fi
# The TLS suite once more on the static musl build with the small wolfSSL
# (make static), the binary make install installs and the VM runs.
if [ -x nbdbox.static ]; then
	run_suite tls-static "$limit" env NBDBOX="$PWD/nbdbox.static" SUITE=tls-static \
		bash tests/shell/test_tls.sh
fi
# The small profile (make small: no TLS) where a build without TLS
# behaves otherwise: nbds:// and --tls refused, --help says so.
if [ -x nbdbox.small ]; then
	for s in nbd_probe multicall; do
		run_suite "$s-small" "$limit" env NBDBOX="$PWD/nbdbox.small" SUITE="$s-small" \
			bash "tests/shell/test_$s.sh"
	done
fi
for a in ${CROSS_ARCHES-s390x armhf}; do
	run_suite "cross-$a" "$limit" tests/cross/check.sh "$a"
done
# The same suites once more under valgrind memcheck (tests/shell/valgrind.sh).
if [ "${NBDBOX_SKIP_VALGRIND:-0}" = 1 ]; then
	echo "==== valgrind: skipped (NBDBOX_SKIP_VALGRIND=1)"
else
	run_suite valgrind "$limit" bash tests/shell/valgrind.sh
fi
if [ -f tests/vm/run.sh ]; then
	if [ "${NBDBOX_SKIP_VM:-0}" = 1 ]; then
		echo "==== vm: skipped (NBDBOX_SKIP_VM=1)"
	else
		run_suite vm "${VM_TIMEOUT:-3000}" bash tests/vm/run.sh
		if [ -n "${VM_ARCHES-armhf s390x arm64}" ]; then
			run_suite vm-arches "${VM_TIMEOUT:-3000}" bash tests/vm/arches.sh ${VM_ARCHES-armhf s390x arm64}
		fi
	fi
fi
# The real-root boots in make check, chosen by what only a boot shows (the
# forms of nbdroot=/root= each script parses are unit-tested): Debian's
# mkinitramfs and dracut scripts with a server restart, contrib's hook and
# module (--cmdline), a partitioned disk, nbdopts' block size, a host name
# that switch_root deletes, TLS, failover, and the Debian systemd root
# (mkinitramfs, a reboot). make check-all boots every form, and sd-dr: the
# systemd root through dracut (about 5 min more). Its nbdtab data disk
# failed to attach at boot on a loaded machine in 2 of 2 runs (nbd-attach's
# 10 s handshake timeout in nbd@nbd1); since nbd@.service gives -T 30
# --wait 60 it passed (18 of 18, 2026-12-07 late, beside a make check
# run), once: not yet enough runs to make it a gate, nor time to spare.
VMROOT_CHECK="it-3field dr-name itcl-uri drcl-name bb-part bb-dropts bb-uri bb-tls bb-failover sd-it sd-reboot"
[ "${NBDBOX_CHECK_ALL:-0}" = 1 ] && VMROOT_CHECK=
if [ -f tests/vm/root/run.sh ]; then
	if [ "${NBDBOX_SKIP_VM:-0}" = 1 ] || [ "${NBDBOX_SKIP_VMROOT:-0}" = 1 ]; then
		echo "==== vmroot: skipped (NBDBOX_SKIP_VM=1 or NBDBOX_SKIP_VMROOT=1)"
	else
		run_suite vmroot "${VMROOT_TIMEOUT:-3600}" bash tests/vm/root/run.sh $VMROOT_CHECK
	fi
fi

echo
echo "==== summary"
printf '%s' "$summary"
[ -n "$why" ] && printf '==== failures, first lines of each failed suite\n%s' "$why"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
