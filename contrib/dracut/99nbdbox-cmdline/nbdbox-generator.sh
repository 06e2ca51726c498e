#!/bin/sh
# systemd generator (dracut with systemd): what dracut's nbd-generator does
# for its own module. dracut's rootfs-generator handles root=/dev/...; for
# root=nbd:... (dracut's forms and URIs) and for nbdroot=/netroot=nbd:
# without a root=, nothing else says what /sysroot is: sysroot.mount of
# /dev/root, which nbdbox-root.sh makes appear (a udev symlink to the
# device nbd-attach --cmdline printed), required by initrd-root-fs.target.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh
GENERATOR_DIR=$2
[ -n "$GENERATOR_DIR" ] || exit 1
root=$(getarg root=)
fstype=$(getarg rootfstype=)
flags=$(getarg rootflags=)
case "$root" in
nbd://* | nbds://*) ;;
nbd:*)
	# nbd:SERVER:PORT-or-NAME[:FSTYPE[:FLAGS[:NBDOPTS]]], [v6] servers too
	r=${root#nbd:}
	case "$r" in \[*) r=${r#*]:} ;; *) r=${r#*:} ;; esac
	case "$r" in *:*) r=${r#*:} ;; *) r= ;; esac
	[ -n "${r%%:*}" ] && fstype=${r%%:*}
	case "$r" in *:*) r=${r#*:}; [ -n "${r%%:*}" ] && flags=${r%%:*} ;; esac
	# ro/rw are nbd-attach's business as much as the mount's: keep them
	;;
"")
	getarg nbdroot= >/dev/null || {
		n=$(getarg netroot=)
		[ "${n%%:*}" = nbd ] || exit 0
	}
	;;
*) exit 0 ;;
esac
getarg ro >/dev/null && flags=${flags:+$flags,}ro
getarg rw >/dev/null && flags=${flags:+$flags,}rw
mkdir -p "$GENERATOR_DIR/initrd-root-fs.target.requires"
{
	echo "[Unit]"
	echo "Before=initrd-root-fs.target"
	echo "[Mount]"
	echo "Where=/sysroot"
	echo "What=/dev/root"
	[ -n "$fstype" ] && echo "Type=$fstype"
	[ -n "$flags" ] && echo "Options=$flags"
} > "$GENERATOR_DIR/sysroot.mount"
ln -sf ../sysroot.mount "$GENERATOR_DIR/initrd-root-fs.target.requires/sysroot.mount"
exit 0
