#!/bin/bash
# nbd-probe against real servers: nbdkit, nbd-server, qemu-nbd, nbdkit -o,
# a closed port and a listener that never greets.
. "$(dirname "$0")/lib.sh"

# One weird export name: quotes, spaces, a command substitution, a glob.
WEIRD="it's a \"disk\" \$(touch $TMPD/pwned) \`touch $TMPD/pwned2\` * ;"

suiteSetUp() {
	# nbdkit memory 1G, any export name opens it.
	start_nbdkit memory 1G || return 1
	KIT=$PORT
	# nbdkit with strict named exports and descriptions.
	start_nbdkit --filter=exportname memory 64M exportname=disk1 \
		exportname="$WEIRD" exportname-list=explicit exportname-strict=true \
		exportdesc=fixed:'64M RAM disk' || return 1
	NAMED=$PORT
	# nbd-server: three named exports of different sizes.
	start_nbd_server alpha:1M beta:2M gamma:3M:ro || return 1
	NBDSRV=$PORT
}

# nbdinfo --json says what nbdkit advertises; the flags nbd-probe decodes
# must match it one for one.
test_nbdkit_1G_size_and_flags() {
	run "$NBDBOX" nbd-probe 127.0.0.1 "$KIT"
	assert_ok
	assert_out_has "size: 1073741824"
	assert_out_has "handshake: fixed newstyle"
	local want got
	want=$(nbdinfo --json "nbd://127.0.0.1:$KIT" | python3 -c '
import json, sys
e = json.load(sys.stdin)["exports"][0]
m = [("is_read_only", "read-only"), ("can_flush", "flush"), ("can_fua", "fua"),
     ("can_trim", "trim"), ("can_zero", "write-zeroes"), ("can_fast_zero", "fast-zero"),
     ("can_df", "df"), ("can_multi_conn", "multi-conn"), ("is_rotational", "rotational"),
     ("can_cache", "cache")]
print(" ".join(sorted(n for k, n in m if e.get(k))))')
	got=$(printf '%s\n' "$OUT" | sed -n 's/^flags: //p' | tr ' ' '\n' | sort | xargs)
	assertNotNull "nbdinfo gave flags" "$want"
	assertEquals "flags vs nbdinfo $(_ctx)" "$want" "$got"
}

test_size_only() {
	run "$NBDBOX" nbd-probe --size "127.0.0.1:$KIT"
	assert_ok
	assert_out "1073741824"
}

test_json_parses() {
	run "$NBDBOX" nbd-probe --json "nbd://127.0.0.1:$KIT"
	assert_ok
	keep_out
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["size"] == 1073741824, d
assert isinstance(d["flags"], list) and "flush" in d["flags"], d
assert d["read_only"] is False, d
print(d["handshake"])' "$TMPD/kept"
	assert_ok
	assert_out "fixed newstyle"
}

test_json_weird_name() {
	run "$NBDBOX" nbd-probe --json -N "$WEIRD" 127.0.0.1 "$NAMED"
	assert_ok
	keep_out
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["export"]); print(d["size"]); print(d["description"])' "$TMPD/kept"
	assert_ok
	assert_out "$WEIRD
67108864
64M RAM disk"
}

test_shell_eval_roundtrip() {
	run "$NBDBOX" nbd-probe --shell -N "$WEIRD" 127.0.0.1 "$NAMED"
	assert_ok
	local NBD_EXPORT= NBD_SIZE= NBD_DESCRIPTION= NBD_READ_ONLY= NBD_HANDSHAKE= NBD_FLAGS=
	keep_out
	eval "$OUT"
	assertEquals "eval status $(_ctx)" 0 $?
	assertEquals "export name survives eval" "$WEIRD" "$NBD_EXPORT"
	assertEquals 67108864 "$NBD_SIZE"
	assertEquals "64M RAM disk" "$NBD_DESCRIPTION"
	assertEquals 0 "$NBD_READ_ONLY"
	assertEquals "fixed newstyle" "$NBD_HANDSHAKE"
	assertFalse "eval ran a command substitution" "[ -e $TMPD/pwned -o -e $TMPD/pwned2 ]"
	# Also through a plain POSIX sh (dash), as a boot script would.
	run sh -c 'eval "$(cat "$1")"; printf "%s|%s" "$NBD_EXPORT" "$NBD_SIZE"' sh "$TMPD/kept"
	assert_ok
	assert_out "$WEIRD|67108864"
}

test_human_description_and_name() {
	run "$NBDBOX" nbd-probe "nbd://127.0.0.1:$NAMED/disk1"
	assert_ok
	assert_out_has "export: disk1"
	assert_out_has "size: 67108864"
	assert_out_has "description: 64M RAM disk"
}

