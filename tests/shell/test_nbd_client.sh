#!/bin/bash
# nbd-client: the reference client's command line, translated. What can be
# checked without a kernel nbd driver (the VM scenario 70-nbd-client does
# the attach itself).
. "$(dirname "$0")/lib.sh"

suiteSetUp() {
	start_nbdkit --filter=exportname memory 1M exportname=root exportname=swap \
		exportname-list=explicit || return 1
	KIT=$PORT
}

test_help_names_systemd_mark() {
	# dracut looks for it before passing --systemd-mark.
	run "$NBDBOX" nbd-client --help
	assert_ok
	assert_out_has "-systemd-mark"
}

# As the reference prints it (scripts read it): a "Negotiation: .." line,
# then NAME or NAME: DESCRIPTION.
test_list_both_spellings() {
	run "$NBDBOX" nbd-client -l 127.0.0.1 "$KIT"
	assert_ok
	assert_out "Negotiation: ..
root
swap"
	run "$NBDBOX" nbd-client -list "127.0.0.1:$KIT"
	assert_ok
	assert_out "Negotiation: ..
root
swap"
}

test_check_unattached_is_exit_1() {
	run "$NBDBOX" nbd-client -c /dev/nbd7
	assert_rc 1
	assert_out_empty
	run "$NBDBOX" nbd-client -check /dev/nbd7
	assert_rc 1
}

test_bad_usage() {
	run "$NBDBOX" nbd-client -bogus 127.0.0.1 /dev/nbd0
	assert_rc 2
	assert_err_has "unknown option '-bogus'"
	run "$NBDBOX" nbd-client 127.0.0.1 "$KIT" /dev/nbd0 -N
	assert_rc 2
	assert_err_has "needs an argument"
	run "$NBDBOX" nbd-client -c
	assert_rc 2
}

# initramfs-tools' command line is understood and reaches nbd-attach,
# which finds no /dev/nbd0 on this host (no nbd module): exit 8, not a
# usage error.
test_initramfs_tools_command_line() {
	run "$NBDBOX" nbd-client 127.0.0.1 -N root "$KIT" /dev/nbd0 -swap -persist \
		-systemd-mark -b 512
	assert_rc 8
	assert_err_oneline nbd-client
	assert_err_has "/dev/nbd0"
	assert_err_lacks_usage
	run "$NBDBOX" nbd-client bs=4096 timeout=30 127.0.0.1 "$KIT" /dev/nbd0 -N root
	assert_rc 8
	assert_err_lacks_usage
}

assert_err_lacks_usage() {
	case $ERR in *"Try '"*) fail "a usage error: $(_ctx)" ;; esac
}

lib_main
