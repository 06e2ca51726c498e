#!/bin/bash
# tests/vm on the kernels of other CPUs: ARCH=arm64, armhf, s390x (or the
# ones named), two at a time (each guest is one TCG thread; the output of
# each is printed whole when it ends). Ends with
#   vm-arches: N passed, N failed
# (the sum of each vm-ARCH suite's line; a suite without its line counts
# one failure).
#   tests/vm/arches.sh [ARCH...]      VM_ARCH_LANES=1: one at a time
cd "$(dirname "$0")/../.." || exit 1
[ $# -gt 0 ] || set -- armhf s390x arm64
LANES=${VM_ARCH_LANES:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
d=$(mktemp -d /tmp/nbdbox-arches.XXXXXX)
trap 'rm -rf "$d"' EXIT
# The static builds and the kernels first, one at a time (make and apt do
# not like two of themselves in one tree); each lane gets them as
# NBDBOX and NBDBOX_TLS.
for a in "$@"; do
	case $a in arm64) t=aarch64-linux-gnu ;; armhf) t=arm-linux-gnueabihf ;; s390x) t=s390x-linux-gnu ;;
	*) echo "vm-arches: unknown ARCH $a"; echo "vm-arches: 0 passed, 1 failed"; exit 1 ;; esac
	# make static is the TLS build (TLS on by default): one binary serves
	# as NBDBOX and NBDBOX_TLS.
	ARCH=$a tests/vm/kernel.sh > /dev/null &&
		make -s static CROSS_COMPILE=$t- STATIC_BIN=build-static-$t/nbdbox > "$d/make-$a.log" 2>&1 ||
		{ tail -n 5 "$d/make-$a.log"; echo "vm-arches: kernel or build for $a failed"; }
	eval "BIN_$a=\$PWD/build-static-$t/nbdbox TLS_$a=\$PWD/build-static-$t/nbdbox"
done
t0=$(date +%s)
running=0 pass=0 fail=0
for a in "$@"; do
	( s=$(date +%s)
	  lane() {
		ARCH=$a NBDBOX=$(eval echo "\$BIN_$a") NBDBOX_TLS=$(eval echo "\$TLS_$a") \
			bash tests/vm/run.sh > "$d/$a.out" 2>&1
	  }
	  # A guest that printed nothing (run.sh exit 75) is booted once more;
	  # what the first boot left is shown.
	  lane
	  if [ $? -eq 75 ]; then
		sed 's/^/    first boot| /' "$d/$a.out" | tail -n 12 > "$d/$a.first"
		lane
		{ echo "vm-$a: the first boot printed nothing; booted once more:"; cat "$d/$a.first"; } >> "$d/$a.out"
	  fi
	  echo "vm-$a: wall $(( $(date +%s) - s ))s" >> "$d/$a.out"; cat "$d/$a.out" ) &
	running=$((running + 1))
	if [ $running -ge "$LANES" ]; then wait -n; running=$((running - 1)); fi
done
wait
for a in "$@"; do
	line=$(grep -E "^vm-$a: [0-9]+ passed, [0-9]+ failed$" "$d/$a.out" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line#*: }; p=${p%% passed*}; f=${line%% failed}; f=${f##*, }
	else
		echo "vm-$a: no result line: counting 1 failed"; p=0 f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
done
echo "vm-arches: $* took $(( $(date +%s) - t0 ))s"
echo "vm-arches: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
