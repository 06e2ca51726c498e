#!/bin/bash
# The configuration really changes the binary: an applet switched off is
# neither listed nor linked; features off say so at run time; the Kconfig
# front end reads our Config.in.
. "$(dirname "$0")/lib.sh"

# build NAME SED-EXPRESSIONS...: the default configuration, edited, built
# into $TMPD/NAME/nbdbox. Sets BIN.
build() {
	local name=$1 d=$TMPD/$1
	shift
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" | sed "$@" > "$d/.config"
	make --no-print-directory -C "$TOP" O="$d/obj" CONFIG="$d/.config" BIN="$d/nbdbox" \
		> "$d/log" 2>&1 || { cat "$d/log" >&2; return 1; }
	BIN=$d/nbdbox
}

# kconf MODE CONFIG: kconfig-conf --MODE on our Config.in, writing CONFIG.
kconf() {
	( cd "$TOP" && KCONFIG_CONFIG="$2" kconfig-conf "--$1" Config.in ) \
		> "$2.log" 2>&1 || fail "kconfig-conf --$1: $(cat "$2.log")"
}

suiteSetUp() {
	start_nbdkit memory 1M || return 1
	KIT=$PORT
}

# nbd-attach --cmdline/--tab off: neither parser is linked, the options
# are unknown, nbd-attach itself still works.
test_cmdline_switched_off() {
	build nocmd -e 's/^CONFIG_NBD_ATTACH_CMDLINE=y/# CONFIG_NBD_ATTACH_CMDLINE is not set/' || fail "build"
	run nm "$BIN"
	assert_out_lacks nbd_cmdline_parse
	assert_out_lacks attach_spec_main
	run "$BIN" nbd-attach --cmdline /dev/null
	assert_rc 2
	assert_err_has "cmdline"
	run "$BIN" nbd-attach 127.0.0.1 "$KIT" /dev/nbd15
	assertNotEquals "$(_ctx)" 2 "$RC"
}

test_applet_switched_off() {
	build nolist -e 's/^CONFIG_NBD_LIST=y/# CONFIG_NBD_LIST is not set/' || fail "build"
	run "$BIN" --list
	assert_ok
	assert_out_lacks nbd-list
	assert_out_has nbd-probe
	run nm "$BIN"
	assert_out_lacks nbd_list_main
	assert_out_has nbd_probe_main
	run "$BIN" nbd-list "127.0.0.1:$KIT"
	assert_rc 127
	assert_err_has "applet not found: nbd-list"
	run "$BIN" nbd-probe --size "127.0.0.1:$KIT"
	assert_ok
	assert_out 1048576
}

test_copy_switched_off() {
	# nbd-copy off takes its core pieces (xmit.c, copy.c) with it.
	build nocopy -e 's/^CONFIG_NBD_COPY=y/# CONFIG_NBD_COPY is not set/' || fail "build"
	run "$BIN" --list
	assert_out_lacks nbd-copy
	run nm "$BIN"
	assert_out_lacks nbd_copy_main
	assert_out_lacks nbd_copy_run
	assert_out_lacks nbd_x_recv
	assert_out_has nbd_hs_run
}

