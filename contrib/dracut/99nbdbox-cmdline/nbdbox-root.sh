#!/bin/sh
# dracut's netroot handler for the --cmdline variant: $1 interface,
# $2 netroot, $3 NEWROOT. nbd-attach reads /proc/cmdline and prints the
# root device (the partition of root=/dev/nbdXpN). Without systemd it is
# mounted the way dracut's own nbdroot.sh does it (fstab + a mount hook);
# with systemd, sysroot.mount (nbdbox-generator.sh, or dracut's
# rootfs-generator for root=/dev/...) waits for the device unit: a udev
# rule gives the device the /dev/root link systemd sees.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh
[ -e /run/nbdbox-root ] && exit 0
dev=$(/usr/sbin/nbdbox nbd-attach --cmdline) || exit 1
fstype=$(getarg rootfstype=)
flags=$(getarg rootflags=)
getarg ro >/dev/null && flags=${flags:+$flags,}ro
getarg rw >/dev/null && flags=${flags:+$flags,}rw
if [ -z "$DRACUT_SYSTEMD" ]; then
	ln -sf "$dev" /dev/root
	type write_fs_tab >/dev/null 2>&1 || . /lib/fs-lib.sh
	write_fs_tab /dev/root "${fstype:-auto}" "${flags:-defaults}"
	printf '/bin/mount %s\n' "$NEWROOT" > "$hookdir"/mount/01-$$-nbdbox.sh
else
	k=${dev#/dev/}
	mkdir -p /etc/udev/rules.d
	printf 'KERNEL=="%s", SYMLINK+="root"\n' "$k" > /etc/udev/rules.d/99-nbdbox-root.rules
	udevadm control --reload
	udevadm trigger --action=change --settle "/sys/class/block/$k" 2>/dev/null ||
		udevadm trigger --action=change "/sys/class/block/$k"
	wait_for_dev -n /dev/root
fi
: > /run/nbdbox-root
need_shutdown
exit 0
