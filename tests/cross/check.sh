#!/bin/bash
# make check-cross ARCH=s390x: the unit tests, the fuzz corpus and the
# shell suites that need no kernel driver, for another CPU, under qemu-user.
# The binary is the static build (musl where Debian has musl-dev for the
# target, else glibc), with TLS (make static: the musl wolfSSL of
# scripts/wolfssl-musl.sh for the target), and the small profile without
# TLS (make small) for the suites where a build without TLS behaves
# otherwise; the suites run them through a wrapper that keeps
# argv[0] (qemu-ARCH -0 "$0"), since binfmt_misc is not mounted here.
# What qemu-user cannot do is skipped by name, with the reason, below.
# Ends with "cross-ARCH: N passed, N failed".
#
#   tests/cross/check.sh ARCH     (s390x armhf arm64 mips mipsel ppc64 ppc64el riscv64)
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
ARCH=${1:?usage: $0 ARCH}
NAME=cross-$ARCH

case $ARCH in
s390x)         CROSS=s390x-linux-gnu- ;;
armhf)         CROSS=arm-linux-gnueabihf- ;;
arm64|aarch64) CROSS=aarch64-linux-gnu- ;;
mips)          CROSS=mips-linux-gnu- ;;
mipsel)        CROSS=mipsel-linux-gnu- ;;
ppc64)         CROSS=powerpc64-linux-gnu- ;;
ppc64el)       CROSS=powerpc64le-linux-gnu- ;;
riscv64)       CROSS=riscv64-linux-gnu- ;;
*) echo "$NAME: unknown ARCH '$ARCH'"; echo "$NAME: 0 passed, 1 failed"; exit 1 ;;
esac

fail_early() { echo "$NAME: $*"; echo "$NAME: 0 passed, 1 failed"; exit 1; }
command -v "${CROSS}gcc" > /dev/null ||
	fail_early "no ${CROSS}gcc (tests/install-deps.sh installs the cross toolchains)"
TRIPLET=$("${CROSS}gcc" -dumpmachine)
cpu=${TRIPLET%%-*}
case $cpu in powerpc*) cpu=ppc${cpu#powerpc} ;; i?86) cpu=i386 ;; esac
QEMU=qemu-$cpu
command -v "$QEMU" > /dev/null || fail_early "no $QEMU (apt-get install qemu-user)"

# ---- what qemu-user 7.2 cannot do, by name
# Generic netlink sockets are not emulated (socket(AF_NETLINK,
# NETLINK_GENERIC) fails), nor are the NBD ioctls; the kernel paths run in
# tests/vm on amd64. Suites:
SKIP_SUITES="build docs completion"
#   build: builds host configurations with make; nothing target-specific.
#   docs, completion: man pages and bash completion against the --help
#     texts, which are the same on every CPU.
# Single tests (shunit2 function names; lib.sh and test_attach_host.sh
# honour NBDBOX_SKIP):
SKIP_TESTS="test_stub test_install"
#   test_stub: the stub platform is a host build (make stub).
#   test_install: --install links to /proc/self/exe, the target binary
#     itself, which only binfmt_misc could run (not mounted here).
case $ARCH in
mips*) ;;   # connect errno values are not translated by qemu-mips
esac

total_p=0 total_f=0
log=$(mktemp /tmp/nbdbox-cross.XXXXXX)
trap 'rm -f "$log"' EXIT

# count NAME: take "NAME: N passed, N failed" from $log (none: 1 failed).
count() {
	local line p f
	line=$(grep -E '^[A-Za-z0-9_.+-]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$NAME: $1 gave no result line: counting 1 failed"
		p=0 f=1
	else
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<< "$line")
		f=$(sed -E 's/.*, ([0-9]+) failed$/\1/' <<< "$line")
		[ "$2" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f))
}

M="make --no-print-directory CROSS_COMPILE=$CROSS"
echo "== $NAME: unit ($QEMU)"
$M unit 2>&1 | tee "$log"; count unit "${PIPESTATUS[0]}"
echo "== $NAME: fuzz-replay"
$M fuzz-replay 2>&1 | tee "$log"; count fuzz "${PIPESTATUS[0]}"

echo "== $NAME: static build, TLS (scripts/wolfssl-musl.sh for $TRIPLET)"
SO=build-static-$TRIPLET
$M -j2 static STATIC_BIN="$SO/nbdbox.bin" > "$log" 2>&1 || { cat "$log"; fail_early "static build failed"; }
tail -n 1 "$log"
file "$SO/nbdbox.bin" | sed 's/^[^:]*: /  /'
echo "== $NAME: static build, the small profile (no TLS)"
$M -j2 small SMALL_BIN="$SO/nbdbox-small.bin" > "$log" 2>&1 ||
	{ cat "$log"; fail_early "small build failed"; }
tail -n 1 "$log"
# The wrappers: argv[0] as the suites call it (nbdbox, or a link's name).
for b in nbdbox nbdbox-small; do
	cat > "$SO/$b" <<W
#!/bin/sh
exec $QEMU -0 "\$0" "$TOP/$SO/$b.bin" "\$@"
W
	chmod 755 "$SO/$b"
done

for t in tests/shell/test_*.sh; do
	n=$(basename "$t" .sh); n=${n#test_}
	case " $SKIP_SUITES " in *" $n "*) echo "== $NAME: $n: skipped (see tests/cross/check.sh)"; continue ;; esac
	echo "== $NAME: $n"
	NBDBOX=$TOP/$SO/nbdbox NBDBOX_SKIP="$SKIP_TESTS" timeout -k 10 1200 bash "$t" 2>&1 | tee "$log"
	count "$n" "${PIPESTATUS[0]}"
done
for n in nbd_probe multicall; do
	echo "== $NAME: $n, small profile"
	NBDBOX=$TOP/$SO/nbdbox-small SUITE=$n-small NBDBOX_SKIP="$SKIP_TESTS" timeout -k 10 1200 \
		bash "tests/shell/test_$n.sh" 2>&1 | tee "$log"
	count "$n-small" "${PIPESTATUS[0]}"
done
echo "$NAME: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