# fsize BIN SYMBOL: the size in bytes of a function of an unstripped BIN
# (nm -S; a local one may carry a suffix: f.constprop.0), 0 when it is not
# there.
fsize() {
	local h
	h=$(nm -S "$1" | awk -v s="$2" '$4 == s || index($4, s ".") == 1 { print $2; exit }')
	echo $((16#${h:-0}))
}

# smaller OFF FULL FUNCTION: FUNCTION is in the build OFF, and smaller than
# in FULL.
smaller() {
	local off on
	off=$(fsize "$1" "$3") on=$(fsize "$2" "$3")
	[ "$off" -gt 0 ] || fail "$3 missing"
	[ "$off" -lt "$on" ] || fail "$3: $off bytes with its feature off, $on with it on"
}

# Each feature switch off removes its code (`if (ENABLE_X)` at every use,
# the compiler drops the rest): what the feature alone needs is gone or
# smaller than in the default build, function by function; and the feature
# answers that it is not there.
test_features_off() {
	build full -e '' || fail "build"
	local full=$BIN
	build nofeat -e 's/^CONFIG_DNS=y/# CONFIG_DNS is not set/' \
		-e 's/^CONFIG_JSON=y/# CONFIG_JSON is not set/' \
		-e 's/^CONFIG_UNIX_SOCKETS=y/# CONFIG_UNIX_SOCKETS is not set/' \
		-e 's/^CONFIG_IPV6=y/# CONFIG_IPV6 is not set/' \
		-e 's/^CONFIG_NBD_ATTACH_PERSIST=y/# CONFIG_NBD_ATTACH_PERSIST is not set/' ||
		fail "build"
	run nm "$full"
	assert_out_has nbd_dns_resolve
	assert_out_has persist_netlink
	run nm "$BIN"
	assert_out_lacks nbd_dns_resolve
	assert_out_lacks persist_netlink            # NBD_ATTACH_PERSIST
	local f
	for f in nbd_esc print_tflags nbd_sock_unix; do   # JSON (escapes, flag arrays), UNIX_SOCKETS
		smaller "$BIN" "$full" $f
	done
	run "$BIN" nbd-probe --size "127.0.0.1:$KIT"
	assert_ok
	run "$BIN" nbd-probe --size "localhost:$KIT"     # /etc/hosts still works
	assert_ok
	run "$BIN" nbd-probe "no-such-name.test:$KIT"
	assert_rc 3
	assert_err_has "built without DNS"
	run "$BIN" nbd-probe --json "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "built without JSON"
	run "$BIN" nbd-list --json "127.0.0.1:$KIT"
	assert_rc 2
	assert_err_has "built without JSON"
	run "$BIN" nbd-probe "nbd+unix:///?socket=/nonexistent"
	assert_rc 7
	assert_err_has "built without Unix socket support"
	run "$BIN" nbd-probe "nbd://[::1]:$KIT"
	assert_rc 7
	assert_err_has "built without IPv6"
	run "$BIN" nbd-attach --persist "127.0.0.1:$KIT" /dev/nbd0
	assert_rc 2
	assert_err_has "built without --persist"
	# the full build has them
	run "$full" nbd-probe --json "127.0.0.1:$KIT"
	assert_ok
	assert_out_has '"size":1048576'
}

# IPV6 alone (DNS off would change what the compiler inlines in core/sock.c).
test_ipv6_off() {
	build full -e '' || fail "build"
	local full=$BIN
	build noip6 -e 's/^CONFIG_IPV6=y/# CONFIG_IPV6 is not set/' || fail "build"
	# add_numeric parses the IPv6 literals (add_addr, which only stores
	# an address, is inlined once IPv6 is off: not a sign either way).
	smaller "$BIN" "$full" add_numeric
	run "$BIN" nbd-probe "nbd://[::1]:$KIT"
	assert_rc 7
	assert_err_has "built without IPv6"
	run "$BIN" nbd-probe --size "nbd://127.0.0.1:$KIT"
	assert_ok
}

test_kconfig_frontend_reads_config_in() {
	command -v kconfig-conf > /dev/null || { startSkipping; return; }
	local d=$TMPD/kconf
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" |
		sed 's/^CONFIG_NBD_DETACH=y/# CONFIG_NBD_DETACH is not set/' > "$d/.config"
	kconf olddefconfig "$d/.config"
	grep -q '^# CONFIG_NBD_DETACH is not set' "$d/.config" || fail "choice lost"
	grep -q '^CONFIG_NBD_ATTACH=y' "$d/.config" || fail "applet symbol missing"
	grep -q '^CONFIG_PLATFORM_LINUX=y' "$d/.config" || fail "feature symbol missing"
	grep -q '^CONFIG_DNS=y' "$d/.config" || fail "feature symbol of core/ missing"
}

# `depends on` holds without a Kconfig tool: PLATFORM_LINUX off turns
# NETLINK off though .config still says y (what `make stub` relies on), and
# the binary then has no netlink code.
test_depends_on() {
	local d=$TMPD/deps
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" > "$d/.config"
	grep -q '^CONFIG_NETLINK=y' "$d/.config" || fail "NETLINK not on by default"
	sed -e 's/^CONFIG_PLATFORM_LINUX=y/# CONFIG_PLATFORM_LINUX is not set/' \
		-e 's/^CONFIG_NBD_ATTACH=y/# CONFIG_NBD_ATTACH is not set/' \
		"$d/.config" > "$d/off"
	grep -q '^CONFIG_NETLINK=y' "$d/off" || fail "sed lost NETLINK"
	run "$TOP/scripts/config.sh" header "$TOP" "$d/off"
	assert_out_has "#define ENABLE_PLATFORM_LINUX 0"
	assert_out_has "#define ENABLE_NETLINK 0"
	assert_out_has "#define ENABLE_NBD_ATTACH_PERSIST 0"
	assert_out_lacks "CONFIG_NETLINK"
	assert_out_has "#define ENABLE_DNS 1"
	run "$TOP/scripts/config.sh" make "$TOP" "$d/off"
	assert_out_lacks "CONFIG_NETLINK"
	assert_out_lacks "CONFIG_PLATFORM_LINUX"
	assert_out_has "CONFIG_NBD_PROBE=y"
	# the same edit, built
	build stub -e 's/^CONFIG_PLATFORM_LINUX=y/# CONFIG_PLATFORM_LINUX is not set/' ||
		fail "build"
	run nm "$BIN"
	assert_out_lacks genl_talk
	run "$BIN" nbd-detach /dev/nbd0
	assert_rc 7
	assert_err_has "not supported on this platform"
}

# TLS is on by default (issue 23): `make` links Debian's libwolfssl; the
# small profile (configs/small_defconfig) has none; without wolfSSL's
# headers the build stops before compiling, with one line that says how
# to get them and how to build without TLS on purpose.
test_tls_by_default() {
	local d=$TMPD/deftls
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" > "$d/c"
	grep -q '^CONFIG_TLS=y$' "$d/c" || fail "the defaults have no TLS"
	build deftls -e '' || fail "build"
	run ldd "$BIN"
	assert_out_has libwolfssl
	run "$BIN" nbd-list --help
	assert_out_lacks "built without TLS"
}

test_small_profile_has_no_tls() {
	local d=$TMPD/small
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" "$TOP/configs/small_defconfig" > "$d/.config"
	grep -q '^# CONFIG_TLS is not set$' "$d/.config" || fail "small_defconfig keeps TLS"
	grep -q '^# CONFIG_NBD_COPY is not set$' "$d/.config" || fail "small_defconfig keeps nbd-copy"
	grep -q '^CONFIG_NBD_ATTACH_PERSIST=y$' "$d/.config" || fail "small_defconfig lost a default"
	grep -q '^CONFIG_SANDBOX=y$' "$d/.config" || fail "small_defconfig lost the sandbox"
	make --no-print-directory -C "$TOP" O="$d/obj" CONFIG="$d/.config" BIN="$d/nbdbox" \
		> "$d/log" 2>&1 || { cat "$d/log" >&2; fail "build"; return; }
	run ldd "$d/nbdbox"
	assert_out_lacks libwolfssl
	run "$d/nbdbox" nbd-list --tls "127.0.0.1:$KIT"
	assert_rc 6
	assert_err_has "built without TLS"
}

test_no_wolfssl_one_line() {
	local d=$TMPD/nowolf
	mkdir -p "$d"
	# -nostdinc: the compiler finds no wolfssl/options.h, as on a machine
	# without libwolfssl-dev.
	run make --no-print-directory -C "$TOP" O="$d/obj" BIN="$d/nbdbox" CC="cc -nostdinc"
	assertNotEquals "make succeeded without wolfSSL" 0 "$RC"
	[ -e "$d/nbdbox" ] && fail "a binary was linked"
	assertEquals "one line from us" 1 "$(grep -c 'needs wolfSSL' <<< "$ERR")"
	assert_err_has "$d/nbdbox: TLS is on (CONFIG_TLS) and needs wolfSSL: apt-get install libwolfssl-dev; or build without TLS on purpose: make small_defconfig"
	ls "$d/obj"/*/*.o > /dev/null 2>&1 && fail "objects compiled before the check"
	return 0
}

# make install: the binary installed has TLS (make static's, with the
# musl wolfSSL), and a link per applet.
test_install_has_tls() {
	[ -n "${NBDBOX_SKIP_STATIC:-}" ] && { startSkipping; return; }
	local d=$TMPD/inst
	run make --no-print-directory -C "$TOP" install DESTDIR="$d"
	assert_rc 0
	[ -x "$d/usr/sbin/nbdbox" ] || fail "no $d/usr/sbin/nbdbox"
	run file -L "$d/usr/sbin/nbdbox"
	assert_out_has "statically linked"
	run "$d/usr/sbin/nbd-list" --tls -T 2 "127.0.0.1:$KIT"
	assert_rc 6
	case $ERR in *"built without TLS"*) fail "installed without TLS: $ERR" ;; esac
	assert_err_has "127.0.0.1"
}

# make demo, the README's first command: plain exports, then TLS with a
# PSK and with certificates made on the spot, the server verifying our
# client certificate (and refusing us without one).
test_make_demo_shows_tls() {
	run make --no-print-directory -C "$TOP" demo
	assert_rc 0
	assert_out_has "nbd-probe --tls-psk "
	assert_out_has "size: 67108864"
	assert_out_has "--tls-certificates "
	assert_out_has "268435456"
	assert_err_has "require a client certificate"
	assert_err_has "server requires TLS"
}

# core/ and platform/ never print, fork or exit: none of their objects (TLS
# on, so core/tls/ is in) takes a process-control or stdio symbol from libc.
# And the applets' files call one way (applets/attach.h): no circle among
# applets/*.o, who defines what another one uses, as tsort sees it.
test_layers_call_down() {
	local d=$TMPD/tlsobj o u
	build tlsobj -e 's/^# CONFIG_TLS is not set/CONFIG_TLS=y/' || fail "build"
	u=$(cd "$d/obj" && for o in core/*.o core/tls/*.o platform/*/*.o; do
		nm -u "$o" | awk -v f="$o" '{ print f ": " $2 }'; done)
	assertContains "nm saw the core objects" "$u" "core/hs.o"
	echo "$u" | grep -wE ': (fork|vfork|execve|execv|execvp|_exit|exit|abort|setsid|daemon|kill|waitpid|wait|signal|sigaction|system|popen|printf|fprintf|puts|perror|stdout|stderr)$' &&
		fail "process control or stdio in core/ or platform/"
	# applets/ call graph: "USER DEFINER" pairs, then tsort finds circles.
	( cd "$d/obj/applets" && for o in *.o; do
		nm -u "$o" | awk '{ print $2 }' | while read -r s; do
			for p in *.o; do [ "$p" != "$o" ] && nm --defined-only "$p" |
				awk -v s="$s" '$3 == s { f = 1 } END { exit !f }' && echo "$p $o"; done
		done; done ) > "$d/calls"
	grep -q '^handover.o resident.o$' "$d/calls" || fail "call graph not read: $(cat "$d/calls")"
	tsort "$d/calls" > /dev/null 2> "$d/loops" || true
	assertEquals "a circle among applets/ files" "" "$(cat "$d/loops")"
}

# Without a Kconfig tool and with one, the defaults are the same; and the
# front end drops NETLINK with PLATFORM_LINUX as scripts/config.sh does.
test_kconfig_agrees_with_config_sh() {
	command -v kconfig-conf > /dev/null || { startSkipping; return; }
	local d=$TMPD/agree
	mkdir -p "$d"
	kconf alldefconfig "$d/k"
	"$TOP/scripts/config.sh" defconfig "$TOP" > "$d/c"
	assertEquals "alldefconfig vs config.sh defconfig" \
		"$(grep CONFIG_ "$d/c" | sort)" "$(grep CONFIG_ "$d/k" | sort)"
	grep -q '^CONFIG_JSON=y' "$d/k" || fail "feature symbol from the code missing"
	sed 's/^CONFIG_PLATFORM_LINUX=y/# CONFIG_PLATFORM_LINUX is not set/' "$d/c" > "$d/off"
	"$TOP/scripts/config.sh" header "$TOP" "$d/off" > "$d/off.h"
	cp "$d/off" "$d/koff"
	kconf olddefconfig "$d/koff"
	grep -q '^CONFIG_NETLINK=y' "$d/koff" && fail "kconfig kept NETLINK"
	grep -q '#define ENABLE_NETLINK 0' "$d/off.h" || fail "config.sh kept NETLINK"
	assertEquals "olddefconfig vs config.sh header, PLATFORM_LINUX off" \
		"$(grep '^CONFIG_.*=y' "$d/koff" | sed 's/^CONFIG_\(.*\)=y/\1/' | sort)" \
		"$(sed -n 's/^#define CONFIG_\(.*\) 1$/\1/p' "$d/off.h" | sort)"
}

lib_main
