#!/bin/bash
# dracut module: nbdbox in place of nbd-client for dracut's own nbd module
# (95nbd parses root=nbd: / netroot=nbd: and calls nbd-client). After 95nbd,
# so its copy of nbd-client is replaced.
# The binary: $NBDBOX, else nbdbox on PATH (make install puts it in /usr/sbin).
nbdbox_bin() { echo "${NBDBOX:-$(command -v nbdbox)}"; }
check() {
	[ -x "$(nbdbox_bin)" ] || return 1
	return 255      # only when asked: --add nbdbox
}
depends() { echo nbd; }
install() {
	local d
	for d in /sbin /usr/sbin /bin /usr/bin; do
		[ -e "${initdir}$d/nbd-client" ] && rm -f "${initdir}$d/nbd-client"
	done
	inst_simple "$(nbdbox_bin)" /usr/sbin/nbdbox
	ln -sf nbdbox "${initdir}/usr/sbin/nbd-client"
	ln -sf nbdbox "${initdir}/usr/sbin/nbd-attach"
}
installkernel() { instmods nbd; }
