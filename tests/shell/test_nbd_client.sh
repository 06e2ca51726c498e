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

# Every row of core/clientopt.h (nbd-client's words): shown in --help in
# both its forms (the letter as -X, the long name as -name), accepted by
# nbd-client's parser (then -h: usage, exit 0; refused ones exit 7), and
# the nbd-attach option it becomes accepted by nbd-attach's parser.
# tests/unit/test_clientopt.c walks the same rows through nbdopts and
# nbdtab into nbd-attach's argv.
test_every_option_row() {
	local rows letter name arg kind attach val n=0
	rows=$(sed -n "s/^[[:space:]]*X('\(.\)', *\"\([a-z-]*\)\", *\([01]\), *\([A-Z]*\), *[a-z_]*, *\([^ )]*\)).*/\1 \2 \3 \4 \5/p" \
		"$TOP/core/clientopt.h")
	run "$NBDBOX" nbd-client --help
	assert_ok
	keep_out
	while read -r letter name arg kind attach; do
		n=$((n + 1))
		grep -q -- "-$letter\b" "$TMPD/kept" || fail "-$letter not in nbd-client --help"
		grep -q -- "-$name\b" "$TMPD/kept" || fail "-$name not in nbd-client --help"
		case $kind in OWN) continue ;; esac
		case $name in block-size) val=4096 ;; timeout) val=30 ;; connections) val=2 ;;
			*) val=x ;; esac
		[ "$arg" = 1 ] || val=
		run "$NBDBOX" nbd-client "-$name" ${val:+"$val"} -h
		if [ "$kind" = NOTSUP ]; then
			assert_rc 7 "-$name"
			continue
		fi
		assert_rc 0 "-$name"
		[ "$attach" = NULL ] && continue
		attach=${attach//\"/}
		run "$NBDBOX" nbd-attach "$attach" ${val:+"$val"} -h
		assert_rc 0 "nbd-attach $attach (from -$name)"
	done <<< "$rows"
	assertEquals "rows read from core/clientopt.h" 26 "$n"
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
	# No operand at all: the usage error, not a read of one.
	run "$NBDBOX" nbd-client -N root
	assert_rc 2
	assert_err_has "missing server address"
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
