#!/bin/sh
# Install what the test suites need, when run as root and something is
# missing (Debian/Ubuntu, apt-get). Quiet, idempotent, and one dpkg-query
# when everything is there already. Not root: report what is missing and
# carry on (the suites then fail or skip what they cannot run).
#
#   EXTRA_PKGS="..."   more packages to ensure
PKGS="build-essential make gcc nbd-client nbd-server nbdkit libnbd-bin qemu-utils
qemu-system-x86 shunit2 libwolfssl-dev musl-tools busybox-static kmod cpio
gnutls-bin valgrind python3 file procps kconfig-frontends e2fsprogs
initramfs-tools dracut-core dracut-network isc-dhcp-client ${EXTRA_PKGS:-}"

command -v dpkg-query > /dev/null 2>&1 || {
	echo "install-deps: no dpkg here; install by hand: $PKGS" | tr '\n' ' '; echo
	exit 0
}

# One query for all: packages not known at all print nothing.
have=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	awk '$2 == "installed" { print $1 }')
missing=
for p in $PKGS; do
	echo "$have" | grep -qx "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing (run as root to install them)"
	exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/install-deps.XXXXXX)
if apt-get update -q > "$log" 2>&1 &&
   apt-get install -y -q $missing >> "$log" 2>&1; then
	rm -f "$log"
	exit 0
fi
tail -n 30 "$log"
echo "install-deps: apt-get failed (log: $log)"
exit 1