test_unknown_export_nbdkit() {
	run "$NBDBOX" nbd-probe -N nosuch 127.0.0.1 "$NAMED"
	assert_rc 4
	assert_out_empty
	assert_err_oneline nbd-probe
	assert_err_has "127.0.0.1:$NAMED"
	assert_err_has "'nosuch'"
}

test_nbd_server_each_export_size() {
	local spec name size
	for spec in alpha:1048576 beta:2097152 gamma:3145728; do
		name=${spec%%:*} size=${spec#*:}
		run "$NBDBOX" nbd-probe --size -N "$name" 127.0.0.1 "$NBDSRV"
		assert_ok
		assert_out "$size"
	done
	run "$NBDBOX" nbd-probe -N gamma 127.0.0.1 "$NBDSRV"
	assert_ok
	assert_out_has "export: gamma"
	assert_out_has "size: 3145728"
	assert_out_has "read-only"
	run "$NBDBOX" nbd-probe -N alpha 127.0.0.1 "$NBDSRV"
	assert_out_lacks "read-only"
}

test_unknown_export_nbd_server_message() {
	run "$NBDBOX" nbd-probe -N nosuch 127.0.0.1 "$NBDSRV"
	assert_rc 4
	assert_out_empty
	assert_err_oneline nbd-probe
	assert_err_has "'nosuch'"
	# nbd-server's own words travel to the user.
	assert_err_has "Export unknown"
}

test_qemu_nbd_description() {
	start_qemu_nbd vm0 "the qemu disk" 16M || fail "qemu-nbd did not start"
	run "$NBDBOX" nbd-probe -N vm0 127.0.0.1 "$PORT"
	assert_ok
	assert_out_has "export: vm0"
	assert_out_has "size: 16777216"
	assert_out_has "description: the qemu disk"
	assert_out_has "handshake: fixed newstyle"
	run "$NBDBOX" nbd-probe -N other 127.0.0.1 "$PORT"
	assert_rc 4
	assert_err_has "'other'"
	# qemu-nbd explains itself: "export 'other' not present"
	assert_err_has "not present"
}

test_oldstyle_probe() {
	NBDKIT_OPTS=-o start_nbdkit memory 64M || fail "nbdkit -o did not start"
	run "$NBDBOX" nbd-probe 127.0.0.1 "$PORT"
	assert_ok
	assert_out_has "size: 67108864"
	assert_out_has "handshake: oldstyle"
	run "$NBDBOX" nbd-probe --size 127.0.0.1 "$PORT"
	assert_ok
	assert_out 67108864
}

test_nothing_listening() {
	local p
	p=$(free_port)
	# "Fast": no retries, no timeout to sit out. A generous bound, only
	# to tell a refused connection from a hang.
	run timeout 5 "$NBDBOX" nbd-probe "127.0.0.1:$p"
	assert_rc 3
	assert_out_empty
	assert_err_oneline nbd-probe
	assert_err_has "127.0.0.1:$p"
	assert_err_has "refused"
}

test_silent_listener_times_out() {
	start_silent_listener || fail "listener"
	run timeout 20 "$NBDBOX" nbd-probe -T 1 "127.0.0.1:$PORT"
	assert_rc 3 "exit code (124 = did not give up)"
	assert_out_empty
	assert_err_oneline nbd-probe
	assert_err_has "127.0.0.1:$PORT"
	assert_err_has "time"
}

# A host that never answers the SYN, on loopback: a listener whose accept
# queue is full drops new SYNs, so connect() itself must time out.
test_connect_to_a_blackhole_times_out() {
	local p
	# Timing: valgrind's start-up alone eats the margin.
	[ -n "${NBDBOX_UNDER_VALGRIND:-}" ] && { echo "SKIP under valgrind (timing)"; startSkipping; }
	p=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(0)
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", int(sys.argv[1])))
    except BlockingIOError: pass
    fill.append(c)
print("ready", flush=True)
time.sleep(120)
' "$p" > "$TMPD/blackhole.out" &
	save_pid $!
	wait_file "$TMPD/blackhole.out"   # "ready": the queue is full
	local t0=$SECONDS
	run timeout 20 "$NBDBOX" nbd-probe -T 2 "127.0.0.1:$p"
	assert_rc 3
	assert_err_oneline nbd-probe
	assert_err_has "127.0.0.1:$p: connect: no answer within 2000 ms"
	assertTrue "gave up after the timeout, not long after" "[ $((SECONDS - t0)) -le 5 ]"
}

test_wait_for_late_server() {
	local p
	p=$(free_port)
	( sleep 1; exec nbdkit -f -i 127.0.0.1 -p "$p" memory 8M ) > /dev/null 2>&1 &
	save_pid $!
	run timeout 30 "$NBDBOX" nbd-probe --wait 15 --size "127.0.0.1:$p"
	assert_ok
	assert_out 8388608
}

# Behind a relay (qemu guestfwd, a proxy) a server that is not up yet
# looks like a connection closed before the greeting: --wait retries that
# too, and without --wait it is a protocol error at once.
test_wait_through_a_relay() {
	local p
	# Timing: the relay lives 1.5 s, valgrind's start-up takes about that.
	[ -n "${NBDBOX_UNDER_VALGRIND:-}" ] && { echo "SKIP under valgrind (timing)"; startSkipping; }
	p=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(0.2)
end = time.time() + 1.5
while time.time() < end:
    try: s.accept()[0].close()
    except socket.timeout: pass
' "$p" &
	save_pid $!
	wait_port "$p"
	run timeout 10 "$NBDBOX" nbd-probe --size "127.0.0.1:$p"
	assert_rc 5
	assert_err_has "closed the connection"
	( sleep 2; exec nbdkit -f -i 127.0.0.1 -p "$p" memory 8M ) > /dev/null 2>&1 &
	save_pid $!
	run timeout 30 "$NBDBOX" nbd-probe --wait 15 --size "127.0.0.1:$p"
	assert_ok
	assert_out 8388608
}

test_wait_gives_up() {
	local p
	p=$(free_port)
	run timeout 20 "$NBDBOX" nbd-probe --wait 1 "127.0.0.1:$p"
	assert_rc 3
	assert_err_has "127.0.0.1:$p"
}

test_uri_nbd_unix() {
	start_nbdkit_unix --filter=exportname memory 4M exportname=sock1 \
		exportname-strict=true exportname-list=explicit || fail "nbdkit -U"
	run "$NBDBOX" nbd-probe --size "nbd+unix:///sock1?socket=$SOCK"
	assert_ok
	assert_out 4194304
	run "$NBDBOX" nbd-probe --size -u "$SOCK" -N sock1
	assert_ok
	assert_out 4194304
	run "$NBDBOX" nbd-probe "nbd+unix:///sock1?socket=$TMPD/nonexistent.sock"
	assert_rc 3
	assert_err_has "nonexistent.sock"
}

test_uri_ipv6_literal() {
	if ! have_ipv6_lo; then
		startSkipping
		return 0
	fi
	NBDKIT_ADDR=::1 start_nbdkit memory 2M || fail "nbdkit on ::1"
	run "$NBDBOX" nbd-probe --size "nbd://[::1]:$PORT"
	assert_ok
	assert_out 2097152
	run "$NBDBOX" nbd-probe --size "[::1]:$PORT"
	assert_ok
	assert_out 2097152
}

test_nbds_without_tls() {
	if ! "$NBDBOX" nbd-list --help 2>&1 | grep -q "built without TLS"; then
		startSkipping
		return 0
	fi
	run "$NBDBOX" nbd-probe "nbds://127.0.0.1:$KIT/x"
	assert_rc 6
	assert_out_empty
	assert_err_has "built without TLS"
	run "$NBDBOX" nbd-probe --tls 127.0.0.1 "$KIT"
	assert_rc 6
	assert_err_has "built without TLS"
}

test_bad_uri() {
	run "$NBDBOX" nbd-probe "nbd+bogus://127.0.0.1/x"
	assert_rc 2
	assert_out_empty
	assert_err_has "nbd+bogus"
}

test_usage_errors() {
	run "$NBDBOX" nbd-probe
	assert_rc 2
	assert_out_empty
	assert_err_has "nbd-probe: "
	run "$NBDBOX" nbd-probe --bogus 127.0.0.1
	assert_rc 2
	run "$NBDBOX" nbd-probe -T 0 127.0.0.1
	assert_rc 2
	assert_err_has "timeout"
	run "$NBDBOX" nbd-probe --wait abc 127.0.0.1
	assert_rc 2
	run "$NBDBOX" nbd-probe 127.0.0.1 10809 extra
	assert_rc 2
	assert_err_has "extra"
}

test_valgrind_clean() {
	command -v valgrind > /dev/null || { startSkipping; return 0; }
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-probe -N disk1 127.0.0.1 "$NAMED"
	assert_ok
	assert_out_has "size: 67108864"
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-probe --json "127.0.0.1:$KIT"
	assert_ok
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-probe -N nosuch 127.0.0.1 "$NAMED"
	assert_rc 4
	assert_err_oneline nbd-probe
}

lib_main
