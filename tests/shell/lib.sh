# Shared helpers for the shunit2 suites in tests/shell. Source it from a
# suite (bash), define test_* functions, end with `lib_main`.
#
# Servers listen on 127.0.0.1 (or ::1) on free ports; every PID we start
# is saved in a file and killed in tearDown (per-test servers) and on EXIT
# (everything), so a failing or interrupted suite leaves nothing behind.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NBDBOX=${NBDBOX:-$TOP/nbdbox}
SUITE=${SUITE:-$(basename "$0" .sh)}
SUITE=${SUITE#test_}
# Test names given to the suite run only those:
#   bash tests/shell/test_nbd_client.sh test_every_option_row
# (a suite sources this file without arguments, so "$@" is still its own).
LIB_TESTS=("$@")
export SHUNIT_COLOR=none

if [ -z "${SHUNIT2:-}" ]; then
	for SHUNIT2 in /usr/share/shunit2/shunit2 "$(command -v shunit2 2>/dev/null)"; do
		[ -f "$SHUNIT2" ] && break
	done
fi

# World-readable: nbd-server drops to user nbd and must reach the images.
TMPD=$(mktemp -d /tmp/nbdbox-test.XXXXXX) || exit 1
chmod 755 "$TMPD"
: > "$TMPD/pids.suite"
: > "$TMPD/pids.test"
PIDS_FILE=$TMPD/pids.test  # where start_* record; oneTimeSetUp uses suite

# ---- process bookkeeping

save_pid() { echo "$1" >> "$PIDS_FILE"; }

kill_pids() { # FILE
	local pid left=
	[ -s "$1" ] || return 0
	while read -r pid; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null && left="$left $pid"
	done < "$1"
	# Give them a moment, then no more mercy.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		local alive=
		for pid in $left; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
		left=$alive
		[ -z "$left" ] && break
		sleep 0.1
	done
	for pid in $left; do kill -9 "$pid" 2>/dev/null; done
	: > "$1"
}

stop_test_servers() { kill_pids "$TMPD/pids.test"; }

lib_cleanup() {
	kill_pids "$TMPD/pids.test"
	kill_pids "$TMPD/pids.suite"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMPD"
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM

# Servers started while this runs live for the whole suite.
suite_servers() { PIDS_FILE=$TMPD/pids.suite; "$@"; local rc=$?; PIDS_FILE=$TMPD/pids.test; return $rc; }

# ---- ports

# free_port, port_listening
. "$TOP/tests/ports.sh"

# wait_port PORT [SECONDS]: until something listens there.
wait_port() {
	local i n=$(( ${2:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		port_listening "$1" && return 0
		sleep 0.05
	done
	echo "wait_port: nothing listens on port $1 after ${2:-10}s" >&2
	return 1
}

wait_file() { # PATH [SECONDS]: until PATH exists (a socket, a pid file)
	local i n=$(( ${2:-10} * 20 ))
	for ((i = 0; i < n; i++)); do
		[ -e "$1" ] && [ -s "$1" -o -S "$1" ] && return 0
		sleep 0.05
	done
	echo "wait_file: $1 did not appear after ${2:-10}s" >&2
	return 1
}

have_ipv6_lo() { grep -q ' lo$' /proc/net/if_inet6 2>/dev/null; }

# ---- servers. Each sets PORT (or SOCK) and records its PID.

# start_nbdkit [nbdkit args: filters, plugin, params...]
#   NBDKIT_ADDR (default 127.0.0.1), NBDKIT_OPTS (e.g. -o) honoured.
start_nbdkit() {
	PORT=$(free_port)
	local log=$TMPD/nbdkit.$PORT.log
	nbdkit -f ${NBDKIT_OPTS:-} -i "${NBDKIT_ADDR:-127.0.0.1}" -p "$PORT" "$@" \
		> "$log" 2>&1 &
	save_pid $!
	wait_port "$PORT" || { cat "$log" >&2; return 1; }
}

# start_nbdkit_unix [nbdkit args...]: sets SOCK.
start_nbdkit_unix() {
	SOCK=$TMPD/nbdkit.$RANDOM.sock
	nbdkit -f -U "$SOCK" "$@" > "$SOCK.log" 2>&1 &
	save_pid $!
	wait_file "$SOCK" || { cat "$SOCK.log" >&2; return 1; }
}

# start_nbd_server NAME:SIZE[:ro] ...: one section per export, sparse
# images writable by user nbd (nbd-server serves a file it cannot write
# read-only without a word).
start_nbd_server() {
	PORT=$(free_port)
	local dir=$TMPD/nbd-server.$PORT spec name size ro
	mkdir -p "$dir"
	chmod 755 "$dir"
	{
		printf '[generic]\nlistenaddr = 127.0.0.1\nport = %s\nallowlist = true\n' "$PORT"
		for spec; do
			IFS=: read -r name size ro <<< "$spec"
			truncate -s "$size" "$dir/$name.img"
			chmod 666 "$dir/$name.img"
			printf '[%s]\nexportname = %s\n' "$name" "$dir/$name.img"
			[ "$ro" = ro ] && printf 'readonly = true\n'
		done
	} > "$dir/config"
	# It daemonizes; the pid file names the listener.
	nbd-server -C "$dir/config" -p "$dir/pid" > "$dir/log" 2>&1 ||
		{ cat "$dir/log" >&2; return 1; }
	wait_file "$dir/pid" && save_pid "$(cat "$dir/pid")"
	wait_port "$PORT" || { cat "$dir/log" >&2; return 1; }
}

# start_qemu_nbd NAME DESCRIPTION SIZE: a qcow2 image.
start_qemu_nbd() {
	PORT=$(free_port)
	local img=$TMPD/qemu.$PORT.qcow2
	qemu-img create -q -f qcow2 "$img" "$3" || return 1
	qemu-nbd -f qcow2 -x "$1" -D "$2" -b 127.0.0.1 -p "$PORT" -t --fork \
		--pid-file="$img.pid" "$img" > "$img.log" 2>&1 ||
		{ cat "$img.log" >&2; return 1; }
	wait_file "$img.pid" && save_pid "$(cat "$img.pid")"
	wait_port "$PORT"
}

# A listener that accepts connections (the kernel completes the TCP
# handshake from the backlog) but never sends the NBD greeting.
start_silent_listener() {
	PORT=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)   # hold it open, say nothing
' "$PORT" > /dev/null 2>&1 &
	save_pid $!
	wait_port "$PORT"
}

# ---- running the thing under test

# run CMD ARGS...: RC, OUT, ERR (stdout and stderr, trailing newlines cut);
# the raw streams stay in $TMPD/out and $TMPD/err.
run() {
	"$@" > "$TMPD/out" 2> "$TMPD/err" < /dev/null
	RC=$?
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
	return 0
}

# kept: a copy of the last stdout, to feed to another `run`.
keep_out() { cp "$TMPD/out" "$TMPD/kept"; }

# Every assertion names the command's streams so a failure explains itself.
_ctx() { printf '[rc=%s stdout=<%s> stderr=<%s>]' "$RC" "$OUT" "$ERR"; }

assert_rc() { # EXPECTED [what]
	assertEquals "${2:-exit code} $(_ctx)" "$1" "$RC"
}
assert_out() { # EXPECTED: stdout exactly
	assertEquals "stdout $(_ctx)" "$1" "$OUT"
}
assert_out_has() { # SUBSTRING
	case $OUT in *"$1"*) ;; *) fail "stdout lacks <$1> $(_ctx)" ;; esac
}
assert_out_lacks() {
	case $OUT in *"$1"*) fail "stdout has <$1> $(_ctx)" ;; esac
}
assert_out_empty() { assertEquals "stdout should be empty $(_ctx)" "" "$OUT"; }
assert_err_has() { # SUBSTRING
	case $ERR in *"$1"*) ;; *) fail "stderr lacks <$1> $(_ctx)" ;; esac
}
assert_err_empty() { assertEquals "stderr should be empty $(_ctx)" "" "$ERR"; }
assert_err_oneline() { # an error is one line, prefixed with the applet
	assertEquals "stderr should be one line $(_ctx)" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	case $ERR in "$1: "*) ;; *) fail "stderr not prefixed '$1: ' $(_ctx)" ;; esac
}
# assert_ok: exit 0, nothing on stderr.
assert_ok() { assert_rc 0; assert_err_empty; }

