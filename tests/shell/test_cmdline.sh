#!/bin/bash
# nbd-attach --cmdline / --tab and nbd-client's nbdtab, full option list
# and -l, on the host: what is understood (--explain), the errors, the
# nbd@.service lines, failover between servers. The kernel side (attach,
# partitions, boot) is tests/vm's.
. "$(dirname "$0")/lib.sh"

suiteSetUp() {
	start_nbdkit --filter=exportname memory 1M exportname=root exportname=swap \
		exportname-list=explicit exportname-strict=true exportdesc=fixed:'a disk' || return 1
	KIT=$PORT
	start_nbdkit --filter=exportname memory 2M exportname=root \
		exportname-list=explicit exportname-strict=true || return 1
	KIT2=$PORT
}

# explain CMDLINE: what nbd-attach --cmdline makes of it.
explain() {
	printf '%s\n' "$1" > "$TMPD/cmdline"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --explain
}

# The command nbd-attach would run: the second line of --explain.
assert_cmd() { assertEquals "$(_ctx)" "$1" "$(sed -n 2p <<< "$OUT")"; }

test_debian_three_fields() {
	explain "quiet nbdroot=10.0.2.100,root,nbd1 ro"
	assert_ok
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root 10.0.2.100 /dev/nbd1"
	assert_out_has "(Debian nbdroot=): server 10.0.2.100 port 10809 export 'root', device /dev/nbd1"
	# root= wins over the third field; a partitioned root gets 512-byte blocks
	explain "nbdroot=10.0.2.100,root,nbd1 root=/dev/nbd0p1"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -b 512 -N root 10.0.2.100 /dev/nbd0"
}

# README.Debian's two-field form, which its script gives up on.
test_debian_two_fields() {
	explain "nbdroot=10.0.2.100,root root=/dev/nbd0"
	assert_ok
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root 10.0.2.100 /dev/nbd0"
	explain "nbdroot=10.0.2.100,10810"
	assert_cmd "nbd-attach --wait 300 -m --swap -p 10.0.2.100 10810 /dev/nbd0"
}

test_debian_colon_forms() {
	explain "nbdroot=10.0.2.100:10810/root"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root 10.0.2.100 10810 /dev/nbd0"
	explain "nbdroot=10.0.2.100:/srv/root.img nbddev=/dev/nbd2"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N /srv/root.img 10.0.2.100 /dev/nbd2"
	explain "nbdroot=[fd00::5]:10810/root"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root fd00::5 10810 /dev/nbd0"
	explain "nbdroot=[fd00::5]:/srv/x"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N /srv/x fd00::5 /dev/nbd0"
}

test_dracut_forms() {
	explain "root=nbd:10.0.2.100:root:ext4"
	assert_ok
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root 10.0.2.100 /dev/nbd0"
	assert_out_has "(dracut nbd:)"
	assert_out_has "fstype ext4"
	# the "preferred" PORT/NAME, which dracut sends as -name 10810/root
	explain "root=nbd:10.0.2.100:10810/root:ext4:ro"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -N root 10.0.2.100 10810 /dev/nbd0"
	explain "netroot=nbd:10.0.2.100:10810:ext4:rw,noatime:-t,30,bs=4096"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -b 4096 -t 30 10.0.2.100 10810 /dev/nbd0"
	explain "root=nbd:[::1]:10809"
	assert_cmd "nbd-attach --wait 300 -m --swap -p ::1 10809 /dev/nbd0"
}

test_uri_forms() {
	explain "nbdroot=nbds://alice@10.0.2.100/root?tls-psk-file=/etc/nbd/psk root=/dev/nbd0p2"
	assert_ok
	assert_cmd "nbd-attach --wait 300 -m --swap -p -b 512 'nbds://alice@10.0.2.100/root?tls-psk-file=/etc/nbd/psk' /dev/nbd0"
	explain "nbdroot=nbd://10.0.2.100:10810/root nbdroot.alt=10.0.2.101 nbdroot.alt=nbd://10.0.2.102/r2"
	assert_cmd "nbd-attach --wait 300 -m --swap -p --alt 10.0.2.101 --alt nbd://10.0.2.102/r2 nbd://10.0.2.100:10810/root /dev/nbd0"
	# The spreading form: -C N, read-only, over the alternatives.
	explain "nbdroot=nbd://10.0.2.100:10810/root nbdroot.alt=10.0.2.101 nbdroot.alt=10.0.2.102:10811 nbdroot.spread=3"
	assert_cmd "nbd-attach --wait 300 -m --swap -p -C 3 -r --alt 10.0.2.101 --alt 10.0.2.102:10811 nbd://10.0.2.100:10810/root /dev/nbd0"
}

