#!/bin/sh
# cmdline hook: is the root ours? Then dracut's netroot calls /sbin/nbdroot
# (nbdbox-root.sh) once an interface is up; /dev/root is what it mounts.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh
[ -z "$root" ] && root=$(getarg root=)
nbd=
case "$root" in nbd:*) nbd=1 ;; esac
[ -z "$netroot" ] && netroot=$(getarg netroot=)
case "$netroot" in nbd:*) nbd=1 ;; esac
getarg nbdroot= >/dev/null && nbd=1
[ -n "$nbd" ] || return 0
modprobe nbd 2>/dev/null
netroot=nbd:nbdbox
rootok=1
case "$root" in nbd:*|"") root=block:/dev/root ;; esac
echo '[ -e /run/nbdbox-root ]' > "$hookdir"/initqueue/finished/nbdbox.sh