# ---- the shunit2 driver

# skip_suite FILE: shunit2's suite(): every test_ function of FILE, in
# order, but those named in NBDBOX_SKIP.
skip_suite() {
	local t
	for t in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*().*/\1/p' "$1"); do
		case " $NBDBOX_SKIP " in
		*" $t "*) echo "${SUITE:-$(basename "$1" .sh)}: $t: skipped (NBDBOX_SKIP)" ;;
		*) suite_addTest "$t" ;;
		esac
	done
}

# shunit2 calls these; a suite defines suiteSetUp / suiteTearDown instead.
oneTimeSetUp() {
	[ -x "$NBDBOX" ] || { echo "no binary at $NBDBOX (run make)" >&2; return 1; }
	if declare -F suiteSetUp > /dev/null; then
		PIDS_FILE=$TMPD/pids.suite
		suiteSetUp
		local rc=$?
		PIDS_FILE=$TMPD/pids.test
		return $rc
	fi
}
tearDown() { stop_test_servers; }
oneTimeTearDown() {
	declare -F suiteTearDown > /dev/null && suiteTearDown
	# Final per-test counts, for the NAME: N passed, N failed line.
	echo "${__shunit_testsPassed:-0} ${__shunit_testsFailed:-0}" > "$TMPD/counts"
	kill_pids "$TMPD/pids.suite"
}

# Run the suite in a subshell (shunit2 installs its own traps and exits),
# then print the convention line. A suite that died without counts
# counts as one failure.
lib_main() {
	[ -f "$SHUNIT2" ] || { echo "$SUITE: shunit2 not found"; echo "$SUITE: 0 passed, 1 failed"; exit 1; }
	# NBDBOX_SKIP="test_a test_b": tests that cannot run here (under
	# qemu-user, say), named by the caller and reported, never hidden:
	# they count neither as passed nor as failed.
	[ -n "${NBDBOX_SKIP:-}" ] && suite() { skip_suite "$0"; }
	if [ ${#LIB_TESTS[@]} -gt 0 ]; then
		( set -- -- "${LIB_TESTS[@]}"; . "$SHUNIT2" )
	else
		( set --; . "$SHUNIT2" )
	fi
	local passed failed
	if [ -s "$TMPD/counts" ]; then
		read -r passed failed < "$TMPD/counts"
	else
		echo "$SUITE: the suite died before its report"
		passed=0 failed=1
	fi
	echo "$SUITE: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}
