# A read-only export, and -r on a writable one: writes fail, sysfs says ro.
ro_check() { # SUB DEV
	r=$(cat /sys/block/${2#/dev/}/ro)
	[ "$r" = 1 ] || { fail "$1" "/sys/block/${2#/dev/}/ro is $r"; return; }
	if dd if=/dev/zero of="$2" bs=4k count=1 oflag=direct 2>/dev/null; then
		fail "$1" "write to $2 succeeded"
	else
		pass "$1" "ro=1, write refused"
	fi
}
if need_applet nbd-attach; then
	dev=$(attach "$(uri ro)") && ro_check export "$dev" || fail export "attach failed"
	nbd-detach -a >/dev/null 2>&1
	dev=$(attach -r "$(uri mem)") && ro_check flag "$dev" || fail flag "attach -r failed"
fi
