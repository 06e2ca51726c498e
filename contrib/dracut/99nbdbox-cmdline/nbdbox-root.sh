#!/bin/sh
# dracut's netroot handler for the --cmdline variant: $1 interface,
# $2 netroot, $3 NEWROOT. nbd-attach reads /proc/cmdline and prints the
# root device (the partition of root=/dev/nbdXpN); it is mounted as the
# root the way dracut's own nbdroot.sh does it.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh
[ -e /run/nbdbox-root ] && exit 0
dev=$(/usr/sbin/nbdbox nbd-attach --cmdline) || exit 1
ln -sf "$dev" /dev/root
fstype=$(getarg rootfstype=)
flags=$(getarg rootflags=)
getarg ro >/dev/null && flags=${flags:+$flags,}ro
getarg rw >/dev/null && flags=${flags:+$flags,}rw
if [ -z "$DRACUT_SYSTEMD" ]; then
	type write_fs_tab >/dev/null 2>&1 || . /lib/fs-lib.sh
	write_fs_tab /dev/root "${fstype:-auto}" "${flags:-defaults}"
	printf '/bin/mount %s\n' "$NEWROOT" > "$hookdir"/mount/01-$$-nbdbox.sh
else
	mkdir -p /run/systemd/system/sysroot.mount.d
	printf '[Mount]\nWhere=/sysroot\nWhat=%s\nType=%s\nOptions=%s\n' "$dev" \
		"${fstype:-auto}" "${flags:-defaults}" > /run/systemd/system/sysroot.mount.d/nbdbox.conf
	systemctl --no-block daemon-reload
fi
: > /run/nbdbox-root
need_shutdown
exit 0