# A person at the console learns which word, and why.
test_errors_name_the_word() {
	explain "root=nbd:10.0.2.100:root:ext4::-q"
	assert_rc 2
	assert_err_has "nbd-attach: root=nbd:10.0.2.100:root:ext4::-q: nbdopts: '-q': unknown nbd-client option"
	explain "nbdroot=10.0.2.100:10x/root"
	assert_rc 2
	assert_err_has "nbdroot=10.0.2.100:10x/root: the port is not a number"
	explain "quiet root=/dev/sda1"
	assert_rc 2
	assert_err_has "no NBD root on the command line"
	explain "root=/dev/nbd0"
	assert_rc 2
	assert_err_has "no server named"
}

# A server that is there but has no such export: the word, what was
# understood, and what the server said.
test_failure_says_what_was_understood() {
	explain "nbdroot=127.0.0.1:$KIT/nosuch"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assert_rc 4
	assert_err_has "NBD_OPT_GO 'nosuch': unknown export"
	assert_err_has "understood nbdroot=127.0.0.1:$KIT/nosuch (Debian nbdroot=): server 127.0.0.1 port $KIT export 'nosuch', device /dev/nbd0"
}

# Every way the attach itself fails, with a real server: the command-line
# word, what was understood and what the server (or the connect) said,
# on stderr. (An export of another size on an alternative server matters
# only at a reconnect, in the resident: tests/vm persist-changed.)
test_every_failure_says_word_and_reason() {
	local dead
	dead=$(free_port)
	explain "nbdroot=127.0.0.1:$dead/root"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assert_rc 3
	assert_err_has "nbd-attach: 127.0.0.1:$dead: connect: Connection refused"
	assert_err_has "understood nbdroot=127.0.0.1:$dead/root (Debian nbdroot=): server 127.0.0.1 port $dead export 'root'"
	explain "root=nbd:127.0.0.1:$dead/root:ext4 nbdroot.alt=127.0.0.1:$dead"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assert_rc 3
	assert_err_has "connect: Connection refused"
	assert_err_has "understood root=nbd:127.0.0.1:$dead/root:ext4 (dracut nbd:): server 127.0.0.1 port $dead export 'root'"
	assert_err_has "1 alternative server"
	explain "root=nbd:127.0.0.1:$KIT:ext4"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assert_rc 4
	assert_err_has "NBD_OPT_GO '': unknown export"
	assert_err_has "understood root=nbd:127.0.0.1:$KIT:ext4 (dracut nbd:): server 127.0.0.1 port $KIT default export"
	explain "netroot=nbd:127.0.0.1:$KIT/swap2:ext4"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assert_rc 4
	assert_err_has "NBD_OPT_GO 'swap2': unknown export"
	assert_err_has "understood netroot=nbd:127.0.0.1:$KIT/swap2:ext4"
	# The export is there: what fails is the kernel side (no nbd module
	# on this host, or a device given that does not exist), still named.
	explain "nbdroot=nbd://127.0.0.1:$KIT/root nbddev=/dev/nbd99"
	run "$NBDBOX" nbd-attach --cmdline "$TMPD/cmdline" --wait 1
	assertNotEquals "$(_ctx)" 0 "$RC"
	assert_err_has "/dev/nbd99"
	assert_err_has "understood nbdroot=nbd://127.0.0.1:$KIT/root"
}

