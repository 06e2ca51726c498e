#!/bin/sh
# dracut's netroot handler for the --cmdline variant: $1 interface,
# $2 netroot, $3 NEWROOT. nbd-attach reads /proc/cmdline and prints the
# root device (the partition of root=/dev/nbdXpN); /dev/root points to it.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh
[ -e /run/nbdbox-root ] && exit 0
dev=$(/usr/sbin/nbdbox nbd-attach --cmdline) || exit 1
ln -sf "$dev" /dev/root
: > /run/nbdbox-root
need_shutdown
exit 0
