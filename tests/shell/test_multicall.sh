#!/bin/bash
# The multicall binary: dispatch, --list, --install, --help, links.
. "$(dirname "$0")/lib.sh"

suiteSetUp() {
	start_nbdkit --filter=exportname memory 1M exportname=one \
		exportname-list=explicit || return 1
	KIT=$PORT
	APPLETS=$("$NBDBOX" --list)
}

test_list() {
	run "$NBDBOX" --list
	assert_ok
	assert_out_has nbd-list
	assert_out_has nbd-probe
	# every applet but in the small profile (configs/small_defconfig)
	[ "${SUITE:-}" = multicall-small ] || assert_out_has nbd-copy
	# One name a line, nothing else.
	assertEquals "only applet names $(_ctx)" "" \
		"$(printf '%s\n' "$OUT" | grep -v '^nbd-[a-z]*$')"
}

# The option rows of the struct longopt table that starts at the line
# matching START in FILE: "NAME VALUE ARG" a line.
table_rows() { # FILE START
	sed -n "/$2/,/^[[:space:]]*};/p" "$1" |
		sed -n "s/^[[:space:]]*{ \"\([a-z-]*\)\", *\([A-Za-z_']*\), *\([01]\) },.*/\1 \2 \3/p"
}

# A value the row NAME takes (ARG 1), for the parsers to accept.
row_value() { # NAME ARG
	[ "$2" = 1 ] || return 0
	case $1 in
	block-size) echo 4096 ;; io-timeout|dead-timeout|timeout|wait) echo 5 ;;
	connections) echo 2 ;; requests) echo 4 ;; request-size) echo 64K ;;
	tls-verify-peer) echo no ;; *) echo x ;;
	esac
}

# APPLET --NAME [VALUE] -h: accepted, and NAME (and -LETTER, when VALUE
# is a quoted letter) in the --help text kept in $TMPD/kept.
check_row() { # APPLET NAME VALUE ARG
	local v h
	v=$(row_value "$2" "$4")
	run "$NBDBOX" "$1" "--$2" ${v:+"$v"} -h
	assert_rc 0 "$1 --$2"
	grep -q -- "--$2\b" "$TMPD/kept" || fail "$1: --$2 not in --help"
	case $3 in "'"?"'") h=${3:1:1}
		grep -q -- "-$h, --$2\b" "$TMPD/kept" || fail "$1: -$h not in --help" ;;
	esac
}

# Every row of conn_longopts (applets/conn.c: the options every network
# applet takes): accepted by each network applet's parser (then -h: the
# usage, exit 0) and shown in its --help, in both forms where it has a
# letter (the TLS rows only where TLS is built in). nbd-copy refuses -u:
# its URIs name the socket.
test_every_connection_option_row() {
	local rows name val arg a n=0
	rows=$(table_rows "$TOP/applets/conn.c" '^const struct longopt conn_longopts')
	for a in $(printf '%s\n' "$APPLETS" | grep -E '^nbd-(probe|list|attach|copy)$'); do
		run "$NBDBOX" "$a" --help
		assert_ok
		keep_out
		while read -r name val arg; do
			[ "$a" = nbd-probe ] && n=$((n + 1))
			if [ "$a $name" = "nbd-copy unix" ]; then
				# The one row a network applet refuses, by design.
				run "$NBDBOX" "$a" "--$name" x "$TMPD/a" "$TMPD/b"
				assert_rc 2 "$a --$name"
				assert_err_has "name the socket in the URI"
				continue
			fi
			if [ "${name#tls}" != "$name" ] && grep -q 'built without TLS' "$TMPD/kept"; then
				run "$NBDBOX" "$a" "--$name" $(row_value "$name" "$arg") -h
				assert_rc 0 "$a --$name"
				continue
			fi
			check_row "$a" "$name" "$val" "$arg"
		done <<< "$rows"
	done
	assertEquals "rows read from applets/conn.c" 15 "$n"
}