test_nbdtab() {
	cat > "$TMPD/nbdtab" <<-TAB
	# device host export options
	nbd0	127.0.0.1	root	port=$KIT,bs=4096,timeout=30,persist,_mine
	nbd1 /run/nbd.sock disk unix,no_optgo
	nbd2 127.0.0.1 root frob=1
	TAB
	NBDTAB=$TMPD/nbdtab run "$NBDBOX" nbd-attach --tab nbd0 --explain
	assert_ok
	assert_cmd "nbd-attach -p -b 4096 -t 30 -N root 127.0.0.1 $KIT /dev/nbd0"
	NBDTAB=$TMPD/nbdtab run "$NBDBOX" nbd-attach --tab /dev/nbd1 --explain
	assert_cmd "nbd-attach -N disk -u /run/nbd.sock /dev/nbd1"
	NBDTAB=$TMPD/nbdtab run "$NBDBOX" nbd-client nbd2
	assert_rc 2
	assert_err_has "nbdtab line 4: unknown option 'frob='"
	NBDTAB=$TMPD/nbdtab run "$NBDBOX" nbd-client nbd5
	assert_rc 8
	assert_err_has "no line for nbd5"
}

# Debian's nbd@.service, its own lines with %i filled in. No nbd module on
# the host: the attach reaches the kernel and stops there (exit 8), the
# detach finds nothing attached (exit 8) -- neither is a usage error.
test_nbd_service_lines() {
	local unit=/lib/systemd/system/nbd@.service start stop
	[ -f $unit ] || { startSkipping; return; }
	start=$(sed -n 's/^ExecStart=//p' $unit | sed 's/%i/nbd0/g; s|^//*sbin/nbd-client|nbd-client|')
	stop=$(sed -n 's/^ExecStop=//p' $unit | sed 's/%i/nbd0/g; s|^//*sbin/nbd-client|nbd-client|')
	assertEquals "nbd-client nbd0" "$start"
	assertEquals "nbd-client -d /dev/nbd0" "$stop"
	printf 'nbd0 127.0.0.1 root port=%s\n' "$KIT" > "$TMPD/nbdtab"
	# shellcheck disable=SC2086
	NBDTAB=$TMPD/nbdtab run "$NBDBOX" $start
	if [ -e /dev/nbd0 ]; then assert_rc 0; else assert_rc 8; assert_err_has "/dev/nbd0"; fi
	# shellcheck disable=SC2086
	run "$NBDBOX" $stop
	assertNotEquals "$(_ctx)" 2 "$RC"
}

test_client_full_option_list() {
	run "$NBDBOX" nbd-client -V
	assert_ok
	assert_out_has "nbd 3.24"
	run "$NBDBOX" nbd-client --version
	assert_ok
	for o in -B -size; do
		run "$NBDBOX" nbd-client 127.0.0.1 "$KIT" /dev/nbd0 $o 1048576
		assert_rc 7
		assert_err_has "'$o' is not supported"
	done
	for o in -P -preinit -S -sdp; do
		run "$NBDBOX" nbd-client 127.0.0.1 "$KIT" /dev/nbd0 -N root $o
		assert_rc 7
	done
	# taken: the attach goes on to the kernel (exit 8 without nbd module)
	run "$NBDBOX" nbd-client 127.0.0.1 "$KIT" /dev/nbd9 -N root -g -i myid -C 1 -no-optgo \
		-identifier other -connections 1
	assertNotEquals "$(_ctx)" 2 "$RC"
	run "$NBDBOX" nbd-client --help
	for o in -identifier -no-optgo -size -preinit -sdp -version; do
		assert_out_has "$o"
	done
}

# What scripts read from -l is what the reference prints.
test_list_as_reference() {
	[ -x /sbin/nbd-client ] || { startSkipping; return; }
	run /sbin/nbd-client -l 127.0.0.1 "$KIT"
	local want=$OUT
	run "$NBDBOX" nbd-client -l 127.0.0.1 "$KIT"
	assert_ok
	assertEquals "$want" "$OUT"
	assert_out_has "root: a disk"
}

# Failover: the first server that answers; a dead first one is skipped.
test_alt_takes_the_next_server() {
	local dead
	dead=$(free_port)
	run "$NBDBOX" nbd-probe --size -N root --alt "127.0.0.1:$KIT2" "127.0.0.1:$dead"
	assert_ok
	assert_out 2097152
	run "$NBDBOX" nbd-probe --size --alt "nbd://127.0.0.1:$KIT/root" "nbd://127.0.0.1:$KIT2/root"
	assert_out 2097152
	run "$NBDBOX" nbd-probe --size -N root --alt "127.0.0.1:$dead" "127.0.0.1:$dead"
	assert_rc 3
	run "$NBDBOX" nbd-probe --alt a --alt b --alt c --alt d --alt e 127.0.0.1
	assert_rc 2
}

lib_main
