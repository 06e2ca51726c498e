#!/bin/bash
# nbd-attach / nbd-detach / nbd-probe DEVICE on a host without the nbd
# driver, and the stub build: the error paths reachable without a kernel.
# The kernel paths themselves run in tests/vm.
#   NBDBOX=./nbdbox NBDBOX_STUB=./nbdbox.stub bash tests/shell/test_attach_host.sh
# Ends with "attach_host: N passed, N failed".
. "$(dirname "$0")/lib.sh"

NBDBOX_STUB=${NBDBOX_STUB:-$TOP/nbdbox.stub}

suiteSetUp() {
	start_nbdkit memory 16M || return 1
	PORT_MC=$PORT
	start_nbdkit --filter=multi-conn memory 16M multi-conn-mode=disable || return 1
	PORT_NOMC=$PORT
}

assertErr() { # assertErr CODE TEXT: that exit code, TEXT on stderr, no stdout
	assert_rc "$1"
	assert_err_has "$2"
	assert_out_empty
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
	assert_rc 0
	assert_out_has "--persist"
	run $NBDBOX nbd-detach --help
	assert_rc 0
	assert_out_has "--all"
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
	assert_rc 0 "nothing to detach"
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
	assert_out_lacks "multi-conn"
	run $NBDBOX nbd-attach -C 2 127.0.0.1 "$PORT_NOMC"
	assertErr 7 "-C 2: the server does not advertise CAN_MULTI_CONN"
}

test_multi_conn_allowed() {
	no_driver && startSkipping
	run $NBDBOX nbd-probe 127.0.0.1 "$PORT_MC"
	assert_out_has "multi-conn"
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
	assert_rc 0
	assert_out 16777216
}

lib_main
