#!/bin/bash
# dracut module, the --cmdline variant: nbdbox reads root=nbd: / netroot=nbd:
# (and nbdroot=, URIs, nbdroot.alt=) itself once the network is up; no
# nbd module of dracut's (omit it: --omit nbd), no nbd-client.
# The binary: $NBDBOX, else nbdbox on PATH (make install puts it in /usr/sbin).
nbdbox_bin() { echo "${NBDBOX:-$(command -v nbdbox)}"; }
check() {
	[ -x "$(nbdbox_bin)" ] || return 1
	return 255      # only when asked: --add nbdbox-cmdline
}
depends() { echo network rootfs-block; }
install() {
	inst_simple "$(nbdbox_bin)" /usr/sbin/nbdbox
	ln -sf nbdbox "${initdir}/usr/sbin/nbd-attach"
	ln -sf nbdbox "${initdir}/usr/sbin/nbd-client"
	inst_hook cmdline 90 "$moddir/parse-nbdbox.sh"
	inst_script "$moddir/nbdbox-root.sh" /sbin/nbdroot
	if dracut_module_included "systemd-initrd"; then
		inst_script "$moddir/nbdbox-generator.sh" \
			"$systemdutildir"/system-generators/dracut-nbdbox-generator
	fi
	dracut_need_initqueue
}
installkernel() { instmods nbd; }
