#!/bin/bash
# Install .deb files into a Debian root directory as an administrator
# would: apt-get install ./FILE.deb in a chroot (dependencies from the
# root's own packages; a package the new ones conflict with is removed),
# then, with --initramfs MODE, NBDBOX_INITRAMFS=MODE in /etc/default/nbdbox
# and the root's own update-initramfs -u. For tests/pkg/run.sh and for the
# VM boots of a Debian root (tests/vm/root).
#   tests/pkg/install-into.sh [--initramfs yes|cmdline|no] ROOTDIR [--reinstall] DEB...
#   tests/pkg/install-into.sh --run ROOTDIR CMD...   a command in the chroot
# Root only. /proc, /sys and /dev are mounted in a mount namespace of
# its own, so nothing stays mounted when it ends, whatever happens.
set -eu
mode=
if [ "${1:-}" = --initramfs ]; then mode=$2; shift 2; fi
if [ "${1:-}" = --run ]; then
	shift
	root=$1; shift
	exec unshare --mount --propagation private bash -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" || exit 1
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
			LC_ALL=C.UTF-8 chroot "$r" "$@"' inroot "$root" "$@"
fi
root=$1; shift
[ -d "$root/etc" ] || { echo "install-into: $root is not a root directory" >&2; exit 2; }
incoming=/var/tmp/nbdbox-debs
rm -rf "${root:?}$incoming"; mkdir -p "$root$incoming"
debs=()
for d in "$@"; do
	case $d in
	-*) debs+=("$d"); continue ;;   # an apt-get option (--reinstall)
	esac
	cp "$d" "$root$incoming/"
	debs+=("$incoming/$(basename "$d")")
done
if [ ${#debs[@]} -gt 0 ]; then
	"$0" --run "$root" apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		--allow-downgrades "${debs[@]}"
fi
rm -rf "${root:?}$incoming"
if [ -n "$mode" ]; then
	sed -i "s/^NBDBOX_INITRAMFS=.*/NBDBOX_INITRAMFS=$mode/" "$root/etc/default/nbdbox"
	grep -qx "NBDBOX_INITRAMFS=$mode" "$root/etc/default/nbdbox"
	"$0" --run "$root" update-initramfs -u
fi
