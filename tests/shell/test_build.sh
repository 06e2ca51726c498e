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

suiteSetUp() {
	start_nbdkit memory 1M || return 1
	KIT=$PORT
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

test_features_off() {
	build nofeat -e 's/^CONFIG_DNS=y/# CONFIG_DNS is not set/' \
		-e 's/^CONFIG_JSON=y/# CONFIG_JSON is not set/' \
		-e 's/^CONFIG_UNIX_SOCKETS=y/# CONFIG_UNIX_SOCKETS is not set/' || fail "build"
	run nm "$BIN"
	assert_out_lacks nbd_dns_resolve
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
	run "$BIN" nbd-probe "nbd+unix:///?socket=/nonexistent"
	assert_rc 7
	assert_err_has "built without Unix socket support"
}

test_kconfig_frontend_reads_config_in() {
	command -v kconfig-conf > /dev/null || { startSkipping; return; }
	local d=$TMPD/kconf
	mkdir -p "$d"
	"$TOP/scripts/config.sh" defconfig "$TOP" |
		sed 's/^CONFIG_NBD_DETACH=y/# CONFIG_NBD_DETACH is not set/' > "$d/.config"
	( cd "$TOP" && KCONFIG_CONFIG="$d/.config" kconfig-conf --olddefconfig Config.in ) \
		> "$d/log" 2>&1 || fail "kconfig-conf: $(cat "$d/log")"
	grep -q '^# CONFIG_NBD_DETACH is not set' "$d/.config" || fail "choice lost"
	grep -q '^CONFIG_NBD_ATTACH=y' "$d/.config" || fail "applet symbol missing"
	grep -q '^CONFIG_PLATFORM_LINUX=y' "$d/.config" || fail "feature symbol missing"
}

lib_main
