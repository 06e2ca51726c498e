#!/bin/sh
# nbd-attach / nbd-detach / nbd-probe DEVICE on a host without the nbd
# driver, and the stub build: the error paths reachable without a kernel.
# The kernel paths themselves run in tests/vm.
#   NBDBOX=./nbdbox NBDBOX_STUB=./nbdbox.stub sh tests/shell/test_attach_host.sh
# Ends with "attach_host: N passed, N failed".

NBDBOX=${NBDBOX:-./nbdbox}
NBDBOX_STUB=${NBDBOX_STUB:-./nbdbox.stub}
TMP=$(mktemp -d)
PIDS=""

free_port() { # a port nobody listens on (nbdkit itself refuses a taken one)
	p=$(( 20000 + ($$ * 7 + ${1:-0} * 131) % 20000 ))
	while ss -ltn 2>/dev/null | grep -q ":$p "; do p=$((p + 1)); done
	echo $p
}

# start_nbdkit VAR ARGS...: nbdkit on 127.0.0.1, port in $VAR, PID saved.
start_nbdkit() {
	var=$1; shift
	port=$(free_port $#)
	nbdkit -f -i 127.0.0.1 -p "$port" -P "$TMP/nbdkit.$port.pid" "$@" &
	PIDS="$PIDS $!"
	i=0
	while ! [ -s "$TMP/nbdkit.$port.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	eval "$var=$port"
}

oneTimeSetUp() {
	start_nbdkit PORT_MC memory 16M
	start_nbdkit PORT_NOMC --filter=multi-conn memory 16M multi-conn-mode=disable
}

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$TMP"
}

oneTimeTearDown() {
	cleanup
	# shunit2 may call this twice; the summary line is printed once.
	[ -n "$REPORTED" ] && return 0
	REPORTED=1
	echo "attach_host: ${__shunit_testsPassed} passed, ${__shunit_testsFailed} failed"
}
trap cleanup EXIT

# run BIN ARGS...: exit code in $rc, stdout in $TMP/out, stderr in $TMP/err
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

assertErr() { # assertErr CODE TEXT
	assertEquals "exit code ($(cat "$TMP/err"))" "$1" "$rc"
	assertContains "stderr" "$(cat "$TMP/err")" "$2"
	assertEquals "stdout empty" "" "$(cat "$TMP/out")"
}

no_driver() {
	[ -e /sys/module/nbd ] || [ -e /dev/nbd0 ]
}

# ---- usage errors (exit 2)
test_usage() {
	run $NBDBOX nbd-attach
	assertErr 2 "missing server address"
	run $NBDBOX nbd-attach -C 0 127.0.0.1
	assertErr 2 "-C: '0'"
	run $NBDBOX nbd-attach -C 17 127.0.0.1
	assertErr 2 "connections are 1 to 16"
	run $NBDBOX nbd-attach -b 1000 127.0.0.1
	assertErr 2 "power of two"
	run $NBDBOX nbd-attach -b 256 127.0.0.1
	assertErr 2 "power of two"
	run $NBDBOX nbd-attach 127.0.0.1 10809 /dev/sda
	assertErr 2 "'/dev/sda' is not an nbd device"
	run $NBDBOX nbd-attach 127.0.0.1 10809 /dev/nbd0 extra
	assertErr 2 "unexpected argument 'extra'"
	run $NBDBOX nbd-attach --ioctl --identifier x 127.0.0.1
	assertErr 2 "--identifier needs netlink"
	run $NBDBOX nbd-detach
	assertErr 2 "missing device"
	run $NBDBOX nbd-detach -a /dev/nbd0
	assertErr 2 "-a takes no device"
	run $NBDBOX nbd-detach sda
	assertErr 2 "not an nbd device"
}

test_help() {
	run $NBDBOX nbd-attach --help
	assertEquals 0 "$rc"
	assertContains "$(cat "$TMP/out")" "--persist"
	run $NBDBOX nbd-detach --help
	assertEquals 0 "$rc"
	assertContains "$(cat "$TMP/out")" "--all"
}

# ---- no nbd driver on this host
test_attach_no_module() {
	no_driver && startSkipping
	run $NBDBOX nbd-attach 127.0.0.1 "$PORT_MC"
	assertErr 9 "nbd module not loaded"
	run $NBDBOX nbd-attach --ioctl 127.0.0.1 "$PORT_MC"
	assertErr 9 "nbd module not loaded"
}

test_attach_no_device() {
	no_driver && startSkipping
	run $NBDBOX nbd-attach 127.0.0.1 "$PORT_MC" /dev/nbd3
	assertErr 8 "/dev/nbd3: open: no such device"
	run $NBDBOX nbd-attach "nbd://127.0.0.1:$PORT_MC" nbd3
	assertErr 8 "/dev/nbd3: open: no such device"
}

test_detach_probe_no_device() {
	no_driver && startSkipping
	run $NBDBOX nbd-detach /dev/nbd0
	assertErr 8 "/dev/nbd0: no such device (nbd module not loaded)"
	run $NBDBOX nbd-detach -a
	assertEquals "nothing to detach" 0 "$rc"
	run $NBDBOX nbd-probe /dev/nbd0
	assertErr 8 "/dev/nbd0: no such device"
	run $NBDBOX nbd-probe --json nbd5
	assertErr 8 "/dev/nbd5: no such device"
}

test_attach_server_down() {
	run $NBDBOX nbd-attach 127.0.0.1 1
	assertErr 3 "connect"
}

# ---- -C N: refused before the kernel is asked
test_multi_conn_refused() {
	run $NBDBOX nbd-probe 127.0.0.1 "$PORT_NOMC"
	assertNotContains "server hides multi-conn" "$(cat "$TMP/out")" "multi-conn"
	run $NBDBOX nbd-attach -C 2 127.0.0.1 "$PORT_NOMC"
	assertErr 7 "-C 2: the server does not advertise CAN_MULTI_CONN"
}

test_multi_conn_allowed() {
	no_driver && startSkipping
	run $NBDBOX nbd-probe 127.0.0.1 "$PORT_MC"
	assertContains "server offers multi-conn" "$(cat "$TMP/out")" "multi-conn"
	# Past the multi-conn check, the missing driver is what stops it.
	run $NBDBOX nbd-attach -C 4 127.0.0.1 "$PORT_MC"
	assertErr 9 "nbd module not loaded"
}

# ---- the stub platform
test_stub() {
	[ -x "$NBDBOX_STUB" ] || fail "no $NBDBOX_STUB (make stub)"
	run $NBDBOX_STUB nbd-attach 127.0.0.1 "$PORT_MC"
	assertErr 7 "nbd-attach: not supported on this platform"
	run $NBDBOX_STUB nbd-detach /dev/nbd0
	assertErr 7 "nbd-detach: not supported on this platform"
	run $NBDBOX_STUB nbd-detach -a
	assertErr 7 "nbd-detach: not supported on this platform"
	run $NBDBOX_STUB nbd-probe /dev/nbd0
	assertErr 7 "nbd-probe: not supported on this platform"
	# Usage errors stay usage errors, and servers can still be probed.
	run $NBDBOX_STUB nbd-attach -C 0 127.0.0.1
	assertErr 2 "-C: '0'"
	run $NBDBOX_STUB nbd-probe --size 127.0.0.1 "$PORT_MC"
	assertEquals 0 "$rc"
	assertEquals 16777216 "$(cat "$TMP/out")"
}

# NBDBOX_SKIP="test_a ...": named by the caller (tests/cross), reported,
# counted neither as passed nor failed (shunit2 runs what suite() adds).
if [ -n "${NBDBOX_SKIP:-}" ]; then
	suite() {
		for t in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*().*/\1/p' "$0"); do
			case " $NBDBOX_SKIP " in
			*" $t "*) echo "attach_host: $t: skipped (NBDBOX_SKIP)" ;;
			*) suite_addTest "$t" ;;
			esac
		done
	}
fi
. shunit2
