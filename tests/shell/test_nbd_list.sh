#!/bin/bash
# nbd-list against real servers.
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')
WEIRD="it's \"odd\" \$(x) a\\b"
# The same as human output shows it: a backslash doubled (README, Security).
WEIRD_TXT="it's \"odd\" \$(x) a\\\\b"

suiteSetUp() {
	start_nbd_server alpha:1M beta:2M gamma:3M:ro || return 1
	NBDSRV=$PORT
	start_nbdkit --filter=exportname memory 64M exportname=disk1 exportname=disk2 \
		exportname="$WEIRD" exportname-list=explicit exportname-strict=true \
		exportdesc=fixed:'64M RAM disk' || return 1
	NAMED=$PORT
}

test_nbd_server_three_exports() {
	run "$NBDBOX" nbd-list 127.0.0.1 "$NBDSRV"
	assert_ok
	# nbd-server has no descriptions: names only, no tab.
	assert_out "alpha
beta
gamma"
}

test_nbd_server_hostport_forms() {
	run "$NBDBOX" nbd-list "127.0.0.1:$NBDSRV"
	assert_ok
	assert_out_has beta
	run "$NBDBOX" nbd-list "nbd://127.0.0.1:$NBDSRV"
	assert_ok
	assert_out_has gamma
}

test_nbdkit_names_and_descriptions() {
	run "$NBDBOX" nbd-list "127.0.0.1:$NAMED"
	assert_ok
	assert_out "disk1${TAB}64M RAM disk
disk2${TAB}64M RAM disk
${WEIRD_TXT}${TAB}64M RAM disk"
}

test_same_as_nbdinfo() {
	local want
	want=$(nbdinfo --list --json "nbd://127.0.0.1:$NAMED" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["exports"]:
    esc = lambda s: s.replace("\\", "\\\\")  # human output doubles a backslash
    print(esc(e["export-name"]) + "\t" + esc(e.get("description", "")))')
	run "$NBDBOX" nbd-list "127.0.0.1:$NAMED"
	assert_ok
	assert_out "$want"
}

test_long_format() {
	run "$NBDBOX" nbd-list -l "127.0.0.1:$NAMED"
	assert_ok
	assertEquals "three lines $(_ctx)" 3 "$(printf '%s\n' "$OUT" | wc -l)"
	local name size flags desc
	while IFS=$TAB read -r name size flags desc; do
		assertEquals "size of $name" 67108864 "$size"
		assertContains "flags of $name" ",$flags," ",flush,"
		assertEquals "description of $name" "64M RAM disk" "$desc"
	done < "$TMPD/out"
}

test_json() {
	run "$NBDBOX" nbd-list --json "127.0.0.1:$NAMED"
	assert_ok
	keep_out
	run python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    print(e["name"] + "|" + e.get("description", ""))' "$TMPD/kept"
	assert_ok
	assert_out "disk1|64M RAM disk
disk2|64M RAM disk
${WEIRD}|64M RAM disk"
}

test_json_long() {
	run "$NBDBOX" nbd-list --json -l "127.0.0.1:$NBDSRV"
	assert_ok
	keep_out
	run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(e["name"] for e in d))
print(all(isinstance(e.get("flags", []), list) for e in d))' "$TMPD/kept"
	assert_ok
	assert_out "alpha beta gamma
True"
}

test_qemu_nbd_description() {
	start_qemu_nbd vm0 "the qemu disk" 16M || fail "qemu-nbd"
	run "$NBDBOX" nbd-list "127.0.0.1:$PORT"
	assert_ok
	assert_out "vm0${TAB}the qemu disk"
	run "$NBDBOX" nbd-list -l "127.0.0.1:$PORT"
	assert_ok
	assert_out_has "vm0${TAB}16777216${TAB}"
	assert_out_has "${TAB}the qemu disk"
}

test_oldstyle_not_supported() {
	NBDKIT_OPTS=-o start_nbdkit memory 64M || fail "nbdkit -o"
	run "$NBDBOX" nbd-list "127.0.0.1:$PORT"
	assert_rc 7
	assert_out_empty
	assert_err_oneline nbd-list
	assert_err_has "127.0.0.1:$PORT"
	assert_err_has "oldstyle"
}

test_nothing_listening() {
	local p
	p=$(free_port)
	run timeout 5 "$NBDBOX" nbd-list "127.0.0.1:$p"
	assert_rc 3
	assert_out_empty
	assert_err_oneline nbd-list
	assert_err_has "127.0.0.1:$p"
}

test_silent_listener_times_out() {
	start_silent_listener || fail "listener"
	run timeout 20 "$NBDBOX" nbd-list -T 1 "127.0.0.1:$PORT"
	assert_rc 3 "exit code (124 = did not give up)"
	assert_out_empty
	assert_err_oneline nbd-list
	assert_err_has "127.0.0.1:$PORT"
	assert_err_has "time"
}

test_wait_for_late_server() {
	local p
	p=$(free_port)
	( sleep 1; exec nbdkit -f -i 127.0.0.1 -p "$p" --filter=exportname memory 8M \
		exportname=late exportname-list=explicit ) > /dev/null 2>&1 &
	save_pid $!
	run timeout 30 "$NBDBOX" nbd-list --wait 15 "127.0.0.1:$p"
	assert_ok
	assert_out late
}

test_unix_socket() {
	start_nbdkit_unix --filter=exportname memory 4M exportname=u1 exportname=u2 \
		exportname-list=explicit || fail "nbdkit -U"
	run "$NBDBOX" nbd-list "nbd+unix:///?socket=$SOCK"
	assert_ok
	assert_out "u1
u2"
	run "$NBDBOX" nbd-list -u "$SOCK"
	assert_ok
	assert_out "u1
u2"
}

test_ipv6_literal() {
	if ! have_ipv6_lo; then
		startSkipping
		return 0
	fi
	NBDKIT_ADDR=::1 start_nbdkit --filter=exportname memory 2M exportname=six \
		exportname-list=explicit || fail "nbdkit on ::1"
	run "$NBDBOX" nbd-list "nbd://[::1]:$PORT"
	assert_ok
	assert_out six
	run "$NBDBOX" nbd-list "[::1]:$PORT"
	assert_ok
	assert_out six
}

test_nbds_without_tls() {
	if ! "$NBDBOX" nbd-list --help 2>&1 | grep -q "built without TLS"; then
		startSkipping
		return 0
	fi
	run "$NBDBOX" nbd-list "nbds://127.0.0.1:$NAMED"
	assert_rc 6
	assert_out_empty
	assert_err_has "built without TLS"
}

test_usage_errors() {
	run "$NBDBOX" nbd-list
	assert_rc 2
	assert_out_empty
	assert_err_has "nbd-list: "
	run "$NBDBOX" nbd-list -x 127.0.0.1
	assert_rc 2
	run "$NBDBOX" nbd-list 127.0.0.1 notaport
	assert_rc 2
	assert_err_has "notaport"
}

test_valgrind_clean() {
	command -v valgrind > /dev/null || { startSkipping; return 0; }
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-list "127.0.0.1:$NAMED"
	assert_ok
	assert_out_has disk2
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-list -l --json "127.0.0.1:$NAMED"
	assert_ok
	run valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$NBDBOX" nbd-list -l "127.0.0.1:$NBDSRV"
	assert_ok
}

lib_main