# Every row of each applet's own option table (static const struct
# longopt in applets/nbd-*.c): accepted by its parser (then -h) and shown
# in its --help, long form and letter.
test_every_own_option_row() {
	local f a rows name val arg n=0
	for f in "$TOP"/applets/nbd-*.c; do
		a=$(basename "$f" .c)
		printf '%s\n' "$APPLETS" | grep -qx "$a" || continue
		rows=$(table_rows "$f" 'static const struct longopt [a-z]*\[\] = {')
		[ -n "$rows" ] || continue
		run "$NBDBOX" "$a" --help
		assert_ok
		keep_out
		while read -r name val arg; do
			n=$((n + 1))
			# The one row left out of --help: nbd-client -l's own
			# output format, which nbd-client passes to nbd-list.
			if [ "$a $name" = "nbd-list nbd-client-format" ]; then
				run "$NBDBOX" "$a" "--$name" -h
				assert_rc 0 "$a --$name"
				continue
			fi
			check_row "$a" "$name" "$val" "$arg"
		done <<< "$rows"
	done
	# nbd-attach 15, nbd-detach 3, nbd-list 4, nbd-probe 4, nbd-copy 7
	# (not in the small profile)
	if [ "${SUITE:-}" = multicall-small ]; then
		assertEquals "rows read from applets/nbd-*.c" 26 "$n"
	else
		assertEquals "rows read from applets/nbd-*.c" 33 "$n"
	fi
}

test_applet_as_argument() {
	run "$NBDBOX" nbd-list "127.0.0.1:$KIT"
	assert_ok
	assert_out one
}

test_symlink_dispatch() {
	mkdir -p "$TMPD/links"
	ln -sf "$NBDBOX" "$TMPD/links/nbd-list"
	ln -sf "$NBDBOX" "$TMPD/links/nbd-probe"
	run "$TMPD/links/nbd-list" "127.0.0.1:$KIT"
	assert_ok
	assert_out one
	run "$TMPD/links/nbd-probe" --size -N one "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
	# As the issue has it: a link in the current directory.
	run sh -c 'cd "$1" && ./nbd-list "$2"' sh "$TMPD/links" "127.0.0.1:$KIT"
	assert_ok
	assert_out one
}

test_copy_named_after_applet() {
	cp "$NBDBOX" "$TMPD/nbd-probe"
	run "$TMPD/nbd-probe" --size -N one "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
}

test_install() {
	local dir=$TMPD/bin a
	mkdir -p "$dir"
	run "$NBDBOX" --install "$dir"
	assert_ok
	for a in $APPLETS; do
		assertTrue "$a is a link" "[ -L '$dir/$a' ]"
		assertEquals "$a points at the binary" "$(readlink -f "$NBDBOX")" \
			"$(readlink -f "$dir/$a")"
	done
	assertEquals "no other files" "$(printf '%s\n' $APPLETS | sort)" "$(ls "$dir" | sort)"
	# Idempotent: a second run replaces the links.
	run "$NBDBOX" --install "$dir"
	assert_ok
	run "$dir/nbd-list" "127.0.0.1:$KIT"
	assert_ok
	assert_out one
}

test_install_bad_dir() {
	run "$NBDBOX" --install "$TMPD/does/not/exist"
	assertNotEquals "exit code $(_ctx)" 0 "$RC"
	assert_err_has "$TMPD/does/not/exist"
}

test_unknown_applet() {
	run "$NBDBOX" nbd-frobnicate x
	assert_rc 127
	assert_out_empty
	assert_err_has "nbd-frobnicate"
	assert_err_has nbd-list
	assert_err_has nbd-probe
	ln -sf "$NBDBOX" "$TMPD/frob"
	run "$TMPD/frob"
	assertNotEquals "a link with an unknown name must not succeed $(_ctx)" 0 "$RC"
	assert_err_has nbd-list
}

test_no_arguments() {
	run "$NBDBOX"
	assert_rc 2
	assert_out_empty
	assert_err_has nbd-list
}

test_toplevel_help() {
	run "$NBDBOX" --help
	assert_ok
	assert_out_has nbd-list
	assert_out_has nbd-probe
}

test_every_applet_help() {
	local a
	assertNotNull "applets listed" "$APPLETS"
	for a in $APPLETS; do
		run "$NBDBOX" "$a" --help
		assert_rc 0 "$a --help"
		assert_err_empty
		assert_out_has "Usage: $a"
		run "$NBDBOX" "$a" -h
		assert_rc 0 "$a -h"
		assert_out_has "Usage: $a"
	done
}

# usage_of FILE: what --help prints, from the //usage: lines of FILE (the
# build compresses them, scripts/usagez.c): @CONN and @TLS are the
# //usage-conn: and //usage-tls: lines of applets/conn.c (the line a build
# without TLS has instead, when OUT says so).
usage_of() {
	local conn=$TOP/applets/conn.c line
	sed -n 's,^//usage:,,p' "$1" | while IFS= read -r line; do
		case $line in
		@CONN) sed -n 's,^//usage-conn:,,p' "$conn" ;;
		@TLS) case $OUT in
			*"(built without TLS"*) echo "(built without TLS: nbds:// and --tls fail)" ;;
			*) sed -n 's,^//usage-tls:,,p' "$conn" ;;
			esac ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

