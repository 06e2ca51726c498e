#!/bin/bash
# A Debian 12 root for the package tests: mmdebstrap minbase with
# initramfs-tools, a kernel (linux-image-cloud-amd64, so update-initramfs
# has something to build for), nbd-client's dependencies (not nbd-client
# itself: its .deb is kept next to the tarball, tests install it when
# they want it) and libwolfssl35 (what nbdbox links).
# Cached as a tarball keyed by the suite, the package list, this script and
# mmdebstrap's version, under /var/cache/nbdbox-pkg (NBDBOX_PKG_CACHE).
# Prints the cache entry's directory: root.tar, nbd-client_*.deb.
#   tests/pkg/mkroot.sh
set -eu
SUITE=bookworm
MIRROR=${NBDBOX_PKG_MIRROR:-}
PKGS="initramfs-tools,linux-image-cloud-amd64,zstd,libwolfssl35,libgnutls30,libnl-3-200,libnl-genl-3-200,debconf,kmod,bash-completion"
cache=${NBDBOX_PKG_CACHE:-/var/cache/nbdbox-pkg}
key=$( { echo "$SUITE $PKGS $MIRROR"; cat "$0"; mmdebstrap --version; } | sha256sum | cut -c1-12)
out=$cache/root-$key
if [ -f "$out/root.tar" ] && ls "$out"/nbd-client_*.deb > /dev/null 2>&1; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "mkroot: building $out (mmdebstrap $SUITE minbase)" >&2
# MODULES=list: the image holds what hooks ask for, not every driver
# (update-initramfs in a chroot cannot tell which are needed).
mmdebstrap --quiet --variant=minbase --include="$PKGS" \
	--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/nbdbox-test"' \
	"$SUITE" "$tmp/root.tar" $MIRROR >&2
(cd "$tmp" && apt-get download nbd-client > /dev/null 2>&1) || { echo "mkroot: apt-get download nbd-client failed" >&2; exit 1; }
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
