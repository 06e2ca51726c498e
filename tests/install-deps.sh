#!/bin/sh
# Install what the test suites need, when run as root and something is
# missing (Debian/Ubuntu, apt-get). Quiet, idempotent, and one dpkg-query
# when everything is there already. Not root: report what is missing and
# carry on (the suites then fail or skip what they cannot run).
#
#   EXTRA_PKGS="..."   more packages to ensure
#   CROSS_ARCHES="s390x armhf arm64"   the targets of make check-cross and
#                      of the other CPUs' kernels in tests/vm (Debian
#                      architecture names; "" for none): gcc-TRIPLET,
#                      libc6-dev-ARCH-cross, musl-dev:ARCH, qemu-user
CROSS_ARCHES=${CROSS_ARCHES-s390x armhf arm64}
CROSS_PKGS= FOREIGN=
for a in $CROSS_ARCHES; do
	case $a in
	s390x) t=s390x-linux-gnu ;;
	armhf) t=arm-linux-gnueabihf ;;
	arm64) t=aarch64-linux-gnu ;;
	mips) t=mips-linux-gnu ;;
	mipsel) t=mipsel-linux-gnu ;;
	ppc64) t=powerpc64-linux-gnu ;;
	ppc64el) t=powerpc64le-linux-gnu ;;
	riscv64) t=riscv64-linux-gnu ;;
	*) echo "install-deps: unknown cross architecture $a"; continue ;;
	esac
	CROSS_PKGS="$CROSS_PKGS gcc-$t libc6-dev-$a-cross"
	# musl-dev for the target (static musl builds) where Debian has it;
	# elsewhere the static build links the target's glibc.
	case $a in s390x|armhf|arm64) CROSS_PKGS="$CROSS_PKGS musl-dev:$a"; FOREIGN="$FOREIGN $a" ;; esac
done
[ -n "$CROSS_PKGS" ] && CROSS_PKGS="$CROSS_PKGS qemu-user"
PKGS="build-essential make gcc nbd-client nbd-server nbdkit libnbd-bin qemu-utils
qemu-system-x86 shunit2 libwolfssl-dev musl-tools busybox-static kmod cpio
gnutls-bin valgrind python3 file procps kconfig-frontends e2fsprogs
initramfs-tools dracut-core dracut-network isc-dhcp-client mmdebstrap
qemu-system-arm qemu-system-misc scdoc groff man-db bash-completion debhelper
devscripts lintian ${EXTRA_PKGS:-}"

command -v dpkg-query > /dev/null 2>&1 || {
	echo "install-deps: no dpkg here; install by hand: $PKGS" | tr '\n' ' '; echo
	exit 0
}

# One query for all: packages not known at all print nothing. Foreign
# packages print as NAME:ARCH.
have=$(dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Status}\n' $PKGS $CROSS_PKGS 2>/dev/null |
	awk '$2 == "installed" { print $1 }')
missing= cross_missing=
for p in $PKGS; do
	echo "$have" | grep -Eq "^$p:(all|$(dpkg --print-architecture))\$" || missing="$missing $p"
done
for p in $CROSS_PKGS; do
	case $p in *:*) q=$p ;; *) q="$p:(all|$(dpkg --print-architecture))" ;; esac
	echo "$have" | grep -Eq "^$q\$" || cross_missing="$cross_missing $p"
done
[ -z "$missing$cross_missing" ] && exit 0
missing="$missing$cross_missing"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing (run as root to install them)"
	exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/install-deps.XXXXXX)
for a in $FOREIGN; do
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
inst() { [ $# -eq 0 ] || apt-get -o DPkg::Lock::Timeout=900 install -y -q "$@"; }
if apt-get update -q > "$log" 2>&1 &&
   inst ${missing%$cross_missing} >> "$log" 2>&1 &&
   inst --no-install-recommends $cross_missing >> "$log" 2>&1; then
	rm -f "$log"
	exit 0
fi
tail -n 30 "$log"
echo "install-deps: apt-get failed (log: $log)"
exit 1