# --help is the source's text byte for byte, whatever the compression did.
test_help_is_the_source_text() {
	local a
	for a in $APPLETS; do
		run "$NBDBOX" "$a" --help
		usage_of "$TOP/applets/$a.c" > "$TMPD/want"
		cmp -s "$TMPD/want" "$TMPD/out" ||
			fail "$a --help: $(diff "$TMPD/want" "$TMPD/out" | head -5)"
	done
	run "$NBDBOX" --help
	{ usage_of "$TOP/nbdbox.c"; "$NBDBOX" --list; } > "$TMPD/want"
	cmp -s "$TMPD/want" "$TMPD/out" || fail "nbdbox --help: $(diff "$TMPD/want" "$TMPD/out" | head -5)"
}

test_every_applet_bad_option() {
	local a
	for a in $APPLETS; do
		run "$NBDBOX" "$a" --no-such-option
		assert_rc 2 "$a --no-such-option"
		assert_out_empty
		assert_err_has "$a: "
		assert_err_has "--help"
	done
}

test_static_binary() {
	# make check builds it; a bare `make` does not.
	if [ ! -x "$TOP/nbdbox.static" ]; then
		startSkipping
		return 0
	fi
	run "$TOP/nbdbox.static" nbd-probe --size -N one "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
	run "$TOP/nbdbox.static" nbd-list "127.0.0.1:$KIT"
	assert_ok
	assert_out one
	run file -L "$TOP/nbdbox.static"
	case $OUT in *"statically linked"*|*"static-pie"*) ;; *) command -v file >/dev/null && fail "not static: $OUT" ;; esac
}

test_stub_binary() {
	if [ ! -x "$TOP/nbdbox.stub" ]; then
		startSkipping
		return 0
	fi
	# The stub platform still speaks the protocol: only kernel calls go.
	run "$TOP/nbdbox.stub" nbd-probe --size -N one "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
}

# applets/getopt.c's long options: unique prefixes, an exact name beats
# the longer ones it prefixes, --name=value, and each refusal's message.
test_long_option_parsing() {
	run "$NBDBOX" nbd-probe "127.0.0.1:$KIT" --si --na=one
	assert_ok
	assert_out 1048576
	run "$NBDBOX" nbd-probe --size --name one "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
	run "$NBDBOX" nbd-probe --tls-c x "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "nbd-probe: ambiguous option '--tls-c'"
	run "$NBDBOX" nbd-probe --tls=x "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "nbd-probe: option '--tls' takes no argument"
	run "$NBDBOX" nbd-probe --tls-ca
	assert_rc 2
	assert_err_has "nbd-probe: option '--tls-ca' needs an argument"
	run "$NBDBOX" nbd-probe --bogus=1 "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "nbd-probe: unknown option '--bogus'"
	run "$NBDBOX" nbd-probe --wai x "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "nbd-probe: --wait: 'x' is not a number of seconds"
	run "$NBDBOX" nbd-probe --tls-ver=x "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "--tls-verify-peer: 'x' is not yes or no"
	# Long-only options of an applet's own (value bytes 0x8c on).
	run "$NBDBOX" nbd-attach --dead=x "127.0.0.1:$KIT" /dev/nbd0
	assert_rc 2
	assert_err_has "nbd-attach: --dead-timeout: 'x' is not a number of seconds"
	run "$NBDBOX" nbd-attach --id
	assert_rc 2
	assert_err_has "nbd-attach: option '--identifier' needs an argument"
	if [ "${SUITE:-}" != multicall-small ]; then
		run "$NBDBOX" nbd-copy --request-size=0 a b
		assert_rc 2
		assert_err_has "nbd-copy: --request-size: '0' is not 512 bytes to 32M"
		run "$NBDBOX" nbd-copy --fu=1
		assert_rc 2
		assert_err_has "nbd-copy: option '--fua' takes no argument"
	fi
	run "$NBDBOX" nbd-list --nbd "127.0.0.1:$KIT"
	assert_ok
	assert_out_has one
	# After "--", an option-looking word is the server address.
	run "$NBDBOX" nbd-probe -- --size
	assert_rc 3
	assert_err_has "nbd-probe: --size:10809: cannot resolve"
}

lib_main
